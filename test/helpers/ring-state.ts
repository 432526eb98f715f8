// Everything a LogRing holds that can show now or later, for comparing two rings: its
// lines as readers see them, the counts behind ordinals, and the buffer's size, which
// decides what later lines evict (it grows from a few KiB to RING_BYTES).
import type { LogRing } from '../../src/logging/log-ring.js';

export interface RingState {
  firstSeq: number;
  nextSeq: number;
  /** seq, stream, ordinal, continued and the bytes (hex) of each line kept. */
  lines: string[];
  added: { stdout: number; stderr: number };
  capacity: number;
}

export function ringState(ring: LogRing): RingState {
  const lines: string[] = [];
  for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) {
    const line = ring.line(seq)!;
    lines.push(`${line.seq} ${line.stream} ${line.ordinal}${line.continued ? ' +' : ''} ${line.bytes.toString('hex')}`);
  }
  return {
    firstSeq: ring.firstSeq,
    nextSeq: ring.nextSeq,
    lines,
    added: { stdout: ring.ordinalAt(ring.nextSeq, 'stdout'), stderr: ring.ordinalAt(ring.nextSeq, 'stderr') },
    capacity: ring.capacity,
  };
}
