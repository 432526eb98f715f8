import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LogFollowers, RingReader } from '../../src/control/log-follower.js';
import { LogRing, RING_BYTES, RING_LINE_BYTES, RING_LINES } from '../../src/logging/log-ring.js';
import { indexLinesInJs } from '../../src/logging/ring-index.js';
import { loadNativeAddon } from '../../src/native/addon.js';

function add(ring: LogRing, stream: 'stdout' | 'stderr', text: string, continued = false): void {
  // Inside a larger chunk, as the framer hands lines over.
  const chunk = Buffer.from(`<<${text}>>`);
  ring.add(stream, chunk, 2, chunk.length - 2, continued);
}

function texts(ring: LogRing): string[] {
  const out: string[] = [];
  for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) out.push(ring.line(seq)!.bytes.toString());
  return out;
}

test('log ring: keeps at most RING_LINES lines, the newest, in order', () => {
  const ring = new LogRing();
  for (let i = 0; i < RING_LINES + 250; i++) add(ring, 'stdout', `line ${i}`);
  const kept = texts(ring);
  assert.equal(kept.length, RING_LINES);
  assert.equal(kept[0], 'line 250');
  assert.equal(kept.at(-1), `line ${RING_LINES + 249}`);
});

test('log ring: keeps at most RING_BYTES of text, lines wrapping around the buffer intact', () => {
  const ring = new LogRing();
  const long = (i: number): string => `${i}:`.padEnd(7000, String.fromCharCode(97 + (i % 26)));
  for (let i = 0; i < 40; i++) add(ring, i % 3 === 0 ? 'stderr' : 'stdout', long(i));
  const kept = texts(ring);
  assert.ok(kept.join('').length <= RING_BYTES);
  assert.equal(kept.length, Math.floor(RING_BYTES / 7000));
  kept.forEach((text, i) => assert.equal(text, long(40 - kept.length + i)));
});

test('log ring: a line longer than RING_LINE_BYTES is kept as its start', () => {
  const ring = new LogRing();
  add(ring, 'stdout', 'x'.repeat(RING_LINE_BYTES * 2));
  assert.equal(ring.line(0)!.bytes.length, RING_LINE_BYTES);
});

test('log ring: tail of N lines of a stream; a reader counts the lines overwritten before it read them', () => {
  const ring = new LogRing();
  for (let i = 0; i < 10; i++) add(ring, i % 2 === 0 ? 'stdout' : 'stderr', `l${i}`);
  const start = ring.tailStart(2, ['stderr']);
  const tail = new RingReader(ring, ['stderr'], start).batch(Infinity);
  assert.equal(tail, '{"stream":"stderr","line":"l7"}\n{"stream":"stderr","line":"l9"}\n');

  const reader = new RingReader(ring, ['stdout'], ring.nextSeq);
  assert.equal(reader.batch(Infinity), '');
  for (let i = 0; i < RING_LINES + 10; i++) add(ring, i % 2 === 0 ? 'stdout' : 'stderr', `m${i}`);
  const [first, second] = reader.batch(200).split('\n');
  assert.equal(first, '{"stream":"stdout","missed":5}');
  assert.equal(second, '{"stream":"stdout","line":"m10"}');
});

test('log ring: a line that is not UTF-8 is sent as base64; a continued piece is marked', () => {
  const ring = new LogRing();
  ring.add('stdout', Buffer.from([0xff, 0x41]), 0, 2, false);
  add(ring, 'stdout', 'tail', true);
  assert.equal(new RingReader(ring, ['stdout'], 0).batch(Infinity), '{"stream":"stdout","raw":"/0E="}\n{"stream":"stdout","line":"tail","continued":true}\n');
});

test('log ring: end() wakes its followers once, keeps the first reason, and a follower gets what is left, then the reason, then the end of the connection', async (t) => {
  const ring = new LogRing();
  add(ring, 'stdout', 'before');
  const dir = mkdtempSync(join(tmpdir(), 'corral-ring-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sock');
  const followers = new LogFollowers();
  const server = createServer((socket) =>
    followers.serve({ command: 'logs', service: 'web', lines: 10, follow: true, streams: ['stdout', 'stderr'] }, ring, socket),
  );
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => server.close());
  const client = connect(path);
  let received = '';
  client.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<void>((resolve) => client.on('end', resolve));
  await new Promise<void>((resolve) => client.on('connect', resolve));
  let wakes = 0;
  ring.subscribe(() => (wakes += 1));
  add(ring, 'stderr', 'last words');
  ring.end('web was removed by a reload');
  ring.end('a later reason');
  await closed;
  assert.equal(ring.ended, 'web was removed by a reload');
  assert.equal(wakes, 1);
  assert.deepEqual(received.trimEnd().split('\n'), [
    '{"ok":true,"command":"logs","service":"web"}',
    '{"stream":"stdout","line":"before"}',
    '{"stream":"stderr","line":"last words"}',
    '{"ended":"web was removed by a reload"}',
  ]);
});

