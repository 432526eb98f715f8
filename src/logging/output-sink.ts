// corral's stdout or stderr as the one writer in front of the file descriptor.
// process.stdout on a pipe is asynchronous and buffers without limit, so the sink reports
// back-pressure (write() returned false) to the relays, which stop reading their service
// pipes until 'drain': the services then block in write(), and nothing is lost or piled
// up in corral. A closed reader (EPIPE) must not crash PID 1: output is then dropped.
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';

export class OutputSink extends EventEmitter<{ blocked: []; drained: [] }> {
  private broken = false;
  private waitingForDrain = false;
  /** Bytes dropped because the stream was closed under us. */
  droppedBytes = 0;

  constructor(
    readonly name: 'stdout' | 'stderr',
    private readonly stream: Writable,
  ) {
    super();
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // EPIPE and friends: the log reader went away. Keep supervising; drop output.
      this.broken = true;
      this.droppedBytes += stream.writableLength;
      if (error.code !== 'EPIPE') process.emitWarning(`corral: ${name} failed: ${error.message}`);
      this.release();
    });
    stream.on('drain', () => this.release());
  }

  get isBlocked(): boolean {
    return this.waitingForDrain;
  }

  write(bytes: Buffer | string): void {
    if (this.broken) {
      this.droppedBytes += bytes.length;
      return;
    }
    if (!this.stream.write(bytes) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.emit('blocked');
    }
  }

  // Resolves once everything written has left the process, or after timeoutMs.
  flush(timeoutMs: number): Promise<void> {
    if (this.broken || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stream.off('drain', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.stream.on('drain', done);
    });
  }

  private release(): void {
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.emit('drained');
  }
}
