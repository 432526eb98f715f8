// One detached container for a test: started with `run -d`, its log followed line by line
// (`logs -f`), waited for with deadlines, and removed (with its log follower) when the test
// ends, whatever happened.
import { pollFor } from './corral-process.js';
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { must, run, type Engine, type EngineResult } from './container-engine.js';

export class Container {
  readonly lines: string[] = [];
  private follower: ResultPromise | undefined;
  private waiters = new Set<() => void>();

  private constructor(
    readonly engine: Engine,
    readonly name: string,
  ) {}

  /** `run -d --name NAME ...options IMAGE ...args`, removed after the test. */
  static async start(t: TestContext, engine: Engine, options: string[], image: string, args: string[] = []): Promise<Container> {
    const container = new Container(engine, `corral-test-${randomBytes(4).toString('hex')}`);
    t.after(() => container.remove());
    await must(engine, ['run', '-d', '--name', container.name, ...options, image, ...args], 60_000);
    container.follow();
    return container;
  }

  /** Follows a container the engine started otherwise (podman kube play); removed after the test. */
  static attach(t: TestContext, engine: Engine, name: string): Container {
    const container = new Container(engine, name);
    t.after(() => container.remove());
    container.follow();
    return container;
  }

  private follow(): void {
    // Both of the container's streams, merged: corral's events go to stderr, services'
    // lines to stdout.
    const follower = execa(this.engine.name, ['logs', '-f', this.name], { env: this.engine.env, reject: false, all: true, buffer: false });
    this.follower = follower;
    let rest = '';
    follower.all?.setEncoding('utf8');
    follower.all?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.waiters) wake();
    });
  }

  /** The first log line at or after index `from` that matches, within `timeoutMs`. */
  async waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<{ line: string; index: number }> {
    const find = (): { line: string; index: number } | undefined => {
      const index = this.lines.findIndex((line, at) => at >= from && pattern.test(line));
      return index === -1 ? undefined : { line: this.lines[index]!, index };
    };
    const hit = find();
    if (hit) return hit;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no log line matching ${pattern} within ${timeoutMs}ms; the log so far:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      const wake = (): void => {
        const found = find();
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(found);
      };
      this.waiters.add(wake);
    });
  }

  exec(args: string[], timeoutMs = 30_000): Promise<EngineResult> {
    return run(this.engine, ['exec', this.name, ...args], timeoutMs);
  }

  /** Waits for the container to stop; its exit code. */
  async wait(timeoutMs: number): Promise<number> {
    const output = await must(this.engine, ['wait', this.name], timeoutMs);
    // The log follower ends with the container; let it deliver the last lines.
    await this.follower;
    return Number(output.trim().split('\n').pop());
  }

  async remove(): Promise<void> {
    // podman rm -f would otherwise wait out the stop timeout.
    const now = this.engine.name === 'podman' ? ['-t', '0'] : [];
    await run(this.engine, ['rm', '-f', ...now, this.name], 60_000).catch(() => undefined);
    this.follower?.kill('SIGKILL');
    await this.follower?.catch(() => undefined);
  }
}

// Zombies in the container's PID namespace, counted from /proc with nothing of corral's.
export async function zombiesIn(container: Container): Promise<number> {
  const result = await container.exec(['sh', '-c', "cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ' || true"]);
  return Number(result.stdout.trim());
}

// Polls until no zombie is left in the container, or fails after timeoutMs.
export async function untilNoZombies(container: Container, timeoutMs: number): Promise<void> {
  let zombies = 0;
  const poll = async (): Promise<true | undefined> => ((zombies = await zombiesIn(container)) === 0 ? true : undefined);
  await pollFor('no zombie in the container', timeoutMs, poll, { intervalMs: 200, last: () => `${zombies} zombie(s)` });
}

/**
 * `stop -t SECONDS` (or the `stop` command given), as docker stop is used: the container
 * exits 0 within that budget, nothing needed SIGKILL, and the services named in `order`
 * stopped in that order.
 */
export async function stopInOrder(
  container: Container,
  seconds: number,
  order: string[],
  stop = ['stop', '-t', String(seconds), container.name],
): Promise<void> {
  const started = Date.now();
  await must(container.engine, stop, 60_000 + seconds * 1000);
  const tookMs = Date.now() - started;
  assert.equal(await container.wait(30_000), 0);
  const stopped = await Promise.all(order.map((name) => container.waitForLine(new RegExp(`\\| ${name} stopped`), 5_000)));
  stopped.forEach((line, i) =>
    assert.ok(i === 0 || line.index > stopped[i - 1]!.index, `${order[i - 1]} stops before ${order[i]}:\n${container.lines.join('\n')}`),
  );
  assert.ok(tookMs < seconds * 1000, `stop took ${tookMs}ms, past its ${seconds} s budget`);
  assert.ok(!container.lines.some((line) => /SIGKILL/.test(line)), 'nothing needed SIGKILL');
}
