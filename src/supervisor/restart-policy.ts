// What to do after a service's process ended: pure functions of its settings, how it
// ended, and how long it ran; no clock, no timers, so they are tested without sleeping.
import type { ExitOutcome } from '../process/exit-outcome.js';
import { isSuccess } from '../process/exit-outcome.js';
import type { ServiceFileConfig } from '../config/schema.js';

export type RestartDecision =
  | { restart: true; delayMs: number; /** restarts in a row without a long enough run */ streak: number }
  | { restart: false };

type Policy = Pick<ServiceFileConfig, 'restart' | 'backoff' | 'reset_after'>;

// Exponential backoff: initial * factor^streak, capped at max.
export function backoffDelayMs(backoff: Policy['backoff'], streak: number): number {
  return Math.min(backoff.max, Math.round(backoff.initial * backoff.factor ** streak));
}

export function wantsRestart(policy: Policy['restart'], outcome: ExitOutcome): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'on-failure':
      return !isSuccess(outcome);
  }
}

// After an exit: restart or not, and after which delay. A run of at least reset_after
// starts the backoff again from its initial delay.
export function decideAfterExit(policy: Policy, outcome: ExitOutcome, uptimeMs: number, streak: number): RestartDecision {
  if (!wantsRestart(policy.restart, outcome)) return { restart: false };
  const current = uptimeMs >= policy.reset_after ? 0 : streak;
  return { restart: true, delayMs: backoffDelayMs(policy.backoff, current), streak: current + 1 };
}
