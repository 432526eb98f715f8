// `corral` as the supervisor (and check/print/schema). main.ts loads it after installing
// the signal handlers; from then on corral exits only through exit() here, which flushes
// the log first. (main.ts exits by itself only on a shutdown signal that comes before this
// module is loaded, when nothing has been written.)
import { readFileSync } from 'node:fs';
import type { SignalRouter } from '../supervisor/signals.js';
import { parseCommandLine, UsageError } from './args.js';
import { ExitCode } from '../shared/exit-codes.js';
import { DEFAULT_INIT_DIR, DEFAULT_SHUTDOWN_TIMEOUT, usage } from './usage.js';
import { runInitPhase } from './init-phase.js';
import { becomeReaper } from './init-mode.js';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '../config/duration.js';
import { LIMITS } from '../config/limits.js';
import { LOAD_TIMEOUT_MS, LoaderError, type LoadRequest } from '../config/load-in-worker.js';
import { loadHere } from '../config/load-here.js';
import { LabelColumn } from '../logging/label-column.js';
import { logStyleFrom, PLAIN_STYLE, type LogStyle } from '../logging/log-style.js';
import { createLogger, EVENT_LABEL, parseLogLevel } from '../logging/logger.js';
import { growOutputPipes } from '../logging/output-pipes.js';
import { OutputSink } from '../logging/output-sink.js';
import { defaultShimPath, loadNativeAddon, NativeAddonError } from '../native/addon.js';
import { Reaper } from '../native/reaper.js';
import { defaultNofile } from '../process/rlimits.js';
import { planInitScripts, readInitDir } from '../supervisor/init-listing.js';
import type { RunnerContext } from '../supervisor/runner-context.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { realClock } from '../supervisor/clock.js';
import { realKernel } from '../supervisor/real-kernel.js';
import { prepareRunDir, type RunDir } from '../control/run-dir.js';
import { serveControl } from '../control/serve-control.js';
import { metricsAddressFrom, serveMetrics } from '../control/serve-metrics.js';
import { formatMetricsAddress } from '../control/metrics-address.js';
import { MetricsServerError } from '../control/metrics-server-error.js';
import { startSyslog } from './syslog-setup.js';
import { reloader } from './reload-config.js';
import { corralEnvironment, loadRequest } from './load-request.js';
import { MemoryTrimmer } from '../native/memory-trimmer.js';
import { OptimizerGate } from '../native/optimizer-gate.js';
import { monotonicMs } from '../shared/monotonic-ms.js';

const FLUSH_TIMEOUT_MS = 500;
/** What must be undone however corral exits (the syslog socket's file). */
const atExit: (() => void)[] = [];

const stdout = new OutputSink('stdout', process.stdout);
const stderr = new OutputSink('stderr', process.stderr);
const labels = new LabelColumn([EVENT_LABEL]);
const { style: logStyle, problem: logStyleProblem } = readLogStyle();
const logger = createLogger(stderr, parseLogLevel(process.env.CORRAL_LOG_LEVEL), labels, logStyle, { alsoReportFor: [stdout] });
// Node's own warnings would go to stderr raw, breaking the log format: they become events.
process.removeAllListeners('warning');
process.on('warning', (warning) => logger.warn(`node: ${warning.name}: ${warning.message}`));

