// A failed system call in the words of corral's log: "read-only file system (EROFS)",
// libuv's words and the errno's name, rather than Node's "EROFS: read-only file system,
// unlink '/run/...'", which repeats a path the log line names already.
import { getSystemErrorMap } from 'node:util';

const wordsByName = new Map([...getSystemErrorMap().values()]);

export function describeSystemError(error: unknown): string {
  const code = errnoOf(error);
  const words = code === undefined ? undefined : wordsByName.get(code);
  if (words !== undefined) return `${words} (${code})`;
  if (code !== undefined && /^E[A-Z0-9]+$/.test(code)) return code;
  return error instanceof Error ? error.message : String(error);
}

// The errno name (or Node's code) an error carries, if any.
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

// The errno name of a failed system call: its code (Node's errors and the addon's), or
// the errno name an error of corral's carries beside a code of its own (MetricsServerError).
export function errnoOf(error: unknown): string | undefined {
  const errno = (error as { errno?: unknown } | null | undefined)?.errno;
  return typeof errno === 'string' ? errno : errorCode(error);
}
