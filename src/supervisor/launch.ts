// Starts one run of a service: real pipes for its output, the exec shim in front of its
// command (user, groups, limits, umask, working_dir, stray fds closed), and a status pipe
// that tells an exec failure from an exit code. Resolves how the run ended once its
// output is drained.
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { ServiceConfig } from '../config/schema.js';
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
  /** How long output may keep coming after the process exited. */
  drainMs: () => number;
}

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
  const { prefix, max_line: maxLine } = config.log;
  const label = ctx.labels.pad(prefix);
  const sinks = { stdout: ctx.stdout, stderr: ctx.stderr, discard: undefined };
  const relays = [
    new PipeRelay(outRead, label, maxLine, sinks[config.log.stdout], options.tap),
    new PipeRelay(errRead, label, maxLine, sinks[config.log.stderr], options.tap),
  ];
  const status = readAll(statusRead);
  const ended = child.outcome.then(async (outcome): Promise<ExitOutcome> => {
    const [statusText] = await Promise.all([status, ...relays.map((relay) => relay.drain(options.drainMs()))]);
    const failure = parseShimStatus(statusText);
    if (failure === undefined) return outcome;
    const file = config.argv[0];
    return { kind: 'spawn-failed', errno: errnoName(failure.errno), message: describeShimFailure(failure, file, attributes) };
  });
  return { pid: child.pid, ended };
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
