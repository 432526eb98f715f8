// Where the control socket is, for corral and for its client alike.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR } from '../cli/usage.js';

export function controlSocketPath(env: NodeJS.ProcessEnv): string {
  return join(env.CORRAL_RUN_DIR || DEFAULT_RUN_DIR, 'control.sock');
}
