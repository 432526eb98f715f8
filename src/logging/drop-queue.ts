// The bounded buffer of a service in drop mode (log: {mode: drop}): while corral's output
// is blocked, the service's encoded lines wait here, up to `budget` bytes, instead of the
// service being made to wait. Lines past the budget are dropped whole, never cut, and
// counted so the loss can be reported. Every encoded line ends with its one newline.

const NEWLINE = 0x0a;

export interface Dropped {
  lines: number;
  bytes: number;
}

export class DropQueue {
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private dropped: Dropped = { lines: 0, bytes: 0 };

  constructor(readonly budget: number) {}

  get isEmpty(): boolean {
    return this.waitingBytes === 0 && this.dropped.lines === 0;
  }

  // Queues the whole lines of `encoded` that fit in the budget, drops the rest.
  add(encoded: Buffer): void {
    const room = this.budget - this.waitingBytes;
    const keep = encoded.length <= room ? encoded.length : room > 0 ? encoded.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
    if (keep > 0) {
      // A copy of a kept part, so the dropped rest is not held in memory through it.
      this.waiting.push(keep === encoded.length ? encoded : Buffer.from(encoded.subarray(0, keep)));
      this.waitingBytes += keep;
    }
    if (keep < encoded.length) {
      this.dropped.lines += countLines(encoded, keep);
      this.dropped.bytes += encoded.length - keep;
    }
  }

  // Everything queued, in order, and what was dropped since the last take.
  take(): { bytes: Buffer | undefined; dropped: Dropped } {
    const bytes = this.waiting.length === 0 ? undefined : Buffer.concat(this.waiting, this.waitingBytes);
    const dropped = this.dropped;
    this.waiting = [];
    this.waitingBytes = 0;
    this.dropped = { lines: 0, bytes: 0 };
    return { bytes, dropped };
  }
}

function countLines(bytes: Buffer, from: number): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE, from); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines += 1;
  return lines;
}
