// For one run of a service: how its readiness is known (the `ready` key) and, once ready,
// whether it stays alive (the `health` probe and the `watchdog`). Gives the launch what it
// needs for that (NOTIFY_SOCKET and WATCHDOG_USEC in the environment, a tap on the
// output) and a result to wait for.
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError, errnoOf } from '../shared/system-error.js';
import { formatDuration } from '../shared/format-duration.js';
import type { ServiceConfig } from '../config/service-config.js';
import { LineWatcher } from '../logging/line-watcher.js';
import { HealthMonitor } from '../readiness/health-monitor.js';
import { NotifyListener, notifyEvents, type NotifyEvents } from '../readiness/notify.js';
import { Watchdog, watchdogEnvironment, watchdogUsecToMs, type WatchdogFailure } from '../readiness/watchdog.js';
import { probeOnce } from '../readiness/probes.js';
import type { ProbeSpec } from '../config/probe-spec.js';
import { shimArgv } from '../process/exec-shim.js';
import { processAttributes } from './process-attributes.js';
import { waitUntilReady } from '../readiness/wait-ready.js';
import type { Clock } from './clock.js';
import type { RunnerContext } from './runner-context.js';
import { serviceEnvironment } from '../config/service-env.js';
import { readSecrets, secretsDigest } from '../config/secret-file.js';
import { secretsExecFailure } from '../config/secret-bounds.js';
import { describeOneshotTimeout } from '../config/oneshot-timeout.js';

export type ReadinessResult = { kind: 'ready'; detail?: string } | { kind: 'timeout'; detail: string } | { kind: 'cancelled' };

export interface Readiness {
  /** What the run is launched with: the service's environment (service-env.ts), with
   * NOTIFY_SOCKET and WATCHDOG_USEC when it has a notify socket. */
  env: Record<string, string>;
  /** Of the secret files' values this run is launched with (secret-file.ts), when it has any. */
  secretsDigest?: string;
  /** Set when the run must not be started: a secret file could not be read, or its notify socket could not be made. */
  setupFailure?: { errno: string; message: string };
  tap?: (chunk: Buffer) => void;
  result: Promise<ReadinessResult>;
  /** Where a watchdog failure goes; set right after the launch, as WATCHDOG=trigger may come at once. */
  onWatchdogFailure(handler: (failure: WatchdogFailure) => void): void;
  /** Once ready: starts the liveness probe and arms the watchdog, if the service has them. */
  startLiveness(onUnhealthy: (detail: string) => void): void;
  /** The run ended: stop probing, disarm the watchdog, close the notify socket. */
  cancel(): void;
}

const NOTIFY_POLL_MS = 50;

// A notify socket serves READY=1 (ready: {notify: true}) and WATCHDOG=1 (watchdog), one
// socket for both when a service has both.
function needsNotifySocket(config: Pick<ServiceConfig, 'ready' | 'watchdog'>): boolean {
  return config.ready?.spec.kind === 'notify' || config.watchdog !== undefined;
}

