// How the sink writes to corral's stdout or stderr, chosen once from what its descriptor
// is: a file or a character device other than a terminal synchronously, short writes
// continued (FileOutput); a pipe with write(2) while Node's stream holds nothing
// (PipeOutput); anything else (a terminal, a socket, a stream without a descriptor)
// through Node's stream as it is.
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { FileOutput } from './file-output.js';
import type { OutputStream } from './output-sink.js';
import { PipeOutput } from './pipe-output.js';

export function directOutputFor(stream: OutputStream): OutputStream {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return stream;
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO()) return new PipeOutput(stream, fd);
    return (stat.isFile() || stat.isCharacterDevice()) && !isatty(fd) ? new FileOutput(fd) : stream;
  } catch {
    return stream;
  }
}
