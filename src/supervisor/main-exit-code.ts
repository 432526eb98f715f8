// The code corral exits with when nothing else (the main service's end, on_failure:
// shutdown, an internal error) decided it first: the main service's own, as my_init and
// tini hand it on.
import { outcomeExitCode } from '../process/exit-outcome.js';
import { signalNumber } from '../process/signal-names.js';
import type { RunnerFacts } from './runner-facts.js';

// The main service's own code; 137 when it could not be killed and never ended (SIGKILL
// is what will end it); 128 + the signal's number when a shutdown signal came before it
// ever ran, as during init scripts; 0 without a main service.
export function mainExitCode(main: Pick<RunnerFacts, 'newestRunUnended' | 'lastOutcome'> | undefined, shutdownSignal: NodeJS.Signals | undefined): number {
  if (main === undefined) return 0;
  // An older run's outcome (a spawn that failed before it) is not how the newest one ended.
  if (main.newestRunUnended) return 128 + signalNumber('SIGKILL');
  if (main.lastOutcome !== undefined) return outcomeExitCode(main.lastOutcome);
  return shutdownSignal === undefined ? 0 : 128 + signalNumber(shutdownSignal);
}
