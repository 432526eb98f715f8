// A service's last lines, kept in memory for `corral logs NAME`. The log itself is
// `docker logs`; this is the supervisorctl-tail / pm2-logs view of one service.
// Bounded in bytes and in lines, whatever the service writes: each line is copied once
// into one circular byte buffer (no allocation per line), and its place is kept in typed
// arrays. The buffer starts small and doubles up to RING_BYTES, so a quiet service costs
// a few KiB. Readers (followers) never hold lines back: what they have not read when it is
// overwritten is gone, and its per-stream ordinal tells them how many they missed. A ring
// belongs to a service by name, not to one runner: a reload that changes the service hands
// it to the new runner, so history and followers carry over; one that removes the service
// ends it.
import { indexLinesInJs, type IndexLines } from './ring-index.js';

/** Bytes of line text kept per service, a byte for each line's newline included: 100
 * services stay under 7.5 MiB with the index. */
export const RING_BYTES = 64 * 1024;
/** Lines kept per service, whatever their length. */
export const RING_LINES = 1000;
/** A longer line (or piece of one, log.max_line) is kept as its first RING_LINE_BYTES. */
export const RING_LINE_BYTES = 16 * 1024;
const INITIAL_BYTES = 4096;

export type StreamName = 'stdout' | 'stderr';

export interface RingLine {
  /** Its position among all lines the service ever wrote (both streams). */
  seq: number;
  stream: StreamName;
  /** Its position among its stream's lines: a gap between two a reader saw is lines missed. */
  ordinal: number;
  /** A later piece of a line cut at log.max_line. */
  continued: boolean;
  /** A view of the ring, valid until the next add: copy it or use it at once. */
  bytes: Buffer;
}

// Five typed arrays per ring cost some 700 bytes with nothing in them: with 500 services
// that never write, a third of a MiB.
const NO_BYTES = Buffer.alloc(0);
const NO_INT32S = new Int32Array(0);
const NO_FLOAT64S = new Float64Array(0);
const NO_UINT8S = new Uint8Array(0);

const STDERR = 1;
const CONTINUED = 2;

export class LogRing {
  // Empty, shared by every ring until its first line (allocateIndex()).
  private bytes = NO_BYTES;
  private starts = NO_INT32S;
  private lengths = NO_INT32S;
  private ordinals = NO_FLOAT64S;
  private flags = NO_UINT8S;
  /** Where the next line's bytes go, and the bytes the kept lines use. */
  private writeAt = 0;
  private usedBytes = 0;
  /** seq of the oldest line kept, and of the next line. */
  private first = 0;
  private next = 0;
  private readonly added = { stdout: 0, stderr: 0 };
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private endReason: string | undefined;

  /** indexLines: the addon's in corral (ring-index.ts). */
  constructor(private readonly indexLines: IndexLines = indexLinesInJs) {}

  get firstSeq(): number {
    return this.first;
  }

  get nextSeq(): number {
    return this.next;
  }

  // Keeps source[start, end), a line without its newline. Each line takes its length and
  // one byte more in the buffer, the newline's place, so that addLines() can copy a run
  // of lines, newlines and all, in one go.
  add(stream: StreamName, source: Buffer, start: number, end: number, continued: boolean): void {
    const length = Math.min(end - start, RING_LINE_BYTES);
    this.makeRoom(1, length + 1);
    const at = this.place(stream, length, continued);
    const room = this.bytes.length - at;
    if (length <= room) {
      this.bytes.set(source.subarray(start, start + length), at);
    } else {
      this.bytes.set(source.subarray(start, start + room), at);
      this.bytes.set(source.subarray(start + room, start + length), 0);
    }
    this.writeAt = (at + length + 1) % this.bytes.length;
    this.usedBytes += length + 1;
    this.notify();
  }

  // Keeps `count` whole lines of one chunk (see LineKeeper in line-framer.ts): the first
  // starts at `start`, line i ends at ends[i], its newline. Called for every chunk the
  // relay frames in one go, so the run of lines is copied at once, and only the newest
  // that the ring can hold: the older would be evicted by the newer at once.
  addLines(stream: StreamName, source: Buffer, start: number, ends: Int32Array, count: number): void {
    if (count === 0) return;
    const runEnd = ends[count - 1]! + 1;
    let first = Math.max(0, count - RING_LINES);
    let runStart = first === 0 ? start : ends[first - 1]! + 1;
    // A line longer than RING_LINE_BYTES (log.max_line above it) is kept as its start, so
    // it takes less room than its length: such a run is kept one line at a time. Checked
    // before the run is cut to what fits, which counts whole lengths.
    for (let i = first, lineStart = runStart; i < count; lineStart = ends[i++]! + 1) {
      if (ends[i]! - lineStart > RING_LINE_BYTES) {
        for (let j = 0, from = start; j < count; from = ends[j++]! + 1) this.add(stream, source, from, ends[j]!, false);
        return;
      }
    }
    while (runEnd - runStart > RING_BYTES) runStart = ends[first++]! + 1;
    if (first > 0) {
      // The run fills the ring: every line kept so far, and the run's older lines, go.
      this.added[stream] += first;
      this.next += first;
      this.first = this.next;
      this.usedBytes = 0;
    }
    const runBytes = runEnd - runStart;
    this.makeRoom(count - first, runBytes);
    const at = this.writeAt;
    const size = this.bytes.length;
    // The index of each line, in one call: it runs for every line relayed (ring-index.ts).
    const { starts, lengths, ordinals, flags } = this;
    const ordinal = this.added[stream];
    this.indexLines(
      ends,
      first,
      count,
      runStart,
      at,
      size,
      this.next % RING_LINES,
      ordinal,
      stream === 'stderr' ? STDERR : 0,
      starts,
      lengths,
      ordinals,
      flags,
    );
    this.added[stream] = ordinal + count - first;
    this.next += count - first;
    const room = size - at;
    if (runBytes <= room) {
      this.bytes.set(source.subarray(runStart, runEnd), at);
    } else {
      this.bytes.set(source.subarray(runStart, runStart + room), at);
      this.bytes.set(source.subarray(runStart + room, runEnd), 0);
    }
    this.writeAt = (at + runBytes) % size;
    this.usedBytes += runBytes;
    this.notify();
  }

