// How a service's process ended, in one closed type, and in words.
import { ExitCode } from '../shared/exit-codes.js';
import type { SignalName } from './signal-names.js';
import { signalNumber } from './signal-names.js';

export type ExitOutcome =
  { kind: 'exited'; code: number } | { kind: 'signalled'; signal: SignalName } | { kind: 'spawn-failed'; errno: string; message: string };

export function describeOutcome(outcome: ExitOutcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exited with code ${outcome.code}`;
    case 'signalled':
      return `was killed by ${outcome.signal}`;
    case 'spawn-failed':
      return `could not be started: ${outcome.message}`;
  }
}

export function isSuccess(outcome: ExitOutcome): boolean {
  return outcome.kind === 'exited' && outcome.code === 0;
}

// The shell's convention: the code itself, or 128 + the signal's number. A process that
// could not be started at all has no code of its own: 1, "a required service failed".
export function outcomeExitCode(outcome: ExitOutcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'signalled':
      return 128 + signalNumber(outcome.signal);
    case 'spawn-failed':
      return ExitCode.serviceFailed;
  }
}
