// A service's environment, lowest precedence first: corral's own (unless inherit_env is
// false), then for a service with a user that user's HOME, USER, LOGNAME and SHELL (Node
// changes none of them when it switches uid, so a service would otherwise see root's
// HOME), then what its env_file(s) held, then its environment map, whose {file: PATH}
// entries are the values the caller read at launch (secret-file.ts); the caller adds
// NOTIFY_SOCKET and the like. What the service file says explicitly wins, as with
// systemd's Environment= over User=.
import type { ServiceConfig } from '../config/service-config.js';

// Without inheriting, a command still needs a PATH to be found by name.
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function serviceEnvironment(
  config: Pick<ServiceConfig, 'environment' | 'identity' | 'env_from_files' | 'inherit_env'>,
  inherited: Record<string, string>,
  secrets: Record<string, string> = {},
): Record<string, string> {
  const base = config.inherit_env ? inherited : { PATH: inherited.PATH ?? DEFAULT_PATH };
  const { identity } = config;
  const user = identity?.userName ?? String(identity?.uid);
  const account: Record<string, string> = identity === undefined ? {} : { HOME: identity.home, USER: user, LOGNAME: user, SHELL: identity.shell };
  return { ...base, ...account, ...config.env_from_files, ...config.environment, ...secrets };
}
