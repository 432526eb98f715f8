// `corral restart NAME` for a service with replicas: its instances one at a time, each
// restarted only once the one before is ready again, so all but one keep serving. An
// instance that is not ready within its bound stops the rolling restart there, with the
// instances not yet restarted named: they keep running as they were.
import { formatDuration } from '../shared/format-duration.js';
import { describeOutcome, type ExitOutcome } from '../process/exit-outcome.js';
import { readyBoundMs, rollingOrder } from '../supervisor/rolling-restart.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ControlError } from './protocol.js';

// `done`: what the request did before (other services restarted), said again when this
// one fails, since the answer is then the error alone.
export async function rollingRestart(
  supervisor: Supervisor,
  group: string,
  done: readonly string[],
  restartOne: (names: readonly string[]) => Promise<string[]>,
): Promise<string[]> {
  const instances = supervisor.groups().get(group) ?? [];
  const order = rollingOrder(
    instances.map((name) => {
      const runner = supervisor.runner(name)!;
      return { name, type: runner.config.type, state: runner.state.state };
    }),
  );
  const lines: string[] = [];
  for (const [position, name] of order.entries()) {
    // A reload or another command waits for this one, which can take an instance's ready
    // bound per instance: it goes first, and the operator is told what is left.
    if (position > 0 && supervisor.tasksWaiting > 0) {
      const rest = order.slice(position).join(', ');
      const why = `a reload or another command is waiting for it; not restarted: ${rest}, which keep running as they were (corral restart ${group} again restarts them all)`;
      throw new ControlError('not-ready', [...done, ...lines, `the rolling restart of ${group} stopped before ${name}: ${why}`].join('\n'));
    }
    lines.push(...(await restartOne([name])));
    const runner = supervisor.runner(name)!;
    const boundMs = readyBoundMs(runner.config);
    const end = await supervisor.waitReady(name, boundMs);
    if (end === 'ready') {
      lines.push(`${name} is ready (${position + 1} of ${order.length})`);
      continue;
    }
    const now = supervisor.runner(name);
    const why = {
      timeout: `it is not ready after ${formatDuration(boundMs)} (it is ${now?.state.state ?? 'gone'}${now?.state.state === 'backoff' ? lastEnd(now.lastOutcome) : ''})`,
      failed: `it failed (${now?.failure ?? `it is ${now?.state.state ?? 'gone'}`})`,
      shutdown: 'corral is shutting down',
    }[end];
    const rest = order.slice(position + 1);
    const left = rest.length === 0 ? '' : `; not restarted: ${rest.join(', ')}, which keep running as they were`;
    throw new ControlError('not-ready', [...done, ...lines, `the rolling restart of ${group} stopped at ${name}: ${why}${left}`].join('\n'));
  }
  return lines;
}

// Between tries: how its last try ended ("could not be started: environment.X: ..."), the
// reason an operator looks for.
function lastEnd(outcome: ExitOutcome | undefined): string {
  return outcome === undefined ? '' : `; its last try ${describeOutcome(outcome)}`;
}
