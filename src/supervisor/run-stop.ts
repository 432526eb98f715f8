// Stopping one run of a service: the stop procedure on its process group, cut short by a
// second shutdown signal or a stop's deadline, and the bounded wait for the runner to
// handle the exit that follows. The runner chooses the states; these stop and wait.
import { formatDuration } from '../shared/format-duration.js';
import { waitFor, type Clock, type Latch } from './clock.js';
import type { RunnerContext } from './runner-context.js';
import { groupTarget, type Run } from './service-run.js';
import { KILL_WAIT_FLOOR_MS, KILL_WAIT_MS, stopProcesses, type StopResult } from './stop-procedure.js';

export interface RunStop {
  signal: NodeJS.Signals;
  graceMs: number;
  deadline: number;
  forced: Latch;
}

// The procedure on the run's group (a stop already under way is joined), then, unless
// its main process survived SIGKILL, a wait of at most KILL_WAIT_MS for the exit to be
// handled.
export async function stopRun(run: Run, name: string, ctx: RunnerContext, stop: RunStop): Promise<StopResult> {
  const { clock, logger } = ctx;
  const { signal, graceMs, deadline, forced } = stop;
  logger.debug(`stopping ${name} with ${signal} (waiting up to ${formatDuration(Math.max(0, Math.min(graceMs, deadline - clock.now())))})`);
  // The procedure caps its grace by the deadline itself; a second signal cuts it.
  const unlink = forced.listen(() => run.cut.set(forced.reason));
  run.stopping ??= stopProcesses(groupTarget(run, ctx.kernel, name), { clock, logger, signal, graceMs, deadline, forced: run.cut });
  const result = await run.stopping;
  unlink();
  // The group is gone, so the exit is on its way; a main process SIGKILL could not end
  // is not waited for at all.
  if (result !== 'stuck') {
    const settleMs = Math.min(KILL_WAIT_MS, Math.max(KILL_WAIT_FLOOR_MS, deadline - clock.now()));
    await waitFor(clock, { condition: () => run.handled, timeoutMs: settleMs, pollMs: settleMs, wake: run.settled });
  }
  return result;
}

// Until unlinked, `forced` and `deadline` cut the run's stop procedure short too.
export function linkCut(run: Run, clock: Clock, deadline: number, forced: Latch): () => void {
  const unlisten = forced.listen(() => run.cut.set(forced.reason));
  const timer = clock.setTimer(() => run.cut.set('the shutdown budget ran out'), deadline - clock.now());
  return () => {
    unlisten();
    timer.cancel();
  };
}

// The processes left in the run's group after its main process exited, stopped with the
// service's stop_signal within its stop_timeoutMs (systemd's KillMode=control-group, as
// far as process groups allow).
export function stopLeftovers(run: Run, name: string, ctx: RunnerContext, stop: Pick<RunStop, 'signal' | 'graceMs'>): Promise<StopResult> {
  const { clock, logger } = ctx;
  const options = { clock, logger, ...stop, deadline: clock.now() + stop.graceMs + KILL_WAIT_MS, forced: run.cut };
  return stopProcesses(groupTarget(run, ctx.kernel, name), options);
}
