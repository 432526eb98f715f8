// What the exec shim sets, observed from inside a service: user with its supplementary
// groups and environment, rlimits, umask, working_dir, and no stray descriptors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const report =
  'echo "pid=$$"; echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME user=$USER logname=$LOGNAME shell=$SHELL"; ' +
  "echo \"nofile=$(ulimit -Sn):$(ulimit -Hn) core=$(ulimit -Sc) umask=$(umask) pwd=$(pwd) fds=$(ls /proc/self/fd | tr '\\n' ' ')\"";

// A throw-away user that belongs to the "users" group (gid 100) besides its own.
function withTestUser(t: { after: (fn: () => void) => void }): string {
  const name = `corral-t${process.pid % 100000}`;
  const made = spawnSync('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/false', '--groups', 'users', name], {
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, `useradd failed: ${made.stderr}`);
  t.after(() => spawnSync('userdel', [name]));
  return name;
}

test('user, groups, HOME/USER/LOGNAME/SHELL, limits, umask and working_dir reach the service', async (t) => {
  if (skipUnlessPid1(t)) return;
  const user = withTestUser(t);
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim();
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim();
  const workdir = scratchDir(t);
  const corral = await startCorral({
    pid1: true,
    services: {
      'who.yaml': [
        `command: ${JSON.stringify(['sh', '-c', `${report}; sleep 60`])}`,
        `user: ${user}`,
        'umask: "0027"',
        `working_dir: /tmp`,
        'limits: {nofile: "512:2048", core: unlimited}',
        '',
      ].join('\n'),
      'plain.yaml': `command: ${JSON.stringify(['sh', '-c', `${report}; sleep 60`])}\nworking_dir: ${workdir}\n`,
    },
  });
  t.after(() => corral.dispose());
  const who = await corral.waitForLine(/who *\| uid=/);
  assert.match(who, new RegExp(`uid=${id} gid=${gid} groups=${gid} 100 home=/nonexistent user=${user} logname=${user} shell=/bin/false`));
  const limits = await corral.waitForLine(/who *\| nofile=/);
  assert.match(limits, /nofile=512:2048 core=unlimited umask=0027 pwd=\/tmp fds=0 1 2 3 /);
  // Without settings: root, nofile soft 1024 (not Node's raised limit), corral's umask.
  const plain = await corral.waitForLine(/plain *\| nofile=/);
  assert.match(plain, new RegExp(`nofile=1024:\\d+ .* pwd=${workdir} fds=0 1 2 3 $`));
  assert.match(await corral.waitForLine(/plain *\| uid=/), /uid=0 gid=0/);
  // The service's pid is the one corral reported: the shim exec'd, it did not fork.
  const reported = /who started \(pid (\d+)\)/.exec(corral.texts().join('\n'))?.[1];
  const seen = /who *\| pid=(\d+)/.exec(corral.texts().join('\n'))?.[1];
  assert.ok(reported !== undefined && reported === seen, `corral reported pid ${reported}, the service saw $$=${seen}`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('a service with a user can reopen /dev/stdout and /dev/stderr, as nginx and many images do', async (t) => {
  if (skipUnlessPid1(t)) return;
  const user = withTestUser(t);
  const reopen = 'echo "to stdout as $(id -u)" > /dev/stdout && echo "to stderr as $(id -u)" > /dev/stderr || echo "reopen failed" >&2; sleep 60';
  const corral = await startCorral({
    pid1: true,
    services: { 'logs.yaml': `command: ${JSON.stringify(['sh', '-c', reopen])}\nuser: ${user}\n` },
  });
  t.after(() => corral.dispose());
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim();
  await corral.waitForLine(new RegExp(`logs *\\| to stdout as ${id}$`));
  await corral.waitForLine(new RegExp(`logs *\\| to stderr as ${id}$`));
  assert.ok(!corral.texts().some((text) => /reopen failed|Permission denied/.test(text)), corral.tail());
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

test('ready: notify works for a service with a user; its socket is its own', async (t) => {
  if (skipUnlessPid1(t)) return;
  const user = withTestUser(t);
  // The run directory's parent must be searchable by the user, as /run is.
  const base = scratchDir(t);
  chmodSync(base, 0o711);
  const send =
    'import os, socket, time\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])\nprint("sent", flush=True)\nwhile True: time.sleep(1)';
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_RUN_DIR: join(base, 'run') },
    services: { 'svc.yaml': `command: ${JSON.stringify(['/usr/bin/python3', '-c', send])}\nuser: ${user}\nready: {notify: true, timeout: 10s}\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/svc is ready \(READY=1/);
  const socket = statSync(join(base, 'run-notify', 'svc.sock'));
  assert.equal(socket.uid, Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim()));
  assert.equal(socket.mode & 0o777, 0o600);
  assert.equal(statSync(join(base, 'run')).mode & 0o777, 0o700, "the control socket's directory stays 0700");
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

test('an exec failure is reported in words and retried with backoff; corral stays up', async (t) => {
  if (skipUnlessPid1(t)) return;
  const workdir = scratchDir(t);
  const corral = await startCorral({
    pid1: true,
    services: {
      'missing.yaml': 'command: ["/no/such/binary"]\nbackoff: {initial: 100ms, jitter: 0}\n',
      'nodir.yaml': `command: ["true"]\nworking_dir: ${workdir}/absent\nrestart: never\n`,
      'alive.yaml': 'command: "echo alive; sleep 60"\n',
    },
  });
  t.after(() => corral.dispose());
  const missing = await corral.waitForLine(/missing could not be started: .*; restarting in 100ms/);
  assert.match(missing, /\/no\/such\/binary.*ENOENT/);
  await corral.waitForLine(/missing could not be started: .*; restarting in 200ms/);
  assert.match(await corral.waitForLine(/nodir could not be started/), /chdir .*absent.*ENOENT.*giving up \(restart: never\)/);
  await corral.waitForLine(/alive *\| alive/);
  assert.ok(!corral.texts().some((text) => /code 127/.test(text)), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('an exec readiness check runs as the service: its user and working_dir', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'svc.yaml': [
        'command: "sleep 60"',
        'user: nobody',
        'working_dir: /tmp',
        `ready: {exec: 'test "$(id -u)" = 65534 && test "$(pwd)" = /tmp', interval: 50ms, timeout: 3s}`,
        'restart: never',
        '',
      ].join('\n'),
      'app.yaml': 'command: "echo app up; sleep 60"\ndepends_on: [svc]\n',
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/svc is ready \(exec check passed/);
  await corral.waitForLine(/app *\| app up/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
