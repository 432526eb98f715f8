import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LineWatcher } from '../../src/logging/line-watcher.js';
import { plainFramer } from '../helpers/plain-framer.js';

// A pattern that records every line it is tested against.
class SpyPattern extends RegExp {
  readonly seen: string[] = [];
  override test(text: string): boolean {
    this.seen.push(text);
    return super.test(text);
  }
}

// A watcher for `pattern` and the lines it reported.
function watch(pattern: RegExp, maxLine = 1024): { watcher: LineWatcher; matches: string[] } {
  const matches: string[] = [];
  return { watcher: new LineWatcher(pattern, maxLine, (line) => matches.push(line)), matches };
}

function pushAll(watcher: LineWatcher, chunks: string[]): void {
  for (const chunk of chunks) watcher.push(Buffer.from(chunk));
}

// Every way to cut `text` into chunks of `size` bytes.
function chunked(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
  return chunks;
}

describe('LineWatcher', () => {
  test('LineWatcher: a matching line in one chunk is reported', () => {
    const { watcher, matches } = watch(/listening on \d+/);
    pushAll(watcher, ['starting\nlistening on 8080\n']);
    assert.deepEqual(matches, ['listening on 8080']);
  });

  test('LineWatcher: a match split across chunks is reported once the line is complete', () => {
    const { watcher, matches } = watch(/listening on \d+/);
    watcher.push(Buffer.from('boot\nlisten'));
    watcher.push(Buffer.from('ing on 80'));
    assert.deepEqual(matches, [], 'not before the line ends');
    watcher.push(Buffer.from('80\nmore\n'));
    assert.deepEqual(matches, ['listening on 8080']);
  });

  test('LineWatcher: the line is tested whole, so a pattern anchored at both ends matches a split line', () => {
    const { watcher, matches } = watch(/^ready$/);
    pushAll(watcher, ['re', 'a', 'dy', '\n']);
    assert.deepEqual(matches, ['ready']);
  });

  test('LineWatcher: an unfinished last line is not tested', () => {
    const pattern = new SpyPattern('ready');
    const { watcher, matches } = watch(pattern);
    pushAll(watcher, ['ready']);
    assert.deepEqual(matches, []);
    assert.deepEqual(pattern.seen, []);
  });

  test('LineWatcher: CRLF: the CR is stripped before testing and reporting', () => {
    const { watcher, matches } = watch(/^ready$/);
    pushAll(watcher, ['booting\r\nready\r\n']);
    assert.deepEqual(matches, ['ready']);
  });

  test('LineWatcher: CRLF split between the CR and the LF', () => {
    const { watcher, matches } = watch(/^ready$/);
    pushAll(watcher, ['ready\r', '\n']);
    assert.deepEqual(matches, ['ready']);
  });

  test('LineWatcher: only one trailing CR is stripped, and a CR inside a line is kept', () => {
    const pattern = new SpyPattern('x');
    const { watcher } = watch(pattern);
    pushAll(watcher, ['a\rb\r\n', 'c\r\r\n']);
    assert.deepEqual(pattern.seen, ['a\rb', 'c\r']);
  });

  test('LineWatcher: reports a match only once, however many lines match', () => {
    const pattern = new SpyPattern('ready');
    const { watcher, matches } = watch(pattern);
    pushAll(watcher, ['ready 1\nready 2\n', 'ready 3\n']);
    assert.deepEqual(matches, ['ready 1']);
    assert.deepEqual(pattern.seen, ['ready 1'], 'nothing is tested after the match');
  });

  test('LineWatcher: after a match, an unfinished line is not reported later either', () => {
    const { watcher, matches } = watch(/ready/);
    pushAll(watcher, ['ready\nready aga', 'in\n']);
    assert.deepEqual(matches, ['ready']);
  });

  test('LineWatcher: no match, no report; every line is tested once', () => {
    const pattern = new SpyPattern('ready');
    const { watcher, matches } = watch(pattern);
    pushAll(watcher, ['one\ntw', 'o\n', '\nthree\n']);
    assert.deepEqual(matches, []);
    assert.deepEqual(pattern.seen, ['one', 'two', '', 'three']);
  });

  test('LineWatcher: UTF-8 split inside a character is decoded whole', () => {
    const { watcher, matches } = watch(/^prêt$/);
    const bytes = Buffer.from('prêt\n');
    watcher.push(bytes.subarray(0, 3));
    watcher.push(bytes.subarray(3));
    assert.deepEqual(matches, ['prêt']);
  });

  test('LineWatcher: an over-long line is tested in maxLine pieces, as the relay cuts it', () => {
    const pattern = new SpyPattern('^never$');
    const { watcher } = watch(pattern, 8);
    pushAll(watcher, ['0123456789abcdefXYZ\nshort\n']);
    assert.deepEqual(pattern.seen, ['01234567', '89abcdef', 'XYZ', 'short']);
  });

  test('LineWatcher: a match beyond the first maxLine bytes is found in its piece', () => {
    const { watcher, matches } = watch(/^ready/, 8);
    pushAll(watcher, ['xxxxxxxxready now\n']);
    assert.deepEqual(matches, ['ready no']);
  });

  test('LineWatcher: a line of exactly maxLine bytes is one piece', () => {
    const pattern = new SpyPattern('^never$');
    const { watcher } = watch(pattern, 8);
    pushAll(watcher, ['01234567\n']);
    assert.deepEqual(pattern.seen, ['01234567']);
  });

  test('LineWatcher: an over-long line without a newline yet is tested piece by piece', () => {
    const { watcher, matches } = watch(/^x{8}$/, 8);
    pushAll(watcher, ['xxxxxxxxxxxx']);
    assert.deepEqual(matches, ['xxxxxxxx'], 'the first full piece is tested at once');
  });

  test('LineWatcher: holds at most maxLine bytes of an unfinished line', () => {
    const pattern = new SpyPattern('^never$');
    const { watcher } = watch(pattern, 1000);
    for (let i = 0; i < 100; i++) watcher.push(Buffer.alloc(1000, 'a'));
    // The 100th piece is held: it is complete only when more of the line arrives, as in the relay.
    assert.equal(pattern.seen.length, 99);
    assert.ok(pattern.seen.every((line) => line.length === 1000));
    watcher.push(Buffer.from('\n'));
    assert.equal(pattern.seen.length, 100);
  });

  test('LineWatcher: the lines tested do not depend on how the output is cut into chunks', () => {
    const stream = 'boot\r\n0123456789abcdefghij\n\nabcdefgh\nlast line is long enough\nend\n';
    const reference = new SpyPattern('^never$');
    pushAll(new LineWatcher(reference, 8, () => undefined), [stream]);
    for (let size = 1; size <= stream.length; size++) {
      const pattern = new SpyPattern('^never$');
      pushAll(new LineWatcher(pattern, 8, () => undefined), chunked(stream, size));
      assert.deepEqual(pattern.seen, reference.seen, `chunks of ${size}`);
    }
  });

  test('LineWatcher: tests the same pieces the relay writes', () => {
    const stream = 'boot\n0123456789abcdefghij\n\nabcdefgh\nlast line is long enough\n';
    const pattern = new SpyPattern('^never$');
    pushAll(new LineWatcher(pattern, 8, () => undefined), [stream]);
    const framed = plainFramer('w', 8).push(Buffer.from(stream))!.toString();
    const pieces = framed
      .split('\n')
      .slice(0, -1)
      .map((line) => line.slice('w | '.length));
    assert.deepEqual(pattern.seen, pieces);
  });
});
