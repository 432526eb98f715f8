// The command line and bad input, through the built binary: clear errors, documented codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { corralMain, corralNodeFlags, startCorral } from '../helpers/corral-process.js';

function corral(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [corralMain, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...env } });
}

test('the bin runs through its #! line with its V8 flags, and npm start uses the same flags', () => {
  assert.ok(corralNodeFlags.includes('--max-old-space-size=128'), `flags read from the #! line: ${corralNodeFlags.join(' ')}`);
  const shebang = readFileSync(corralMain, 'utf8').split('\n', 1)[0]!;
  assert.equal(shebang, `#!/usr/bin/env -S node ${corralNodeFlags.join(' ')}`, 'the built bin keeps the line');
  // What the kernel does with the #! line: env splits it (-S) and runs node with the flags.
  const viaEnv = spawnSync('/usr/bin/env', ['-S', `${process.execPath} ${corralNodeFlags.join(' ')}`, corralMain, '--version'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${corralNodeFlags.join(' ')} dist/cli/main.js --services services.d`);
});

test('corral deepens its stdout pipe to 1 MiB, so it need not wait for every read of the log reader', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-pipe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hello.yaml'), 'command: ["echo", "hello"]\nrestart: never\n');
  // The reader reads everything, then asks the kernel how deep its stdin pipe is now
  // (fcntl F_GETPIPE_SZ = 1032): a plain pipe starts at 64 KiB.
  const reader = `python3 -c "import fcntl, sys; sys.stdin.buffer.read(); print(fcntl.fcntl(0, 1032))"`;
  const run = spawnSync('sh', ['-c', `"$0" "$@" --services ${dir} -- true | ${reader}`, process.execPath, ...corralNodeFlags, corralMain], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), String(1024 * 1024));
});

test('--help and --version print and exit 0', () => {
  const help = corral(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: corral \[--services DIR\]/);
  const version = corral(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('a misspelt option exits 100 and suggests the right one', () => {
  const result = corral(['--servcies', '/tmp']);
  assert.equal(result.status, 100);
  assert.match(result.stderr, /Unknown option '--servcies'; did you mean --services\? \(see corral --help\)/);
});

test('an invalid service file exits 100, names file, line and key, and starts nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'good.yaml'), 'command: "echo should-not-run"\n');
  writeFileSync(join(dir, 'web.yaml'), 'command: server\nrestrat: always\nstop_timeout: 5\n');
  const result = corral(['--services', dir]);
  assert.equal(result.status, 100);
  assert.match(result.stderr, /invalid configuration; nothing was started/);
  assert.ok(result.stderr.includes(`${join(dir, 'web.yaml')}:2:1: restrat: unknown key "restrat"; did you mean "restart"?`), result.stderr);
  assert.ok(result.stderr.includes(`${join(dir, 'web.yaml')}:3:15: stop_timeout: expected a duration like "10s" or "500ms", got 5`), result.stderr);
  assert.doesNotMatch(result.stdout + result.stderr, /should-not-run|started \(pid/);
});

test('a missing services directory exits 100 and says how to fix it', () => {
  const result = corral(['--services', '/nonexistent/services.d']);
  assert.equal(result.status, 100);
  assert.match(result.stderr, /\/nonexistent\/services\.d: the services directory does not exist; create it, or choose another with --services DIR/);
});

test('a bad CORRAL_SHUTDOWN_TIMEOUT exits 100', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-cli-'));
  try {
    const result = corral(['--services', dir], { CORRAL_SHUTDOWN_TIMEOUT: 'soon' });
    assert.equal(result.status, 100);
    assert.match(result.stderr, /CORRAL_SHUTDOWN_TIMEOUT: expected a duration like "9s" or "500ms", got "soon"/);
    // Just past what a timer holds (2^31-1 ms): refused, not a deadline that comes at once.
    const long = corral(['--services', dir], { CORRAL_SHUTDOWN_TIMEOUT: '2147483648ms' });
    assert.equal(long.status, 100);
    assert.match(long.stderr, /CORRAL_SHUTDOWN_TIMEOUT: "2147483648ms" is longer than the longest duration corral can wait, 2147483647ms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command that does not exist is reported as such, retried with backoff, and corral stays up', async (t) => {
  const run = await startCorral({
    pid1: false,
    services: {
      'typo.yaml': 'command: ["/usr/bin/no-such-server", "--port", "80"]\nbackoff: {initial: 100ms, max: 200ms, jitter: 0}\n',
      'fine.yaml': 'command: "echo fine; sleep 1000"\n',
    },
  });
  t.after(() => run.dispose());
  const first = await run.waitForLine(/typo could not be started/);
  assert.equal(
    first,
    "corral | warning: typo could not be started: /usr/bin/no-such-server: command not found (ENOENT); check the command's spelling and PATH; restarting in 100ms",
  );
  await run.waitForLine(/typo could not be started.*restarting in 200ms/);
  await run.waitForLine(/fine +\| fine/);
  run.signal('SIGTERM');
  assert.deepEqual(await run.waitExit(5000), { code: 0, signal: null });
});
