// Loads corral's native addon and gives it a type. Without the addon corral can neither
// reap orphans safely nor give services real pipes, so a load failure is fatal and its
// message says how to fix it.
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { asSyscallError, NativeAddonError, type NativeSyscallError } from './native-error.js';

export { NativeAddonError, NativeSyscallError, type ErrnoName, type NativeAddonErrorCode } from './native-error.js';

export interface ReapedOrphan {
  pid: number;
  /** Exit code, or null when a signal killed it. */
  code: number | null;
  /** Signal number that killed it, or null. */
  signal: number | null;
}

export interface ReapResult {
  /**
   * The orphans reaped, three numbers each: pid, exit code, signal, where -1 stands for
   * none (no exit code when a signal killed it, no signal when it exited); reapedOrphans()
   * reads them. One array, as an object per orphan costs the addon several slow property
   * sets in V8 on every burst of orphans.
   */
  reaped: Int32Array;
  /** Run it again soon: a libuv zombie hid the orphans behind it, or the per-call bound was hit. */
  retry: boolean;
  /** The first syscall that failed in the call; what it could still do, it did. */
  failure?: NativeSyscallError;
}

// What the addon itself returns: null for a call that reaped nothing and has nothing to
// retry or report, the commonest call (the safety sweep, a service's exit), so that it
// allocates nothing.
type RawReapResult = ReapResult | null;

// The result of every call that reaped nothing; frozen, as all of them share it.
const NOTHING_REAPED: ReapResult = Object.freeze({ reaped: Object.freeze(new Int32Array(0)), retry: false });

/** The orphans in a ReapResult's reaped array, one object each. */
export function reapedOrphans(reaped: Int32Array): ReapedOrphan[] {
  const orphans: ReapedOrphan[] = [];
  for (let i = 0; i + 2 < reaped.length; i += 3) {
    const code = reaped[i + 1]!;
    const signal = reaped[i + 2]!;
    orphans.push({ pid: reaped[i]!, code: code === -1 ? null : code, signal: signal === -1 ? null : signal });
  }
  return orphans;
}

/** One sd_notify message, e.g. "READY=1\nSTATUS=listening". */
export interface NotifyDatagram {
  /** The payload, cut at 4096 bytes. */
  text: string;
  /** The sender's pid from SCM_CREDENTIALS, or 0 when the kernel attached none. */
  pid: number;
}

/** One datagram as bytes, e.g. a syslog message. */
export interface ByteDatagram {
  /** The payload, cut at the maxBytes asked for. */
  data: Buffer;
  /** The sender's pid from SCM_CREDENTIALS, or 0 when the kernel attached none. */
  pid: number;
  /** The datagram was longer than maxBytes (MSG_TRUNC). */
  truncated: boolean;
}

/** A watchReadable() in force, for unwatchReadable(). */
export type ReadableWatch = { readonly __brand: 'ReadableWatch' };

/** The kernel's units for /proc/PID/stat, from sysconf(3). */
export interface SystemConstants {
  /** Bytes per page (_SC_PAGESIZE): the unit of the rss field. */
  pageSize: number;
  /** Clock ticks per second (_SC_CLK_TCK): the unit of utime, stime, cutime and cstime. */
  clockTicks: number;
}

/** The process at the other end of a unix stream socket, as of its connect(). */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

