// A service's settings with every default, as loadServices returns them for a file that
// sets nothing but its command.
import type { ServiceConfig } from '../../src/config/service-config.js';

export const SERVICE_DEFAULTS = {
  enabled: true,
  type: 'longrun',
  main: false,
  depends_on: [],
  restart: 'always',
  backoff: { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.1 },
  reset_afterMs: 10_000,
  on_failure: 'ignore',
  stop_signal: 'SIGTERM',
  stop_timeoutMs: 5000,
  environment: {},
  secret_files: {},
  env_from_files: {},
  inherit_env: true,
  limits: {},
} as const satisfies Partial<ServiceConfig>;

// The log settings a service file without a log key gets (prefix aside).
export const DEFAULT_LOG = { stdout: 'stdout', stderr: 'stderr', max_line: 16 * 1024, mode: 'block', buffer: 1024 * 1024 } as const;

export function serviceConfig(name: string, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    ...SERVICE_DEFAULTS,
    depends_on: [],
    environment: {},
    secret_files: {},
    env_from_files: {},
    limits: {},
    backoff: { ...SERVICE_DEFAULTS.backoff },
    log: { ...DEFAULT_LOG, prefix: name },
    name,
    file: `/etc/corral/services.d/${name}.yaml`,
    argv: [name],
    ...overrides,
  };
}
