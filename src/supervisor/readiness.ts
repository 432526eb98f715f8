// For one run of a service: how its readiness is known (the `ready` key) and, once ready,
// whether it stays healthy (the `health` key). Gives the launch what it needs for that
// (NOTIFY_SOCKET in the environment, a tap on the output) and a result to wait for.
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatDuration } from '../config/duration.js';
import type { ServiceConfig } from '../config/schema.js';
import { LineWatcher } from '../logging/line-watcher.js';
import { HealthMonitor } from '../readiness/health-monitor.js';
import { NotifyListener, notifyEvents } from '../readiness/notify.js';
import { probeOnce } from '../readiness/probes.js';
import type { ProbeSpec } from '../readiness/probe-spec.js';
import { shimArgv } from '../process/exec-shim.js';
import { processAttributes } from './launch.js';
import { waitUntilReady } from '../readiness/wait-ready.js';
import type { RunnerContext } from './runner-context.js';
import { serviceEnvironment } from './service-env.js';

export type ReadinessResult =
  | { kind: 'ready'; detail?: string }
  | { kind: 'timeout'; detail: string }
  /** Readiness cannot be known at all (the notify socket could not be made). */
  | { kind: 'failed'; detail: string }
  | { kind: 'cancelled' };

export interface Readiness {
  env: Record<string, string>;
  tap?: (chunk: Buffer) => void;
  result: Promise<ReadinessResult>;
  /** Starts the liveness probe, if the service has one. */
  startHealth(onUnhealthy: (detail: string) => void): void;
  /** The run ended: stop probing, close the notify socket. */
  cancel(): void;
}

const NOTIFY_POLL_MS = 50;

// Beside the run directory, not in it: that one holds the control socket and is 0700, so
// a service running as another user could not reach a socket inside it.
export function notifySocketDir(runDir: string): string {
  return join(dirname(runDir), `${basename(runDir)}-notify`);
}

export function watchReadiness(config: ServiceConfig, ctx: RunnerContext): Readiness {
  const env = serviceEnvironment(config, ctx.env);
  const abort = new AbortController();
  const cleanups: (() => void)[] = [() => abort.abort()];
  const cancel = (): void => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  const startHealth = (onUnhealthy: (detail: string) => void): void => {
    const { health } = config;
    if (health === undefined || abort.signal.aborted) return;
    const spec = asService(health.spec);
    const monitor = new HealthMonitor({
      check: () => probeOnce(spec, { timeoutMs: health.timeoutMs, env, signal: abort.signal }),
      intervalMs: health.intervalMs,
      retries: health.retries,
      onUnhealthy: (detail, failures) => onUnhealthy(`${failures} failed checks, the last: ${detail}`),
    });
    monitor.start();
    cleanups.push(() => monitor.stop());
  };
  const base = { env, startHealth, cancel };
  // A check command runs as the service itself would: its user, groups, umask, limits
  // and working directory, through the same shim.
  const asService = (spec: ProbeSpec): ProbeSpec =>
    spec.kind === 'exec' ? { kind: 'exec', argv: shimArgv(ctx.shimPath, processAttributes(config, ctx), spec.argv) } : spec;

  // A oneshot is ready when it exits 0, which the runner sees itself.
  if (config.type === 'oneshot') return { ...base, result: new Promise(() => undefined) };
  const { ready } = config;
  if (ready === undefined) return { ...base, result: Promise.resolve({ kind: 'ready' }) };

  const startedAt = ctx.now();
  const since = (): string => `after ${formatDuration(ctx.now() - startedAt)}`;
  const { spec, intervalMs, timeoutMs } = ready;
  switch (spec.kind) {
    case 'exec':
    case 'tcp':
    case 'http': {
      const probe = asService(spec);
      const result = waitUntilReady(
        (attemptMs, signal) => probeOnce(probe, { timeoutMs: attemptMs, env, signal }),
        { intervalMs, timeoutMs, now: ctx.now, signal: abort.signal },
      ).then((outcome): ReadinessResult => {
        switch (outcome.kind) {
          case 'ready':
            return { kind: 'ready', detail: `${spec.kind} check passed ${since()}` };
          case 'timeout':
            return { kind: 'timeout', detail: `last check: ${outcome.lastDetail}` };
          case 'aborted':
            return { kind: 'cancelled' };
        }
      });
      return { ...base, result };
    }
    case 'log': {
      const event = eventWithDeadline(timeoutMs, abort.signal, `no output line matched /${spec.pattern.source}/`);
      const watcher = new LineWatcher(spec.pattern, config.log.max_line, () => event.fire(`log line matched ${since()}`));
      return { ...base, tap: (chunk) => watcher.push(chunk), result: event.result };
    }
    case 'notify': {
      const event = eventWithDeadline(timeoutMs, abort.signal, 'no READY=1 on $NOTIFY_SOCKET');
      const dir = notifySocketDir(ctx.runDir);
      const path = join(dir, `${config.name}.sock`);
      const listener = new NotifyListener({
        path,
        addon: ctx.addon,
        pollMs: NOTIFY_POLL_MS,
        onError: (error) => ctx.logger.warn(`${config.name}: notify socket ${path}: ${(error as Error).message}`),
        onMessage: (fields) => {
          const events = notifyEvents(fields);
          if (events.status !== undefined) ctx.logger.debug(`${config.name} status: ${events.status}`);
          if (events.stopping) ctx.logger.info(`${config.name} says it is stopping`);
          if (events.ready) event.fire(`READY=1 ${since()}`);
        },
      });
      try {
        mkdirSync(dir, { recursive: true, mode: 0o711 });
        // Searchable by a service running as another user, not listable.
        chmodSync(dir, 0o711);
        listener.start();
        // Sending a datagram needs write permission on the socket: only the service's own
        // user (and root) may say READY=1 for it.
        if (config.identity) chownSync(path, config.identity.uid, config.identity.gid);
        chmodSync(path, 0o600);
      } catch (error) {
        return { ...base, result: Promise.resolve({ kind: 'failed', detail: `cannot create its notify socket ${path}: ${(error as Error).message}` }) };
      }
      cleanups.push(() => listener.close());
      return { ...base, env: { ...env, NOTIFY_SOCKET: path }, result: event.result };
    }
  }
}

// A result that an event fires, or that times out, or that the run's end cancels.
function eventWithDeadline(timeoutMs: number, signal: AbortSignal, timeoutDetail: string) {
  let fire: (detail: string) => void = () => undefined;
  const result = new Promise<ReadinessResult>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout', detail: timeoutDetail }), timeoutMs);
    const settle = (value: ReadinessResult): void => {
      clearTimeout(timer);
      resolve(value);
    };
    fire = (detail) => settle({ kind: 'ready', detail });
    signal.addEventListener('abort', () => settle({ kind: 'cancelled' }), { once: true });
  });
  return { result, fire: (detail: string) => fire(detail) };
}
