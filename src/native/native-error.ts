// The errors of corral's native addon. A failed syscall has the shape of Node's own system
// errors (fs, net): `code` is the errno's name, `errno` its negated number and `syscall`
// the call, so `error.code === 'EMFILE'` means the same for both.
import { CodedError } from '../shared/coded-error.js';

/** An errno's name, as in Node's system errors; 'UNKNOWN' for one that has none. */
export type ErrnoName = `E${string}` | 'UNKNOWN';

export type NativeAddonErrorCode = 'ADDON_NOT_LOADED' | ErrnoName;

// A failure of the addon itself (it did not load) or of a syscall it made.
export class NativeAddonError extends CodedError<NativeAddonErrorCode> {
  override name = 'NativeAddonError';
}

// A syscall the addon made failed, e.g. code 'EMFILE', errno -24, syscall 'pipe2',
// message "EMFILE: too many open files, pipe2".
export class NativeSyscallError extends NativeAddonError {
  override name = 'NativeSyscallError';
  declare readonly code: ErrnoName;
  constructor(
    message: string,
    code: ErrnoName,
    /** The errno, negated as Node's are (-24 for EMFILE). */
    readonly errno: number,
    /** The call that failed, e.g. 'pipe2'. */
    readonly syscall: string,
    options?: ErrorOptions,
  ) {
    super(message, code, options);
  }
}

// The addon's error for a failed syscall as a NativeSyscallError (the original is its
// cause); undefined for any other value, such as a TypeError about an argument.
export function asSyscallError(error: unknown): NativeSyscallError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, errno, syscall } = error as Partial<Record<'code' | 'errno' | 'syscall', unknown>>;
  if (typeof code !== 'string' || typeof errno !== 'number' || typeof syscall !== 'string') return undefined;
  if (code !== 'UNKNOWN' && !/^E[A-Z0-9]+$/.test(code)) return undefined;
  return new NativeSyscallError(error.message, code as ErrnoName, errno, syscall, { cause: error });
}
