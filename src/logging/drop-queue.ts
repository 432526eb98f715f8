// The bounded buffer of one stream of a service in drop mode (log: {mode: drop}). While
// corral's output is busy, the service's encoded lines wait here, up to `budget` bytes,
// instead of the service being made to wait. Lines past the budget are dropped whole,
// never cut, and counted, and the count is reported once output flows again (and at
// least every REPORT_EVERY_MS while it does not keep up).
// One queue serves every run of the service, so restarts do not multiply the budget.
// Every encoded line ends with its one newline.
import { detach, release } from './buffer-pool.js';
import type { OutputSink, OutputSource } from './output-sink.js';

const NEWLINE = 0x0a;
/** At most this much is written per turn, so other services get theirs. */
const SLICE_BYTES = 64 * 1024;
const REPORT_EVERY_MS = 10_000;

export interface Dropped {
  lines: number;
  bytes: number;
}

export class DropQueue implements OutputSource {
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private dropped: Dropped = { lines: 0, bytes: 0 };
  private reportedAt: number;
  /** Lines dropped since the queue was made, reported or not (for status and metrics). */
  droppedLines = 0;

  constructor(
    readonly budget: number,
    private readonly sink: OutputSink,
    private readonly report: (dropped: Dropped) => void,
    private readonly now: () => number = Date.now,
    /** How often the loss is reported while output does not flow; Infinity: only once it flows. */
    private readonly reportEveryMs = REPORT_EVERY_MS,
  ) {
    this.reportedAt = now();
  }

  get hasMore(): boolean {
    return this.waitingBytes > 0;
  }

  /** Bytes held now; never more than the budget. */
  get size(): number {
    return this.waitingBytes;
  }

  // Lines from the service: straight out when nothing else is waiting, else queued.
  forward(encoded: Buffer): void {
    if (!this.sink.isBusy && this.waitingBytes === 0) {
      this.sink.write(encoded);
      this.reportDue(true);
      return;
    }
    this.add(encoded);
    if (this.waitingBytes > 0) this.sink.enqueue(this);
    else this.reportDue(false);
  }

  // The next turn's bytes: whole lines from the front, at most SLICE_BYTES unless one
  // line alone is longer.
  take(): Buffer | undefined {
    const parts: Buffer[] = [];
    let bytes = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (bytes + next.length <= SLICE_BYTES) {
        parts.push(next);
        bytes += next.length;
        this.waiting.shift();
        continue;
      }
      const room = SLICE_BYTES - bytes;
      const cut = room > 0 ? next.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
      const end = cut > 0 ? cut : bytes === 0 ? next.indexOf(NEWLINE) + 1 : 0;
      if (end > 0) {
        parts.push(next.subarray(0, end));
        bytes += end;
        this.waiting[0] = next.subarray(end);
      }
      break;
    }
    this.waitingBytes -= bytes;
    this.reportDue(this.waitingBytes === 0);
    return parts.length === 0 ? undefined : Buffer.concat(parts, bytes);
  }

  // Queues the whole lines of `encoded` that fit in the budget, drops the rest.
  private add(encoded: Buffer): void {
    const room = this.budget - this.waitingBytes;
    const keep = encoded.length <= room ? encoded.length : room > 0 ? encoded.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
    if (keep === encoded.length) {
      // A relay's buffer from its pool is copied to its size (see buffer-pool.ts).
      this.waiting.push(detach(encoded));
      this.waitingBytes += keep;
      return;
    }
    if (keep > 0) {
      // A copy of the kept part, so the dropped rest is not held in memory through it.
      this.waiting.push(Buffer.from(encoded.subarray(0, keep)));
      this.waitingBytes += keep;
    }
    const lines = countLines(encoded, keep);
    this.dropped.lines += lines;
    this.droppedLines += lines;
    this.dropped.bytes += encoded.length - keep;
    // Nothing refers to it any more: a pool buffer serves the next chunk.
    release(encoded);
  }

  // Reports the loss once output flows again (the queue is written out), or every
  // reportEveryMs while it does not.
  private reportDue(flowing: boolean): void {
    if (this.dropped.lines === 0) return;
    if (!flowing && this.now() - this.reportedAt < this.reportEveryMs) return;
    const dropped = this.dropped;
    this.dropped = { lines: 0, bytes: 0 };
    this.reportedAt = this.now();
    this.report(dropped);
  }
}

// The newlines in `bytes` from `from` on: the whole lines in it.
export function countLines(bytes: Buffer, from: number): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE, from); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines += 1;
  return lines;
}
