// Starts one run of a service: real pipes for its output, the exec shim in front of its
// command (user, groups, limits, umask, working_dir, stray fds closed), and a status pipe
// that tells an exec failure from an exit code. How the run ended is known at once; its
// output goes on being relayed until EOF or until drained.
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { ServiceConfig } from '../config/service-config.js';
import { formatByteCount, formatByteSize } from '../config/byte-size.js';
import { DropQueue, type Dropped } from '../logging/drop-queue.js';
import { createLineEncoder } from '../logging/line-encoder.js';
import type { LineCount } from '../logging/line-framer.js';
import type { LogRing } from '../logging/log-ring.js';
import { PipeRelay } from '../logging/pipe-relay.js';
import { ringKeeper } from '../logging/ring-keeper.js';
import { errnoName } from '../native/addon.js';
import { describeShimFailure, parseShimStatus, shimArgv } from '../process/exec-shim.js';
import type { ExitOutcome } from '../process/exit-outcome.js';
import { spawnProcess } from '../process/spawn.js';
import { notStarted, type StartedRun } from './kernel.js';
import { processAttributes } from './process-attributes.js';
import type { RunnerContext } from './runner-context.js';
import { describeSystemError } from '../shared/system-error.js';

export interface LaunchOptions {
  env: Record<string, string>;
  /** Sees every chunk of output (for ready: {log: ...}). */
  tap?: (chunk: Buffer) => void;
  /** Called once the exec succeeded (the service's own program runs), before any of its
   * output is read. */
  onExec?: () => void;
  dropQueues: DropQueues;
  /** The service's line counts, one per stream, shared by its runs. */
  lineCounts: Record<'stdout' | 'stderr', LineCount>;
  /** The service's last lines, for corral logs, shared by its runs. */
  ring?: LogRing;
}

export type DropQueues = Partial<Record<'stdout' | 'stderr', DropQueue>>;

// Starts one run. Never throws: what cannot be started is a run whose `exited` says why.
export function launch(config: ServiceConfig, ctx: RunnerContext, options: LaunchOptions): StartedRun {
  const pipes: [number, number][] = [];
  try {
    for (let i = 0; i < 3; i++) pipes.push(ctx.addon.pipe());
  } catch (error) {
    // Under EMFILE the pipes made before the failing one must not leak.
    for (const fd of pipes.flat()) closeSync(fd);
    const errno = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    return notStarted({ kind: 'spawn-failed', errno, message: `cannot create its pipes: ${describeSystemError(error)}` });
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
  if (child.pid === undefined) {
    // It never started (the shim not found, a NUL byte in a string, E2BIG): this run
    // failed, not corral, and there is no output to read.
    for (const fd of pipes.flat()) closeSync(fd);
    return { pid: undefined, exited: child.outcome, outputClosed: Promise.resolve(), drainOutput: () => Promise.resolve() };
  }
  // Our copies of the write ends must go, or the readers never see EOF.
  for (const fd of [outWrite, errWrite, statusWrite]) closeSync(fd);
  // The output is read only once the status pipe closed (at the exec, or when the shim
  // exits): the line that says the service started comes before any of its own lines,
  // and an exec failure is never announced as a start. The pipes hold what it writes
  // meanwhile, a matter of microseconds.
  const status = readAll(statusRead);
  const relays = status.then((text) => {
    if (text === '') options.onExec?.();
    return [relay(config, ctx, 'stdout', outRead, child.pid, options), relay(config, ctx, 'stderr', errRead, child.pid, options)];
  });
  const exited = Promise.all([child.outcome, status]).then(([outcome, statusText]): ExitOutcome => {
    const failure = parseShimStatus(statusText);
    if (failure === undefined) return outcome;
    return { kind: 'spawn-failed', errno: errnoName(failure.errno), message: describeShimFailure(failure, config.argv[0], attributes) };
  });
  return {
    pid: child.pid,
    exited,
    outputClosed: relays.then((all) => Promise.all(all.map((relay) => relay.flushed))).then(() => undefined),
    drainOutput: (quietMs, maxMs, strict) => relays.then((all) => Promise.all(all.map((relay) => relay.drain(quietMs, strict, maxMs)))).then(() => undefined),
  };
}

// One of the service's streams, framed and encoded as corral's log style says, to where
// its log settings send it.
function relay(
  config: ServiceConfig,
  ctx: RunnerContext,
  stream: 'stdout' | 'stderr',
  readFd: number,
  pid: number | undefined,
  options: LaunchOptions,
): PipeRelay {
  const destination = config.log[stream];
  const sink = destination === 'discard' ? undefined : ctx[destination];
  const origin = { service: config.name, label: ctx.labels.pad(config.log.prefix), stream, pid };
  const encoder = createLineEncoder(ctx.logStyle, origin, destination !== 'discard' && ctx.logStyle.colour[destination]);
  return new PipeRelay(readFd, {
    encoder,
    keeper: options.ring === undefined ? undefined : ringKeeper(options.ring, stream),
    frameLines: ctx.addon.frameLines,
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
    queues[stream] = new DropQueue(buffer, ctx[destination], report, ctx.clock.now);
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
