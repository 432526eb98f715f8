// The one stop procedure, for a service's group, an init script's group, the leftovers in
// a group whose main process exited, and the final sweep: the stop signal and SIGCONT,
// the grace, SIGKILL, a bounded wait, and a report of what could not be killed. Every
// wait is capped by the deadline: a process in uninterruptible sleep (D state, a frozen
// cgroup) is reported and left, never waited for.
import type { Logger } from '../shared/logger.js';
import { formatDuration } from '../shared/format-duration.js';
import { NEVER, waitFor, type Clock, type Latch } from './clock.js';

export interface StopTarget {
  /** "web", "init script 10-setup", "2 process(es) left in web's group". */
  what: string;
  signal: (signal: NodeJS.Signals) => void;
  gone: () => boolean;
  /** What to report of each process that survived SIGKILL. */
  describeStuck: () => string[];
  /** Resolves when the target may be gone (the main process exited): checked at once. */
  wake?: Promise<unknown>;
}

export interface StopOptions {
  clock: Clock;
  logger: Logger;
  signal: NodeJS.Signals;
  /** Infinity: until the deadline. */
  graceMs: number;
  /** Nothing is waited for past this, SIGKILL's wait included (but KILL_WAIT_FLOOR_MS). */
  deadline: number;
  /** Set (a second shutdown signal, the budget running out): go straight to SIGKILL,
   * saying the latch's reason. */
  forced?: Latch;
  pollMs?: number;
}

export type StopResult = 'stopped' | 'killed' | 'stuck';

// After SIGKILL the kernel needs a moment to remove a process; one still there after
// this is stuck. Past the deadline the wait is the floor: a process that dies at once is
// not reported as stuck, and the overrun stays small (docs/services.md: the slack).
export const KILL_WAIT_MS = 1000;
export const KILL_WAIT_FLOOR_MS = 50;
const POLL_MS = 20;

export async function stopProcesses(target: StopTarget, options: StopOptions): Promise<StopResult> {
  const { clock, logger, signal, forced = NEVER } = options;
  const pollMs = options.pollMs ?? POLL_MS;
  if (target.gone()) return 'stopped';
  const graceMs = Math.max(0, Math.min(options.graceMs, options.deadline - clock.now()));
  target.signal(signal);
  target.signal('SIGCONT'); // a stopped process acts on nothing until continued
  const graceEnd = await waitFor(clock, { condition: target.gone, timeoutMs: graceMs, pollMs, cut: forced, wake: target.wake });
  if (graceEnd === 'done') return 'stopped';
  logger.warn(`${target.what}: ${graceEnd === 'cut' ? forced.reason : whyKill(graceMs, options.graceMs, signal)}; sending SIGKILL`);
  target.signal('SIGKILL');
  const killWaitMs = Math.min(KILL_WAIT_MS, Math.max(KILL_WAIT_FLOOR_MS, options.deadline - clock.now()));
  if ((await waitFor(clock, { condition: target.gone, timeoutMs: killWaitMs, pollMs })) === 'done') return 'killed';
  for (const line of target.describeStuck()) logger.warn(`${target.what}: still there after SIGKILL: ${line}; not waiting for it`);
  return 'stuck';
}

// Why the grace ended, when nothing cut it short: the shutdown budget, or the grace itself.
function whyKill(graceMs: number, wantedMs: number, signal: NodeJS.Signals): string {
  if (graceMs === 0) return `the shutdown budget left no time for ${signal}`;
  if (graceMs < wantedMs && Number.isFinite(wantedMs))
    return `did not stop within ${formatDuration(graceMs)} of ${signal}, all that was left of the shutdown budget`;
  return `did not stop within ${formatDuration(graceMs)} of ${signal}`;
}
