// Where corral's sockets live: the control socket in the run directory, the notify sockets
// in DIR-notify beside it. Decided here alone, the same way for corral (which makes the
// directories) and for its client (which only looks):
//   1. CORRAL_RUN_DIR, when set: used as it is, nothing else is tried.
//   2. /run/corral, when it can be made or is writable: root, or an image that prepared it
//      for an arbitrary uid (group 0, group-writable, as OpenShift expects).
//   3. A directory of this uid's own: $XDG_RUNTIME_DIR/corral, then /tmp/corral-UID.
//      These are in places other users can write, so each is made 0700 (its -notify
//      sibling 0711) and used only if lstat shows a real directory, owned by this uid,
//      that no other user can write: never a symbolic link or a directory someone else
//      planted there first.
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { describeSystemError } from '../shared/system-error.js';

export const DEFAULT_RUN_DIR = '/run/corral';
export const CONTROL_SOCKET = 'control.sock';

export interface RunDir {
  dir: string;
  controlSocket: string;
  /** Beside dir, not in it: dir is 0700, and a service running as another user must reach its socket. */
  notifyDir: string;
}

export interface RunDirOptions {
  env: Readonly<Record<string, string | undefined>>;
  uid: number;
  /** /run/corral; tests put it elsewhere. */
  sharedDir?: string;
  /** /tmp; tests put it elsewhere. */
  tmpDir?: string;
}

type Kind = 'given' | 'shared' | 'private';

interface Candidate {
  dir: string;
  kind: Kind;
}

export function runDirAt(dir: string): RunDir {
  return { dir, controlSocket: join(dir, CONTROL_SOCKET), notifyDir: join(dirname(dir), `${basename(dir)}-notify`) };
}

// The places to use or look in, in order.
export function runDirCandidates(options: RunDirOptions): Candidate[] {
  const given = options.env.CORRAL_RUN_DIR;
  if (given) return [{ dir: given, kind: 'given' }];
  const candidates: Candidate[] = [{ dir: options.sharedDir ?? DEFAULT_RUN_DIR, kind: 'shared' }];
  const xdg = options.env.XDG_RUNTIME_DIR;
  // The XDG spec says to ignore a relative path.
  if (xdg && isAbsolute(xdg)) candidates.push({ dir: join(xdg, 'corral'), kind: 'private' });
  candidates.push({ dir: join(options.tmpDir ?? '/tmp', `corral-${options.uid}`), kind: 'private' });
  return candidates;
}

export interface RunDirChoice {
  /** undefined when no candidate could be used. */
  runDir: RunDir | undefined;
  /** Each candidate tried before the one chosen (or all of them), with why it was not. */
  passedOver: string[];
}

// For corral itself: the first candidate it can make and use, with both of its
// directories made. Never throws.
export function prepareRunDir(options: RunDirOptions): RunDirChoice {
  const passedOver: string[] = [];
  for (const candidate of runDirCandidates(options)) {
    // An explicit choice is not second-guessed: what fails is reported where it fails.
    if (candidate.kind === 'given') return { runDir: runDirAt(candidate.dir), passedOver };
    const runDir = runDirAt(candidate.dir);
    const problem = candidate.kind === 'shared' ? prepareShared(runDir) : preparePrivate(runDir, options.uid);
    if (problem === undefined) return { runDir, passedOver };
    passedOver.push(`${candidate.dir}: ${problem}`);
  }
  return { runDir: undefined, passedOver };
}

// For the client: the control socket of the first candidate that has one, or, when none
// has, every path it looked at (with why, for a directory it would not trust).
export function findControlSocket(options: RunDirOptions): { path: string } | { lookedIn: string[] } {
  const lookedIn: string[] = [];
  for (const candidate of runDirCandidates(options)) {
    const runDir = runDirAt(candidate.dir);
    if (candidate.kind === 'given') return { path: runDir.controlSocket };
    if (candidate.kind === 'private') {
      const problem = untrusted(candidate.dir, options.uid, 0o077);
      if (problem !== undefined && problem !== 'does not exist') {
        lookedIn.push(`${runDir.controlSocket} (not used: ${problem})`);
        continue;
      }
    }
    const found = socketAt(runDir.controlSocket);
    if (found === true) return { path: runDir.controlSocket };
    // A directory this user may not search (root's /run/corral) may hold a socket, of a
    // corral running as its owner.
    lookedIn.push(found === 'EACCES' ? `${runDir.controlSocket} (${deniedBy(candidate.dir)})` : runDir.controlSocket);
  }
  return { lookedIn };
}

function socketAt(path: string): boolean | 'EACCES' {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSocket() ?? false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'EACCES' : false;
  }
}

function deniedBy(dir: string): string {
  const owner = statSync(dir, { throwIfNoEntry: false })?.uid;
  return `cannot look: permission denied${owner === undefined ? '' : `; if corral runs there as uid ${owner}, run the command as that user`}`;
}

// Makes `path` with `mode` unless it exists; true when this call made it. The mode is set
// again after mkdir, which the umask may have narrowed; a directory found is left as it
// is (changing the mode of one corral does not own would need CAP_FOWNER).
export function makeDir(path: string, mode: number): boolean {
  try {
    mkdirSync(path, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  chmodSync(path, mode);
  return true;
}

// A problem of the run directory itself is said as it is; one of its -notify sibling names it.
function prefixFor(runDir: RunDir, path: string): string {
  return path === runDir.dir ? '' : `${path}: `;
}

function prepareShared(runDir: RunDir): string | undefined {
  for (const [path, mode] of [
    [runDir.dir, 0o700],
    [runDir.notifyDir, 0o711],
  ] as const) {
    try {
      makeDir(path, mode);
      if (!statSync(path).isDirectory()) return `${prefixFor(runDir, path)}not a directory`;
      accessSync(path, constants.W_OK | constants.X_OK);
    } catch (error) {
      return `${prefixFor(runDir, path)}${describeSystemError(error)}`;
    }
  }
  return undefined;
}

function preparePrivate(runDir: RunDir, uid: number): string | undefined {
  for (const [path, mode, forbidden] of [
    [runDir.dir, 0o700, 0o077],
    [runDir.notifyDir, 0o711, 0o022],
  ] as const) {
    try {
      makeDir(path, mode);
    } catch (error) {
      return `${prefixFor(runDir, path)}${describeSystemError(error)}`;
    }
    const problem = untrusted(path, uid, forbidden);
    if (problem !== undefined) return `${prefixFor(runDir, path)}${problem}`;
  }
  return undefined;
}

// Why a private directory must not be used, or undefined when it is a real directory of
// `uid`'s that no one else can write (no bit of `forbidden` set).
function untrusted(path: string, uid: number, forbidden: number): string | undefined {
  let stats;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return describeSystemError(error);
  }
  if (stats === undefined) return 'does not exist';
  if (stats.isSymbolicLink()) return 'is a symbolic link; remove it';
  if (!stats.isDirectory()) return 'is not a directory; remove it';
  if (stats.uid !== uid) return `belongs to uid ${stats.uid}, not to uid ${uid}; remove it`;
  const mode = stats.mode & 0o7777;
  if ((mode & forbidden) !== 0) return `has mode ${mode.toString(8).padStart(4, '0')}, open to other users; remove it`;
  return undefined;
}
