// What a scheduled service's runs came to: each run's result, counted by kind, and the
// last one, for the log, `corral status` and the metrics. A skipped run is counted with
// them: it is a run that was due and did not start.
import { isSuccess, type ExitOutcome } from '../process/exit-outcome.js';

export const RUN_RESULTS = ['succeeded', 'failed', 'timed-out', 'replaced', 'skipped'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

export interface LastRun {
  result: Exclude<RunResult, 'skipped'>;
  /** By the supervisor's clock (ms since the epoch). */
  startedAt: number;
  durationMs: number;
  /** "exited with code 3", "was stopped: timed out after 10s" */
  description: string;
}

export interface RunFacts {
  /** Stopped by corral to start the next run (overlap: replace). */
  replaced: boolean;
  /** Stopped by corral at its timeout. */
  timedOut: boolean;
  /** undefined: its exit never came (it could not be killed). */
  outcome: ExitOutcome | undefined;
}

// A run corral replaced is not a failure, whatever its exit: corral stopped it. One that
// timed out is, whatever its exit.
export function classifyRun(facts: RunFacts): LastRun['result'] {
  if (facts.replaced) return 'replaced';
  if (facts.timedOut) return 'timed-out';
  return facts.outcome !== undefined && isSuccess(facts.outcome) ? 'succeeded' : 'failed';
}

export function isFailedRun(result: RunResult): boolean {
  return result === 'failed' || result === 'timed-out';
}

export class ScheduleRecord {
  readonly counts: Record<RunResult, number> = { succeeded: 0, failed: 0, 'timed-out': 0, replaced: 0, skipped: 0 };
  last: LastRun | undefined;

  add(run: LastRun): void {
    this.counts[run.result] += 1;
    this.last = run;
  }

  skip(): void {
    this.counts.skipped += 1;
  }

  describe(): string {
    return describeRuns(this.counts);
  }
}

// "12 run(s): 11 succeeded, 1 failed, 2 skipped": the results that happened.
export function describeRuns(counts: Readonly<Record<RunResult, number>>): string {
  const ran = RUN_RESULTS.filter((result) => result !== 'skipped').reduce((sum, result) => sum + counts[result], 0);
  const kinds = RUN_RESULTS.filter((result) => counts[result] > 0).map((result) => `${counts[result]} ${result}`);
  return `${ran} run(s)${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}`;
}
