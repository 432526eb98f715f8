// NODE_DEBUG=child_process makes Node's child_process print the options of every spawn
// to stderr (debuglog('spawn', options)), the whole environment of the child included:
// corral's log would then show every value read from a secret file. Node reads
// NODE_DEBUG once, when corral starts, so taking it out of process.env later changes
// nothing; corral refuses to run services with secret files under it instead.
import type { ConfigProblem } from './config-error.js';
import type { ServiceConfig } from './service-config.js';

const SECTION = 'child_process';

// Whether Node's debuglog enables `section` under this NODE_DEBUG: the same test as
// Node's own (lib/internal/util/debuglog.js): a comma-separated list of names, `*`
// standing for any text, matched whole and case-insensitively, spaces kept as written.
export function nodeDebugEnables(nodeDebug: string | undefined, section: string): boolean {
  if (!nodeDebug) return false;
  const pattern = nodeDebug
    .replace(/[|\\{}()[\]^$+?.]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll(',', '$|^');
  return new RegExp(`^${pattern}$`, 'i').test(section);
}

// The problem of running these services under corral's NODE_DEBUG, if any: only
// services with {file: PATH} entries have values corral must not print.
export function checkNodeDebug(services: readonly Pick<ServiceConfig, 'secret_files'>[], env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const nodeDebug = env.NODE_DEBUG;
  if (!nodeDebugEnables(nodeDebug, SECTION)) return [];
  if (!services.some((service) => Object.keys(service.secret_files).length > 0)) return [];
  return [
    {
      file: 'environment',
      message: `NODE_DEBUG=${nodeDebug} makes Node print each service's environment, secrets read from files included, to corral's log; unset NODE_DEBUG or leave child_process out of it`,
    },
  ];
}
