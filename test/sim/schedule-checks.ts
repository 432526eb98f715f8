// The invariants of scheduled services (issue 18), checked by the simulation beside the
// others of world.ts: a due run is never missed while the schedule waits for it, runs
// never overlap (skip, queue and replace each keep one at a time), a scheduled service is
// never restarted (its runs are bounded by its due times), and a run past its timeout is
// signalled at its timeout.
import { dueTimes } from '../../src/supervisor/schedule-times.js';
import { ScheduledRunner } from '../../src/supervisor/scheduled-runner.js';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import type { FakeKernel } from './fake-kernel.js';
import { InvariantError, type EndFacts, type ServiceSpec } from './world.js';

// After every step.
export function checkScheduledStep(supervisor: Supervisor, kernel: FakeKernel, now: number): void {
  for (const runner of supervisor.services) {
    if (!(runner instanceof ScheduledRunner)) continue;
    const status = runner.status;
    if (status.state === 'scheduled' && status.nextAt !== undefined && status.nextAt < now) {
      throw new InvariantError(`${runner.name} is scheduled for ${status.nextAt} ms, which passed at ${now} ms without a run`);
    }
    // A process SIGKILL cannot end is left behind, reported; every other run is one at a time.
    const running = kernel.alive().filter((process) => process.service === runner.name && process.main && !process.unkillable);
    if (running.length > 1)
      throw new InvariantError(`${runner.name} has ${running.length} runs at once at ${now} ms (pids ${running.map((process) => process.pid).join(', ')})`);
  }
}

export function checkScheduledAtEnd(facts: EndFacts): void {
  for (const spec of facts.scenario.services) {
    if (spec.schedule === undefined) continue;
    checkNoRestarts(facts, spec);
    checkBounded(facts, spec);
    checkTimeouts(facts, spec);
  }
}

function checkNoRestarts({ lines }: EndFacts, spec: ServiceSpec): void {
  const restart = lines.find((line) => line.text.startsWith(`${spec.name} `) && /; restarting in \S+$/.test(line.text));
  if (restart) throw new InvariantError(`the scheduled service ${spec.name} was restarted at ${restart.at} ms: "${restart.text}"`);
}

// No more runs than due times, plus one per start (run_on_start) and per `corral start`.
function checkBounded({ scenario, kernel, lines, finishedAt }: EndFacts, spec: ServiceSpec): void {
  const schedule = spec.schedule!;
  const starts = lines.filter((line) => new RegExp(`^${spec.name}: waiting -> (scheduled|starting)$`).test(line.text)).length;
  const operatorStarts = scenario.events.filter((event) => event.kind === 'operator' && event.service === spec.name && event.action !== 'stop').length;
  let dues: number;
  if (schedule.spec.kind === 'every') {
    dues = Math.floor(finishedAt / schedule.spec.intervalMs) + starts;
  } else {
    const times = dueTimes(schedule.spec, 0);
    dues = 0;
    for (let at = times.next(-1); at !== undefined && at <= finishedAt; at = times.next(at)) dues += 1;
  }
  const runs = kernel.spawns.filter((spawn) => spawn.service === spec.name).length;
  const bound = dues + starts + operatorStarts;
  if (runs > bound)
    throw new InvariantError(
      `${spec.name} ran ${runs} times in ${finishedAt} ms; its schedule allows ${dues} due, ${starts} start(s) and ${operatorStarts} corral start(s)`,
    );
}

// A run still alive at its timeout was signalled by then.
function checkTimeouts({ kernel, finishedAt }: EndFacts, spec: ServiceSpec): void {
  const timeoutMs = spec.schedule!.timeoutMs;
  if (timeoutMs === undefined) return;
  for (const process of kernel.processes.values()) {
    if (process.service !== spec.name || !process.main) continue;
    const limit = process.startedAt + timeoutMs;
    if (limit >= finishedAt || (process.endedAt !== undefined && process.endedAt <= limit)) continue;
    const signalled = kernel.signals.some((event) => event.pgid === process.pgid && event.signal !== 0 && event.at <= limit);
    if (!signalled)
      throw new InvariantError(
        `${spec.name}'s run pid ${process.pid} started at ${process.startedAt} ms was still going at its timeout (${limit} ms) and was not signalled`,
      );
  }
}