export function watchReadiness(config: ServiceConfig, ctx: RunnerContext): Readiness {
  // Secret files are read for each run, so a rotated secret reaches the next start; their
  // values live in this run's environment only.
  const secrets = readSecrets(config.secret_files);
  if ('failure' in secrets) return notLaunched(secrets.failure);
  // Checks get the service's environment without NOTIFY_SOCKET and WATCHDOG_*: they are
  // not the service, and must not answer for it, nor for corral to a manager above it
  // (whose NOTIFY_SOCKET and WATCHDOG_* corral may have inherited).
  let env = serviceEnvironment(config, ctx.env, secrets.values);
  // What `corral check` could not count: with them, the exec may be past the kernel's limit.
  const tooBig = secretsExecFailure(config, env, secrets.values);
  if (tooBig) return notLaunched(tooBig);
  const { NOTIFY_SOCKET: _socket, WATCHDOG_USEC: _usec, WATCHDOG_PID: _pid, ...checkEnv } = env;
  const abort = new AbortController();
  const cleanups: (() => void)[] = [() => abort.abort()];
  // Every cleanup runs, whatever one of them throws: the run's end must be handled.
  const cancel = (): void => {
    for (const cleanup of cleanups.splice(0)) {
      try {
        cleanup();
      } catch (error) {
        ctx.logger.warn(`${config.name}: ending its readiness and health checks: ${(error as Error).message}`);
      }
    }
  };
  const startedAt = ctx.clock.now();
  const since = (): string => `after ${formatDuration(ctx.clock.now() - startedAt)}`;

  let onWatchdogFailure: (failure: WatchdogFailure) => void = () => undefined;
  // Before a timeout counts, what the service sent in time is read from its socket.
  let flushSocket: () => void = () => undefined;
  const watchdog =
    config.watchdog && new Watchdog({ timeoutMs: config.watchdog.timeoutMs, onFailure: (failure) => onWatchdogFailure(failure), flush: () => flushSocket() });
  if (watchdog) cleanups.push(() => watchdog.stop());

  const startLiveness = (onUnhealthy: (detail: string) => void): void => {
    if (abort.signal.aborted) return;
    watchdog?.start();
    const { health } = config;
    if (health === undefined) return;
    const spec = asService(health.spec);
    const monitor = new HealthMonitor({
      check: () => probeOnce(spec, { timeoutMs: health.timeoutMs, env: checkEnv, signal: abort.signal }),
      intervalMs: health.intervalMs,
      retries: health.retries,
      onUnhealthy: (detail, failures) => onUnhealthy(`${failures} failed checks, the last: ${detail}`),
    });
    monitor.start();
    cleanups.push(() => monitor.stop());
  };
  // The environment as it is when this is called: with NOTIFY_SOCKET once the socket is bound.
  const digest = Object.keys(secrets.values).length > 0 ? secretsDigest(secrets.values) : undefined;
  const readiness = (rest: Pick<Readiness, 'result' | 'tap'>): Readiness => ({
    env,
    secretsDigest: digest,
    startLiveness,
    cancel,
    onWatchdogFailure: (handler) => {
      onWatchdogFailure = handler;
    },
    ...rest,
  });
  // A check command runs as the service itself would: its user, groups, umask, limits
  // and working directory, through the same shim.
  const asService = (spec: ProbeSpec): ProbeSpec =>
    spec.kind === 'exec' ? { kind: 'exec', argv: shimArgv(ctx.shimPath, processAttributes(config, ctx), spec.argv) } : spec;

  // READY=1 fires this once ready: {notify: true} has set it up below.
  let onReadyMessage: (() => void) | undefined;
  if (needsNotifySocket(config)) {
    const opened = openNotifySocket(config, ctx, (fields) => {
      const events = notifyEvents(fields);
      if (events.status !== undefined) ctx.logger.debug(`${config.name} status: ${events.status}`);
      if (events.stopping) ctx.logger.info(`${config.name} says it is stopping`);
      if (events.ready) onReadyMessage?.();
      if (watchdog) actOnWatchdogEvents(config.name, watchdog, events, ctx);
    });
    if (!opened.ok) {
      cancel();
      return { ...readiness({ result: new Promise(() => undefined) }), setupFailure: opened.failure };
    }
    cleanups.push(() => opened.listener.close());
    env = { ...env, NOTIFY_SOCKET: opened.path };
    flushSocket = () => void opened.listener.pollNow();
    if (watchdog) env = watchdogEnvironment(env, watchdog.timeoutMs);
  }

  // A oneshot is ready when it exits 0, which the runner sees itself.
  // With a timeout, not exiting in time is its 'timeout' (oneshot-timeout.ts).
  if (config.type === 'oneshot') {
    const { timeoutMs } = config;
    return readiness({
      result:
        timeoutMs === undefined
          ? new Promise(() => undefined)
          : eventWithDeadline(ctx.clock, timeoutMs, abort.signal, describeOneshotTimeout(timeoutMs)).result,
    });
  }
  const { ready } = config;
  if (ready === undefined) return readiness({ result: Promise.resolve({ kind: 'ready' }) });

  const { spec, intervalMs, timeoutMs } = ready;
  switch (spec.kind) {
    case 'exec':
    case 'tcp':
    case 'http': {
      const probe = asService(spec);
      const result = waitUntilReady((attemptMs, signal) => probeOnce(probe, { timeoutMs: attemptMs, env: checkEnv, signal }), {
        intervalMs,
        timeoutMs,
        now: ctx.clock.now,
        signal: abort.signal,
      }).then((outcome): ReadinessResult => {
        switch (outcome.kind) {
          case 'ready':
            return { kind: 'ready', detail: `${spec.kind} check passed ${since()}` };
          case 'timeout':
            return { kind: 'timeout', detail: `last check: ${outcome.lastDetail}` };
          case 'aborted':
            return { kind: 'cancelled' };
        }
      });
      return readiness({ result });
    }
    case 'log': {
      const event = eventWithDeadline(ctx.clock, timeoutMs, abort.signal, `no output line matched /${spec.pattern.source}/`);
      const watcher = new LineWatcher(spec.pattern, config.log.max_line, () => event.fire(`log line matched ${since()}`));
      return readiness({ tap: (chunk) => watcher.push(chunk), result: event.result });
    }
    case 'notify': {
      const event = eventWithDeadline(ctx.clock, timeoutMs, abort.signal, 'no READY=1 on $NOTIFY_SOCKET');
      onReadyMessage = () => event.fire(`READY=1 ${since()}`);
      return readiness({ result: event.result });
    }
  }
}

