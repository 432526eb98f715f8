#!/usr/bin/env -S node --max-semi-space-size=1 --max-old-space-size=128
// corral's entry point. The V8 flags above keep corral's memory flat under a heavy log
// load: small young generations (the relay makes short-lived garbage at up to millions of
// lines a second) and an old generation collected before it grows past what corral needs
// (about 10 MB with 50 services). They must be on the command line: V8 fixes its heap at start.
// The client commands (corral status, corral ready, ...) load only the client: a probe
// that Kubernetes runs every few seconds should cost little.
import { installSignalHandlers } from '../supervisor/signals.js';
import { isClientCommand } from './args.js';
import { ExitCode } from '../shared/exit-codes.js';

const argv = process.argv.slice(2);
if (isClientCommand(argv)) {
  // Node's default signal handling: Ctrl-C ends a client.
  const { runClientCommand } = await import('./client-command.js');
  process.exitCode = await runClientCommand(argv);
} else {
  // First, before anything can wait: a signal without a listener is dropped for PID 1.
  const signals = installSignalHandlers(() => process.exit(ExitCode.ok));
  const { runCorral } = await import('./corral.js');
  runCorral(signals);
}