  // Evicts the oldest lines (and grows the buffer, up to RING_BYTES) until `lines` more
  // lines (at most RING_LINES) of `bytes` in all (at most RING_BYTES) fit. Without a loop
  // over the lines evicted: a chunk relayed evicts as many lines as it brings, and the
  // kept lines lie one after another, so those from a seq on take the bytes from its start
  // to writeAt. The lines over the count go at once; those over the bytes are found by
  // bisection.
  private makeRoom(lines: number, bytes: number): void {
    if (this.starts.length === 0) this.allocateIndex();
    this.evictTo(Math.min(this.next, Math.max(this.first, this.next + lines - RING_LINES)));
    if (this.usedBytes + bytes > this.bytes.length && this.bytes.length < RING_BYTES) this.grow(this.usedBytes + bytes);
    if (this.usedBytes + bytes <= this.bytes.length) return;
    const room = this.bytes.length - bytes;
    let low = this.first + 1;
    let high = this.next;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (this.bytesFrom(middle) <= room) high = middle;
      else low = middle + 1;
    }
    this.evictTo(low);
  }

  // The bytes the kept lines from `seq` on take, up to writeAt.
  private bytesFrom(seq: number): number {
    if (seq >= this.next) return 0;
    const size = this.bytes.length;
    const bytes = (this.writeAt - this.starts[seq % RING_LINES]! + size) % size;
    // A line takes a byte at least, so 0 is the whole buffer, not none.
    return bytes === 0 ? size : bytes;
  }

  private evictTo(seq: number): void {
    if (seq === this.first) return;
    this.usedBytes = this.bytesFrom(seq);
    this.first = seq;
  }

  // Indexes the next line, of `length` bytes where the next goes, and returns where that is.
  private place(stream: StreamName, length: number, continued: boolean): number {
    const at = this.writeAt;
    const slot = this.next % RING_LINES;
    this.starts[slot] = at;
    this.lengths[slot] = length;
    this.ordinals[slot] = this.added[stream]++;
    this.flags[slot] = (stream === 'stderr' ? STDERR : 0) | (continued ? CONTINUED : 0);
    this.next += 1;
    return at;
  }

  /** Why no more lines will come (its service is gone), once end() was called. */
  get ended(): string | undefined {
    return this.endReason;
  }

  // No more lines will come, for `reason` ("web was removed by a reload"): followers
  // read what is left, are told, and end.
  end(reason: string): void {
    this.endReason ??= reason;
    this.notify();
  }

  // Once per turn of the event loop, not per line: a flood costs followers one wake-up.
  private notify(): void {
    if (this.listeners.size === 0 || this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  // The line at `seq`, or undefined if it was overwritten or not written yet.
  line(seq: number): RingLine | undefined {
    if (seq < this.first || seq >= this.next) return undefined;
    const slot = seq % RING_LINES;
    const start = this.starts[slot]!;
    const length = this.lengths[slot]!;
    const flags = this.flags[slot]!;
    const end = start + length;
    const bytes =
      end <= this.bytes.length ? this.bytes.subarray(start, end) : Buffer.concat([this.bytes.subarray(start), this.bytes.subarray(0, end - this.bytes.length)]);
    return { seq, stream: flags & STDERR ? 'stderr' : 'stdout', ordinal: this.ordinals[slot]!, continued: (flags & CONTINUED) !== 0, bytes };
  }

  // The seq from which the last `count` kept lines of `streams` start.
  tailStart(count: number, streams: readonly StreamName[]): number {
    let seq = this.next;
    for (let found = 0; found < count && seq > this.first;) {
      seq -= 1;
      if (streams.includes(this.streamOf(seq))) found += 1;
    }
    return seq;
  }

  // How many lines of `stream` came before `seq`: a reader starting at seq expects this
  // ordinal next.
  ordinalAt(seq: number, stream: StreamName): number {
    let after = 0;
    for (let s = Math.max(seq, this.first); s < this.next; s++) if (this.streamOf(s) === stream) after += 1;
    return this.added[stream] - after;
  }

  // Calls `listener` soon after lines were added; returns the unsubscribe.
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private streamOf(seq: number): StreamName {
    return this.flags[seq % RING_LINES]! & STDERR ? 'stderr' : 'stdout';
  }

  // The index is allocated on the first line: a service that never writes costs nothing.
  private allocateIndex(): void {
    this.starts = new Int32Array(RING_LINES);
    this.lengths = new Int32Array(RING_LINES);
    this.ordinals = new Float64Array(RING_LINES);
    this.flags = new Uint8Array(RING_LINES);
    this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  // Doubles the buffer (up to RING_BYTES) until `needed` fits, the kept lines moved to
  // its start in order.
  private grow(needed: number): void {
    let size = this.bytes.length;
    while (size < needed && size < RING_BYTES) size *= 2;
    size = Math.min(size, RING_BYTES);
    const bigger = Buffer.allocUnsafe(size);
    let at = 0;
    for (let seq = this.first; seq < this.next; seq++) {
      const slot = seq % RING_LINES;
      const line = this.line(seq)!.bytes;
      bigger.set(line, at);
      this.starts[slot] = at;
      at += line.length + 1;
    }
    this.bytes = bigger;
    this.writeAt = at % size;
  }
}
