// corral's stdout or stderr on a pipe: written with write(2) at once while Node's stream
// holds nothing; what the pipe does not take (a short write, EAGAIN) goes through the
// stream, and so does everything after it until the stream is empty again, so the order
// holds. EPIPE is the write's outcome, at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputWriteError, type WriteFd } from '../../src/logging/file-output.js';
import { PipeOutput } from '../../src/logging/pipe-output.js';

// A pipe with `room` bytes free, which the test drains; and the stream behind it, which
// holds what it is given until the test lets it write.
function pipeAndStream(room: number): {
  output: PipeOutput;
  written: () => string;
  drain: (bytes: number) => void;
  flushStream: () => void;
  streamHas: () => number;
  fail: (code: string | undefined) => void;
  failStream: (code: string) => void;
  /** Writes `text` as a Buffer; its outcome goes to `outcomes` when it comes. */
  write: (text: string) => boolean;
  outcomes: (Error | null | undefined)[];
} {
  const written: Buffer[] = [];
  let left = room;
  let failure: string | undefined;
  const writeFd: WriteFd = (_fd, bytes, offset, length) => {
    if (failure !== undefined) throw Object.assign(new Error(`${failure}: write`), { code: failure });
    if (left === 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
    const count = Math.min(length, left);
    written.push(Buffer.from(bytes.subarray(offset, offset + count)));
    left -= count;
    return count;
  };
  const queued: { bytes: Buffer; callback: (error?: Error | null) => void }[] = [];
  const stream = {
    get writableLength() {
      return queued.reduce((sum, entry) => sum + entry.bytes.length, 0);
    },
    write(bytes: Buffer | string, callback: (error?: Error | null) => void) {
      queued.push({ bytes: Buffer.from(bytes), callback });
      return false;
    },
    on() {
      return this;
    },
  };
  const output = new PipeOutput(stream, 99, writeFd);
  const outcomes: (Error | null | undefined)[] = [];
  return {
    output,
    outcomes,
    write: (text) => output.write(Buffer.from(text), (error) => outcomes.push(error)),
    written: () => Buffer.concat(written).toString(),
    drain: (bytes) => (left += bytes),
    flushStream: () => {
      for (const { bytes, callback } of queued.splice(0)) {
        written.push(bytes);
        callback(null);
      }
    },
    streamHas: () => stream.writableLength,
    fail: (code) => (failure = code),
    failStream: (code) => {
      for (const { callback } of queued.splice(0)) callback(Object.assign(new Error(`${code}: write`), { code }));
    },
  };
}

test('pipe output: a write the pipe takes is done before write() returns, and the stream is not used', () => {
  const pipe = pipeAndStream(100);
  const { outcomes } = pipe;
  assert.equal(pipe.write('a | one\n'), true);
  assert.deepEqual(outcomes, [null]);
  assert.equal(pipe.written(), 'a | one\n');
  assert.equal(pipe.streamHas(), 0);
});

test('pipe output: the rest of a short write, and what follows while the stream holds it, go through the stream in order', () => {
  const pipe = pipeAndStream(5);
  const { outcomes } = pipe;
  assert.equal(pipe.write('a | one\n'), false);
  assert.equal(pipe.written(), 'a | o');
  assert.equal(pipe.streamHas(), 3);
  pipe.drain(100);
  // The pipe has room again, but the stream still holds bytes: this write must wait behind them.
  pipe.write('b | two\n');
  assert.equal(outcomes.length, 0, 'not yet written');
  pipe.flushStream();
  assert.equal(outcomes.join(), ',', 'both written');
  assert.equal(pipe.written(), 'a | one\nb | two\n');
  pipe.write('c\n');
  assert.equal(pipe.written(), 'a | one\nb | two\nc\n', 'direct again once the stream is empty');
  assert.equal(outcomes.length, 3);
  assert.ok(outcomes.every((outcome) => outcome === null));
});

test('pipe output: a full pipe (EAGAIN) hands the whole write to the stream', () => {
  const pipe = pipeAndStream(0);
  const { outcomes } = pipe;
  pipe.write('line\n');
  assert.equal(outcomes.length, 0, 'not yet written');
  assert.equal(pipe.streamHas(), 5);
  pipe.flushStream();
  assert.deepEqual(outcomes, [null]);
  assert.equal(pipe.written(), 'line\n');
});

test('pipe output: EPIPE is the outcome of the write, at once; strings go through the stream', () => {
  const pipe = pipeAndStream(100);
  pipe.fail('EPIPE');
  const { outcomes } = pipe;
  assert.equal(pipe.write('line\n'), true);
  assert.equal((outcomes[0] as NodeJS.ErrnoException).code, 'EPIPE');
  assert.equal(pipe.streamHas(), 0);
  pipe.fail(undefined);
  pipe.output.write('text\n', () => {});
  assert.equal(pipe.streamHas(), 5);
});

test('pipe output: when the rest of a short write fails, the failure says how much went out directly', () => {
  const pipe = pipeAndStream(3);
  const { outcomes } = pipe;
  pipe.write('a | one\n');
  pipe.failStream('EPIPE');
  assert.ok(outcomes[0] instanceof OutputWriteError);
  assert.equal(outcomes[0].written, 3);
  assert.equal(outcomes[0].code, 'EPIPE');
});
