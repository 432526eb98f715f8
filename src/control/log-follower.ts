// `corral logs NAME [-n N] [-f]` on corral's side: the last lines of a service's LogRing,
// then (with -f) each new one, as JSON lines on the control connection.
// A follower can never slow a service or corral: it is written to only while its socket
// has nothing queued, at most a batch at a time, and otherwise reads the ring where it
// left off when the socket drains. Lines the ring overwrote meanwhile are counted per
// stream and reported as `missed`, never waited for. So a follower costs at most one
// batch of memory, and the relay never learns it exists. A reload that changes the service
// keeps its ring (log-ring.ts), so a follower goes on; one that removes it ends the ring,
// and the follower is told why and closed.
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { LogRing, RingLine, StreamName } from '../logging/log-ring.js';
import { ControlError, type LogRecord, type LogsRequest, type ControlResponse } from './protocol.js';

/** Followers at once, over all services; more are refused (each may hold one batch). */
export const MAX_FOLLOWERS = 16;
/** One write to a follower holds at most about this much. */
const BATCH_BYTES = 64 * 1024;

export class LogFollowers {
  private count = 0;

  // Takes over `socket` for `request`; throws a ControlError, answered as usual, when it
  // cannot.
  serve(request: LogsRequest, ring: LogRing, socket: Socket): void {
    if (request.follow && this.count >= MAX_FOLLOWERS) {
      throw new ControlError('refused', `${MAX_FOLLOWERS} clients already follow logs (corral logs -f); stop one, or leave out -f`);
    }
    const header: ControlResponse = { ok: true, command: 'logs', service: request.service };
    socket.write(`${JSON.stringify(header)}\n`);
    const reader = new RingReader(ring, request.streams, ring.tailStart(request.lines, request.streams));
    if (!request.follow) {
      // The tail is at most the ring: write it all, then close.
      socket.end(reader.batch(Infinity));
      return;
    }
    this.count += 1;
    let waiting = false;
    const pump = (): void => {
      if (waiting || socket.destroyed) return;
      while (!socket.destroyed) {
        const text = reader.batch(BATCH_BYTES);
        if (text === '') break;
        if (!socket.write(text)) {
          waiting = true;
          return;
        }
      }
      // Everything read, and no more will come: said, and the connection ends.
      const { ended } = ring;
      if (ended !== undefined && !socket.destroyed) socket.end(`${JSON.stringify({ ended } satisfies LogRecord)}\n`);
    };
    socket.on('drain', () => {
      waiting = false;
      pump();
    });
    const unsubscribe = ring.subscribe(pump);
    socket.once('close', () => {
      unsubscribe();
      this.count -= 1;
    });
    pump();
  }
}

// Reads a ring from a seq on, as JSON lines, keeping per stream the ordinal it expects
// next so that a gap (lines overwritten before it read them) becomes a `missed` record.
export class RingReader {
  private readonly expected: Record<StreamName, number>;

  constructor(
    private readonly ring: LogRing,
    private readonly streams: readonly StreamName[],
    private seq: number,
  ) {
    this.expected = { stdout: ring.ordinalAt(seq, 'stdout'), stderr: ring.ordinalAt(seq, 'stderr') };
  }

  // The next records, about maxBytes of them, or '' when it has read everything.
  batch(maxBytes: number): string {
    const parts: string[] = [];
    let size = 0;
    if (this.seq < this.ring.firstSeq) this.seq = this.ring.firstSeq;
    for (; this.seq < this.ring.nextSeq && size < maxBytes; this.seq++) {
      const line = this.ring.line(this.seq)!;
      if (!this.streams.includes(line.stream)) continue;
      const missed = line.ordinal - this.expected[line.stream];
      if (missed > 0) parts.push(`${JSON.stringify({ stream: line.stream, missed } satisfies LogRecord)}\n`);
      this.expected[line.stream] = line.ordinal + 1;
      const text = `${JSON.stringify(recordOf(line))}\n`;
      parts.push(text);
      size += text.length;
    }
    return parts.join('');
  }
}

function recordOf(line: RingLine): LogRecord {
  const continued = line.continued ? { continued: true as const } : {};
  return isUtf8(line.bytes)
    ? { stream: line.stream, line: line.bytes.toString('utf8'), ...continued }
    : { stream: line.stream, raw: line.bytes.toString('base64'), ...continued };
}
