// One simulated container: the real Supervisor and ServiceRunners, driven by the fake
// kernel and the virtual clock through a scenario of signals, crashes, reloads and
// operator actions, with the invariants checked after every step.
import type { Logger, LogLevel } from '../../src/shared/logger.js';
import { restartServices, startServices, stopServices } from '../../src/control/service-actions.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import type { ScheduleConfig } from '../../src/config/schedule.js';
import { LabelColumn } from '../../src/logging/label-column.js';
import type { NativeAddon } from '../../src/native/addon.js';
import { outcomeExitCode, type ExitOutcome } from '../../src/process/exit-outcome.js';
import { signalNumber } from '../../src/process/signal-names.js';
import type { RunnerContext } from '../../src/supervisor/runner-context.js';
import { sweepReserveMs } from '../../src/supervisor/shutdown-sweep.js';
import { hasProcess } from '../../src/supervisor/states.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { serviceConfig } from '../helpers/service-config.js';
import { FakeKernel, type Behaviour } from './fake-kernel.js';
import { checkScheduledAtEnd, checkScheduledStep } from './schedule-checks.js';
import { VirtualClock } from './virtual-clock.js';

/** How much a shutdown may overrun its budget: the kill floors of the stop procedure
 * and the last output drain (docs/services.md, "Stopping"). */
export const SHUTDOWN_SLACK_MS = 1000;

export interface ServiceSpec {
  name: string;
  type: 'longrun' | 'oneshot';
  deps: string[];
  restart: 'always' | 'on-failure' | 'never';
  main: boolean;
  onFailure: 'ignore' | 'shutdown';
  stopTimeoutMs: number;
  backoff: { initial: number; max: number; factor: number };
  behaviour: Behaviour;
  /** A scheduled service: runs on this schedule (never main, nothing depends on it). */
  schedule?: ScheduleConfig;
  /** Instances (replicas), named NAME-0 ...; each reload moves the count between this and
   * one more, so a reload starts or stops an instance (never main or scheduled). */
  replicas?: number;
}

