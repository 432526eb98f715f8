// Puts each line a relay frames into the service's LogRing as well: the framer already
// finds every line, so keeping it costs a copy and no second pass over the bytes.
import type { LineKeeper } from './line-framer.js';
import type { LogRing, StreamName } from './log-ring.js';

export function ringKeeper(ring: LogRing, stream: StreamName): LineKeeper {
  return {
    add: (source, start, end, continued) => ring.add(stream, source, start, end, continued),
    addLines: (source, start, ends, count) => ring.addLines(stream, source, start, ends, count),
  };
}
