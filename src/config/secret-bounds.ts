// The bounds on a service's secret files. At load: how many it may have, as each is read
// at each start. At launch: the size of the exec once their values are in the
// environment, which the check at load (exec-bounds.ts) cannot count, as they are not
// read then. Past the kernel's limit, every start would fail with a bare E2BIG; this
// names the secrets instead, by size, never by value.
import type { ConfigProblem } from './config-error.js';
import { environmentStrings, execCommands, execStringsBytes, execTotalLimit } from './exec-bounds.js';
import { LIMITS } from './limits.js';
import type { ServiceConfig } from './service-config.js';

// The problem of a service with more {file: PATH} entries than corral reads at a start.
export function checkSecretCount(service: Pick<ServiceConfig, 'secret_files'>, locate: (path: string[], message: string) => ConfigProblem): ConfigProblem[] {
  const count = Object.keys(service.secret_files).length;
  if (count <= LIMITS.secretFiles) return [];
  return [
    locate(
      ['environment'],
      `has ${count} {file: PATH} entries, more than the ${LIMITS.secretFiles} corral reads at each start; put several values in one env_file, or pass the files to the program`,
    ),
  ];
}

// Why the run cannot be launched with `env`, its environment with the secrets' values
// (`secrets`) in it, or undefined when its largest exec (the command, or an exec check)
// stays within the limit checkExecBounds applies at load.
export function secretsExecFailure(
  service: ServiceConfig,
  env: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): { errno: string; message: string } | undefined {
  const envBytes = execStringsBytes(environmentStrings(env));
  const total = envBytes + Math.max(...execCommands(service).map(({ argv }) => execStringsBytes(argv)));
  const limit = execTotalLimit(service);
  if (total <= limit.bytes) return undefined;
  const sizes = Object.entries(secrets)
    .map(([name, value]) => ({ name, bytes: Buffer.byteLength(value) }))
    .sort((a, b) => b.bytes - a.bytes)
    .map(({ name, bytes }) => `${name} ${sizeOf(bytes)}`);
  return {
    errno: 'E2BIG',
    message:
      `environment: the secrets read from files (${sizes.join(', ')}) make its arguments and environment ${sizeOf(total)}, ` +
      `more than the ${sizeOf(limit.bytes)} ${limit.why}; make them smaller, or pass them as files (a path the program reads)`,
  };
}

function sizeOf(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
}