export type SimEvent = { at: number } & (
  | { kind: 'signal'; signal: 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGUSR1' }
  | { kind: 'crash'; service: string; code: number }
  | { kind: 'operator'; action: 'start' | 'stop' | 'restart'; service: string }
  | { kind: 'spawn-failure'; service: string; failure: Behaviour['spawnFailures'][number] }
  /** An exception that reached corral's top (uncaughtException). */
  | { kind: 'bug' }
);

export interface Scenario {
  services: ServiceSpec[];
  events: SimEvent[];
  budgetMs: number;
  latencyMs: number;
  checkMemory?: boolean;
}

export interface SimResult {
  code: number;
  logs: string[];
  kernel: FakeKernel;
  shutdownAt: number;
  finishedAt: number;
}

interface LogLine {
  at: number;
  level: string;
  text: string;
  /** How many signals the kernel had been sent when the line was logged. */
  signals: number;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
}

// The count of a spec's instances after `generation` reloads; undefined without replicas.
function countAt(spec: ServiceSpec, generation: number): number | undefined {
  return spec.replicas === undefined ? undefined : spec.replicas + (generation % 2);
}

// The names a spec's services have had or may have: its instances', or its own.
export function namesOf(spec: ServiceSpec): string[] {
  return spec.replicas === undefined ? [spec.name] : Array.from({ length: spec.replicas + 1 }, (_, index) => `${spec.name}-${index}`);
}

// `changed`: a reload that changes the service moves its stop_timeout by a millisecond.
function configsOf(spec: ServiceSpec, generation = 0, changed = 0): ServiceConfig[] {
  const base = serviceConfig(spec.name, {
    type: spec.schedule ? 'scheduled' : spec.type,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
    depends_on: spec.deps,
    restart: spec.main || spec.schedule ? 'never' : spec.restart,
    main: spec.main,
    on_failure: spec.onFailure,
    stop_timeoutMs: spec.stopTimeoutMs + changed,
    // The scenario's backoff keeps its own keys: recorded seeds are written with them.
    backoff: { initialMs: spec.backoff.initial, maxMs: spec.backoff.max, factor: spec.backoff.factor, jitter: 0 },
    reset_afterMs: 10_000,
  });
  const count = countAt(spec, generation);
  if (count === undefined) return [base];
  return Array.from({ length: count }, (_, index) =>
    serviceConfig(`${spec.name}-${index}`, {
      ...base,
      name: `${spec.name}-${index}`,
      log: { ...base.log, prefix: `${spec.name}-${index}` },
      environment: { CORRAL_REPLICA: String(index), CORRAL_REPLICAS: String(count) },
      replica: { of: spec.name, index, count },
    }),
  );
}

function captureLogger(clock: VirtualClock, kernel: FakeKernel, lines: LogLine[]): Logger {
  const log = (level: LogLevel, text: string): void => void lines.push({ at: clock.now(), level, text, signals: kernel.signals.length });
  return {
    log,
    error: (text) => log('error', text),
    warn: (text) => log('warn', text),
    info: (text) => log('info', text),
    debug: (text) => log('debug', text),
    isDebugEnabled: () => true,
  };
}

// Lets every promise chain that can move on without a timer do so.
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface SimOptions {
  /** Runs after the scenario's events, while the supervisor still runs (before the final SIGTERM). */
  beforeShutdown?: (kernel: FakeKernel) => Promise<void>;
}

export async function simulate(scenario: Scenario, options: SimOptions = {}): Promise<SimResult> {
  const clock = new VirtualClock();
  const behaviours = new Map(scenario.services.flatMap((spec) => namesOf(spec).map((name) => [name, structuredClone(spec.behaviour)] as const)));
  const kernel = new FakeKernel(clock, behaviours, scenario.latencyMs);
  const lines: LogLine[] = [];
  const logger = captureLogger(clock, kernel, lines);
  const rejections: unknown[] = [];
  const onRejection = (error: unknown): void => void rejections.push(error);
  process.on('unhandledRejection', onRejection);
  const ctx: RunnerContext = {
    kernel,
    clock,
    addon: {} as NativeAddon,
    shimPath: '/nonexistent/svexec',
    stdout: undefined as never,
    stderr: undefined as never,
    logger,
    labels: new LabelColumn([]),
    logStyle: undefined as never,
    env: { PATH: '/usr/bin:/bin' },
    notifyDir: '/nonexistent/run-notify',
    defaultNofile: { soft: 1024, hard: 1024 },
    random: () => 0.5,
  };
  const supervisor = new Supervisor({
    services: scenario.services.flatMap((spec) => configsOf(spec)),
    context: ctx,
    mode: 'pid1',
    shutdownBudgetMs: scenario.budgetMs,
  });
  let code: number | undefined;
  let finishedAt = 0;
  void supervisor.finished.then((value) => {
    code = value;
    finishedAt = clock.now();
  });
  let shutdownAt: number | undefined;
  let shutdownSignal: NodeJS.Signals | undefined;
  let generation = 0;
  const check = (): void => {
    if (rejections.length > 0) throw new InvariantError(`unhandled rejection: ${String((rejections[0] as Error)?.stack ?? rejections[0])}`);
    // A fault injected into the spawn path is contained as that run's failure; any other
    // internal error is a bug.
    const internal = lines.find((line) => /internal error/.test(line.text) && !/simulated fault/.test(line.text));
    if (internal) throw new InvariantError(`at ${internal.at} ms: ${internal.text}`);
    for (const runner of supervisor.services) {
      const status = runner.status;
      if (!hasProcess(status)) continue;
      const pid = (status as { run: { pid: number } }).run.pid;
      const process = kernel.processes.get(pid);
      if (process?.service !== runner.name)
        throw new InvariantError(`${runner.name} is ${status.state} with pid ${pid}, which the kernel never started for it`);
    }
    checkScheduledStep(supervisor, kernel, clock.now());
    if (shutdownAt !== undefined && code === undefined && clock.now() > shutdownAt + scenario.budgetMs + SHUTDOWN_SLACK_MS) {
      throw new InvariantError(`the shutdown that began at ${shutdownAt} ms is still going at ${clock.now()} ms (budget ${scenario.budgetMs} ms)`);
    }
  };
  const step = async (): Promise<void> => {
    await flush();
    if (supervisor.phase !== 'running' && shutdownAt === undefined) shutdownAt = clock.now();
    check();
  };
  const runUntil = async (time: number): Promise<void> => {
    while (code === undefined && clock.fireNext(time)) await step();
    clock.advanceTo(time);
  };
  const apply = (event: SimEvent): void => {
    switch (event.kind) {
      case 'signal':
        if (event.signal === 'SIGHUP') {
          generation += 1;
          const changed = scenario.services[generation % scenario.services.length]?.name;
          const next = scenario.services.flatMap((spec) => configsOf(spec, generation, spec.name === changed ? generation : 0));
          void supervisor.reload(next).catch((error: unknown) => rejections.push(error));
        } else if (event.signal === 'SIGUSR1') {
          supervisor.forward(event.signal);
        } else {
          if (supervisor.phase === 'running') shutdownSignal = event.signal;
          supervisor.shutdownOnSignal(event.signal);
        }
        return;
      case 'crash':
        kernel.crash(event.service, event.code);
        return;
      case 'spawn-failure':
        behaviours.get(event.service)?.spawnFailures.push(event.failure);
        return;
      case 'bug':
        supervisor.internalError(new Error('simulated fault that reached the top'));
        return;
      case 'operator': {
        const act = {
          start: () => Promise.resolve(startServices(supervisor, [event.service])),
          stop: () => stopServices(supervisor, [event.service]),
          restart: () => restartServices(supervisor, [event.service]),
        }[event.action];
        // Refusals (the main service, a shutdown under way) are answers, not faults.
        void supervisor.serialize(act).catch((error: unknown) => {
          if ((error as Error).name !== 'ControlError') rejections.push(error);
        });
        return;
      }
    }
  };
  try {
    supervisor.start();
    await step();
    for (const event of [...scenario.events].sort((a, b) => a.at - b.at)) {
      await runUntil(event.at);
      if (code !== undefined) break;
      apply(event);
      await step();
    }
    if (code === undefined && supervisor.phase === 'running') {
      await options.beforeShutdown?.(kernel);
      shutdownSignal = 'SIGTERM';
      supervisor.shutdownOnSignal('SIGTERM');
      await step();
    }
    const limit = (shutdownAt ?? clock.now()) + scenario.budgetMs + SHUTDOWN_SLACK_MS + 1;
    await runUntil(limit);
    if (code === undefined) throw new InvariantError(`no exit by ${limit} ms; shutdown began at ${shutdownAt} ms`);
    checkAtEnd({ scenario, kernel, lines, code, shutdownAt: shutdownAt!, shutdownSignal, supervisor, finishedAt });
    return { code, logs: lines.map((line) => `${line.at} ${line.level} ${line.text}`), kernel, shutdownAt: shutdownAt!, finishedAt };
  } catch (error) {
    if (error instanceof InvariantError) error.message += `\n--- log ---\n${lines.map((line) => `${line.at} ${line.level} ${line.text}`).join('\n')}`;
    throw error;
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}

interface EndFacts {
  scenario: Scenario;
  kernel: FakeKernel;
  lines: LogLine[];
  code: number;
  shutdownAt: number;
  shutdownSignal: NodeJS.Signals | undefined;
  supervisor: Supervisor;
  finishedAt: number;
}

export type { EndFacts, LogLine };

function checkAtEnd(facts: EndFacts): void {
  checkNothingLeft(facts);
  checkExitCode(facts);
  checkStopOrder(facts);
  checkBackoff(facts);
  checkScheduledAtEnd(facts);
}

// Every process started is stopped, or was reported as one that SIGKILL could not end.
function checkNothingLeft({ kernel, lines }: EndFacts): void {
  for (const process of kernel.alive()) {
    const reported = lines.some((line) => line.text.includes(`still there after SIGKILL: pid ${process.pid} `));
    if (!process.unkillable) throw new InvariantError(`pid ${process.pid} (${process.service}) outlived corral`);
    if (!reported) throw new InvariantError(`pid ${process.pid} (${process.service}) cannot be killed and was never reported`);
  }
}

// The documented rules: what ended the container decides; a shutdown signal gives the main
// service's own code, 128+n when it never ran, and 0 without a main service.
function checkExitCode({ scenario, kernel, lines, code, shutdownSignal, finishedAt, shutdownAt }: EndFacts): void {
  const main = scenario.services.find((spec) => spec.main);
  // A reload that changes a service gives it a new runner (supervisor.ts), whose history
  // starts empty: how the replaced runner's runs ended is not the service's outcome any
  // more. The supervisor says when (at debug), once the old runs are stopped.
  const replacedAt = (service: string): number =>
    lines.filter((line) => line.text === `reload: ${service} now runs its new definition`).at(-1)?.at ?? -Infinity;
  const spawnsOf = (service: string): FakeKernel['spawns'] => {
    const since = replacedAt(service);
    return kernel.spawns.filter((spawn) => spawn.service === service && spawn.at >= since);
  };
  const lastOutcome = (service: string): ExitOutcome | undefined => {
    const runs = spawnsOf(service);
    const last = runs.at(-1);
    if (last === undefined) return undefined;
    return last.pid === undefined ? last.outcome : kernel.processes.get(last.pid)?.outcome;
  };
  const cause = lines.find((line) => /: stopping \d+ service\(s\), dependents first/.test(line.text))?.text ?? '';
  let expected: number | undefined;
  const failed = /^(\S+) failed and has on_failure: shutdown/.exec(cause);
  if (/^internal error/.test(cause) || lines.some((line) => /^internal error, stopping everything in order/.test(line.text))) {
    expected = 111;
  } else if (/^the main service \S+ cannot start/.test(cause)) {
    expected = 1;
  } else if (/^the main service/.test(cause) && main) {
    const outcome = lastOutcome(main.name);
    expected = outcome && outcomeExitCode(outcome);
  } else if (failed) {
    // The code is the one it failed with: an exit seen only after the shutdown began is not it.
    const name = failed[1]!;
    const lastSpawn = kernel.spawns.filter((spawn) => spawn.service === name).at(-1);
    const known = lastSpawn?.pid === undefined || exitSeenAt(kernel, name, scenario.latencyMs) <= shutdownAt;
    const outcome = known ? lastOutcome(name) : undefined;
    expected = (outcome && outcomeExitCode(outcome)) || 1;
  } else if (/^received SIG/.test(cause) && shutdownSignal) {
    if (main === undefined) expected = 0;
    else {
      const outcome = lastOutcome(main.name);
      const stuck = kernel.alive().some((process) => process.service === main.name && process.main);
      const ran = spawnsOf(main.name).some((spawn) => spawn.pid !== undefined);
      if (spawnsOf(main.name).length === 0) expected = 128 + signalNumber(shutdownSignal);
      else if (stuck && outcome === undefined) expected = 137;
      // An exit libuv reports only as corral finishes came too late to be known: 137 stands.
      else if (code === 137 && exitSeenAt(kernel, main.name, scenario.latencyMs) >= finishedAt) expected = 137;
      else if (outcome) expected = outcomeExitCode(outcome);
      else if (!ran) expected = 128 + signalNumber(shutdownSignal);
    }
  }
  if (expected !== undefined && code !== expected) throw new InvariantError(`exit code ${code}, expected ${expected} (${cause})`);
}

// Within the budget, a service gets its stop signal only once what depends on it is gone
// (or could not be killed).
function checkStopOrder({ scenario, kernel, lines, shutdownAt }: EndFacts): void {
  const inOrderUntil = shutdownAt + scenario.budgetMs - sweepReserveMs(scenario.budgetMs);
  // Only the signals the shutdown sent: a reload at the same moment stops changed services
  // whatever depends on them (the main service is never restarted by a reload).
  const from = lines.find((line) => /: stopping \d+ service\(s\), dependents first/.test(line.text))?.signals ?? 0;
  const shutdownSignals = kernel.signals.slice(from);
  // A dependency on a service with replicas is one on each of its instances.
  const specOf = new Map(scenario.services.map((spec) => [spec.name, spec]));
  const instances = (name: string): string[] => (specOf.get(name) ? namesOf(specOf.get(name)!) : [name]);
  for (const spec of scenario.services) {
    for (const dependency of spec.deps.flatMap(instances)) {
      const first = shutdownSignals.find((event) => event.service === dependency && event.at < inOrderUntil && event.signal === 'SIGTERM' && event.mainAlive);
      if (first === undefined) continue;
      const alive = [...kernel.processes.values()].filter(
        (process) =>
          namesOf(spec).includes(process.service) &&
          !process.unkillable &&
          process.startedAt <= first.at &&
          (process.endedAt === undefined || process.endedAt > first.at),
      );
      if (alive.length > 0)
        throw new InvariantError(`${dependency} got SIGTERM at ${first.at} ms while its dependent ${spec.name} still ran (pid ${alive[0]!.pid})`);
    }
  }
}

// A restart comes exactly after the announced delay, and the delay is one of the backoff's
// steps: initial * factor^k, capped at max (jitter is 0 here).
function checkBackoff({ scenario, kernel, lines }: EndFacts): void {
  for (const line of lines) {
    const match = /^(\S+) .*; restarting in (\S+)$/.exec(line.text);
    if (!match) continue;
    const spec = scenario.services.find((s) => namesOf(s).includes(match[1]!));
    if (!spec) continue;
    const name = match[1]!;
    const delay = kernel.spawns.find((spawn) => spawn.service === name && spawn.at > line.at);
    const stopped = lines.some(
      (other) =>
        other.at >= line.at &&
        other.at <= line.at + spec.backoff.max &&
        new RegExp(`^(${name}: backoff -> stopped$|.*stopping \\d+ service\\(s\\)|reload:)`).test(other.text),
    );
    if (delay === undefined) {
      if (!stopped) throw new InvariantError(`${name} announced a restart at ${line.at} ms that never came`);
      continue;
    }
    const waited = delay.at - line.at;
    const steps = Array.from({ length: 40 }, (_, k) => Math.round(Math.min(spec.backoff.max, spec.backoff.initial * spec.backoff.factor ** k)));
    if (!steps.includes(waited) && !stopped)
      throw new InvariantError(
        `${name} restarted ${waited} ms after "${line.text}" at ${line.at} ms; the backoff's steps are ${steps.slice(0, 6).join(', ')}, ...`,
      );
  }
}

// When corral could first learn that the newest main process of `service` ended: its end
// plus libuv's latency; Infinity while it has not ended.
function exitSeenAt(kernel: FakeKernel, service: string, latencyMs: number): number {
  const pid = kernel.spawns.filter((spawn) => spawn.service === service && spawn.pid !== undefined).at(-1)?.pid;
  const endedAt = pid === undefined ? undefined : kernel.processes.get(pid)?.endedAt;
  return endedAt === undefined ? Infinity : endedAt + latencyMs;
}
