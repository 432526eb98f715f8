// Puts each line a relay frames into the service's LogRing as well as encoding it for
// corral's output: the framer already finds every line, so keeping it costs one copy and
// no second pass over the bytes.
import type { ByteBuilder } from './byte-builder.js';
import type { LineEncoder } from './line-encoder.js';
import type { LogRing, StreamName } from './log-ring.js';

export function keepingLinesIn(ring: LogRing, stream: StreamName, encoder: LineEncoder): LineEncoder {
  return {
    startChunk: () => encoder.startChunk(),
    encode(source: Buffer, start: number, end: number, continued: boolean, out: ByteBuilder): void {
      ring.add(stream, source, start, end, continued);
      encoder.encode(source, start, end, continued, out);
    },
  };
}
