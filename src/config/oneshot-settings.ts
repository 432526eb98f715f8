// The settings of a service file that says only command, type: oneshot and working_dir,
// every default filled in as schema.ts fills it in: what an init script runs with. They
// are written out rather than parsed with the schema because the running corral runs the
// init scripts, and must not load zod for it (issue 20). test/unit/init-listing.test.ts
// checks that they are what the schema gives.
import type { ServiceFileConfig } from './schema.js';
import type { Argv } from './value-schemas.js';

export function oneshotSettings(command: Argv, workingDir: string): ServiceFileConfig {
  return {
    enabled: true,
    command,
    type: 'oneshot',
    main: false,
    depends_on: [],
    backoff: { initial: 1000, max: 30_000, factor: 2, jitter: 0.1 },
    reset_after: 10_000,
    on_failure: 'ignore',
    stop_signal: 'SIGTERM',
    stop_timeout: 5000,
    working_dir: workingDir,
    environment: {},
    inherit_env: true,
    limits: {},
    log: { stdout: 'stdout', stderr: 'stderr', max_line: 16_384, mode: 'block', buffer: 1_048_576 },
  };
}
