// Start order with each kind of readiness, a failed dependency gating its dependents, a
// readiness timeout, and stop order under SIGTERM: corral as PID 1, real processes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';
import { slowToStop } from '../helpers/service-files.js';
import { freePort } from '../helpers/free-port.js';

// A port nothing listens on right now.
// Index of the first of corral's event lines (stderr, one ordered stream) matching.
function eventIndex(corral: CorralProcess, pattern: RegExp): number {
  const index = corral.texts('stderr').findIndex((text) => pattern.test(text));
  assert.notEqual(index, -1, `no event line matches ${pattern}:\n${corral.tail(40)}`);
  return index;
}

const app = 'command: "echo app up; while :; do sleep 1 & wait $!; done"\ndepends_on: [db]\n';

// Each kind: a "db" that becomes ready only after 400 ms, and an "app" that needs it.
const kinds: Record<string, (port: number) => string> = {
  exec: () =>
    'command: "sleep 0.4; touch ready-flag; while :; do sleep 1 & wait $!; done"\n' +
    'working_dir: WORKDIR\nready: {exec: "test -f ready-flag", interval: 50ms, timeout: 10s}\n',
  tcp: (port) =>
    `command: ["node", "-e", "setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 400)"]\n` +
    `ready: {tcp: ${port}, interval: 50ms, timeout: 10s}\n`,
  http: (port) =>
    `command: ["node", "-e", "const t = Date.now(); require('http').createServer((q, s) => { s.statusCode = Date.now() - t < 400 ? 503 : 200; s.end(); }).listen(${port}, '127.0.0.1')"]\n` +
    `ready: {http: "http://127.0.0.1:${port}/healthz", interval: 50ms, timeout: 10s}\n`,
  log: () =>
    'command: "echo booting; sleep 0.4; echo db listening on 5432; while :; do sleep 1 & wait $!; done"\nready: {log: "listening on \\\\d+", timeout: 10s}\n',
  notify: () =>
    'command: ["python3", "-c", "import os, socket, time\\ntime.sleep(0.4)\\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\\ns.sendto(b\\"STATUS=warm\\\\nREADY=1\\", os.environ[\\"NOTIFY_SOCKET\\"])\\nwhile True: time.sleep(1)"]\n' +
    'ready: {notify: true, timeout: 10s}\n',
};

for (const [kind, db] of Object.entries(kinds)) {
  test(`ready: ${kind}: the dependent starts only once its dependency is ready`, async (t) => {
    if (skipUnlessPid1(t)) return;
    const workdir = scratchDir(t);
    const corral = await startCorral({
      pid1: true,
      services: { 'db.yaml': db(await freePort()).replace('WORKDIR', workdir), 'app.yaml': app },
    });
    t.after(() => corral.dispose());
    await corral.waitForLine(/app *\| app up/, 10_000);
    const ready = await corral.waitForLine(/corral +\| db is ready/);
    // corral's lines (stderr) may trail the services' (stdout) when a reader lags.
    await corral.waitForLine(/corral +\| app started/);
    t.diagnostic(ready);
    const [, amount, unit] = /after ([\d.]+)(ms|s)\)/.exec(ready) ?? [];
    const readyAfter = Number(amount) * (unit === 'ms' ? 1 : 1000);
    assert.ok(readyAfter >= 350, `ready too early: ${ready}`);
    assert.ok(eventIndex(corral, /db started/) < eventIndex(corral, /db is ready/));
    assert.ok(eventIndex(corral, /db is ready/) < eventIndex(corral, /app started/));
  });
}

test('a failed oneshot leaves its dependents unstarted, with one message naming the chain', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'migrate.yaml': 'command: "echo migrating; exit 2"\ntype: oneshot\n',
      'api.yaml': 'command: "echo api up; sleep 60"\ndepends_on: [migrate]\n',
      'web.yaml': 'command: "echo web up; sleep 60"\ndepends_on: [api]\n',
      'other.yaml': 'command: "echo other up; sleep 60"\n',
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/corral +\| error: web will not start: it needs api, which needs migrate, which exited with code 2$/);
  await corral.waitForLine(/corral +\| error: api will not start: it needs migrate, which exited with code 2$/);
  await corral.waitForLine(/other *\| other up/);
  assert.equal(corral.texts().filter((text) => /api up|web up/.test(text)).length, 0, corral.tail());
  assert.equal(corral.texts().filter((text) => /migrating/.test(text)).length, 1, 'a oneshot with restart: never ran once');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('a oneshot that succeeds gates its dependents until it has exited', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'migrate.yaml': 'command: "sleep 0.3; echo migrated"\ntype: oneshot\n',
      'api.yaml': 'command: "echo api up; sleep 60"\ndepends_on: [migrate]\n',
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/api *\| api up/);
  // corral's lines (stderr) may trail the services' (stdout) when a reader lags.
  await corral.waitForLine(/corral +\| api started/);
  assert.ok(eventIndex(corral, /migrate exited with code 0/) < eventIndex(corral, /api started/));
  corral.signal('SIGTERM');
  await corral.waitExit(5000);
});

