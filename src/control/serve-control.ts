// Puts the control socket together for `corral run`: the supervisor's snapshot, the
// /proc and cgroup readers, the handlers, and the peer check through the addon. A socket
// that cannot be made (a read-only /run, a second corral) is reported, and supervision
// goes on without it: the services matter more than the remote control.
import type { Socket } from 'node:net';
import type { Logger } from '../shared/logger.js';
import { ConfigError } from '../config/config-error.js';
import { LoaderError } from '../config/load-in-worker.js';
import type { NativeAddon } from '../native/addon.js';
import type { Reaper } from '../native/reaper.js';
import { readContainerUsage } from '../process/cgroup-usage.js';
import { readGroupUsage } from '../process/group-usage.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { takeSnapshot } from './take-snapshot.js';
import { ControlServerError, startControlServer } from './control-server.js';
import { createHandler } from './handlers.js';
import { LogFollowers } from './log-follower.js';
import { checkOneService } from './service-actions.js';
import { ControlError, type LogsRequest } from './protocol.js';
import type { SupervisorSnapshot } from './snapshot.js';
import { UsageSampler, type UsageReading } from './usage-sampler.js';

export interface ServeControlOptions {
  supervisor: Supervisor;
  reaper: Reaper;
  addon: NativeAddon;
  logger: Logger;
  version: string;
  /** undefined when there is no run directory to put it in (already reported). */
  socketPath: string | undefined;
  reload: () => Promise<string[]>;
}

export interface ControlPlane {
  snapshot: () => SupervisorSnapshot;
  readUsage: (pgids: readonly number[]) => UsageReading;
  close: () => void;
}

export async function serveControl(options: ServeControlOptions): Promise<ControlPlane> {
  const { supervisor, reaper, addon, logger } = options;
  const startedAt = Date.now();
  const snapshot = (): SupervisorSnapshot =>
    takeSnapshot({ supervisor, orphansReaped: () => reaper.reapedCount, version: options.version, startedAt, now: Date.now });
  const constants = addon.systemConstants();
  const readUsage = (pgids: readonly number[]): UsageReading => ({ at: Date.now(), groups: readGroupUsage(pgids, constants), container: readContainerUsage() });
  const reload = (): Promise<string[]> =>
    options.reload().catch((error: unknown) => {
      if (error instanceof ConfigError)
        throw new ControlError('invalid-config', `reload refused, nothing was changed; the new configuration is invalid:\n${error.message}`);
      if (error instanceof LoaderError) throw new ControlError('refused', `reload refused, nothing was changed: ${error.message}`);
      throw error;
    });
  const handle = createHandler({ supervisor, snapshot, sampler: new UsageSampler(readUsage), reload });
  const followers = new LogFollowers();
  const serveLogs = (request: LogsRequest, socket: Socket): void => {
    checkOneService(supervisor, request.service);
    followers.serve(request, supervisor.runner(request.service)!.logRing, socket);
  };
  const peerUid = (socket: Socket): number | undefined => {
    // libuv's fd of the accepted connection: Node has no public accessor for it.
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined || fd < 0) return undefined;
    try {
      return addon.peerCredentials(fd).uid;
    } catch {
      return undefined;
    }
  };
  if (options.socketPath === undefined) return { snapshot, readUsage, close: () => undefined };
  try {
    const server = await startControlServer({ path: options.socketPath, handle, serveLogs, peerUid, logger });
    logger.debug(`control socket: ${server.path}`);
    return { snapshot, readUsage, close: () => server.close() };
  } catch (error) {
    if (!(error instanceof ControlServerError)) throw error;
    logger.warn(`${error.message}; corral status and the other control commands will not work`);
    return { snapshot, readUsage, close: () => undefined };
  }
}
