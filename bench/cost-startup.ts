// Start-up of the cost benchmark (bench/cost.ts): the time from spawning the PID 1 to the
// first of its services running, and to all of them. Each service is a script that writes
// its name into a FIFO this process reads, then execs `sleep`: "running" is that line
// arriving, an event, waited for with a deadline. The reference is `node -e 0` with
// corral's V8 flags, spawned the same way (under unshare) and timed to its exit.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, constants, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corralNodeFlags } from '../test/helpers/corral-process.js';
import { startPid1, type Pid1 } from './cost-pid1.js';
import { Wakeup } from './wakeup.js';

const DEADLINE_MS = 30_000;

export interface StartupFigures {
  /** ms from spawn to the first service's line. */
  firstMs: number;
  /** ms from spawn to the last service's line. */
  allMs: number;
}

// Lines written into a FIFO, as they come. The FIFO is opened read-write, so it never
// sees an end while services come and go.
class FifoLines {
  private readonly socket: Socket;
  private readonly seen: number[] = [];
  private pending = '';
  private readonly wakeup = new Wakeup();

  constructor(readonly path: string) {
    const made = spawnSync('mkfifo', [path]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
    this.socket = new Socket({ fd: openSync(path, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
    this.socket.setEncoding('utf8').on('data', (text: string) => {
      const now = performance.now();
      const lines = (this.pending + text).split('\n');
      this.pending = lines.pop()!;
      this.seen.push(...lines.map(() => now));
      this.wakeup.wake();
    });
  }

  // The time the count-th line arrived.
  async nth(count: number, what: string): Promise<number> {
    const deadline = Date.now() + DEADLINE_MS;
    while (this.seen.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${DEADLINE_MS} ms waiting for ${what} (${this.seen.length} of ${count} lines)`);
      await this.wakeup.wait(left);
    }
    return this.seen[count - 1]!;
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function measureStartup(pid1: Pid1, count: number): Promise<StartupFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-startup-'));
  const fifo = new FifoLines(join(dir, 'up.fifo'));
  const script = join(dir, 'up.sh');
  writeFileSync(script, `#!/bin/sh\necho "$1" > ${fifo.path}\nexec sleep 100000\n`);
  chmodSync(script, 0o755);
  const services = Array.from({ length: count }, (_, i) => ({ name: `s${i}`, argv: [script, `s${i}`] }));
  try {
    const running = await startPid1(pid1, services, {}, dir);
    try {
      const first = await fifo.nth(1, `${pid1.name}'s first service`);
      const all = await fifo.nth(count, `${pid1.name}'s ${count} services`);
      return { firstMs: first - running.spawnedAt, allMs: all - running.spawnedAt };
    } finally {
      await running.stop();
    }
  } finally {
    fifo.close();
  }
}

/** ms from spawning `unshare ... node <corral's flags> -e 0` to its exit. */
export async function measureNodeE0(): Promise<number> {
  const started = performance.now();
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, ...corralNodeFlags, '-e', '0'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`node -e 0 exited with ${code}`);
  return performance.now() - started;
}