// A failed syscall throws a NativeSyscallError (code, errno and syscall as in Node's errors).
export interface NativeAddon {
  /**
   * Reaps exited children that libuv does not own; see addon/src/reap.cc. Main thread
   * only: on a worker it throws ERR_WORKER_UNSUPPORTED_OPERATION.
   */
  reapOrphans(): ReapResult;
  setChildSubreaper(): void;
  isChildSubreaper(): boolean;
  /** pipe2(O_CLOEXEC): a real pipe, unlike libuv's socketpair. */
  pipe(): [readFd: number, writeFd: number];
  /** fcntl(F_SETPIPE_SZ): makes the pipe at fd hold `bytes`; returns the size set. */
  growPipe(fd: number, bytes: number): number;
  /**
   * Binds a non-blocking, close-on-exec unix datagram socket at `path` for systemd's
   * sd_notify protocol (services find it through $NOTIFY_SOCKET) or for syslog,
   * replacing a stale file left there, with SO_PASSCRED on so each message carries its
   * sender's pid. Returns the fd. A path longer than sun_path throws with code
   * ENAMETOOLONG.
   */
  notifySocket(path: string): number;
  /**
   * Reads the datagrams waiting on a notifySocket() fd, at most 64 per call, without
   * blocking; [] when none are waiting. Call it again while it returns 64.
   */
  readDatagrams(fd: number): NotifyDatagram[];
  /** readDatagrams for byte payloads: up to maxBytes (1 to 65536) of each datagram. */
  readDatagramBytes(fd: number, maxBytes: number): ByteDatagram[];
  /**
   * Calls onReadable on Node's loop whenever `fd` is readable (a libuv poll handle,
   * level-triggered, that does not keep corral running); status < 0 is libuv's error.
   */
  watchReadable(fd: number, onReadable: (status: number) => void): ReadableWatch;
  /** Stops a watchReadable(); once is enough, twice is harmless. */
  unwatchReadable(watch: ReadableWatch): void;
  /** sysconf(_SC_PAGESIZE) and sysconf(_SC_CLK_TCK), for reading /proc/PID/stat. */
  systemConstants(): SystemConstants;
  /**
   * getsockopt(SO_PEERCRED) on a connected unix stream socket: the peer's pid, uid and gid
   * as the kernel recorded them at connect(). The control socket checks the uid because
   * root bypasses the socket file's mode. Throws with code EBADF, ENOTSOCK, ...
   */
  peerCredentials(fd: number): PeerCredentials;
  /**
   * With `collect`, a full V8 collection; then malloc_trim(0), which gives the C library's
   * free pages back to the kernel, those a worker thread's arena keeps after the thread
   * ended included; true when malloc_trim gave some. The collection blocks: a few ms for a
   * small heap, tens with hundreds of services. Always false without glibc.
   */
  trimMemory(collect: boolean): boolean;
  /**
   * mallopt(M_ARENA_MAX, count): threads that have no malloc arena yet share the ones
   * there are once `count` exist (addon/src/memory.cc). True when glibc took it; false
   * without glibc. Throws a RangeError below 1.
   */
  limitArenas(count: number): boolean;
  /**
   * The relay's common case in one call per chunk (addon/src/frame.cc): for each line
   * that ends in source[start, end), in order, copies head, the line and its newline to
   * out from outAt, and records the newline's index in ends. Stops before a line longer
   * than maxLine or one that does not fit in out, when ends is full, or when no newline
   * is left; returns the number of lines written. frameLinesInJs
   * (src/logging/frame-lines.ts) is the same in JavaScript. Throws a RangeError for a
   * start, end or outAt outside its buffer, and for an out or ends that shares memory
   * with each other, source or head.
   */
  frameLines: (source: Uint8Array, start: number, end: number, maxLine: number, head: Uint8Array, out: Uint8Array, outAt: number, ends: Int32Array) => number;
  /**
   * Turns V8's optimizing compiler (TurboFan) off or back on, from its next decision on
   * (addon/src/optimizer.cc): what is optimized already stays so. Throws a TypeError for
   * anything but a boolean.
   */
  setOptimizer(on: boolean): void;
  /**
   * The index entries of a run of lines a LogRing keeps, one call per chunk
   * (addon/src/ring-index.cc): for each line i in [from, count), which starts at
   * lineStart (the first) or after the newline ends[i - 1] and ends at its newline
   * ends[i], sets starts[slot] = lineAt (its place in a ring buffer of `size` bytes; the
   * next line's is after this one's newline, wrapping at size), lengths[slot] = its
   * length, ordinals[slot] = ordinal (one more for each line) and flags[slot] = flag,
   * slot moving on by one and wrapping at the arrays' length. indexLinesInJs
   * (src/logging/ring-index.ts) is the same in JavaScript. Throws a RangeError, having
   * written nothing, for arguments out of range, arrays of different lengths, and ends
   * that do not increase from lineStart or hold a line longer than size with its newline.
   */
  indexLines: (
    ends: Int32Array,
    from: number,
    count: number,
    lineStart: number,
    lineAt: number,
    size: number,
    slot: number,
    ordinal: number,
    flag: number,
    starts: Int32Array,
    lengths: Int32Array,
    ordinals: Float64Array,
    flags: Uint8Array,
  ) => void;
}

export const defaultAddonPath = fileURLToPath(new URL('../../addon/build/Release/corral_native.node', import.meta.url));

// svexec, the exec shim built next to the addon (addon/src/svexec.c): it applies what
// spawn() cannot (rlimits, umask, supplementary groups, closing stray fds), then execs.
export const defaultShimPath = fileURLToPath(new URL('../../addon/build/Release/svexec', import.meta.url));

// The errno's name ("EPERM") for a number, for messages and for code that branches on it.
export function errnoName(errno: number): string {
  const entry = Object.entries(constants.errno).find(([, value]) => value === errno);
  return entry?.[0] ?? `errno ${errno}`;
}

