// Runs the built corral for a test: as PID 1 of a new PID namespace (unshare), or as a
// plain child (subreaper mode). Collects its output as lines, waits for lines with a
// deadline, and kills everything it started when the test ends or its deadline passes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { PRIVATE_DEV_SCRIPT } from './private-dev.js';
import { loadNativeAddon } from '../../src/native/addon.js';

export const corralMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

// The node flags of corral's bin (its #! line), so tests and benchmarks run corral as
// users do.
export const corralNodeFlags: string[] = readFileSync(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), 'utf8')
  .split('\n', 1)[0]!
  .replace(/^#!\/usr\/bin\/env -S node ?/, '')
  .split(' ')
  .filter((flag) => flag !== '');

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface StartOptions {
  /** file name -> YAML text, written to a fresh services directory */
  services: Record<string, string>;
  /** file name -> script text (mode 0755) or text and mode, written to CORRAL_INIT_DIR */
  initScripts?: Record<string, string | { text: string; mode: number }>;
  /** true: PID 1 of a new PID namespace; false: a plain child, so corral is a subreaper */
  pid1: boolean;
  env?: Record<string, string>;
  /** Appended to corral's command line, e.g. ['--', 'sh', '-c', 'exit 3']. */
  args?: string[];
  /** Everything is killed and the test fails after this long. */
  deadlineMs?: number;
  /** corral's stdout a real pipe, not a socket pair; child.stdout reads it all the same. */
  realStdout?: boolean;
  /** PID 1 only: a /dev of its own (private-dev.ts), where corral may bind /dev/log. */
  privateDev?: boolean;
  /** Prepended to corral's command (not with pid1), e.g. setpriv to run it as another user. */
  wrapper?: string[];
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

let unshareChecked: string | undefined | null = null;

// undefined when `unshare --pid` works here, else why not.
function unshareProblem(): string | undefined {
  if (unshareChecked === null) {
    const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8', timeout: 10_000 });
    unshareChecked = probe.status === 0 ? undefined : (probe.error?.message ?? probe.stderr.trim()) || `exit ${probe.status}`;
  }
  return unshareChecked;
}

// Skips the test when PID namespaces are not permitted here; in CI that is a failure.
export function skipUnlessPid1(t: TestContext): boolean {
  const problem = unshareProblem();
  if (problem === undefined) return false;
  const message = `unshare --pid --fork --mount-proc is not permitted here (${problem}); PID-1 tests need root or user namespaces`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
  t.skip(message);
  return true;
}

// Minimal /proc reading of our own, so the tests do not trust corral's code to check corral.
export function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [state = '?', ppid = '0'] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

export function childrenOf(parent: number): { pid: number; state: string }[] {
  const found: { pid: number; state: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat?.ppid === parent) found.push({ pid: Number(name), state: stat.state });
  }
  return found;
}

export function descendantsOf(root: number): number[] {
  const result: number[] = [];
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const child of childrenOf(pid)) {
      result.push(child.pid);
      stack.push(child.pid);
    }
  }
  return result;
}

