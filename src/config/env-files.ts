// A service's env_file entries, read within the limits: each file once per load however
// many services name it (a shared .env counts once against the load's budget), a regular
// file of at most LIMITS.envFileBytes, UTF-8, NAME=value lines.
import { resolve } from 'node:path';
import { describeReadFailure, readBoundedFile, type ReadBudget } from './bounded-read.js';
import type { ConfigProblem } from './config-error.js';
import { parseEnvFile, type EnvFileResult } from './env-file.js';
import { LIMITS } from './limits.js';
import { decodeUtf8 } from './text-input.js';

/** What one load has read of each env file, by absolute path. */
export type EnvFileCache = Map<string, EnvFileRead>;

type EnvFileRead = EnvFileResult | { missing: true } | { unreadable: string };

// env_file entries in order, later files overriding earlier ones.
export function readEnvFiles(
  entries: readonly { path: string; required: boolean }[],
  base: string,
  io: { budget: ReadBudget; cache: EnvFileCache },
  locate: (index: number, message: string) => ConfigProblem,
): { values: Record<string, string> } | { problems: ConfigProblem[] } {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  entries.forEach((entry, index) => {
    const path = resolve(base, entry.path);
    let read = io.cache.get(path);
    if (read === undefined) {
      read = readEnvFile(path, io.budget);
      io.cache.set(path, read);
    }
    if ('missing' in read) {
      if (entry.required) problems.push(locate(index, `${path} does not exist; create it, or write {path: ..., required: false} if it may be absent`));
    } else if ('unreadable' in read) {
      problems.push(locate(index, `${path} ${read.unreadable}`));
    } else if ('problems' in read) {
      problems.push(...read.problems);
    } else {
      Object.assign(values, read.values);
    }
  });
  return problems.length > 0 ? { problems } : { values };
}

function readEnvFile(path: string, budget: ReadBudget): EnvFileRead {
  const read = readBoundedFile(path, LIMITS.envFileBytes, budget);
  if ('failure' in read) {
    const { failure } = read;
    // A symbolic link to nothing is missing too, as it always was for required: false.
    if (failure.kind === 'missing') return { missing: true };
    return { unreadable: describeReadFailure(failure, 'an env file') };
  }
  const decoded = decodeUtf8(read.bytes);
  if ('invalid' in decoded) {
    // Without its line, as every problem of an env file (env-file.ts).
    const { line, col, byte } = decoded.invalid;
    return { problems: [{ file: path, line, col, message: notUtf8(byte) }] };
  }
  return parseEnvFile(decoded.text, path);
}

export function notUtf8(byte: number): string {
  return `the file is not valid UTF-8: the byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here does not start or continue a character; save the file as UTF-8`;
}
