// Who may use the control socket: only corral's own uid. The kernel refuses other users
// (0700 directory, 0600 socket); root passes any file mode, so corral also checks the
// peer's uid (SO_PEERCRED). A socket left by a dead corral is replaced; a live one is not.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralCli, runDirOf, type StatusJson } from '../helpers/corral-cli.js';
import { corralMain, corralNodeFlags, CorralProcess, pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';
const NOBODY = 65534;
const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

function skipUnlessRoot(t: { skip: (message: string) => void }): boolean {
  if (process.getuid?.() === 0) return false;
  t.skip('needs root: it runs clients and corral as another uid');
  return true;
}

// Waits for corral's control socket to exist (it is made after the services are read).
function socketOf(runDir: string): Promise<string> {
  const path = join(runDir, 'control.sock');
  return pollFor(`the control socket ${path}`, 10_000, () => (existsSync(path) ? path : undefined));
}

// Binds a unix socket at `path` and exits without removing it, as a killed corral would.
function leaveStaleSocket(path: string): void {
  const made = spawnSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(made.status, 0, `python3 could not make a socket: ${made.error?.message ?? made.stderr}`);
}

// Whether anything accepts a connection on the unix socket `path`.
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

test('the control socket is 0600 in a 0700 directory, both owned by root', async (t) => {
  if (skipUnlessPid1(t) || skipUnlessRoot(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'web.yaml': `command: "${LOOP}"\n` } });
  t.after(() => corral.dispose());
  const path = await socketOf(runDirOf(corral));
  const socket = lstatSync(path);
  assert.ok(socket.isSocket());
  assert.equal((socket.mode & 0o7777).toString(8), '600');
  assert.equal(socket.uid, 0);
  const dir = lstatSync(runDirOf(corral));
  assert.ok(dir.isDirectory());
  assert.equal((dir.mode & 0o7777).toString(8), '700');
  assert.equal(dir.uid, 0);
});

test('a non-root client is refused by the kernel: status exits 111 saying permission denied and who may; ready and health exit 1', async (t) => {
  if (skipUnlessPid1(t) || skipUnlessRoot(t)) return;
  // An open directory around the run directory, so only corral's own modes keep uid 65534 out.
  const open = scratchDir(t);
  chmodSync(open, 0o755);
  const runDir = join(open, 'run');
  const corral = await startCorral({ pid1: true, env: { CORRAL_RUN_DIR: runDir }, services: { 'web.yaml': `command: "${LOOP}"\n` } });
  t.after(() => corral.dispose());
  await socketOf(runDir);
  assert.equal((await corralCli(runDir, ['status'])).code, 0, 'root is served');

  const status = await corralCli(runDir, ['status'], { wrapper: AS_NOBODY });
  assert.equal(status.code, 111);
  assert.equal(status.stdout, '');
  assert.match(
    status.stderr,
    /^corral status: permission denied on .*\/run\/control\.sock: only the user corral runs as \(uid 0\) may use it, and you are uid 65534; run the command as that user/,
  );
  for (const probe of ['ready', 'health']) {
    const result = await corralCli(runDir, [probe], { wrapper: AS_NOBODY });
    assert.equal(result.code, 1, `${probe} as uid 65534: ${result.stderr}`);
    assert.match(result.stderr, /permission denied/);
  }
  const stop = await corralCli(runDir, ['stop', 'web'], { wrapper: AS_NOBODY });
  assert.equal(stop.code, 111);
  const after = await corralCli(runDir, ['status', '--json']);
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(
    (JSON.parse(after.stdout) as StatusJson).services.map((entry) => [entry.name, entry.state]),
    [['web', 'running']],
    'the refused stop did nothing',
  );
});

