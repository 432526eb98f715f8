// The TypeScript side of svexec (addon/src/svexec.c), the shim that sets what spawn()
// cannot: rlimits, umask, supplementary groups, closing stray fds. Builds its command
// line, reads its status pipe, and turns a failed step into a message that says how to
// fix it.
import { getSystemErrorMap } from 'node:util';
import { errnoName } from '../native/addon.js';

/** The limits svexec knows, by their `ulimit`/systemd names. */
export type RlimitName = 'nofile' | 'nproc' | 'core' | 'memlock' | 'stack' | 'as';

export const RLIMIT_NAMES = ['nofile', 'nproc', 'core', 'memlock', 'stack', 'as'] as const satisfies readonly RlimitName[];

export interface RlimitValue {
  soft: number | 'unlimited';
  hard: number | 'unlimited';
}

/** What svexec applies before it execs the service; anything left out is inherited. */
export interface ProcessAttributes {
  /**
   * The account to switch to. With a name and no `groups`, the shim calls
   * initgroups(name, gid), so the user's groups from /etc/group apply; without a name
   * the only group is `gid`.
   */
  user?: { name?: string; uid: number; gid: number };
  /** Exact supplementary groups (setgroups); overrides initgroups. [] drops them all. */
  groups?: number[];
  /** File mode creation mask, e.g. 0o027. */
  umask?: number;
  /** Directory to chdir to, entered after the switch to `user`. */
  workingDir?: string;
  limits: Partial<Record<RlimitName, RlimitValue>>;
}

/** The step svexec failed at, as it wrote it to the status fd. */
export interface ShimStatus {
  step: string;
  errno: number;
}

// (uid_t)-1 means "leave unchanged" to the kernel, so it is not a usable id.
const MAX_ID = 0xfffffffe;

function checkId(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) {
    throw new RangeError(`Expected ${what} to be an integer from 0 to ${MAX_ID}, got ${value}`);
  }
  return String(value);
}

