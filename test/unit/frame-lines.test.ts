// frameLines, the relay's common case in one call per chunk: the addon's (addon/src/frame.cc)
// against frameLinesInJs, its contract in JavaScript, on generated chunks, and at each of
// its limits (maxLine, the room in out, the room in ends, the range asked for).
// A failure prints the counterexample and its seed; replay it with
// CORRAL_FC_SEED=S node --import tsx --test test/unit/frame-lines.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { frameLinesInJs, type FrameLines } from '../../src/logging/frame-lines.js';
import { loadNativeAddon } from '../../src/native/addon.js';

const native = loadNativeAddon().frameLines;
const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);

interface Call {
  source: Uint8Array;
  start: number;
  end: number;
  maxLine: number;
  head: Uint8Array;
  outSize: number;
  outAt: number;
  endsSize: number;
}

function run(frame: FrameLines, call: Call): { lines: number; out: Buffer; ends: number[] } {
  const source = Buffer.from(call.source);
  const out = Buffer.alloc(call.outSize, 0xee);
  const ends = new Int32Array(call.endsSize).fill(-7);
  const lines = frame(source, call.start, call.end, call.maxLine, Buffer.from(call.head), out, call.outAt, ends);
  return { lines, out, ends: [...ends] };
}

// Bytes with many newlines, so chunks hold lines of every length from 0 up.
const chunkBytes = fc.array(fc.oneof(fc.constant(0x0a), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }).map((bytes) => Uint8Array.from(bytes));

const call: fc.Arbitrary<Call> = fc
  .record({
    source: chunkBytes,
    cuts: fc.tuple(fc.nat(), fc.nat()),
    maxLine: fc.integer({ min: 0, max: 40 }),
    head: fc.uint8Array({ maxLength: 12 }),
    outSize: fc.integer({ min: 0, max: 600 }),
    outAt: fc.nat(),
    endsSize: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ source, cuts, maxLine, head, outSize, outAt, endsSize }) => {
    const [a, b] = [cuts[0] % (source.length + 1), cuts[1] % (source.length + 1)];
    return { source, start: Math.min(a, b), end: Math.max(a, b), maxLine, head, outSize, outAt: outAt % (outSize + 1), endsSize };
  });

test('frameLines: the addon writes what frameLinesInJs writes, and stops where it stops, for generated chunks', () => {
  fc.assert(
    fc.property(call, (c) => {
      const expected = run(frameLinesInJs, c);
      const actual = run(native, c);
      assert.equal(actual.lines, expected.lines);
      assert.deepEqual(actual.ends, expected.ends);
      assert.ok(actual.out.equals(expected.out), 'the same bytes in out, and none written past what the lines take');
    }),
    { numRuns: 3000, seed, includeErrorInReport: true },
  );
});