// addLines keeps a chunk's run of whole lines at once (the relay's batches, line-framer.ts):
// for generated runs, mixed with lines added one by one, the ring holds exactly what
// adding every line on its own gives, lines longer than RING_LINE_BYTES and runs longer
// than the ring included.
test('log ring: addLines keeps what adding each line does, for generated runs of lines', () => {
  const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);
  const length = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 200 }), weight: 8 }, { arbitrary: fc.integer({ min: 200, max: 70_000 }), weight: 1 });
  const step = fc.record({
    batch: fc.boolean(),
    stream: fc.constantFrom<'stdout' | 'stderr'>('stdout', 'stderr'),
    lengths: fc.array(length, { minLength: 1, maxLength: 30 }),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const batched = new LogRing();
      const single = new LogRing();
      let n = 0;
      for (const { batch, stream, lengths } of steps) {
        const lines = lengths.map((len) => `${n++}:`.padEnd(len, 'x').slice(0, Math.max(len, 0)));
        const chunk = Buffer.from(`<${lines.join('\n')}\n`);
        const ends = new Int32Array(lines.length);
        let at = 1;
        lines.forEach((line, i) => {
          single.add(stream, chunk, at, at + Buffer.byteLength(line), false);
          at += Buffer.byteLength(line);
          ends[i] = at;
          at += 1;
        });
        if (batch) batched.addLines(stream, chunk, 1, ends, lines.length);
        else for (let i = 0, from = 1; i < lines.length; from = ends[i++]! + 1) batched.add(stream, chunk, from, ends[i]!, false);
      }
      assert.equal(batched.firstSeq, single.firstSeq);
      assert.equal(batched.nextSeq, single.nextSeq);
      for (let seq = single.firstSeq; seq < single.nextSeq; seq++) {
        const [a, b] = [batched.line(seq)!, single.line(seq)!];
        assert.deepEqual({ ...a, bytes: a.bytes.toString() }, { ...b, bytes: b.bytes.toString() });
      }
    }),
    { numRuns: 300, seed, includeErrorInReport: true },
  );
});

test('log ring: a run whose older line is longer than RING_LINE_BYTES keeps its start and what came before', () => {
  const chunk = Buffer.from(`${'a'.repeat(60_000)}\n${'b'.repeat(10_000)}\n`);
  const batched = new LogRing();
  const single = new LogRing();
  for (const ring of [batched, single]) add(ring, 'stdout', 'before');
  batched.addLines('stdout', chunk, 0, Int32Array.of(60_000, 70_001), 2);
  single.add('stdout', chunk, 0, 60_000, false);
  single.add('stdout', chunk, 60_001, 70_001, false);
  assert.deepEqual(texts(batched), texts(single));
  assert.deepEqual(
    texts(batched).map((text) => text.length),
    [6, RING_LINE_BYTES, 10_000],
  );
});

type ModelLine = { text: string; stream: string; ordinal: number };

// The ring holds the newest lines of `model` that fit RING_LINES and RING_BYTES (with a
// byte for each newline), in order, each with its stream and ordinal.
function holdsTheNewest(ring: LogRing, model: ModelLine[]): void {
  let keep = 0;
  for (let bytes = 0; keep < Math.min(model.length, RING_LINES); keep++) {
    bytes += model[model.length - 1 - keep]!.text.length + 1;
    if (bytes > RING_BYTES) break;
  }
  assert.equal(ring.nextSeq, model.length);
  assert.equal(ring.firstSeq, model.length - keep);
  for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) {
    const line = ring.line(seq)!;
    assert.deepEqual({ text: line.bytes.toString(), stream: line.stream, ordinal: line.ordinal }, model[seq]);
  }
}

