// A check command's output, as run-check.ts keeps it: stdout and stderr in one buffer in
// the order the chunks came (as a terminal would show them), up to a cap, decoded once at
// the end so that a character split across two reads stays whole.
import type { Readable } from 'node:stream';

export interface CheckOutput {
  /** Resolves once every pipe is closed: at EOF, or closed here. */
  closed: Promise<void>;
  /** True once the output passed the cap and reading stopped there. */
  readonly cut: boolean;
  /** What was kept, as UTF-8. */
  text: () => string;
  /** Stops reading now: nothing more is wanted. */
  close: () => void;
  /** Stops reading after graceMs unless the pipes closed by then (cleared once they did). */
  closeAfter: (graceMs: number) => void;
}

// Reads `streams` until they end, keeping at most limitBytes. Past the cap every pipe is
// closed: the writer's next write fails (EPIPE, or SIGPIPE ends it), as its exit says.
export function captureOutput(streams: readonly Readable[], limitBytes: number): CheckOutput {
  const chunks: Buffer[] = [];
  let kept = 0;
  let cut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // `last` is closed after the others: a writer told of the cut there (ECONNRESET) and
  // complaining on another stream finds that one closed too, rather than printing on.
  const close = (last?: Readable): void => {
    for (const stream of streams) if (stream !== last) stream.destroy();
    last?.destroy();
  };
  const keep = (stream: Readable, chunk: Buffer): void => {
    if (cut) return;
    const room = limitBytes - kept;
    if (chunk.length <= room) {
      chunks.push(chunk);
      kept += chunk.length;
      return;
    }
    chunks.push(chunk.subarray(0, room));
    kept = limitBytes;
    cut = true;
    close(stream);
  };
  const ended = streams.map(
    (stream) =>
      new Promise<void>((resolve) => {
        stream.on('data', (chunk: Buffer) => keep(stream, chunk));
        // A read error ends the stream as EOF would; 'close' follows it.
        stream.on('error', () => {});
        stream.once('close', resolve);
      }),
  );
  const closed = Promise.all(ended).then(() => clearTimeout(graceTimer));
  return {
    closed,
    get cut() {
      return cut;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    close: () => close(),
    closeAfter: (graceMs) => {
      graceTimer ??= setTimeout(() => close(), graceMs);
    },
  };
}