for (const [name, frame] of [
  ['frameLinesInJs', frameLinesInJs],
  ['the addon', native],
] as const) {
  test(`frameLines (${name}): head, line and newline for each whole line; the unfinished rest is left`, () => {
    const source = Buffer.from('one\ntwo\n\nthree');
    const out = Buffer.alloc(64);
    const ends = new Int32Array(8);
    assert.equal(frame(source, 0, source.length, 16, Buffer.from('a | '), out, 2, ends), 3);
    assert.equal(out.subarray(2, 2 + 3 * 4 + 9).toString(), 'a | one\na | two\na | \n');
    assert.deepEqual([...ends.subarray(0, 3)], [3, 7, 8]);
  });

  test(`frameLines (${name}): a line of maxLine bytes is written, one of maxLine + 1 stops the call before it`, () => {
    const source = Buffer.from('12345\n123456\nnext\n');
    const ends = new Int32Array(8);
    assert.equal(frame(source, 0, source.length, 5, Buffer.alloc(0), Buffer.alloc(64), 0, ends), 1);
    assert.equal(frame(source, 6, source.length, 5, Buffer.alloc(0), Buffer.alloc(64), 0, ends), 0);
    assert.equal(frame(source, 6, source.length, 6, Buffer.alloc(0), Buffer.alloc(64), 0, ends), 2);
  });

  test(`frameLines (${name}): a line that fits out exactly is written, one byte less room stops the call`, () => {
    const source = Buffer.from('abc\ndef\n');
    const head = Buffer.from('>');
    const ends = new Int32Array(8);
    assert.equal(frame(source, 0, source.length, 100, head, Buffer.alloc(10), 0, ends), 2);
    assert.equal(frame(source, 0, source.length, 100, head, Buffer.alloc(9), 0, ends), 1);
    assert.equal(frame(source, 0, source.length, 100, head, Buffer.alloc(10), 1, ends), 1);
    assert.equal(frame(source, 0, source.length, 100, head, Buffer.alloc(4), 0, ends), 0);
  });

  test(`frameLines (${name}): stops when ends is full, and reads nothing past end`, () => {
    const source = Buffer.from('a\nb\nc\n');
    assert.equal(frame(source, 0, source.length, 100, Buffer.alloc(0), Buffer.alloc(64), 0, new Int32Array(2)), 2);
    assert.equal(frame(source, 0, source.length, 100, Buffer.alloc(0), Buffer.alloc(64), 0, new Int32Array(0)), 0);
    // The newline at 3 is past end 3: "b" is not a whole line of source[2, 3).
    assert.equal(frame(source, 2, 3, 100, Buffer.alloc(0), Buffer.alloc(64), 0, new Int32Array(4)), 0);
  });

  test(`frameLines (${name}): a start, end or outAt outside its buffer is a RangeError`, () => {
    const source = Buffer.from('a\n');
    const args = (start: number, end: number, outAt: number) => () => frame(source, start, end, 10, Buffer.alloc(0), Buffer.alloc(4), outAt, new Int32Array(2));
    assert.throws(args(-1, 2, 0), RangeError);
    assert.throws(args(0, 3, 0), RangeError);
    assert.throws(args(2, 1, 0), RangeError);
    assert.throws(args(0, 2, 5), RangeError);
    assert.throws(args(0, 2, -1), RangeError);
    assert.equal(args(2, 2, 4)(), 0);
  });

  test(`frameLines (${name}): an out that shares memory with source or head is a RangeError; beside them it is not`, () => {
    const memory = Buffer.alloc(64);
    const source = memory.subarray(0, 16).fill(0x0a);
    const head = memory.subarray(16, 20);
    const ends = new Int32Array(4);
    assert.throws(() => frame(source, 0, 16, 10, head, memory.subarray(8, 40), 0, ends), RangeError);
    assert.throws(() => frame(source, 0, 16, 10, head, memory.subarray(18, 40), 0, ends), RangeError);
    assert.equal(frame(source, 0, 16, 10, head, memory.subarray(20, 64), 0, ends), 4);
    // ends over out, over source: its entries would be overwritten, or change what is read.
    const shared = new ArrayBuffer(128);
    const bytes = new Uint8Array(shared, 0, 64).fill(0x0a);
    assert.throws(() => frame(bytes.subarray(0, 16), 0, 16, 10, Buffer.alloc(0), bytes.subarray(16, 64), 0, new Int32Array(shared, 32, 4)), RangeError);
    assert.throws(() => frame(bytes.subarray(0, 16), 0, 16, 10, Buffer.alloc(0), Buffer.alloc(64), 0, new Int32Array(shared, 0, 4)), RangeError);
    assert.equal(frame(bytes.subarray(0, 16), 0, 16, 10, Buffer.alloc(0), bytes.subarray(16, 64), 0, new Int32Array(shared, 64, 4)), 4);
  });
}

test('frameLines (the addon): an argument of the wrong type is a TypeError naming it', () => {
  const source = Buffer.from('a\n');
  assert.throws(() => native('a\n' as unknown as Buffer, 0, 2, 10, Buffer.alloc(0), Buffer.alloc(8), 0, new Int32Array(2)), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"source"/,
  });
  assert.throws(() => native(source, 0, 2, 10, Buffer.alloc(0), Buffer.alloc(8), 0, new Uint32Array(2) as unknown as Int32Array), {
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"ends"/,
  });
  assert.throws(() => native(source, 0, 2, -1, Buffer.alloc(0), Buffer.alloc(8), 0, new Int32Array(2)), { code: 'ERR_OUT_OF_RANGE', message: /"maxLine"/ });
});