// Polls `check` (sync or async) every intervalMs (20 by default) until it returns a value
// other than undefined, or fails after timeoutMs, saying what it waited for and, when
// given, what it last saw. The one polling loop of the tests.
export async function pollFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  options: { intervalMs?: number; last?: () => string } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${options.last ? `; last: ${options.last()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

export class CorralProcess extends EventEmitter<{ line: [OutputLine] }> {
  readonly lines: OutputLine[] = [];
  readonly exited: Promise<ExitResult>;
  /** corral's pid as the host sees it. */
  hostPid = 0;
  exitedAt: number | undefined;
  private running = true;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    readonly child: ChildProcess,
    deadlineMs: number,
  ) {
    super();
    this.setMaxListeners(100);
    this.collect('stdout');
    this.collect('stderr');
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.running = false;
        this.exitedAt = Date.now();
        clearTimeout(this.deadline);
        resolve({ code, signal });
      });
    });
    this.deadline = setTimeout(() => {
      this.killAll();
      this.emit('line', { stream: 'stderr', text: `[test] deadline of ${deadlineMs}ms passed: killed corral` });
    }, deadlineMs);
  }

  private collect(stream: 'stdout' | 'stderr'): void {
    let pending = '';
    this.child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop()!;
      for (const text of parts) {
        const line = { stream, text };
        this.lines.push(line);
        this.emit('line', line);
      }
    });
  }

  texts(stream?: 'stdout' | 'stderr'): string[] {
    return this.lines.filter((line) => stream === undefined || line.stream === stream).map((line) => line.text);
  }

  // corral's own event lines (stderr), without the padded "corral |" prefix.
  events(): string[] {
    return this.texts('stderr').flatMap((text) => {
      const match = /^corral +\| (.*)$/.exec(text);
      return match ? [match[1]!] : [];
    });
  }

  // Resolves with the first line (already seen or to come) that matches; fails after timeoutMs.
  // The default deadline is generous: it only has to end a test that will never pass, and a
  // loaded 2-core machine may be several times slower than an idle one.
  waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line.text));
    if (seen) return Promise.resolve(seen.text);
    return new Promise((resolve, reject) => {
      const onLine = (line: OutputLine): void => {
        if (!pattern.test(line.text)) return;
        cleanup();
        resolve(line.text);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs}ms; last lines:\n${this.tail()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('line', onLine);
      };
      this.on('line', onLine);
    });
  }

  tail(count = 25): string {
    return this.texts().slice(-count).join('\n');
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.hostPid, signal);
  }

  async waitExit(timeoutMs: number): Promise<ExitResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`corral did not exit within ${timeoutMs}ms; last lines:\n${this.tail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // SIGKILLs corral and every process below it (in subreaper mode its services would
  // otherwise be left running).
  killAll(): void {
    if (!this.running) return;
    const pids = [...descendantsOf(this.child.pid!), this.child.pid!];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async dispose(): Promise<void> {
    this.killAll();
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Starts corral on a fresh services directory made from `options.services`.
export async function startCorral(options: StartOptions): Promise<CorralProcess> {
  if (!existsSync(corralMain)) throw new Error(`${corralMain} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'corral-test-'));
  for (const [file, text] of Object.entries(options.services)) writeFileSync(join(dir, file), text);
  // Its own init directory, empty unless given: never the host's /etc/corral/init.d.
  const initDir = join(dir, 'init.d');
  if (options.initScripts !== undefined) {
    mkdirSync(initDir);
    for (const [file, script] of Object.entries(options.initScripts)) {
      const { text, mode } = typeof script === 'string' ? { text: script, mode: 0o755 } : script;
      writeFileSync(join(initDir, file), text);
      chmodSync(join(initDir, file), mode);
    }
  }
  const corralArgs = [...corralNodeFlags, corralMain, '--services', dir, ...(options.args ?? [])];
  // Readable by the user a wrapper may switch to.
  if (options.wrapper) chmodSync(dir, 0o755);
  // With privateDev, a shell prepares /dev and execs node, which so stays PID 1.
  const node = options.privateDev ? ['sh', '-c', PRIVATE_DEV_SCRIPT, process.execPath] : [process.execPath];
  const [command, args] = options.pid1
    ? ['unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...node, ...corralArgs]]
    : options.wrapper
      ? [options.wrapper[0]!, [...options.wrapper.slice(1), process.execPath, ...corralArgs]]
      : [process.execPath, corralArgs];
  // A real pipe, as Docker and Kubernetes give: Node's 'pipe' is a socket pair.
  const stdoutPipe = options.realStdout ? loadNativeAddon().pipe() : undefined;
  const child = spawn(command, args, {
    stdio: ['ignore', stdoutPipe?.[1] ?? 'pipe', 'pipe'],
    // Its own run directory, so notify sockets of parallel tests never collide.
    env: { ...process.env, CORRAL_RUN_DIR: join(dir, 'run'), CORRAL_INIT_DIR: initDir, ...options.env },
  });
  if (stdoutPipe !== undefined) {
    closeSync(stdoutPipe[1]);
    Object.assign(child, { stdout: new Socket({ fd: stdoutPipe[0], readable: true, writable: false }) });
  }
  const corral = new CorralProcess(dir, child, options.deadlineMs ?? 20_000);
  corral.hostPid = options.pid1 ? await pollFor('corral to start inside the namespace', 5000, () => childrenOf(child.pid!)[0]?.pid) : child.pid!;
  return corral;
}