// The module as it loads: NativeAddon, but for reapOrphans' null.
export type RawNativeAddon = Omit<NativeAddon, 'reapOrphans'> & { reapOrphans(): RawReapResult };

// The addon returns reapOrphans' failure as its plain error object (not thrown: the
// statuses reaped in the same call would be lost); it becomes a NativeSyscallError too.
// An addon built before reaped became an Int32Array (an array of objects) is refused:
// its orphans would be miscounted, and what they were told wrongly.
function withSyscallFailure(result: RawReapResult, path: string): ReapResult {
  if (result === null) return NOTHING_REAPED;
  if (!(result.reaped instanceof Int32Array)) {
    throw new NativeAddonError(
      `corral's native addon at ${path} is older than corral: its reapOrphans() returns no Int32Array.\n` +
        `  Rebuild it with 'npm rebuild corral' (or 'npm install' in a checkout).`,
      'ADDON_NOT_LOADED',
    );
  }
  const failure: unknown = result.failure;
  return failure === undefined ? result : { ...result, failure: asSyscallError(failure) };
}

// Exported for the tests, which give it a stale module (an .node file is all dlopen takes).
export function wrapSyscallErrors(addon: RawNativeAddon, path: string): NativeAddon {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (error) {
        throw asSyscallError(error) ?? error;
      }
    };
  return {
    reapOrphans: guard(() => withSyscallFailure(addon.reapOrphans(), path)),
    setChildSubreaper: guard(() => addon.setChildSubreaper()),
    isChildSubreaper: guard(() => addon.isChildSubreaper()),
    pipe: guard(() => addon.pipe()),
    growPipe: guard((fd: number, bytes: number) => addon.growPipe(fd, bytes)),
    notifySocket: guard((path: string) => addon.notifySocket(path)),
    readDatagrams: guard((fd: number) => addon.readDatagrams(fd)),
    readDatagramBytes: guard((fd: number, maxBytes: number) => addon.readDatagramBytes(fd, maxBytes)),
    watchReadable: guard((fd: number, onReadable: (status: number) => void) => addon.watchReadable(fd, onReadable)),
    unwatchReadable: guard((watch: ReadableWatch) => addon.unwatchReadable(watch)),
    systemConstants: guard(() => addon.systemConstants()),
    peerCredentials: guard((fd: number) => addon.peerCredentials(fd)),
    trimMemory: guard((collect: boolean) => addon.trimMemory(collect)),
    limitArenas: guard((count: number) => addon.limitArenas(count)),
    // As it is: it makes no syscall, and runs once per chunk a service writes.
    frameLines: addon.frameLines,
    setOptimizer: guard((on: boolean) => addon.setOptimizer(on)),
    // As it is, like frameLines.
    indexLines: addon.indexLines,
  };
}

// The addon's newest functions, newest last: an addon without one of them is older.
const NEWEST_FUNCTIONS = ['frameLines', 'setOptimizer', 'indexLines'] as const;

// An addon built before corral's newest functions, which a `git pull` without a rebuild
// leaves behind: refused at load with how to rebuild, not a TypeError mid-relay.
export function checkAddonIsCurrent(exports: object, path: string): RawNativeAddon {
  const missing = NEWEST_FUNCTIONS.find((name) => typeof (exports as Partial<RawNativeAddon>)[name] !== 'function');
  if (missing !== undefined) {
    throw new NativeAddonError(
      `corral's native addon at ${path} is older than corral: it has no ${missing}().\n` +
        `  Rebuild it with 'npm rebuild corral' (or 'npm install' in a checkout).`,
      'ADDON_NOT_LOADED',
    );
  }
  return exports as RawNativeAddon;
}

// Loads the addon from `path`; throws NativeAddonError with the fix in its message.
export function loadNativeAddon(path: string = defaultAddonPath): NativeAddon {
  const loaded = { exports: {} };
  try {
    // process.dlopen rather than a require() from node:module, which would load that
    // module and the source-map support it brings, for good (issue 20).
    process.dlopen(loaded, path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = `${code ?? 'error'}: ${String(message).split('\n')[0]}`;
    throw new NativeAddonError(
      `corral's native addon failed to load from ${path} (${reason}).\n` +
        `  corral needs it to reap zombies and to give services real pipes, so it will not run without it.\n` +
        `  Rebuild it with 'npm rebuild corral' (or 'npm install' in a checkout); that needs python3, make,\n` +
        `  g++ and the Node.js headers of this node (${process.version}). An install with --ignore-scripts skips the build.`,
      'ADDON_NOT_LOADED',
      { cause: error },
    );
  }
  return wrapSyscallErrors(checkAddonIsCurrent(loaded.exports, path), path);
}