// A run that must not be launched, and why: nothing to watch, nothing to cancel.
function notLaunched(setupFailure: { errno: string; message: string }): Readiness {
  return {
    env: {},
    setupFailure,
    result: new Promise(() => undefined),
    onWatchdogFailure: () => undefined,
    startLiveness: () => undefined,
    cancel: () => undefined,
  };
}

// WATCHDOG=1, WATCHDOG=trigger and WATCHDOG_USEC=N, for a service with a watchdog. A new
// timeout is applied before a ping in the same message, as systemd does.
function actOnWatchdogEvents(name: string, watchdog: Watchdog, events: NotifyEvents, ctx: RunnerContext): void {
  if (events.watchdogUsec !== undefined) {
    const ms = watchdogUsecToMs(events.watchdogUsec);
    ctx.logger.info(
      ms === 0 ? `${name} turned its watchdog off (WATCHDOG_USEC=0)` : `${name} set its watchdog timeout to ${formatDuration(ms)} (WATCHDOG_USEC)`,
    );
    watchdog.setTimeout(ms);
  }
  if (events.watchdog) watchdog.ping();
  if (events.watchdogTrigger) watchdog.trigger();
}

// Binds the service's notify socket, beside the run directory.
function openNotifySocket(
  config: ServiceConfig,
  ctx: RunnerContext,
  onMessage: (fields: Map<string, string>) => void,
): { ok: true; path: string; listener: NotifyListener } | { ok: false; failure: { errno: string; message: string } } {
  const dir = ctx.notifyDir;
  if (dir === undefined) {
    const message = 'cannot create its notify socket: corral found no run directory it can write (see its warning at start); set CORRAL_RUN_DIR to one';
    return { ok: false, failure: { errno: 'ENOENT', message } };
  }
  const path = join(dir, `${config.name}.sock`);
  const listener = new NotifyListener({
    path,
    addon: ctx.addon,
    pollMs: NOTIFY_POLL_MS,
    onError: (error) => ctx.logger.warn(`${config.name}: notify socket ${path}: ${describeSystemError(error)}`),
    onMessage,
  });
  try {
    // Searchable by a service running as another user, not listable. Usually made at
    // start (run-dir.ts); made again if it went. One that exists keeps its mode: it may be
    // an image's, prepared for an arbitrary uid, which corral may not chmod.
    if (mkdirSync(dir, { recursive: true, mode: 0o711 }) !== undefined) chmodSync(dir, 0o711);
    listener.start();
    // Sending a datagram needs write permission on the socket: only the service's own
    // user (and root) may say READY=1 or WATCHDOG=1 for it.
    if (config.identity && !config.identity.asCorral) chownSync(path, config.identity.uid, config.identity.gid);
    chmodSync(path, 0o600);
  } catch (error) {
    // A socket bound before a later step failed is not left polled, nor its file behind.
    listener.close();
    const errno = errnoOf(error) ?? 'EINVAL';
    return {
      ok: false,
      failure: { errno, message: `cannot create its notify socket ${path}: ${describeSystemError(error)}; set CORRAL_RUN_DIR to a directory corral can write` },
    };
  }
  return { ok: true, path, listener };
}

// A result that an event fires, or that times out, or that the run's end cancels.
function eventWithDeadline(clock: Clock, timeoutMs: number, signal: AbortSignal, timeoutDetail: string) {
  let fire: (detail: string) => void = () => undefined;
  const result = new Promise<ReadinessResult>((resolve) => {
    const timer = clock.setTimer(() => resolve({ kind: 'timeout', detail: timeoutDetail }), timeoutMs);
    const settle = (value: ReadinessResult): void => {
      timer.cancel();
      resolve(value);
    };
    fire = (detail) => settle({ kind: 'ready', detail });
    signal.addEventListener('abort', () => settle({ kind: 'cancelled' }), { once: true });
  });
  return { result, fire: (detail: string) => fire(detail) };
}
