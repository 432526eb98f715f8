// corral's stdout or stderr on a file: short writes are continued, a line a failure left
// cut is ended before the next one, and /dev/full fails without a throw (which descriptors
// get a FileOutput: direct-output.test.ts).
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { FileOutput, OutputWriteError, type WriteFd } from '../../src/logging/file-output.js';
import { OutputSink, type OutputTrouble } from '../../src/logging/output-sink.js';

// A file system in memory: accepts at most `perCall` bytes a write, and fails with
// ENOSPC once `room` bytes are taken, until the test makes room again.
function disk(room: number, perCall = Infinity): { writeFd: WriteFd; text: () => string; free: (bytes: number) => void } {
  const stored: Buffer[] = [];
  let left = room;
  const writeFd: WriteFd = (_fd, bytes, offset, length) => {
    if (left === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const count = Math.min(length, perCall, left);
    stored.push(Buffer.from(bytes.subarray(offset, offset + count)));
    left -= count;
    return count;
  };
  return { writeFd, text: () => Buffer.concat(stored).toString(), free: (bytes) => (left += bytes) };
}

function write(output: FileOutput, text: string): Error | null | undefined {
  let result: Error | null | undefined;
  output.write(text, (error) => (result = error));
  return result;
}

describe('FileOutput', () => {
  test('a short write is continued until the line is out', () => {
    const file = disk(Infinity, 3);
    const output = new FileOutput(99, file.writeFd);
    assert.equal(write(output, 'web | a longer line\n'), null);
    assert.equal(file.text(), 'web | a longer line\n');
  });

  test('the disk fills in the middle of a line: the error says how much was written; the next line, once there is room, starts on a line of its own', () => {
    const file = disk(10);
    const output = new FileOutput(99, file.writeFd);
    const error = write(output, 'web | one\nweb | two\n');
    assert.ok(error instanceof OutputWriteError);
    assert.equal(error.code, 'ENOSPC');
    assert.equal(error.written, 10);
    assert.ok(write(output, 'web | three\n') instanceof OutputWriteError, 'still full: nothing written');
    file.free(100);
    assert.equal(write(output, 'web | four\n'), null);
    assert.equal(file.text(), 'web | one\nweb | four\n', 'the failure came right after a newline: no line to end');
  });

  test('a line cut by the disk is ended with a newline before the next line', () => {
    const file = disk(13);
    const output = new FileOutput(99, file.writeFd);
    assert.ok(write(output, 'web | one\nweb | two\n') instanceof OutputWriteError);
    file.free(100);
    assert.equal(write(output, 'web | three\n'), null);
    assert.equal(file.text(), 'web | one\nweb\nweb | three\n');
  });

  test('/dev/full: every write fails with ENOSPC, none throws, and a sink counts the lines', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      // As process.stdout is on /dev/full: a stream with the descriptor.
      const sink = new OutputSink('stdout', Object.assign(new Writable(), { fd }));
      const troubles: OutputTrouble[] = [];
      sink.watch((trouble) => troubles.push(trouble));
      sink.write('one\n');
      sink.write('two\nthree\n');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(troubles, [{ kind: 'failing', stream: 'stdout', code: 'ENOSPC' }]);
      assert.equal(sink.droppedBytes, 14);
    } finally {
      closeSync(fd);
    }
  });
});