test('a readiness timeout fails the service: it is stopped, and its dependents are blocked', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'db.yaml': 'command: "echo never says the word; sleep 60"\nready: {log: "listening", timeout: 300ms}\nrestart: never\n',
      'app.yaml': app,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/corral +\| warning: db is not ready within 300ms \(no output line matched \/listening\/\); stopping it/);
  await corral.waitForLine(/corral +\| error: db was stopped: not ready within 300ms .*; giving up \(restart: never\)/);
  await corral.waitForLine(/corral +\| error: app will not start: it needs db, which was stopped: not ready within 300ms/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('SIGTERM: dependents stop before what they depend on; independent services stop in parallel', async (t) => {
  if (skipUnlessPid1(t)) return;
  const markers = join(scratchDir(t), 'markers');
  // db <- api <- web, and three independent workers: the workers stop together with web.
  const corral = await startCorral({
    pid1: true,
    services: {
      'db.yaml': slowToStop('db', markers, []),
      'api.yaml': slowToStop('api', markers, ['db']),
      'web.yaml': slowToStop('web', markers, ['api']),
      'w1.yaml': slowToStop('w1', markers, []),
      'w2.yaml': slowToStop('w2', markers, []),
      'w3.yaml': slowToStop('w3', markers, []),
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web *\| ready/, 10_000);
  await corral.waitForLine(/corral +\| web is ready/);
  for (const name of ['w1', 'w2', 'w3']) await corral.waitForLine(new RegExp(`corral +\\| ${name} is ready`));
  const sent = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  const elapsed = corral.exitedAt! - sent;
  t.diagnostic(`6 services (a chain of 3, 3 independent), 200 ms each: corral exited ${elapsed}ms after SIGTERM (1.2 s if stopped one by one)`);
  const events = readFileSync(markers, 'utf8').trim().split('\n');
  const at = (event: string): number => {
    const index = events.indexOf(event);
    assert.notEqual(index, -1, `no "${event}" in ${events.join(', ')}`);
    return index;
  };
  // Dependents first: api is signalled only after web is done, db only after api.
  assert.ok(at('done web') < at('term api') && at('done api') < at('term db'), events.join(', '));
  // In parallel: web and the three workers were all signalled before any of them finished.
  const firstDone = Math.min(...['web', 'w1', 'w2', 'w3'].map((name) => at(`done ${name}`)));
  for (const name of ['web', 'w1', 'w2', 'w3']) assert.ok(at(`term ${name}`) < firstDone, events.join(', '));
});

test('health: a service that fails its liveness probe `retries` times in a row is restarted', async (t) => {
  if (skipUnlessPid1(t)) return;
  const flag = join(scratchDir(t), 'healthy');
  // Healthy while the flag file exists; the service removes it after its first 300 ms.
  const corral = await startCorral({
    pid1: true,
    services: {
      'svc.yaml': [
        `command: "touch ${flag}; echo run; sleep 0.3; rm -f ${flag}; while :; do sleep 1 & wait $!; done"`,
        `health: {exec: "test -f ${flag}", interval: 1s, timeout: 1s, retries: 3}`,
        'backoff: {initial: 100ms, jitter: 0}',
        '',
      ].join('\n'),
    },
  });
  t.after(() => corral.dispose());
  const unhealthy = await corral.waitForLine(/svc is unhealthy \(3 failed checks, the last: exit code 1\); restarting it/, 10_000);
  t.diagnostic(unhealthy);
  await corral.waitForLine(/svc was stopped: unhealthy .*; restarting in 100ms/);
  await pollFor('the second run', 5000, () => (corral.texts().filter((text) => /svc *\| run/.test(text)).length >= 2 ? true : undefined));
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('ready: notify when the notify socket cannot be made: the service is not started, the reason is said, corral stays up', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_RUN_DIR: '/dev/null/run' },
    services: {
      'svc.yaml': 'command: "sleep 60"\nready: {notify: true}\nrestart: never\n',
      'other.yaml': 'command: "echo other up; sleep 60"\n',
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(
    /svc could not be started: cannot create its notify socket \/dev\/null\/run-notify\/svc\.sock: not a directory \(ENOTDIR\); set CORRAL_RUN_DIR to a directory corral can write; giving up \(restart: never\)/,
  );
  await corral.waitForLine(/other *\| other up/);
  assert.ok(!corral.texts().some((text) => /svc started/.test(text)), 'svc was never started without its socket');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('only disabled services: corral says so, waits, and stops with 0 on SIGTERM', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'example.yaml': 'enabled: false\ncommand: "sleep 60"\n' } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/no enabled service in \S+ \(no \*\.yaml or \*\.yml file, or all say enabled: false\); nothing to run until a reload adds one/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