// A bad CORRAL_LOG_FORMAT stops `corral run` (reported in plain text), not check or print.
function readLogStyle(): { style: LogStyle; problem?: ConfigError } {
  try {
    return { style: logStyleFrom(process.env, { stdout: process.stdout, stderr: process.stderr }) };
  } catch (error) {
    if (error instanceof ConfigError) return { style: PLAIN_STYLE, problem: error };
    throw error;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function shutdownBudgetMs(): number {
  const text = process.env.CORRAL_SHUTDOWN_TIMEOUT ?? DEFAULT_SHUTDOWN_TIMEOUT;
  // A bare number means seconds, as in docker stop -t.
  const ms = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined) {
    throw new ConfigError([{ file: 'CORRAL_SHUTDOWN_TIMEOUT', message: `expected a duration like "9s" or "500ms", got ${JSON.stringify(text)}` }]);
  }
  // Past what a timer holds, the deadline would come at once.
  if (ms > LIMITS.durationMs) {
    throw new ConfigError([
      {
        file: 'CORRAL_SHUTDOWN_TIMEOUT',
        message: `${JSON.stringify(text)} is longer than the longest duration corral can wait, ${LIMITS.durationMs}ms (24.8 days); use a shorter one`,
      },
    ]);
  }
  return ms;
}

// The run directory (run-dir.ts), said in the log when it is not the first choice.
function chooseRunDir(): RunDir | undefined {
  const { runDir, passedOver } = prepareRunDir({ env: process.env, uid: process.getuid?.() ?? 0 });
  if (runDir === undefined) {
    logger.warn(
      `no usable run directory: tried ${passedOver.join('; ')}; set CORRAL_RUN_DIR to a directory corral can write. corral status, the probes and ready: notify will not work`,
    );
  } else if (passedOver.length > 0) {
    logger.info(`run directory ${runDir.dir} (passed over ${passedOver.join('; ')})`);
  }
  return runDir;
}

// Two malloc arenas: the main thread's, and one for V8's helper threads and the reload
// workers (addon/src/memory.cc). glibc's default, eight per core, kept each worker's
// garbage in an arena of its own.
const MALLOC_ARENAS = 2;

async function run(servicesDir: string, command: [string, ...string[]] | undefined): Promise<number> {
  if (logStyleProblem !== undefined) throw logStyleProblem;
  const addon = loadNativeAddon();
  addon.limitArenas(MALLOC_ARENAS);
  growOutputPipes(addon, logger);
  const mode = becomeReaper(addon, logger);
  const reaper = new Reaper(addon, logger);
  reaper.start();
  const budgetMs = shutdownBudgetMs();
  const metricsAddress = metricsAddressFrom(process.env);
  // The environment and credentials of the moment, as loading in this thread would see them.
  const request = (): LoadRequest => loadRequest(servicesDir, command);
  // V8's optimizing compiler waits until start-up is over, or corral is busy relaying;
  // it is turned off once the load's code is compiled from its cache (see compileLoadBody).
  const optimizer = new OptimizerGate({ setOptimizer: (on) => addon.setOptimizer(on), logger });
  // Every service file is validated before any init script runs: a bad one exits 100
  // with nothing run at all.
  const loadStart = monotonicMs();
  const { services, codeCache } = loadHere(request(), { timeoutMs: LOAD_TIMEOUT_MS, compiled: () => optimizer.hold() });
  logger.debug(`config: read ${servicesDir} in ${Math.round(monotonicMs() - loadStart)} ms (V8 code cache: ${codeCache})`);
  // Start-up's garbage, zod and yaml included, is given back once it settles.
  const trimmer = new MemoryTrimmer({ trim: (collect) => addon.trimMemory(collect), logger });
  const initDir = process.env.CORRAL_INIT_DIR || DEFAULT_INIT_DIR;
  const initPlan = planInitScripts(initDir, readInitDir(initDir));
  const runDir = chooseRunDir();
  labels.width = Math.max(labels.width, ...services.map((service) => service.log.prefix.length));
  // Before the init scripts, which may log with syslog(3) too.
  const syslog = startSyslog({ env: process.env, addon, sinks: { stdout, stderr }, logger, style: logStyle, labels });
  if (syslog) atExit.push(() => syslog.close());
  const context: RunnerContext = {
    kernel: realKernel(() => context, reaper),
    clock: realClock,
    addon,
    stdout,
    stderr,
    logger,
    labels,
    logStyle,
    shimPath: defaultShimPath,
    env: corralEnvironment(),
    notifyDir: runDir?.notifyDir,
    defaultNofile: defaultNofile(),
    random: Math.random,
  };
  const supervisor = new Supervisor({
    services,
    mode,
    shutdownBudgetMs: budgetMs,
    context,
    onChange: () => {
      trimmer.poke();
      optimizer.poke();
    },
  });
  supervisor.stopping.addEventListener('abort', () => trimmer.close(), { once: true });
  // For real bugs only: every service is stopped in order within the budget, then exit 111.
  process.on('uncaughtException', (error) => supervisor.internalError(error));
  process.on('unhandledRejection', (error) => supervisor.internalError(error));
  // SIGHUP and `corral reload`: apply a valid configuration, refuse an invalid one whole.
  const reload = reloader({
    servicesDir,
    supervisor,
    logger,
    request,
    onWorkerExit: () => trimmer.trimHeap(),
    // A worker compiles Node's own modules from their code caches, which V8 takes only
    // under the flags they were made with: start-up is over anyway once a reload comes.
    onWorkerStart: () => optimizer.release('a reload began'),
  });
  // Until it resolves, shutdown signals stop the running init script.
  const initCode = await runInitPhase({ dir: initDir, plan: initPlan, ctx: context, signals, mode, shutdownBudgetMs: budgetMs });
  if (initCode !== undefined) return initCode;
  // Attached in the same tick as the init phase ended, so no signal falls in between.
  signals.attach({
    shutdown: (signal) => supervisor.shutdownOnSignal(signal),
    forward: (signal) => supervisor.forward(signal),
    reload: () => void reload('received SIGHUP').catch(() => undefined),
  });
  const where = mode === 'pid1' ? 'as PID 1' : `as pid ${process.pid} (subreaper)`;
  logger.info(`corral ${version()} ${where}: starting ${services.length} service(s) from ${servicesDir}`);
  if (services.length === 0)
    logger.warn(`no enabled service in ${servicesDir} (no *.yaml or *.yml file, or all say enabled: false); nothing to run until a reload adds one`);
  const control = await serveControl({
    supervisor,
    reaper,
    addon,
    logger,
    version: version(),
    socketPath: runDir?.controlSocket,
    reload: () => reload('corral reload'),
  });
  const metrics = metricsAddress && (await serveMetrics(metricsAddress, control, logger));
  if (metrics) logger.info(`metrics on http://${formatMetricsAddress(metrics.address)}/metrics`);
  void supervisor.finished.then(() => {
    control.close();
    void metrics?.close();
  });
  // Signal listeners do not keep Node's event loop alive: without this, corral would exit
  // as soon as every service has exited, and an init must stay up until told to stop.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  void supervisor.finished.then(() => clearInterval(keepAlive));
  supervisor.start();
  optimizer.poke();
  // Once the services that wait for none are spawned, which start() set going.
  setImmediate(() => trimmer.collectStartGarbage());
  return supervisor.finished;
}

let exiting: Promise<never> | undefined;

// The first call decides the exit code: an early signal's exit is not overtaken by the
// command it interrupted.
function exit(code: number): Promise<never> {
  exiting ??= (async () => {
    for (const undo of atExit.splice(0)) undo();
    await Promise.all([stdout.flush(FLUSH_TIMEOUT_MS), stderr.flush(FLUSH_TIMEOUT_MS)]);
    process.exit(code);
  })();
  return exiting;
}

// The configuration commands write plain text, without the log prefix and timestamps.
const plainOutput = { stdout: (text: string) => stdout.write(text), stderr: (text: string) => stderr.write(text) };

async function main(): Promise<number> {
  const command = parseCommandLine(process.argv.slice(2), process.env);
  switch (command.kind) {
    case 'help':
      stdout.write(usage);
      return ExitCode.ok;
    case 'version':
      stdout.write(`${version()}\n`);
      return ExitCode.ok;
    case 'run':
      return run(command.servicesDir, command.command);
    // Short-lived: they load zod and yaml in this thread, and only they do.
    case 'check':
      return (await import('./config-commands.js')).checkCommand(command.servicesDir, plainOutput);
    case 'print':
      return (await import('./config-commands.js')).printCommand(command.servicesDir, plainOutput);
    case 'schema':
      return (await import('./config-commands.js')).schemaCommand(plainOutput);
    case 'control':
      throw new Error('client commands are run by main.ts, not here');
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) {
    stderr.write(`corral: ${error.message}\n`);
    return ExitCode.config;
  }
  if (error instanceof ConfigError) {
    logger.error(`invalid configuration; nothing was started:\n${error.message}`);
    return ExitCode.config;
  }
  if (error instanceof NativeAddonError || error instanceof MetricsServerError || error instanceof LoaderError) {
    logger.error(error.message);
    return ExitCode.system;
  }
  logger.error(`internal error: ${(error as Error).stack ?? String(error)}`);
  return ExitCode.system;
}

let signals: SignalRouter;

// Runs corral; `router` has had its listeners since before anything could wait.
export function runCorral(router: SignalRouter): void {
  signals = router;
  // Until the init phase attaches its own target, a shutdown signal exits as main.ts's
  // would, but with the log flushed and the syslog socket's file removed.
  router.attach({ shutdown: () => void exit(ExitCode.ok), forward: () => undefined, reload: () => undefined });
  main().then(exit, (error: unknown) => exit(exitCodeFor(error)));
}
