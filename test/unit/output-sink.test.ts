import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DropQueue } from '../../src/logging/drop-queue.js';
import { OutputSink, type OutputSource, type OutputTrouble } from '../../src/logging/output-sink.js';
import { FlakyStream } from '../helpers/flaky-stream.js';
import { SlowReader } from '../helpers/slow-reader.js';

// A block-mode source: like a PipeRelay, it holds one batch and waits for its turn.
class OneBatch implements OutputSource {
  private held: Buffer | undefined;
  turns = 0;

  constructor(private readonly sink: OutputSink) {}

  get hasMore(): boolean {
    return this.held !== undefined;
  }

  offer(text: string): void {
    this.held = Buffer.from(text);
    this.sink.enqueue(this);
  }

  take(): Buffer | undefined {
    const bytes = this.held;
    this.held = undefined;
    this.turns += 1;
    return bytes;
  }
}

describe('OutputSink', () => {
  test('not busy: writes go straight to the stream', async () => {
    const reader = new SlowReader(1024);
    const sink = new OutputSink('stdout', reader);
    assert.equal(sink.isBusy, false);
    sink.write('a\n');
    await reader.release();
    assert.equal(reader.text(), 'a\n');
  });

  test('a full stream makes it busy until it drains; waiting sources are written then, in turn', async () => {
    const reader = new SlowReader(4);
    const sink = new OutputSink('stdout', reader);
    sink.write('first line\n');
    assert.equal(sink.isBusy, true);
    const [a, b] = [new OneBatch(sink), new OneBatch(sink)];
    a.offer('a1\n');
    b.offer('b1\n');
    assert.equal(a.turns + b.turns, 0, 'nothing is taken while the stream is full');
    await reader.release();
    assert.equal(reader.text(), 'first line\na1\nb1\n');
    assert.equal(sink.isBusy, false);
  });

  test('a drop-mode flood and a block-mode service share the output: each drain gives both a turn', async () => {
    const reader = new SlowReader(4);
    const sink = new OutputSink('stdout', reader);
    sink.write('x\n');
    const flood = new DropQueue(1024 * 1024, sink, () => undefined);
    for (let i = 0; i < 1000; i++) flood.forward(Buffer.from(`${'f'.repeat(99)}\n`)); // 100 KB waiting
    const quiet = new OneBatch(sink);
    for (let tick = 1; tick <= 3; tick++) {
      quiet.offer(`tick ${tick}\n`);
      await reader.release();
    }
    const text = reader.text();
    assert.equal(quiet.turns, 3, 'the quiet service got a turn at every drain');
    assert.ok(text.includes('tick 1\n') && text.includes('tick 3\n'));
    assert.ok(text.indexOf('tick 1\n') < 70 * 1024, 'tick 1 came out after at most one slice of the flood, not after all of it');
  });

  test('a closed reader (EPIPE): output is counted as dropped and waiting sources keep flowing', () => {
    const reader = new SlowReader(4);
    const sink = new OutputSink('stdout', reader);
    sink.write('stuck\n');
    const source = new OneBatch(sink);
    source.offer('waiting\n');
    reader.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(source.turns, 1, 'the waiting source was given its turn');
    sink.write('after\n');
    assert.ok(sink.droppedBytes >= 'after\n'.length);
    assert.equal(sink.isBusy, false);
  });

  test('flush waits for waiting sources and the stream, within its timeout', async () => {
    const reader = new SlowReader(4);
    const sink = new OutputSink('stdout', reader);
    sink.write('one\n');
    new OneBatch(sink).offer('two\n');
    const flushed = sink.flush(5000);
    await reader.release();
    await flushed;
    assert.equal(reader.text(), 'one\ntwo\n');
    const started = Date.now();
    sink.write('never taken\n');
    await sink.flush(50);
    assert.ok(Date.now() - started < 1000, 'a stuck reader costs at most the timeout');
  });

  for (const code of ['ENOSPC', 'EAGAIN', 'EIO']) {
    test(`${code} passes: what failed is dropped and counted, later writes go out, and the first that succeeds is reported once`, async () => {
      const stream = new FlakyStream();
      const sink = new OutputSink('stdout', stream);
      const troubles: OutputTrouble[] = [];
      sink.watch((trouble) => troubles.push(trouble));
      sink.write('before\n');
      await settled();
      stream.failWith = code;
      sink.write('lost 1\n');
      sink.write(Buffer.from('lost 2\nlost 3\n'));
      await settled();
      stream.failWith = undefined;
      sink.write('after 1\n');
      sink.write('after 2\n');
      await settled();
      assert.equal(stream.text(), 'before\nafter 1\nafter 2\n');
      assert.deepEqual(troubles, [
        { kind: 'failing', stream: 'stdout', code },
        { kind: 'recovered', stream: 'stdout', code, lines: 3, bytes: 21 },
      ]);
      assert.equal(sink.droppedBytes, 21);
    });
  }

  test('a failing write does not leave waiting sources waiting for a drain that never comes', async () => {
    const stream = new FlakyStream();
    const sink = new OutputSink('stdout', stream);
    stream.failWith = 'ENOSPC';
    sink.write('fails, and write() says the stream is full\n');
    assert.equal(sink.isBusy, true);
    const source = new OneBatch(sink);
    source.offer('waiting\n');
    assert.equal(source.turns, 0);
    await settled();
    assert.equal(source.turns, 1, 'the waiting source had its turn (and its line was counted as dropped)');
    assert.equal(sink.isBusy, false);
  });

  test('EPIPE: the reader is gone; told once, nothing more is written, and nothing is reported as recovered', async () => {
    const stream = new FlakyStream();
    const sink = new OutputSink('stderr', stream);
    const troubles: OutputTrouble[] = [];
    sink.watch((trouble) => troubles.push(trouble));
    stream.failWith = 'EPIPE';
    sink.write('one\n');
    sink.write('two\n');
    await settled();
    stream.failWith = undefined;
    sink.write('three\n');
    await settled();
    assert.equal(stream.text(), '', 'no write after the reader went');
    assert.deepEqual(troubles, [{ kind: 'closed', stream: 'stderr', code: 'EPIPE' }]);
    assert.equal(sink.droppedBytes, 'one\ntwo\nthree\n'.length);
  });

  test('watchers are never called from inside a write', () => {
    const stream = new FlakyStream();
    const sink = new OutputSink('stdout', stream);
    let told = 0;
    sink.watch(() => (told += 1));
    stream.failWith = 'ENOSPC';
    sink.write('x\n');
    assert.equal(told, 0);
  });
});

// Lets the streams' callbacks (next tick) and the sink's reports (microtasks) run.
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