function formatRlimitValue(value: number | 'unlimited', what: string): string {
  if (value === 'unlimited') return value;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Expected ${what} to be a non-negative integer or 'unlimited', got ${value}`);
  }
  return String(value);
}

// The full argv that runs `argv` through the shim at `shimPath`, which reports failures on
// `statusFd` (an fd number in the child), or in words on stderr without one. Throws
// RangeError for values the shim would refuse.
export function shimArgv(shimPath: string, attrs: ProcessAttributes, argv: readonly [string, ...string[]], statusFd?: number): [string, ...string[]] {
  const options: string[] = statusFd === undefined ? [] : ['--status-fd', checkId(statusFd, 'the status fd')];
  const { user, groups, umask, workingDir, limits } = attrs;
  if (user !== undefined) {
    if (user.name !== undefined) options.push('--user', user.name);
    options.push('--uid', checkId(user.uid, 'uid'), '--gid', checkId(user.gid, 'gid'));
  }
  if (groups !== undefined) {
    options.push('--groups', groups.map((gid) => checkId(gid, 'a supplementary group id')).join(','));
  }
  if (umask !== undefined) {
    if (!Number.isInteger(umask) || umask < 0 || umask > 0o777) {
      throw new RangeError(`Expected umask to be from 0 to 0o777, got ${umask}`);
    }
    options.push('--umask', umask.toString(8).padStart(4, '0'));
  }
  if (workingDir !== undefined) options.push('--chdir', workingDir);
  for (const name of RLIMIT_NAMES) {
    const limit = limits[name];
    if (limit === undefined) continue;
    const soft = formatRlimitValue(limit.soft, `the soft ${name} limit`);
    const hard = formatRlimitValue(limit.hard, `the hard ${name} limit`);
    options.push('--rlimit', `${name}=${soft}:${hard}`);
  }
  return [shimPath, ...options, '--', ...argv];
}

// What the status pipe held once it reached EOF: undefined for nothing (the exec
// succeeded and closed it), else the failed step. Text the shim would never write gives
// step 'unknown' rather than undefined, so it is not taken for a successful start.
export function parseShimStatus(data: string): ShimStatus | undefined {
  if (data === '') return undefined;
  const match = /^([a-z]+) (\d+)\n?$/.exec(data);
  if (!match) return { step: 'unknown', errno: 0 };
  return { step: match[1]!, errno: Number(match[2]) };
}

// "permission denied (EACCES)": libuv's words for the errno, and its name.
function describeErrno(errno: number): string {
  const name = errnoName(errno);
  const words = getSystemErrorMap().get(-errno)?.[1] ?? (name === 'ENOEXEC' ? 'exec format error' : undefined);
  return words === undefined ? name : `${words} (${name})`;
}

const needsRoot = 'corral must run as root to switch users';

function formatLimits(attrs: ProcessAttributes): string {
  const parts = RLIMIT_NAMES.flatMap((name) => {
    const limit = attrs.limits[name];
    return limit === undefined ? [] : [`${name}=${limit.soft}:${limit.hard}`];
  });
  return parts.join(' ');
}

// The fix to suggest for a step and errno, or '' when there is nothing useful to add.
function hintFor(step: string, errno: string, attrs: ProcessAttributes): string {
  const uid = attrs.user?.uid;
  switch (`${step} ${errno}`) {
    case 'rlimit EINVAL':
      return 'a soft limit may not exceed its hard limit';
    case 'rlimit EPERM':
      return 'raising a hard limit needs root, and nofile may not exceed /proc/sys/fs/nr_open';
    case 'groups EPERM':
    case 'initgroups EPERM':
    case 'setgid EPERM':
    case 'setuid EPERM':
      return needsRoot;
    case 'groups EINVAL':
      return 'too many supplementary groups, or a group id out of range';
    case 'setuid EAGAIN':
      return `uid ${uid} already runs as many processes as its nproc limit allows`;
    case 'chdir ENOENT':
      return 'check working_dir';
    case 'chdir EACCES':
      return `uid ${uid ?? 'of corral'} needs search (x) permission on every directory in the path`;
    case 'exec ENOENT':
      return "check the command's spelling and PATH";
    case 'exec EACCES':
      return `check that the file is executable${uid === undefined ? '' : ` by uid ${uid}`} and not on a noexec mount`;
    case 'exec ENOEXEC':
      return 'the file is neither a binary for this machine nor a script with a #! line';
    case 'exec E2BIG':
      return 'the arguments and environment are too large';
    default:
      return '';
  }
}

// Says in words which step of starting `file` failed and, where we know it, how to fix it.
export function describeShimFailure(status: ShimStatus, file: string, attrs: ProcessAttributes): string {
  const { step, errno } = status;
  const user = attrs.user;
  let what: string;
  switch (step) {
    case 'usage':
    case 'unknown':
      return `the exec shim refused to start ${file} (step '${step}'); this is a bug in corral, the shim's stderr says more`;
    case 'rlimit':
      what = `setrlimit ${formatLimits(attrs)}`;
      break;
    case 'umask':
      what = `umask ${attrs.umask?.toString(8).padStart(4, '0')}`;
      break;
    case 'groups':
      what = `setgroups ${(attrs.groups ?? (user ? [user.gid] : [])).join(',')}`;
      break;
    case 'initgroups':
      what = `initgroups ${user?.name} (gid ${user?.gid})`;
      break;
    case 'setgid':
      what = `setgid ${user?.gid}`;
      break;
    case 'setuid':
      what = `setuid ${user?.uid}`;
      break;
    case 'chdir':
      what = `chdir ${attrs.workingDir}${user === undefined ? '' : ` as uid ${user.uid}`}`;
      break;
    case 'exec':
      what = `exec ${file}`;
      break;
    default:
      what = `${step} (starting ${file})`;
  }
  const hint = hintFor(step, errnoName(errno), attrs);
  // What a shell would say, since that is what users know.
  if (step === 'exec' && errnoName(errno) === 'ENOENT') return `${file}: command not found (ENOENT); ${hint}`;
  return `${what}: ${describeErrno(errno)}${hint === '' ? '' : `; ${hint}`}`;
}