// What the ring must hold after any sequence of adds, checked against a plain list: the
// newest lines (each cut to RING_LINE_BYTES) that fit RING_LINES and RING_BYTES with a
// byte for each newline, every one with its stream's ordinal. With the addon's indexLines
// and with indexLinesInJs; the evictions and the growth of the buffer are the ring's own.
for (const [name, indexLines] of [
  ['indexLinesInJs', indexLinesInJs],
  ['the addon', loadNativeAddon().indexLines],
] as const) {
  test(`log ring (${name}): keeps the newest lines that fit its bounds, for generated adds`, () => {
    const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);
    // Three kinds of run: short lines, where RING_LINES binds; lines of about
    // RING_BYTES / RING_LINES, where either bound may, and a run often fills the ring to
    // the byte; and any length, RING_LINE_BYTES and long runs included.
    const any = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 120 }), weight: 20 },
      { arbitrary: fc.integer({ min: 120, max: 9000 }), weight: 2 },
      { arbitrary: fc.integer({ min: RING_LINE_BYTES - 2, max: RING_LINE_BYTES + 2 }), weight: 1 },
    );
    const perLine = Math.floor(RING_BYTES / RING_LINES);
    const lengths = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 700, size: 'max' }),
      fc.array(fc.integer({ min: perLine - 3, max: perLine + 1 }), { minLength: 1, maxLength: 700, size: 'max' }),
      fc.array(any, { minLength: 1, maxLength: 400, size: 'max' }),
    );
    const step = fc.record({ batch: fc.boolean(), stream: fc.constantFrom<'stdout' | 'stderr'>('stdout', 'stderr'), lengths });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 10 }), (steps) => {
        const ring = new LogRing(indexLines);
        const model: ModelLine[] = [];
        const added = { stdout: 0, stderr: 0 };
        let n = 0;
        for (const { batch, stream, lengths } of steps) {
          const lines = lengths.map((len) => `${n++}:`.padEnd(len, 'x').slice(0, len));
          const chunk = Buffer.from(`<${lines.join('\n')}\n`);
          const ends = new Int32Array(lines.length);
          let at = 1;
          lines.forEach((line, i) => {
            at += line.length;
            ends[i] = at;
            at += 1;
            model.push({ text: line.slice(0, RING_LINE_BYTES), stream, ordinal: added[stream]++ });
          });
          if (batch) ring.addLines(stream, chunk, 1, ends, lines.length);
          else for (let i = 0, from = 1; i < lines.length; from = ends[i++]! + 1) ring.add(stream, chunk, from, ends[i]!, false);
          holdsTheNewest(ring, model);
        }
      }),
      // Shrinking runs of hundreds of lines takes minutes: the first failure is reported as it is.
      { numRuns: 200, seed, includeErrorInReport: true, endOnFailure: true },
    );
  });
}

// The byte bound at its edge: the kept lines and the new ones fill the ring to the byte
// (nothing more goes), or one byte past it (the oldest line goes, and only it), one line
// at a time and as a run, before the buffer wraps and after.
for (const [name, indexLines] of [
  ['indexLinesInJs', indexLinesInJs],
  ['the addon', loadNativeAddon().indexLines],
] as const) {
  test(`log ring (${name}): lines that fill RING_BYTES exactly all stay; one byte more evicts the oldest line only`, () => {
    const lineBytes = 1023; // with its newline, 1 KiB: 64 fill the ring
    for (const batch of [false, true]) {
      for (const extra of [0, 1]) {
        for (const before of [0, 5]) {
          const ring = new LogRing(indexLines);
          const model: ModelLine[] = [];
          const added = { stdout: 0, stderr: 0 };
          // `before` lines first, so the edge is met after the buffer wrapped.
          const lengths = [...new Array<number>(before).fill(lineBytes), ...new Array<number>(RING_BYTES / 1024 - 1).fill(lineBytes), lineBytes + extra];
          let n = 0;
          const addAll = (run: number[]): void => {
            const lines = run.map((len) => `${n++}:`.padEnd(len, 'y'));
            const chunk = Buffer.from(`${lines.join('\n')}\n`);
            const ends = new Int32Array(lines.length);
            let at = 0;
            lines.forEach((line, i) => {
              at += line.length;
              ends[i] = at++;
              model.push({ text: line, stream: 'stdout', ordinal: added.stdout++ });
            });
            if (batch) ring.addLines('stdout', chunk, 0, ends, lines.length);
            else for (let i = 0, from = 0; i < lines.length; from = ends[i++]! + 1) ring.add('stdout', chunk, from, ends[i]!, false);
            holdsTheNewest(ring, model);
          };
          addAll(lengths.slice(0, before));
          addAll(lengths.slice(before, -1));
          addAll(lengths.slice(-1));
          assert.equal(ring.nextSeq - ring.firstSeq, RING_BYTES / 1024 - extra, `batch ${batch}, ${extra} byte(s) over, ${before} before`);
        }
      }
    }
  });
}
