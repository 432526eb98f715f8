// indexLines, a LogRing's index entries for a run of lines in one call per chunk: the
// addon's (addon/src/ring-index.cc) against indexLinesInJs, its contract in JavaScript, on
// generated runs, and at each of its limits.
// A failure prints the counterexample and its seed; replay it with
// CORRAL_FC_SEED=S node --import tsx --test test/unit/ring-index.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexLinesInJs, type IndexLines } from '../../src/logging/ring-index.js';
import { loadNativeAddon } from '../../src/native/addon.js';

const native = loadNativeAddon().indexLines;
const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);

interface Call {
  ends: number[];
  from: number;
  count: number;
  lineStart: number;
  lineAt: number;
  size: number;
  slot: number;
  ordinal: number;
  flag: number;
  slots: number;
}

interface Index {
  starts: number[];
  lengths: number[];
  ordinals: number[];
  flags: number[];
}

function run(index: IndexLines, call: Call): Index {
  const starts = new Int32Array(call.slots).fill(-7);
  const lengths = new Int32Array(call.slots).fill(-7);
  const ordinals = new Float64Array(call.slots).fill(-7);
  const flags = new Uint8Array(call.slots).fill(77);
  index(
    Int32Array.from(call.ends),
    call.from,
    call.count,
    call.lineStart,
    call.lineAt,
    call.size,
    call.slot,
    call.ordinal,
    call.flag,
    starts,
    lengths,
    ordinals,
    flags,
  );
  return { starts: [...starts], lengths: [...lengths], ordinals: [...ordinals], flags: [...flags] };
}

function outcome(index: IndexLines, call: Call): Index | string {
  try {
    return run(index, call);
  } catch (error) {
    return `${(error as Error).name} ${(error as NodeJS.ErrnoException).code}`;
  }
}

// Runs of lines as the relay hands them over: each line's length, from its start.
const call: fc.Arbitrary<Call> = fc
  .record({
    lengths: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }),
    cut: fc.tuple(fc.nat(), fc.nat()),
    lineStart: fc.integer({ min: 0, max: 100 }),
    size: fc.integer({ min: 1, max: 300 }),
    lineAt: fc.nat(),
    slots: fc.integer({ min: 1, max: 30 }),
    slot: fc.nat(),
    ordinal: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER - 5)),
    flag: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ lengths, cut, lineStart, size, lineAt, slots, slot, ordinal, flag }) => {
    const ends: number[] = [];
    for (let at = lineStart, i = 0; i < lengths.length; i++) {
      ends.push(at + lengths[i]!);
      at += lengths[i]! + 1;
    }
    const [a, b] = [cut[0] % (ends.length + 1), cut[1] % (ends.length + 1)];
    const from = Math.min(a, b);
    // lineStart is where line `from` starts.
    const start = from === 0 ? lineStart : ends[from - 1]! + 1;
    return { ends, from, count: Math.max(a, b), lineStart: start, lineAt: lineAt % size, size, slot: slot % slots, ordinal, flag, slots };
  });

test('indexLines: the addon writes what indexLinesInJs writes, or throws what it throws, for generated runs', () => {
  fc.assert(
    fc.property(call, (c) => {
      assert.deepEqual(outcome(native, c), outcome(indexLinesInJs, c));
    }),
    { numRuns: 3000, seed, includeErrorInReport: true },
  );
});

