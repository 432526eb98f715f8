// CORRAL_SYSLOG=PATH (the base image sets /dev/log): corral listens there for syslog
// messages and relays them to its output (src/logging/syslog-relay.ts). A file at PATH
// that is not a socket is a configuration error: nothing starts, and nothing is replaced.
// A socket corral cannot bind (no permission, a read-only directory) is reported, and
// corral runs without it: supervision matters more than one source of log lines.
import type { Logger } from '../shared/logger.js';
import { ConfigError } from '../config/config-error.js';
import type { LabelColumn } from '../logging/label-column.js';
import type { LogStyle } from '../logging/log-style.js';
import type { OutputSink } from '../logging/output-sink.js';
import { SyslogRelay, SyslogSocketError } from '../logging/syslog-relay.js';
import type { NativeAddon } from '../native/addon.js';

export interface SyslogSetup {
  env: Readonly<Record<string, string | undefined>>;
  addon: NativeAddon;
  sinks: Record<'stdout' | 'stderr', OutputSink>;
  logger: Logger;
  style: LogStyle;
  labels: LabelColumn;
}

export function startSyslog(setup: SyslogSetup): SyslogRelay | undefined {
  const path = setup.env.CORRAL_SYSLOG?.trim() ?? '';
  if (path === '') return undefined;
  if (!path.startsWith('/')) {
    throw new ConfigError([{ file: 'CORRAL_SYSLOG', message: `expected an absolute path such as /dev/log, or nothing; got ${JSON.stringify(path)}` }]);
  }
  const relay = new SyslogRelay({ path, addon: setup.addon, sinks: setup.sinks, logger: setup.logger, style: setup.style, labels: setup.labels });
  try {
    relay.start();
  } catch (error) {
    if (!(error instanceof SyslogSocketError)) throw error;
    if (error.code === 'NOT_A_SOCKET') throw new ConfigError([{ file: 'CORRAL_SYSLOG', message: error.message }]);
    // As a non-root user corral cannot make /dev/log: the runtime's /dev is root's.
    setup.logger.warn(
      `syslog: ${error.message}; messages sent with syslog(3) are not relayed (set CORRAL_SYSLOG to a path where corral may create a socket, or to nothing to turn this off)`,
    );
    return undefined;
  }
  setup.logger.debug(`syslog: relaying the messages sent to ${path}`);
  return relay;
}
