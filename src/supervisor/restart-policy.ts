// What to do after a service's process ended: pure functions of its settings, how it
// ended, its restart history and the time, with randomness passed in; no clock and no
// timers, so they are tested without sleeping.
import type { ServiceConfig } from '../config/service-config.js';
import { formatDuration } from '../shared/format-duration.js';

export type Policy = Pick<ServiceConfig, 'restart' | 'backoff' | 'reset_afterMs' | 'max_restarts'>;

export interface RestartHistory {
  /** Restarts in a row without a run of at least reset_after. */
  streak: number;
  /** When the restarts within the max_restarts window were decided (ms, ascending). */
  restartTimes: readonly number[];
}

export const freshHistory: RestartHistory = { streak: 0, restartTimes: [] };

export type RestartDecision =
  /** Start it again after delayMs. */
  | { action: 'restart'; delayMs: number; history: RestartHistory }
  /** It ended and the policy does not restart it: finished, not failed. */
  | { action: 'done' }
  /** It failed and will not be restarted: the service has failed for good. */
  | { action: 'give-up'; reason: string };

// Exponential backoff: initial * factor^streak, capped at max, spread by ±jitter so
// services that failed together do not restart in lockstep. random() is in [0, 1).
export function backoffDelayMs(backoff: Policy['backoff'], streak: number, random: () => number = () => 0.5): number {
  // 0 * factor^streak is NaN once factor^streak overflows to Infinity.
  const base = backoff.initialMs === 0 ? 0 : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** streak);
  const spread = 1 + backoff.jitter * (2 * random() - 1);
  return Math.round(Math.min(backoff.maxMs, base * spread));
}

export function wantsRestart(policy: Policy['restart'], failed: boolean): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'on-failure':
      return failed;
  }
}

export interface ExitFacts {
  /** It exited non-zero, was killed, could not be spawned, or failed a probe. */
  failed: boolean;
  uptimeMs: number;
  now: number;
}

// After an exit: restart (after which delay), done, or give up. A run of at least
// reset_after starts the backoff again from its initial delay; more than max_restarts
// restarts within its window give up.
export function decideAfterExit(policy: Policy, facts: ExitFacts, history: RestartHistory, random: () => number): RestartDecision {
  if (!wantsRestart(policy.restart, facts.failed)) {
    return facts.failed ? { action: 'give-up', reason: `restart: ${policy.restart}` } : { action: 'done' };
  }
  const limit = policy.max_restarts;
  const recent = limit ? history.restartTimes.filter((at) => at > facts.now - limit.windowMs) : [];
  if (limit && recent.length >= limit.count) {
    return { action: 'give-up', reason: `max_restarts: ${recent.length} restarts within ${formatDuration(limit.windowMs)}` };
  }
  const streak = facts.uptimeMs >= policy.reset_afterMs ? 0 : history.streak;
  return {
    action: 'restart',
    delayMs: backoffDelayMs(policy.backoff, streak, random),
    history: { streak: streak + 1, restartTimes: limit ? [...recent, facts.now] : [] },
  };
}
