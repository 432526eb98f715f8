// `corral ready` and `corral health` as a Dockerfile HEALTHCHECK or a Kubernetes exec probe
// runs them: against corral as PID 1, exit 0 or 1 only (Docker reserves 2), with what
// stands in the way named on stderr. Each verdict is checked both ways, so none can pass
// by accident: a probe that fails first passes once the cause is gone, and the reverse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralCli, type CliResult } from '../helpers/corral-cli.js';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';

// Runs `corral ARGS` until `check` accepts the result, or fails after timeoutMs with the last one.
async function pollCli(corral: CorralProcess, args: string[], what: string, check: (result: CliResult) => boolean, timeoutMs = 10_000): Promise<CliResult> {
  let last: CliResult | undefined;
  return pollFor(
    what,
    timeoutMs,
    async () => {
      last = await corralCli(corral, args);
      return check(last) ? last : undefined;
    },
    {
      intervalMs: 100,
      last: () => `corral ${args.join(' ')} exited ${last?.code}, stdout ${JSON.stringify(last?.stdout)}, stderr ${JSON.stringify(last?.stderr)}`,
    },
  );
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .sort();

test('a service still starting fails ready (named, "it is starting") but not health; once its check passes, both exit 0', async (t) => {
  if (skipUnlessPid1(t)) return;
  const gate = join(scratchDir(t), 'gate');
  const corral = await startCorral({
    pid1: true,
    services: {
      'setup.yaml': 'type: oneshot\ncommand: "exit 0"\n',
      'web.yaml': `command: "${LOOP}"\nready: {exec: "test -e ${gate}", interval: 100ms, timeout: 30s}\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web started \(pid \d+\)/);
  await corral.waitForLine(/setup exited with code 0/);

  const ready = await corralCli(corral, ['ready']);
  assert.equal(ready.code, 1);
  assert.equal(ready.stdout, '');
  assert.match(ready.stderr, /^web is not ready: it is starting\b[^\n]*\n$/, 'web alone is named: setup succeeded');
  const health = await corralCli(corral, ['health']);
  assert.deepEqual(health, { code: 0, stdout: 'healthy\n', stderr: '' }, 'a service that is still starting has not failed');

  writeFileSync(gate, '');
  const passed = await pollCli(corral, ['ready'], 'ready to pass once the gate exists', (result) => result.code !== 1);
  assert.deepEqual(passed, { code: 0, stdout: 'ready\n', stderr: '' });
  assert.deepEqual(await corralCli(corral, ['health']), { code: 0, stdout: 'healthy\n', stderr: '' });
  const json = await corralCli(corral, ['health', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { ok: true, command: 'health', passing: true, problems: [] });
});

test('a service failed for good makes health exit 1 naming it, with the dependent it blocks; max_restarts counts as failed too', async (t) => {
  if (skipUnlessPid1(t)) return;
  // Both fail until the gate exists.
  const gate = join(scratchDir(t), 'gate');
  const corral = await startCorral({
    pid1: true,
    services: {
      'migrate.yaml': `type: oneshot\ncommand: "sleep 0.2; test -e ${gate} || exit 3"\n`,
      'web.yaml': `command: "${LOOP}"\ndepends_on: [migrate]\n`,
      'flaky.yaml': `command: "test -e ${gate} || exit 4; ${LOOP}"\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\nmax_restarts: {count: 2}\n`,
      'cron.yaml': `command: "${LOOP}"\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web will not start: it needs migrate, which exited with code 3/);
  await corral.waitForLine(/flaky exited with code 4; giving up \(max_restarts: 2 restarts within 5m\)/);
  await corral.waitForLine(/cron started/);

  const health = await corralCli(corral, ['health']);
  assert.equal(health.code, 1);
  assert.equal(health.stdout, '');
  assert.deepEqual(lines(health.stderr), ['flaky is fatal: exited with code 4', 'migrate is fatal: exited with code 3', 'web is blocked: needs migrate']);

  const ready = await corralCli(corral, ['ready']);
  assert.equal(ready.code, 1);
  assert.deepEqual(lines(ready.stderr), [
    'flaky is not ready: it is fatal (exited with code 4)',
    'migrate is not ready: it is fatal (exited with code 3)',
    'web is not ready: it is blocked (needs migrate)',
  ]);

  // The cause fixed and the services started again, both probes pass.
  writeFileSync(gate, '');
  const start = await corralCli(corral, ['start', 'web', 'flaky']);
  assert.equal(start.code, 0, start.stderr);
  const healed = await pollCli(corral, ['health'], 'health to pass once migrate succeeded', (result) => result.code !== 1);
  assert.deepEqual(healed, { code: 0, stdout: 'healthy\n', stderr: '' });
  const readyAgain = await pollCli(corral, ['ready'], 'web and flaky to be ready', (result) => result.code !== 1);
  assert.deepEqual(readyAgain, { code: 0, stdout: 'ready\n', stderr: '' });
});

test('a crash-looping service waiting in backoff makes health exit 1 ("is in backoff"); stopping it clears the verdict', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'crashy.yaml': 'command: "echo up; exit 4"\nbackoff: {initial: 60s, max: 60s, jitter: 0}\n',
      'web.yaml': `command: "${LOOP}"\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web started/);
  await corral.waitForLine(/crashy exited with code 4; restarting in /);

  const health = await corralCli(corral, ['health']);
  assert.deepEqual(health, { code: 1, stdout: '', stderr: 'crashy is in backoff: it exited with code 4 and is waiting to be restarted\n' });
  const ready = await corralCli(corral, ['ready']);
  assert.equal(ready.code, 1);
  assert.match(ready.stderr, /^crashy is not ready: it is in backoff \(it exited with code 4\)\n$/);

  const stop = await corralCli(corral, ['stop', 'crashy']);
  assert.deepEqual(stop, { code: 0, stdout: 'stopped crashy\n', stderr: '' });
  assert.deepEqual(await corralCli(corral, ['health']), { code: 0, stdout: 'healthy\n', stderr: '' });
  assert.deepEqual(await corralCli(corral, ['ready']), { code: 0, stdout: 'ready\n', stderr: '' });
});

test('without a corral, ready and health exit 1 (never 2 or 111) saying why; status exits 111', async (t) => {
  // No socket at all: corral is not running here.
  const empty = join(scratchDir(t), 'run');
  mkdirSync(empty);
  for (const command of ['ready', 'health']) {
    const result = await corralCli(empty, [command]);
    assert.equal(result.code, 1, `corral ${command}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^corral ${command}: no control socket at ${join(empty, 'control.sock')}: corral is not running here`));
  }
  const status = await corralCli(empty, ['status']);
  assert.equal(status.code, 111);
  assert.match(status.stderr, /^corral status: no control socket at /);
  assert.equal((await corralCli(empty, ['stop', 'web'])).code, 111);

  // A socket file left by a corral that is gone: nothing answers on it.
  const stale = join(scratchDir(t), 'run');
  mkdirSync(stale);
  const made = spawnSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(stale, 'control.sock')], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(made.status, 0, made.stderr);
  for (const command of ['ready', 'health']) {
    const result = await corralCli(stale, [command]);
    assert.equal(result.code, 1, `corral ${command}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^corral ${command}: nothing answers on .*control\\.sock: the corral that made it has exited\\n$`));
  }
  assert.equal((await corralCli(stale, ['status'])).code, 111);
});

test('while corral shuts down, health and ready exit 1 ("corral is shutting down") and stop is refused; corral then exits 0', async (t) => {
  if (skipUnlessPid1(t)) return;
  const release = join(scratchDir(t), 'release');
  // On TERM it says so, then keeps running until the test releases it (8 s at most).
  const slow = [
    `command: "trap 'echo stopping; i=0; while [ ! -e ${release} ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i+1)); done; echo released; exit 0' TERM; echo up; ${LOOP}"`,
    'stop_timeout: 10s',
    '',
  ].join('\n');
  const corral = await startCorral({
    pid1: true,
    deadlineMs: 40_000,
    env: { CORRAL_SHUTDOWN_TIMEOUT: '15s' },
    services: { 'slow.yaml': slow, 'web.yaml': `command: "${LOOP}"\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/slow +\| up/);
  await corral.waitForLine(/web started/);
  assert.deepEqual(await corralCli(corral, ['health']), { code: 0, stdout: 'healthy\n', stderr: '' });

  corral.signal('SIGTERM');
  await corral.waitForLine(/slow +\| stopping/, 10_000);
  const health = await pollCli(corral, ['health'], 'health to report the shutdown', (result) => result.code !== 0);
  assert.equal(health.code, 1);
  assert.equal(health.stdout, '');
  assert.match(health.stderr, /^corral is shutting down\n/m);
  const ready = await corralCli(corral, ['ready']);
  assert.equal(ready.code, 1);
  assert.match(ready.stderr, /^corral is shutting down\n/m);
  const stop = await corralCli(corral, ['stop', 'slow']);
  assert.equal(stop.code, 1);
  assert.match(stop.stderr, /^corral stop: corral is shutting down; services can no longer be started, stopped or signalled\n$/);
  const start = await corralCli(corral, ['start', 'web']);
  assert.equal(start.code, 1);
  assert.match(start.stderr, /shutting down/);
  assert.equal(
    corral.texts().some((line) => /slow +\| released/.test(line)),
    false,
    'slow was still stopping while the probes ran',
  );

  writeFileSync(release, '');
  await corral.waitForLine(/slow +\| released/, 5000);
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});