for (const [name, index] of [
  ['indexLinesInJs', indexLinesInJs],
  ['the addon', native],
] as const) {
  const base: Call = { ends: [3, 7, 8], from: 0, count: 3, lineStart: 0, lineAt: 0, size: 100, slot: 0, ordinal: 10, flag: 1, slots: 4 };

  test(`indexLines (${name}): each line's place, length, ordinal and flag, in the slots after slot`, () => {
    // "one\ntwo\n\n" from offset 95 of a 100-byte ring, from slot 2 of 4.
    assert.deepEqual(run(index, { ...base, lineAt: 95, slot: 2 }), {
      starts: [3, -7, 95, 99],
      lengths: [0, -7, 3, 3],
      ordinals: [12, -7, 10, 11],
      flags: [1, 77, 1, 1],
    });
  });

  test(`indexLines (${name}): from and count pick the lines; none is no write`, () => {
    assert.deepEqual(run(index, { ...base, from: 1, count: 2, lineStart: 4 }).lengths, [3, -7, -7, -7]);
    assert.deepEqual(run(index, { ...base, from: 3, count: 3, lineStart: 9 }).lengths, [-7, -7, -7, -7]);
  });

  test(`indexLines (${name}): a line that fills the ring with its newline is taken, one byte more is a RangeError`, () => {
    assert.deepEqual(run(index, { ...base, ends: [9], count: 1, size: 10, lineAt: 9 }).starts, [9, -7, -7, -7]);
    assert.throws(() => run(index, { ...base, ends: [10], count: 1, size: 10 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  });

  test(`indexLines (${name}): ends that go back, arguments out of range and arrays of different lengths are RangeErrors, with nothing written`, () => {
    const starts = new Int32Array(4).fill(-7);
    const tryIt =
      (change: Partial<Call>, arrays: { lengths?: Int32Array } = {}) =>
      () =>
        index(
          Int32Array.from(change.ends ?? base.ends),
          change.from ?? 0,
          change.count ?? 3,
          change.lineStart ?? 0,
          change.lineAt ?? 0,
          change.size ?? 100,
          change.slot ?? 0,
          change.ordinal ?? 0,
          change.flag ?? 0,
          starts,
          arrays.lengths ?? new Int32Array(4),
          new Float64Array(4),
          new Uint8Array(4),
        );
    for (const change of [
      { ends: [3, 2, 8] },
      { lineStart: 4 },
      { from: 4 },
      { count: 4 },
      { from: 2, count: 1 },
      { lineAt: 100 },
      { size: 0 },
      { slot: 4 },
      { flag: 256 },
      { ordinal: -1 },
      { ordinal: 0.5 },
      { ordinal: Number.MAX_SAFE_INTEGER - 1 },
    ]) {
      assert.throws(tryIt(change), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }, JSON.stringify(change));
    }
    assert.throws(tryIt({}, { lengths: new Int32Array(3) }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    assert.deepEqual([...starts], [-7, -7, -7, -7]);
  });
}

test('indexLines: arrays that are views at an offset, or on a SharedArrayBuffer, are written where they lie, the same by both', () => {
  for (const index of [indexLinesInJs, native]) {
    const shared = new SharedArrayBuffer(256);
    const ends = new Int32Array(shared, 16, 3);
    ends.set([3, 7, 8]);
    const memory = new ArrayBuffer(512);
    const starts = new Int32Array(memory, 8, 4);
    const lengths = new Int32Array(shared, 64, 4);
    const ordinals = new Float64Array(memory, 64, 4);
    const flags = new Uint8Array(shared, 200, 4);
    index(ends, 0, 3, 0, 98, 100, 1, 5, 1, starts, lengths, ordinals, flags);
    assert.deepEqual(
      [[...starts], [...lengths], [...ordinals], [...flags]],
      [
        [0, 98, 2, 6],
        [0, 3, 3, 0],
        [0, 5, 6, 7],
        [0, 1, 1, 1],
      ],
    );
    assert.deepEqual([...new Int32Array(memory, 0, 2), ...new Int32Array(memory, 24, 10)], new Array(12).fill(0), 'nothing written around starts');
  }
});

test('indexLines: ends near 2^31 are checked without overflow, and refused the same by both', () => {
  const call: Call = {
    ends: [2 ** 31 - 1, -(2 ** 31)],
    from: 0,
    count: 2,
    lineStart: 2 ** 31 - 6,
    lineAt: 0,
    size: 100,
    slot: 0,
    ordinal: 0,
    flag: 0,
    slots: 4,
  };
  assert.equal(outcome(indexLinesInJs, call), 'RangeError ERR_OUT_OF_RANGE');
  assert.equal(outcome(native, call), 'RangeError ERR_OUT_OF_RANGE');
  assert.deepEqual(outcome(native, { ...call, ends: [2 ** 31 - 1], count: 1 }), outcome(indexLinesInJs, { ...call, ends: [2 ** 31 - 1], count: 1 }));
});

test('indexLines (the addon): an argument of the wrong type is a TypeError naming it', () => {
  const arrays = [new Int32Array(2), new Int32Array(2), new Float64Array(2), new Uint8Array(2)] as const;
  assert.throws(() => native(new Uint32Array(2) as unknown as Int32Array, 0, 0, 0, 0, 10, 0, 0, 0, ...arrays), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"ends"/,
  });
  assert.throws(() => native(new Int32Array(2), 0, 0, 0, 0, 10, 0, 0, 0, arrays[0], arrays[1], new Float32Array(2) as unknown as Float64Array, arrays[3]), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"ordinals"/,
  });
  assert.throws(() => native(new Int32Array(2), 0, 0, 0, 0, 10, 0, '0' as unknown as number, 0, ...arrays), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"ordinal"/,
  });
});
