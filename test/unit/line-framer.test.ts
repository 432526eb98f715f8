import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { frameLinesInJs, type FrameLines } from '../../src/logging/frame-lines.js';
import { createLineEncoder, type LineEncoder } from '../../src/logging/line-encoder.js';
import { LineFramer } from '../../src/logging/line-framer.js';
import { LogRing, type StreamName } from '../../src/logging/log-ring.js';
import { PLAIN_STYLE } from '../../src/logging/log-style.js';
import { ringKeeper } from '../../src/logging/ring-keeper.js';
import { loadNativeAddon } from '../../src/native/addon.js';
import { plainFramer } from '../helpers/plain-framer.js';

const text = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (b: Buffer | undefined): string | undefined => b?.toString('latin1');

describe('LineFramer', () => {
  test('a line split across chunks is joined and emitted once complete', () => {
    const framer = plainFramer('web', 1024);
    assert.equal(framer.push(text('hel')), undefined);
    assert.equal(framer.push(text('lo wo')), undefined);
    assert.equal(str(framer.push(text('rld\n'))), 'web | hello world\n');
  });

  test('several lines in one chunk come out in one buffer, each prefixed', () => {
    const framer = plainFramer('web', 1024);
    assert.equal(str(framer.push(text('a\nb\n'))), 'web | a\nweb | b\n');
  });

  test('a chunk ending mid-line emits the complete lines and keeps the rest', () => {
    const framer = plainFramer('web', 1024);
    assert.equal(str(framer.push(text('one\ntw'))), 'web | one\n');
    assert.equal(str(framer.push(text('o\nthree\n'))), 'web | two\nweb | three\n');
  });

  test('an empty line is emitted as a bare prefix', () => {
    const framer = plainFramer('db', 1024);
    assert.equal(str(framer.push(text('\n\nx\n'))), 'db | \ndb | \ndb | x\n');
  });

  test('bytes pass through untouched, including invalid UTF-8', () => {
    const framer = plainFramer('web', 1024);
    const out = framer.push(Buffer.from([0xff, 0xfe, 0x0a]));
    assert.deepEqual(out, Buffer.concat([Buffer.from('web | '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
  });

  test('a multi-byte UTF-8 character split across chunks is reassembled byte for byte', () => {
    const framer = plainFramer('web', 1024);
    const euro = Buffer.from('€\n', 'utf8'); // e2 82 ac 0a
    assert.equal(framer.push(euro.subarray(0, 1)), undefined);
    assert.equal(framer.push(euro.subarray(1, 2)), undefined);
    assert.equal(framer.push(euro.subarray(2))?.toString('utf8'), 'web | €\n');
  });

  test('a line longer than maxLine is cut into maxLine pieces, later pieces marked "+"', () => {
    const framer = plainFramer('label', 4);
    assert.equal(str(framer.push(text('abcdefghij\n'))), 'label | abcd\nlabel + efgh\nlabel + ij\n');
  });

  test('a line of exactly 2 * maxLine ends with a full "+" piece and no empty piece', () => {
    const framer = plainFramer('l', 4);
    assert.equal(str(framer.push(text('abcdefgh\n'))), 'l | abcd\nl + efgh\n');
  });

  test('pieces of a long line are emitted as soon as maxLine bytes are pending, before the newline', () => {
    const framer = plainFramer('l', 4);
    assert.equal(framer.push(text('ab')), undefined);
    assert.equal(framer.push(text('cd')), undefined, 'exactly maxLine pending is not cut yet');
    assert.equal(str(framer.push(text('e'))), 'l | abcd\n');
    assert.equal(str(framer.push(text('fghi'))), 'l + efgh\n');
    assert.equal(str(framer.push(text('\n'))), 'l + i\n');
  });

  test('a line exactly maxLine long is not marked as continued', () => {
    const framer = plainFramer('l', 4);
    assert.equal(str(framer.push(text('abcd\n'))), 'l | abcd\n');
    assert.equal(str(framer.push(text('ab'))), undefined);
    assert.equal(str(framer.push(text('cd\n'))), 'l | abcd\n');
  });

  test('after a cut, the next line starts with "|" again', () => {
    const framer = plainFramer('l', 4);
    assert.equal(str(framer.push(text('abcdef\nxy\n'))), 'l | abcd\nl + ef\nl | xy\n');
    assert.equal(str(framer.push(text('123456\n'))), 'l | 1234\nl + 56\n');
  });

  test('end() flushes an unfinished line with a newline', () => {
    const framer = plainFramer('web', 1024);
    assert.equal(framer.push(text('no newline')), undefined);
    assert.equal(str(framer.end()), 'web | no newline\n');
  });

  test('end() returns undefined when nothing is pending', () => {
    const fresh = plainFramer('web', 1024);
    assert.equal(fresh.end(), undefined);
    const finished = plainFramer('web', 1024);
    assert.equal(str(finished.push(text('done\n'))), 'web | done\n');
    assert.equal(finished.end(), undefined);
  });

  test('end() called twice flushes only once', () => {
    const framer = plainFramer('web', 1024);
    framer.push(text('tail'));
    assert.equal(str(framer.end()), 'web | tail\n');
    assert.equal(framer.end(), undefined);
  });

  test('end() after a cut flushes the rest as a "+" piece', () => {
    const framer = plainFramer('l', 4);
    assert.equal(str(framer.push(text('abcdef'))), 'l | abcd\n');
    assert.equal(str(framer.end()), 'l + ef\n');
  });

  test('end() after a cut resets the marker: the next line starts with "|"', () => {
    const framer = plainFramer('l', 4);
    framer.push(text('abcdef'));
    framer.end();
    assert.equal(str(framer.push(text('x\n'))), 'l | x\n');
  });

  test('memory stays bounded: 1 MB without a newline never leaves more than maxLine bytes pending', () => {
    const maxLine = 16_384;
    const chunkSize = 1024;
    const total = 1024 * 1024;
    const framer = plainFramer('big', maxLine);
    const head = 'big | ';
    const tail = 'big + ';
    // Printable bytes, no newline, varying so a misplaced byte would show.
    const input = Buffer.alloc(total);
    for (let i = 0; i < total; i++) input[i] = 0x21 + (i % 90);

    const payloads: Buffer[] = [];
    const collect = (out: Buffer | undefined): void => {
      if (out === undefined) return;
      let rest = out;
      while (rest.length > 0) {
        const marker = rest.subarray(0, head.length).toString('latin1');
        assert.ok(marker === (payloads.length === 0 ? head : tail), `piece ${payloads.length} starts with ${JSON.stringify(marker)}`);
        const newline = rest.indexOf(0x0a);
        assert.notEqual(newline, -1);
        payloads.push(rest.subarray(head.length, newline));
        rest = rest.subarray(newline + 1);
      }
    };

    let consumed = 0;
    for (let offset = 0; offset < total; offset += chunkSize) {
      collect(framer.push(input.subarray(offset, offset + chunkSize)));
      consumed += chunkSize;
      const emitted = payloads.reduce((sum, p) => sum + p.length, 0);
      const pending = consumed - emitted;
      assert.ok(pending >= 0 && pending <= maxLine, `after ${consumed} bytes, ${pending} bytes are pending`);
    }
    // 1 MB = 64 * maxLine: 63 pieces were cut; the 64th is held until end().
    assert.equal(payloads.length, 63);
    collect(framer.end());
    assert.equal(payloads.length, 64);
    for (const [i, p] of payloads.entries()) assert.equal(p.length, maxLine, `piece ${i} is ${p.length} bytes`);
    assert.ok(Buffer.concat(payloads).equals(input), 'the pieces put together are the input');
  });
});

describe('LineFramer with a reused read buffer', () => {
  test('an unfinished line is kept as a copy: overwriting the chunk after push changes nothing', () => {
    const framer = plainFramer('web', 1024);
    const shared = Buffer.alloc(64);
    const read = (s: string): Buffer => {
      shared.fill(0x58);
      shared.write(s, 'latin1');
      return shared.subarray(0, s.length);
    };
    assert.equal(str(framer.push(read('one\ntw'))), 'web | one\n');
    assert.equal(str(framer.push(read('o\nthr'))), 'web | two\n');
    assert.equal(str(framer.push(read('ee\n'))), 'web | three\n');
  });
});

// Whole lines go many at a time through frameLines (the addon's in corral); every other
// line one at a time. For generated streams cut into generated chunks, a framer that
// batches writes, counts and keeps (in a LogRing) exactly what one that encodes every
// line on its own does.
describe('LineFramer, lines in batches', () => {
  const native = loadNativeAddon().frameLines;
  const seed = process.env.CORRAL_FC_SEED === undefined ? undefined : Number(process.env.CORRAL_FC_SEED);
  const origin = { service: 'web', label: 'web', stream: 'stdout', pid: 1 } as const;

  function frameAll(chunks: Uint8Array[], maxLine: number, batched: FrameLines | undefined, stream: StreamName) {
    const plain = createLineEncoder(PLAIN_STYLE, origin, false);
    // Without a common head every line is encoded on its own: the reference.
    const encoder: LineEncoder =
      batched === undefined ? { startChunk: () => plain.startChunk(), encode: plain.encode.bind(plain), wholeLineHead: () => undefined } : plain;
    const ring = new LogRing();
    const count = { lines: 0 };
    const framer = new LineFramer(encoder, maxLine, { count, frameLines: batched, keeper: ringKeeper(ring, stream) });
    const out = [...chunks.map((chunk) => framer.push(Buffer.from(chunk))), framer.end()].map((bytes) => bytes?.toString('latin1'));
    const kept = [];
    for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) {
      const line = ring.line(seq)!;
      kept.push({ ...line, bytes: line.bytes.toString('latin1') });
    }
    return { out, lines: count.lines, kept, first: ring.firstSeq, next: ring.nextSeq };
  }

  const bytes = fc.oneof({ arbitrary: fc.constant(0x0a), weight: 1 }, { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 6 });
  const stream = fc.record({
    chunks: fc.array(
      fc.array(bytes, { maxLength: 400 }).map((b) => Uint8Array.from(b)),
      { maxLength: 12 },
    ),
    maxLine: fc.integer({ min: 1, max: 60 }),
    stream: fc.constantFrom<StreamName>('stdout', 'stderr'),
  });

  test('the addon and frameLinesInJs write, count and keep what encoding line by line does', () => {
    fc.assert(
      fc.property(stream, ({ chunks, maxLine, stream: name }) => {
        const expected = frameAll(chunks, maxLine, undefined, name);
        assert.deepEqual(frameAll(chunks, maxLine, native, name), expected);
        assert.deepEqual(frameAll(chunks, maxLine, frameLinesInJs, name), expected);
      }),
      { numRuns: 1500, seed, includeErrorInReport: true },
    );
  });

  test('a chunk of more lines than one call records (4096) and of more than the ring keeps', () => {
    const chunk = Buffer.from(Array.from({ length: 9000 }, (_, i) => `${i}\n`).join(''));
    const expected = frameAll([chunk, chunk], 64, undefined, 'stdout');
    assert.deepEqual(frameAll([chunk, chunk], 64, native, 'stdout'), expected);
    assert.equal(expected.lines, 18000);
    assert.equal(expected.kept.at(-1)!.bytes, '8999');
  });

  test('a run of long lines fills the ring by its bytes: the newest are kept, the ordinals go on', () => {
    const line = (i: number): string => `${i}:`.padEnd(5000, 'x');
    const chunk = Buffer.from(Array.from({ length: 30 }, (_, i) => `${line(i)}\n`).join(''));
    const expected = frameAll([chunk], 6000, undefined, 'stderr');
    const batched = frameAll([chunk], 6000, native, 'stderr');
    assert.deepEqual(batched, expected);
    assert.ok(batched.first > 0 && batched.kept.length < 30);
    assert.equal(batched.kept.at(-1)!.ordinal, 29);
  });
});
