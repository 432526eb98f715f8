// Reads a configuration file without ever blocking or reading without a bound: only a
// regular file (or a symbolic link to one) is opened at all, so a FIFO cannot freeze
// corral's event loop and /dev/zero cannot fill its heap; devices are never opened,
// since opening one can act by itself (a watchdog device arms). The open is
// non-blocking and without a controlling terminal (PID 1 leads its session), the
// descriptor is checked again after the open (the name may have been swapped), and the
// read stops one byte past the limit, whatever size the file claimed.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { formatByteSize } from './byte-size.js';
import { LIMITS } from './limits.js';

export type ReadFailure =
  /** Nothing there; `dangling`: a symbolic link to nothing. */
  | { kind: 'missing'; dangling: boolean }
  | { kind: 'not-regular'; what: string }
  /** `atLeast`: the read stopped past the limit, so the real size is unknown. */
  | { kind: 'too-large'; size: number; limit: number; atLeast: boolean }
  /** The load's budget (LIMITS.loadBytes) has less left than the file holds. */
  | { kind: 'over-budget'; size: number; left: number }
  | { kind: 'error'; code: string };

export type ReadResult = { bytes: Buffer } | { failure: ReadFailure };

/** What one load may still read, shared by its files. */
export interface ReadBudget {
  remaining: number;
}

export function freshBudget(): ReadBudget {
  return { remaining: LIMITS.loadBytes };
}

const PAGE = 4096;

// The bytes of the regular file at `path`: at most `limit`, and at most what the budget
// has left, which the read then uses up.
export function readBoundedFile(path: string, limit: number, budget: ReadBudget = { remaining: Infinity }): ReadResult {
  // fs would throw (ERR_INVALID_ARG_VALUE) rather than fail.
  if (path.includes('\0')) return { failure: { kind: 'error', code: 'NUL' } };
  let fd: number | undefined;
  try {
    const before = checkStats(statSync(path), limit, budget);
    if (before) return { failure: before };
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const opened = fstatSync(fd);
    const after = checkStats(opened, limit, budget);
    if (after) return { failure: after };
    const max = Math.min(limit, budget.remaining);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // What the file says it holds and one byte more, to see its end; a file that says
      // nothing (/proc) is read a page at a time.
      const chunk = Buffer.allocUnsafe(Math.min(max + 1 - total, Math.max(opened.size - total + 1, PAGE)));
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      total += count;
      if (total > max) {
        const failure: ReadFailure = max < limit ? { kind: 'over-budget', size: total, left: max } : { kind: 'too-large', size: total, limit, atLeast: true };
        return { failure };
      }
    }
    budget.remaining -= total;
    return { bytes: Buffer.concat(chunks, total) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    return { failure: code === 'ENOENT' ? { kind: 'missing', dangling: isSymbolicLink(path) } : { kind: 'error', code } };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function checkStats(stats: Stats, limit: number, budget: ReadBudget): ReadFailure | undefined {
  if (!stats.isFile()) return { kind: 'not-regular', what: kindOf(stats) };
  if (stats.size > limit) return { kind: 'too-large', size: stats.size, limit, atLeast: false };
  if (stats.size > budget.remaining) return { kind: 'over-budget', size: stats.size, left: budget.remaining };
  return undefined;
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}

// What a file that is not a regular one is, for messages: "a FIFO (named pipe)".
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

// Why a file could not be read, in words that start after its name; `noun` says what it
// is ("a service file"). A missing file is described by the caller, which knows whether
// it may be missing.
export function describeReadFailure(failure: Exclude<ReadFailure, { kind: 'missing' }>, noun: string): string {
  switch (failure.kind) {
    case 'not-regular':
      return `is ${failure.what}, not a regular file; corral reads only regular files (or symbolic links to them)`;
    case 'too-large':
      return `is ${failure.atLeast ? `more than ${failure.limit}` : failure.size} bytes, over the limit of ${formatByteSize(failure.limit)} (${failure.limit} bytes) for ${noun}`;
    case 'over-budget':
      return `is ${failure.size} bytes, more than the ${failure.left} bytes left of the ${formatByteSize(LIMITS.loadBytes)} that corral reads in one load (service files and env files); use fewer or smaller files`;
    case 'error':
      return describeErrorCode(failure.code);
  }
}

function describeErrorCode(code: string): string {
  switch (code) {
    case 'ELOOP':
      return 'is a symbolic link loop (ELOOP): following its links never reaches a file; fix or remove the link';
    case 'EACCES':
    case 'EPERM':
      return `cannot be read: permission denied (${code}); check its permissions`;
    case 'ENOTDIR':
      return 'cannot be read (ENOTDIR): a part of its path is not a directory';
    case 'ENAMETOOLONG':
      return 'cannot be read (ENAMETOOLONG): its path is too long';
    case 'NUL':
      return 'cannot be read: its path holds a NUL byte';
    default:
      return `cannot be read (${code})`;
  }
}
