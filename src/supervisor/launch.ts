// Starts one run of a service: real pipes for its output, the exec shim in front of its
// command (user, groups, limits, umask, working_dir, stray fds closed), and a status pipe
// that tells an exec failure from an exit code. Resolves how the run ended once its
// output is drained.
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { ServiceConfig } from '../config/schema.js';
import { formatByteCount, formatByteSize } from '../config/byte-size.js';
import { DropQueue, type Dropped } from '../logging/drop-queue.js';
import { createLineEncoder } from '../logging/line-encoder.js';
import type { LineCount } from '../logging/line-framer.js';
import { PipeRelay } from '../logging/pipe-relay.js';
import { errnoName } from '../native/addon.js';
import { describeShimFailure, parseShimStatus, shimArgv, type ProcessAttributes } from '../process/exec-shim.js';
import type { ExitOutcome } from '../process/exit-outcome.js';
import { spawnProcess } from '../process/spawn.js';
import type { RunnerContext } from './runner-context.js';

export interface Launch {
  /** undefined when nothing could be started. */
  pid: number | undefined;
  /** How the run ended, after its output was drained. */
  ended: Promise<ExitOutcome>;
}

export interface LaunchOptions {
  env: Record<string, string>;
  /** Sees every chunk of output (for ready: {log: ...}). */
  tap?: (chunk: Buffer) => void;
  /** How long a pipe may stay quiet after the process exited; strict: time waiting on a
   * busy output counts as quiet too. */
  drain: () => { ms: number; strict: boolean };
  dropQueues: DropQueues;
  /** The service's line counts, one per stream, shared by its runs. */
  lineCounts: Record<'stdout' | 'stderr', LineCount>;
}

export type DropQueues = Partial<Record<'stdout' | 'stderr', DropQueue>>;

export function processAttributes(config: ServiceConfig, ctx: RunnerContext): ProcessAttributes {
  const { identity } = config;
  return {
    user: identity === undefined ? undefined : { name: identity.userName, uid: identity.uid, gid: identity.gid },
    umask: config.umask,
    workingDir: config.working_dir,
    limits: { nofile: ctx.defaultNofile, ...config.limits },
  };
}

export function launch(config: ServiceConfig, ctx: RunnerContext, options: LaunchOptions): Launch {
  let pipes: [number, number][];
  try {
    pipes = [ctx.addon.pipe(), ctx.addon.pipe(), ctx.addon.pipe()];
  } catch (error) {
    const errno = (error as { errno?: string }).errno ?? 'UNKNOWN';
    const outcome: ExitOutcome = { kind: 'spawn-failed', errno, message: `cannot create its pipes: ${(error as Error).message}` };
    return { pid: undefined, ended: Promise.resolve(outcome) };
  }
  const [[outRead, outWrite], [errRead, errWrite], [statusRead, statusWrite]] = pipes as [[number, number], [number, number], [number, number]];
  const attributes = processAttributes(config, ctx);
  const child = spawnProcess({
    argv: shimArgv(ctx.shimPath, attributes, config.argv, 3),
    env: options.env,
    stdoutFd: outWrite,
    stderrFd: errWrite,
    statusFd: statusWrite,
  });
  // Our copies of the write ends must go, or the readers never see EOF.
  for (const fd of [outWrite, errWrite, statusWrite]) closeSync(fd);
  const relays = [relay(config, ctx, 'stdout', outRead, child.pid, options), relay(config, ctx, 'stderr', errRead, child.pid, options)];
  const status = readAll(statusRead);
  const ended = child.outcome.then(async (outcome): Promise<ExitOutcome> => {
    const { ms, strict } = options.drain();
    const [statusText] = await Promise.all([status, ...relays.map((relay) => relay.drain(ms, strict))]);
    const failure = parseShimStatus(statusText);
    if (failure === undefined) return outcome;
    const file = config.argv[0];
    return { kind: 'spawn-failed', errno: errnoName(failure.errno), message: describeShimFailure(failure, file, attributes) };
  });
  return { pid: child.pid, ended };
}

// One of the service's streams, framed and encoded as corral's log style says, to where
// its log settings send it.
function relay(config: ServiceConfig, ctx: RunnerContext, stream: 'stdout' | 'stderr', readFd: number, pid: number | undefined, options: LaunchOptions): PipeRelay {
  const destination = config.log[stream];
  const sink = destination === 'discard' ? undefined : ctx[destination];
  const origin = { service: config.name, label: ctx.labels.pad(config.log.prefix), stream, pid };
  const encoder = createLineEncoder(ctx.logStyle, origin, destination !== 'discard' && ctx.logStyle.colour[destination]);
  return new PipeRelay(readFd, {
    encoder,
    maxLine: config.log.max_line,
    sink,
    tap: options.tap,
    drop: options.dropQueues[stream],
    count: options.lineCounts[stream],
  });
}

// log.mode: drop: a queue for each stream that goes somewhere, which reports its losses.
export function dropQueuesFor(config: ServiceConfig, ctx: RunnerContext): DropQueues {
  const { mode, buffer } = config.log;
  if (mode !== 'drop') return {};
  const queues: DropQueues = {};
  for (const stream of ['stdout', 'stderr'] as const) {
    const destination = config.log[stream];
    if (destination === 'discard') continue;
    const report = ({ lines, bytes }: Dropped): void => {
      ctx.logger.warn(
        `${config.name}: dropped ${lines} line(s) (${formatByteCount(bytes)}) of its ${stream}: corral's ${destination} was blocked and log.buffer (${formatByteSize(buffer)}) was full (log.mode: drop)`,
        { service: config.name, dropped_stream: stream, dropped_lines: lines, dropped_bytes: bytes },
      );
    };
    queues[stream] = new DropQueue(buffer, ctx[destination], report, ctx.now);
  }
  return queues;
}

// Everything written to the status pipe: nothing when the exec succeeded (the shim's
// end is close-on-exec), one "STEP ERRNO" line when it failed.
function readAll(fd: number): Promise<string> {
  const socket = new Socket({ fd, readable: true, writable: false });
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
