// The shortest delays a service file may ask for, so that no setting can turn corral into
// a fork bomb or a busy loop: `backoff: {initial: 0s}` once gave 382 restarts in 3 s, and
// a 0s probe interval spawns checks as fast as the machine can. Below a floor is a check
// error that says the floor, never a silent round-up.
import { duration } from './value-schemas.js';
import { formatDuration } from '../shared/format-duration.js';

export const FLOORS = {
  /** backoff.initial and backoff.max: Docker's own first restart delay; with the default
   * factor 2 a crash loop is down to one restart every few seconds within a few tries. */
  restartDelayMs: 100,
  /** ready.interval: checks run only while a service starts, bounded by ready.timeout. */
  readyIntervalMs: 50,
  /** health.interval: probes run for ever; Kubernetes' periodSeconds has the same floor. */
  healthIntervalMs: 1000,
} as const;

// A duration schema that refuses values below `floorMs`, saying why (the error reporter
// adds what the file says).
export function durationAtLeast(floorMs: number, why: string) {
  return duration.refine((ms) => ms >= floorMs, {
    error: `expected at least ${formatDuration(floorMs)} (${why})`,
  });
}
