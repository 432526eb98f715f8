// What the sink writes corral's stdout or stderr through, chosen from its descriptor: a
// file or /dev/null gets a FileOutput, a pipe a PipeOutput; a stream without a usable
// descriptor is written as it is.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { directOutputFor } from '../../src/logging/direct-output.js';
import { FileOutput } from '../../src/logging/file-output.js';
import { PipeOutput } from '../../src/logging/pipe-output.js';
import { loadNativeAddon } from '../../src/native/addon.js';
import { scratchDir } from '../helpers/scratch.js';

test('direct output: a file and /dev/null get a FileOutput, a pipe a PipeOutput, the rest the stream itself', (t) => {
  const path = `${scratchDir(t)}/out.log`;
  const file = openSync(path, 'w');
  const devNull = openSync('/dev/null', 'w');
  const [readEnd, writeEnd] = loadNativeAddon().pipe();
  try {
    const output = directOutputFor(Object.assign(new Writable(), { fd: file }));
    assert.ok(output instanceof FileOutput);
    output.write('written by the sink\n', () => undefined);
    assert.equal(readFileSync(path, 'utf8'), 'written by the sink\n');
    assert.ok(directOutputFor(Object.assign(new Writable(), { fd: devNull })) instanceof FileOutput);
    assert.ok(directOutputFor(Object.assign(new Writable(), { fd: writeEnd })) instanceof PipeOutput);
    for (const stream of [new Writable(), Object.assign(new Writable(), { fd: 1_000_000 })]) assert.equal(directOutputFor(stream), stream);
  } finally {
    for (const fd of [file, devNull, readEnd, writeEnd]) closeSync(fd);
  }
});
