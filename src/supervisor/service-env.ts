// A service's environment: corral's own, then the service's `environment` map, then, for a
// service with a user, that user's HOME, USER, LOGNAME and SHELL (Node changes none of
// them when it switches uid, so a service would otherwise see root's HOME).
import type { ServiceConfig } from '../config/schema.js';

export function serviceEnvironment(config: Pick<ServiceConfig, 'environment' | 'identity'>, inherited: Record<string, string>): Record<string, string> {
  const env = { ...inherited, ...config.environment };
  const { identity } = config;
  if (identity !== undefined) {
    const user = identity.userName ?? String(identity.uid);
    Object.assign(env, { HOME: identity.home, USER: user, LOGNAME: user, SHELL: identity.shell });
  }
  return env;
}
