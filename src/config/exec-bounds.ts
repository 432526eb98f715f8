// What a service hands to exec, checked when its file is read rather than when it starts:
// a string with a NUL byte makes Node's spawn throw (corral would exit), and arguments
// or an environment past the kernel's limits fail every start with E2BIG. A service
// passes `corral check` only when the strings its start builds (command, working_dir,
// user, the whole environment it will get) can all be exec'd.
//
// The kernel takes at most MAX_ARG_STRLEN (128 KiB, with the NUL) per string, and in all
// a quarter of the stack limit (2 MiB with the usual 8 MiB), counting each string with
// its NUL and its pointer. corral allows half of that, 1 MiB, which leaves room for the
// exec shim's own options and what corral adds at start (NOTIFY_SOCKET, WATCHDOG_USEC);
// a service whose limits.stack is lower gets a quarter of it, as the kernel does.
import type { ConfigProblem } from './config-error.js';
import { KERNEL_ARG_MIN_BYTES, LIMITS } from './limits.js';
import type { ServiceConfig } from './service-config.js';
import { serviceEnvironment } from './service-env.js';

type Path = (string | number)[];
type Locate = (path: Path, message: string) => ConfigProblem;

const POINTER_BYTES = 8;

// Every problem with what the service would exec. `argPath(key, i)` says where argument
// i of the command at `key` is written: a string command is argv[2] of /bin/sh -c, at key.
export function checkExecBounds(
  service: ServiceConfig,
  inherited: Record<string, string>,
  argPath: (key: Path, index: number) => Path,
  locate: Locate,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const env = serviceEnvironment(service, inherited);
  const envBytes = execStringsBytes(environmentStrings(env));
  for (const [name, value] of Object.entries(env)) {
    const why = stringProblem(`${name}=${value}`);
    const source = envSource(service, name);
    if (why) problems.push(locate(source.path, `the environment variable ${name}${source.note} ${why}`));
  }
  const limit = execTotalLimit(service);
  for (const { key, argv } of execCommands(service)) {
    argv.forEach((arg, index) => {
      const why = stringProblem(arg);
      if (why) problems.push(locate(argPath(key, index), `this argument ${why}`));
    });
    const total = envBytes + execStringsBytes(argv);
    if (total > limit.bytes) {
      problems.push(
        locate(
          key,
          `the arguments and the environment come to ${total} bytes, more than the ${limit.bytes} bytes ${limit.why}; each string counts with its NUL and an 8-byte pointer`,
        ),
      );
    }
  }
  for (const [key, text] of [
    ['working_dir', service.working_dir],
    ['user', service.identity?.userName],
  ] as const) {
    const why = text === undefined ? undefined : stringProblem(text);
    if (why) problems.push(locate([key], why));
  }
  return problems;
}

const NUL_MESSAGE = 'holds a NUL byte (\\0), which ends a string for the kernel';

// What the kernel counts of these strings against the limit: each with its NUL and its pointer.
export function execStringsBytes(strings: Iterable<string>): number {
  let bytes = 0;
  for (const text of strings) bytes += Buffer.byteLength(text) + 1 + POINTER_BYTES;
  return bytes;
}

// An environment as exec gets it: NAME=value strings.
export function environmentStrings(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

// What the service execs with its environment: its command, and its exec checks.
export function execCommands(service: ServiceConfig): { key: Path; argv: readonly string[] }[] {
  const commands: { key: Path; argv: readonly string[] }[] = [{ key: ['command'], argv: service.argv }];
  for (const probe of ['ready', 'health'] as const) {
    const spec = service[probe]?.spec;
    if (spec?.kind === 'exec') commands.push({ key: [probe, 'exec'], argv: spec.argv });
  }
  return commands;
}

function stringProblem(text: string): string | undefined {
  if (text.includes('\0')) return NUL_MESSAGE;
  const bytes = Buffer.byteLength(text) + 1;
  if (bytes > LIMITS.execStringBytes)
    return `is ${bytes} bytes with its NUL, more than the ${LIMITS.execStringBytes} the kernel takes for one string (MAX_ARG_STRLEN)`;
  return undefined;
}

// The most the arguments and the environment of one exec of the service may come to, and why.
export function execTotalLimit(service: ServiceConfig): { bytes: number; why: string } {
  const soft = service.limits.stack?.soft;
  const kernel = typeof soft === 'number' ? Math.max(KERNEL_ARG_MIN_BYTES, Math.floor(soft / 4)) : Infinity;
  if (kernel < LIMITS.execTotalBytes)
    return { bytes: kernel, why: `the kernel allows with limits.stack at ${soft} bytes (a quarter of it, at least ${KERNEL_ARG_MIN_BYTES})` };
  return { bytes: LIMITS.execTotalBytes, why: 'corral allows' };
}

// Where a variable of the service's environment comes from, in the order it wins.
function envSource(service: ServiceConfig, name: string): { path: Path; note: string } {
  if (Object.hasOwn(service.environment, name)) return { path: ['environment', name], note: '' };
  if (Object.hasOwn(service.env_from_files, name)) return { path: ['env_file'], note: ' (from env_file)' };
  if (service.identity !== undefined && ['HOME', 'USER', 'LOGNAME', 'SHELL'].includes(name)) return { path: ['user'], note: ' (from /etc/passwd)' };
  return { path: [], note: " (from corral's own environment)" };
}
