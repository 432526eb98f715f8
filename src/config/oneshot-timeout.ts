// timeout: a oneshot that hangs would hold its dependents back for ever while corral
// health passes (s6-rc's timeout-up answers the same). The run is stopped at its timeout
// and counts as failed, so its dependents are blocked and the probes say so.
import { formatDuration } from '../shared/format-duration.js';

/** timeout on a longrun: where the limits that do apply to it are. */
export const ONESHOT_ONLY =
  "timeout limits a oneshot's run; a longrun's start is limited by ready.timeout, and a hung longrun is found by health or watchdog; remove timeout, or make it type: oneshot";

// How a run stopped at its timeout failed, for the log and corral status.
export function describeOneshotTimeout(timeoutMs: number): string {
  return `still running after its timeout of ${formatDuration(timeoutMs)}`;
}
