// The relay's common case: whole lines, each given the same prefix ("label | "), copied
// from a chunk read into the output in one call. corral runs the addon's frameLines
// (addon/src/frame.cc), which does it without a JavaScript object per line; this is the
// same contract in JavaScript, for a framer made without the addon (unit tests, the
// simulation) and as the reference the addon is tested against.
import type { NativeAddon } from '../native/addon.js';

export type FrameLines = NativeAddon['frameLines'];

const NEWLINE = 0x0a;

export const frameLinesInJs: FrameLines = (source, start, end, maxLine, head, out, outAt, ends) => {
  if (!(start >= 0 && start <= end && end <= source.length))
    throw new RangeError(`frameLines: [${start}, ${end}) is not within a source of ${source.length} bytes`);
  if (!(outAt >= 0 && outAt <= out.length)) throw new RangeError(`frameLines: outAt ${outAt} is not within an out of ${out.length} bytes`);
  const shares = (a: Uint8Array | Int32Array, b: Uint8Array | Int32Array): boolean =>
    a.buffer === b.buffer && a.byteLength > 0 && b.byteLength > 0 && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
  if (shares(out, source) || shares(out, head) || shares(ends, out) || shares(ends, source) || shares(ends, head)) {
    throw Object.assign(new RangeError('frameLines: out and ends must not share memory with each other, source or head'), { code: 'ERR_OUT_OF_RANGE' });
  }
  let lines = 0;
  let at = outAt;
  let lineStart = start;
  while (lines < ends.length && lineStart < end) {
    const newline = source.indexOf(NEWLINE, lineStart);
    if (newline === -1 || newline >= end) break;
    const length = newline - lineStart;
    if (length > maxLine || head.length + length + 1 > out.length - at) break;
    out.set(head, at);
    out.set(source.subarray(lineStart, newline + 1), at + head.length);
    at += head.length + length + 1;
    ends[lines++] = newline;
    lineStart = newline + 1;
  }
  return lines;
};
