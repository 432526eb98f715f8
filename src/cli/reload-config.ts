// SIGHUP and `corral reload`: read the services directory again (in a worker thread,
// load-in-worker.ts) and apply a valid configuration; refuse an invalid one whole, and a
// load that failed, with the services left as they are.
import type { Logger } from '../shared/logger.js';
import { ConfigError } from '../config/config-error.js';
import { LOAD_TIMEOUT_MS, loadInWorker, LoaderError, type LoadRequest } from '../config/load-in-worker.js';
import type { ServiceConfig } from '../config/service-config.js';
import { describeKept, summarizeReload } from '../supervisor/reload-plan.js';
import type { Supervisor } from '../supervisor/supervisor.js';

export interface ReloaderOptions {
  servicesDir: string;
  supervisor: Pick<Supervisor, 'reload' | 'stopping'>;
  logger: Logger;
  /** What to load, as of now: the environment and credentials may have changed. */
  request: () => LoadRequest;
  /** loadInWorker; a test gives one that fails. */
  load?: typeof loadInWorker;
  /** Called before each load's worker thread starts. */
  onWorkerStart?: () => void;
  /** Called once each load's worker thread has ended. */
  onWorkerExit?: () => void;
}

const SHUTTING_DOWN = 'corral is shutting down; nothing was reloaded';

// A reload, given why (for the log); resolves with what was done, one line each, or
// rejects with a ConfigError (the files) or a LoaderError (corral), nothing changed.
export function reloader(options: ReloaderOptions): (why: string) => Promise<string[]> {
  const { servicesDir, supervisor, logger, request, load = loadInWorker, onWorkerStart, onWorkerExit } = options;
  return async (why) => {
    logger.info(`${why}: reloading ${servicesDir}`);
    onWorkerStart?.();
    let next: ServiceConfig[];
    try {
      // A shutdown ends the wait: nothing would be reloaded anyway.
      next = await load(request(), { timeoutMs: LOAD_TIMEOUT_MS, signal: supervisor.stopping, onExit: onWorkerExit });
    } catch (error) {
      if (supervisor.stopping.aborted) return [SHUTTING_DOWN];
      // Whatever went wrong reading the new configuration, the reload is refused with its
      // reason and the running services stay as they are: corral must not die of a file,
      // nor of the thread that reads it.
      if (error instanceof LoaderError) {
        logger.error(`reload refused, nothing was changed: ${error.message}`);
        throw error;
      }
      const refused = ConfigError.from(error, servicesDir);
      logger.error(`reload refused, nothing was changed; the new configuration is invalid:\n${refused.message}`);
      throw refused;
    }
    const result = await supervisor.reload(next);
    return result ? [`reloaded: ${summarizeReload(result)}`, ...describeKept(result.plan).map((note) => note.text)] : [SHUTTING_DOWN];
  };
}
