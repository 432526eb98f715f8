// The init phase of `corral run`: after the service files were validated and before the
// control socket and the services, run the init directory's scripts. While they run,
// shutdown signals stop the running script instead of the (not yet started) services.
// A failure or a shutdown ends corral here: leftovers are swept and no service starts.
import { formatDuration } from '../shared/format-duration.js';
import { describeOutcome, outcomeExitCode, type ExitOutcome } from '../process/exit-outcome.js';
import { signalNumber } from '../process/signal-names.js';
import type { InitPlan, InitScript } from '../supervisor/init-listing.js';
import { initLabel, InitRunner, type InitResult } from '../supervisor/init-runner.js';
import type { RunnerContext } from '../supervisor/runner-context.js';
import { sweepLeftovers, sweepReserveMs, type InitMode } from '../supervisor/shutdown-sweep.js';
import type { SignalRouter } from '../supervisor/signals.js';

export interface InitPhaseOptions {
  dir: string;
  plan: InitPlan;
  ctx: RunnerContext;
  signals: SignalRouter;
  mode: InitMode;
  /** CORRAL_SHUTDOWN_TIMEOUT: stopping a script and sweeping after it fit in it. */
  shutdownBudgetMs: number;
}

// Runs the init scripts. Resolves undefined when every one succeeded (start the
// services), else with corral's exit code.
export async function runInitPhase(options: InitPhaseOptions): Promise<number | undefined> {
  const { dir, plan, ctx, signals, shutdownBudgetMs: budget } = options;
  const { logger, labels } = ctx;
  // The column is as wide as the init labels while they run, then back to the services'.
  const servicesWidth = labels.width;
  labels.width = Math.max(servicesWidth, ...plan.scripts.map((script) => initLabel(script.name).length));
  for (const { level, reason } of plan.skipped) logger.log(level, `init: ${reason}`);
  if (plan.scripts.length === 0) {
    logger.debug(`init: no init scripts to run in ${dir}`);
    return undefined;
  }
  logger.info(`init: running ${plan.scripts.length} script(s) from ${dir}, one at a time`);
  const runner = new InitRunner(plan.scripts, ctx);
  // As in the supervisor's shutdown, part of the budget is kept for the final sweep.
  const reserve = sweepReserveMs(budget);
  let stoppingAt: number | undefined;
  signals.attach({
    shutdown: (signal) => {
      stoppingAt ??= ctx.clock.now();
      runner.interrupt(signal, stoppingAt + budget - reserve);
    },
    forward: (signal) => logger.info(`received ${signal} during the init scripts; ignored, as no service runs yet`),
    reload: () => logger.info('received SIGHUP during the init scripts; ignored, as no service runs yet'),
  });
  const startedAt = ctx.clock.now();
  const result = await runner.run();
  if (result.kind === 'done') {
    labels.width = servicesWidth;
    logger.info(`init: ${plan.scripts.length} script(s) done in ${formatDuration(ctx.clock.now() - startedAt)}`);
    return undefined;
  }
  const code = reportEnd(result, ctx, stoppingAt ?? ctx.clock.now());
  const deadline = (stoppingAt ?? ctx.clock.now()) + budget;
  // What the scripts started in the background must not outlive corral (as a subreaper,
  // the kernel would not end it with us).
  await sweepLeftovers({ kernel: ctx.kernel, clock: ctx.clock, logger, mode: options.mode, deadline, forced: runner.forced });
  logger.info(`exiting with code ${code}`);
  return code;
}

// Says how the init phase ended and returns corral's exit code: the failed script's, or
// 128+n for the shutdown signal n, as the container was stopped before it was up.
function reportEnd(result: Exclude<InitResult, { kind: 'done' }>, ctx: RunnerContext, since: number): number {
  if (result.kind === 'failed') {
    const after = result.outcome.kind === 'spawn-failed' ? '' : ` after ${formatDuration(result.tookMs)}`;
    ctx.logger.error(`init script ${result.script.path} ${describeInitOutcome(result.script, result.outcome)}${after}; no service was started`);
    return outcomeExitCode(result.outcome);
  }
  const what = result.script && result.outcome ? `init script ${result.script.name} ${describeOutcome(result.outcome)}` : 'between init scripts';
  ctx.logger.info(`received ${result.signal}: ${what}; stopped in ${formatDuration(ctx.clock.now() - since)}; no service was started`);
  return 128 + signalNumber(result.signal);
}

// The script was listed a moment ago, so "not found" means its #! interpreter.
export function describeInitOutcome(script: InitScript, outcome: ExitOutcome): string {
  if (outcome.kind === 'spawn-failed' && outcome.errno === 'ENOENT') {
    return `could not be started: ${script.path} or the interpreter on its #! line was not found (ENOENT); check its first line`;
  }
  return describeOutcome(outcome);
}
