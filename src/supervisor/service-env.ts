// A service's environment, lowest precedence first: corral's own (unless inherit_env is
// false), what its env_file(s) held, its environment map, and NOTIFY_SOCKET and the like
// added by the caller. A service with a user gets that user's HOME, USER, LOGNAME and
// SHELL (Node changes none of them when it switches uid, so a service would otherwise see
// root's HOME).
import type { ServiceConfig } from '../config/schema.js';

// Without inheriting, a command still needs a PATH to be found by name.
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function serviceEnvironment(
  config: Pick<ServiceConfig, 'environment' | 'identity' | 'env_from_files' | 'inherit_env'>,
  inherited: Record<string, string>,
): Record<string, string> {
  const base = config.inherit_env ? inherited : { PATH: inherited.PATH ?? DEFAULT_PATH };
  const env = { ...base, ...config.env_from_files, ...config.environment };
  const { identity } = config;
  if (identity !== undefined) {
    const user = identity.userName ?? String(identity.uid);
    Object.assign(env, { HOME: identity.home, USER: user, LOGNAME: user, SHELL: identity.shell });
  }
  return env;
}