test('corral running as uid 65534 refuses root by its peer check (SO_PEERCRED) and serves uid 65534', async (t) => {
  if (skipUnlessRoot(t)) return;
  // A tree uid 65534 can read, with a world-writable place for its run directory.
  const dir = mkdtempSync(join(tmpdir(), 'corral-nobody-'));
  chmodSync(dir, 0o755);
  const services = join(dir, 'services');
  mkdirSync(services, { mode: 0o755 });
  writeFileSync(join(services, 'web.yaml'), `command: "${LOOP}"\n`, { mode: 0o644 });
  const rundirs = join(dir, 'rundirs');
  mkdirSync(rundirs);
  chmodSync(rundirs, 0o777);
  const runDir = join(rundirs, 'nobody');
  // Not PID 1: a subreaper of our own, which is all the peer check needs.
  const child = spawn(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, ...corralNodeFlags, corralMain, '--services', services], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CORRAL_RUN_DIR: runDir },
  });
  // CorralProcess collects the output, enforces the deadline, and on dispose kills corral
  // and everything under it, then removes `dir`.
  const corral = new CorralProcess(dir, child, 30_000);
  corral.hostPid = child.pid!;
  t.after(() => corral.dispose());
  await corral.waitForLine(/web started/, 10_000);
  const path = await socketOf(runDir);
  assert.equal(lstatSync(path).uid, NOBODY);
  assert.equal((lstatSync(path).mode & 0o777).toString(8), '600');

  const root = await corralCli(runDir, ['status']);
  assert.equal(root.code, 1);
  assert.equal(root.stdout, '');
  assert.match(
    root.stderr,
    /^corral status: refused: only uid 65534 may use corral's control socket; you are uid 0\. Run the command as that user \(docker exec -u 65534 \.\.\.\)\n$/,
  );
  await corral.waitForLine(/warning: control socket: refused uid 0; only corral's own uid 65534 may use it/);
  const rootStop = await corralCli(runDir, ['stop', 'web']);
  assert.equal(rootStop.code, 1);
  assert.match(rootStop.stderr, /refused: only uid 65534/);
  assert.equal((await corralCli(runDir, ['health'])).code, 1);

  const own = await corralCli(runDir, ['status', '--json'], { wrapper: AS_NOBODY });
  assert.equal(own.code, 0, own.stderr);
  const status = JSON.parse(own.stdout) as StatusJson;
  assert.equal(status.corral.pid, child.pid, 'setpriv execs node, so corral has the pid we started');
  assert.deepEqual(
    status.services.map((entry) => [entry.name, entry.state]),
    [['web', 'running']],
    'the refused stop did nothing',
  );
  assert.deepEqual(await corralCli(runDir, ['health'], { wrapper: AS_NOBODY }), { code: 0, stdout: 'healthy\n', stderr: '' });

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});

test('a stale socket left by a dead corral is replaced; a live corral keeps its socket from a second one', async (t) => {
  if (skipUnlessPid1(t)) return;
  const runDir = join(scratchDir(t), 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const path = join(runDir, 'control.sock');
  leaveStaleSocket(path);
  assert.ok(lstatSync(path).isSocket());
  assert.equal(await answers(path), false, 'nothing answers on the stale socket yet');

  const first = await startCorral({ pid1: true, env: { CORRAL_RUN_DIR: runDir }, services: { 'first.yaml': `command: "${LOOP}"\n` } });
  t.after(() => first.dispose());
  await first.waitForLine(/first started/);
  await pollFor(`an answer on ${path}`, 10_000, async () => ((await answers(path)) ? true : undefined), { intervalMs: 50, last: () => first.tail() });
  const served = await corralCli(runDir, ['status', '--json']);
  assert.equal(served.code, 0, served.stderr);
  assert.deepEqual(
    (JSON.parse(served.stdout) as StatusJson).services.map((entry) => entry.name),
    ['first'],
  );
  assert.equal(
    first.texts().some((line) => /another corral/.test(line)),
    false,
  );
  const liveInode = lstatSync(path).ino;

  const second = await startCorral({ pid1: true, env: { CORRAL_RUN_DIR: runDir }, services: { 'second.yaml': `command: "${LOOP}"\n` } });
  t.after(() => second.dispose());
  await second.waitForLine(
    new RegExp(
      `warning: cannot take the control socket ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another corral is serving it; give this corral its own CORRAL_RUN_DIR; corral status and the other control commands will not work`,
    ),
    10_000,
  );
  // Without its socket, the second one supervises all the same.
  await second.waitForLine(/second started/);
  assert.equal(lstatSync(path).ino, liveInode, 'the socket file was not replaced');
  const still = await corralCli(runDir, ['status', '--json']);
  assert.equal(still.code, 0, still.stderr);
  assert.deepEqual(
    (JSON.parse(still.stdout) as StatusJson).services.map((entry) => entry.name),
    ['first'],
  );

  second.signal('SIGTERM');
  assert.deepEqual(await second.waitExit(10_000), { code: 0, signal: null });
  assert.equal((await corralCli(runDir, ['health'])).code, 0, "the second one leaving does not take the first one's socket with it");
  assert.equal(lstatSync(path).ino, liveInode);
});
