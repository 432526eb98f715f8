// What the exec shim sets up for a service's command, and for its check commands, which
// run as the service itself would: its user and groups, umask, working directory and limits.
import type { ServiceConfig } from '../config/service-config.js';
import type { ProcessAttributes } from '../process/exec-shim.js';
import type { RunnerContext } from './runner-context.js';

export function processAttributes(config: ServiceConfig, ctx: RunnerContext): ProcessAttributes {
  const { identity } = config;
  return {
    // Not even initgroups for corral's own user: a non-root corral may not call it (EPERM).
    user: identity === undefined || identity.asCorral ? undefined : { name: identity.userName, uid: identity.uid, gid: identity.gid },
    umask: config.umask,
    workingDir: config.working_dir,
    limits: { nofile: ctx.defaultNofile, ...config.limits },
  };
}
