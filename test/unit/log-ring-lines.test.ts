// LogRing.addLines (a chunk's whole lines at once, as the text-format relay hands them
// over) leaves the ring exactly as one add() per line would: same lines kept, seqs,
// ordinals, streams, flags and bytes, and the same buffer size, so later lines evict
// alike. Checked on generated sequences of single lines and batches, from an empty ring
// and from one already holding lines, across growth (4 KiB up to RING_BYTES), eviction by
// count (RING_LINES) and by bytes, wrap-around, and lines cut at RING_LINE_BYTES.
//
// A failure prints the counterexample and `{ seed: S, path: "P", endOnFailure: true }`.
// To replay it: CORRAL_FC_SEED=S CORRAL_FC_PATH=P node --import tsx --test test/unit/log-ring-lines.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LogRing, RING_BYTES, RING_LINE_BYTES, RING_LINES, type StreamName } from '../../src/logging/log-ring.js';
import { ringState } from '../helpers/ring-state.js';

const RUNS = 200;

type Op = { kind: 'add'; stream: StreamName; length: number; continued: boolean } | { kind: 'lines'; stream: StreamName; lengths: number[] };

const stream = fc.constantFrom<StreamName>('stdout', 'stderr');
// Around every limit: empty lines, RING_LINE_BYTES and just past it, lines that fill the
// buffer in a few.
const anyLength = fc.oneof(
  fc.integer({ min: 0, max: 120 }),
  fc.constantFrom(0, RING_LINE_BYTES - 1, RING_LINE_BYTES, RING_LINE_BYTES + 1, RING_BYTES / 4),
  fc.integer({ min: 0, max: RING_LINE_BYTES + 4000 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), stream, length: anyLength, continued: fc.boolean() }),
  // Many short lines (past RING_LINES in one batch), or a few of any length.
  fc.record({
    kind: fc.constant('lines' as const),
    stream,
    lengths: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: RING_LINES + 300 }),
  }),
  fc.record({ kind: fc.constant('lines' as const), stream, lengths: fc.array(anyLength, { minLength: 1, maxLength: 8 }) }),
);

// Line `n`'s bytes: every byte value occurs, and each line's differ from its neighbours',
// so a line written in the wrong place shows.
function lineBytes(n: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (n * 31 + i * 7) & 0xff;
  return bytes;
}

function apply(ops: Op[]): void {
  const batched = new LogRing();
  const oneByOne = new LogRing();
  let n = 0;
  for (const step of ops) {
    if (step.kind === 'add') {
      const source = Buffer.concat([Buffer.from('<'), lineBytes(n++, step.length), Buffer.from('>')]);
      batched.add(step.stream, source, 1, source.length - 1, step.continued);
      oneByOne.add(step.stream, source, 1, source.length - 1, step.continued);
    } else {
      const lines = step.lengths.map((length) => lineBytes(n++, length));
      batched.addLines(
        step.stream,
        lines.map((line) => line.toString('latin1')),
      );
      // As the framer hands them over: each line in place in the chunk, newlines between.
      const chunk = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
      let start = 0;
      for (const line of lines) {
        oneByOne.add(step.stream, chunk, start, start + line.length, false);
        start += line.length + 1;
      }
    }
    assert.deepEqual(ringState(batched), ringState(oneByOne));
  }
}

test(`log ring: addLines ends as one add() per line would, on ${RUNS} generated sequences`, () => {
  const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);
  const path = process.env.CORRAL_FC_PATH;
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), (ops) => apply(ops)),
    { numRuns: RUNS, seed, path, endOnFailure: path !== undefined, includeErrorInReport: true },
  );
});

test('log ring: addLines past RING_LINES in one batch keeps the last RING_LINES, and a follower is told once', async () => {
  const ring = new LogRing();
  let told = 0;
  ring.subscribe(() => (told += 1));
  ring.addLines(
    'stderr',
    Array.from({ length: RING_LINES + 5 }, (_, i) => `l${i}`),
  );
  assert.equal(ring.firstSeq, 5);
  assert.equal(ring.line(5)!.bytes.toString(), 'l5');
  assert.equal(ring.line(RING_LINES + 4)!.ordinal, RING_LINES + 4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(told, 1);
});
