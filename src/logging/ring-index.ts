// The index entries of a run of lines a LogRing keeps (log-ring.ts), one call per chunk
// relayed. corral runs the addon's indexLines (addon/src/ring-index.cc): interpreted, this
// loop was most of what relaying cost until V8 optimized it, and the optimizing compiler
// costs some 6 MiB while it is in use (issue 20). This is the same contract in JavaScript,
// for a ring made without the addon (unit tests, the simulation) and the reference the
// addon is tested against.
import type { NativeAddon } from '../native/addon.js';

export type IndexLines = NativeAddon['indexLines'];

const MAX_ORDINAL = Number.MAX_SAFE_INTEGER;

function rangeError(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`The value of "${name}" is out of range. It must be >= ${min} && <= ${max}. Received ${value}`);
  }
}

export const indexLinesInJs: IndexLines = (ends, from, count, lineStart, lineAt, size, slot, ordinal, flag, starts, lengths, ordinals, flags) => {
  checkInt('from', from, 0, ends.length);
  checkInt('count', count, from, ends.length);
  checkInt('lineStart', lineStart, 0, 0x7fffffff);
  checkInt('size', size, 1, 0x7fffffff);
  checkInt('lineAt', lineAt, 0, size - 1);
  const slots = starts.length;
  if (slots === 0 || lengths.length !== slots || ordinals.length !== slots || flags.length !== slots) {
    throw rangeError('indexLines: starts, lengths, ordinals and flags must have the same length, at least 1');
  }
  checkInt('slot', slot, 0, slots - 1);
  checkInt('flag', flag, 0, 255);
  if (!(ordinal >= 0 && ordinal + (count - from) <= MAX_ORDINAL) || !Number.isInteger(ordinal)) {
    throw rangeError('indexLines: ordinal must be an integer from 0 that stays below 2^53');
  }
  for (let i = from, start = lineStart; i < count; start = ends[i++]! + 1) {
    if (ends[i]! < start || ends[i]! - start + 1 > size) {
      throw rangeError('indexLines: ends must increase from lineStart, each line with its newline at most size bytes');
    }
  }
  for (let i = from, start = lineStart; i < count; i++) {
    const end = ends[i]!;
    starts[slot] = lineAt;
    lengths[slot] = end - start;
    ordinals[slot] = ordinal++;
    flags[slot] = flag;
    lineAt += end + 1 - start;
    if (lineAt >= size) lineAt -= size;
    start = end + 1;
    if (++slot === slots) slot = 0;
  }
};
