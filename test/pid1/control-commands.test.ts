// corral as PID 1, driven only through the `corral` client: status (table and JSON),
// stop/start/restart with their dependents and dependencies, signal, reload.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralCli, service, statusOf, waitForStatus, type StatusJson } from '../helpers/corral-cli.js';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

// A shell that keeps one sleep child, so its process group has two processes.
const loop = (word: string, extra = ''): string => `command: "echo ${word}; while :; do sleep 1 & wait $!; done"\n${extra}`;

const states = (status: StatusJson): Record<string, string> => Object.fromEntries(status.services.map((entry) => [entry.name, entry.state]));

test('corral status: a table that fits 80 columns, and --json with usage from /proc', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'db.yaml': loop('db up'), 'web.yaml': loop('web up', 'depends_on: [db]\n'), 'hello.yaml': 'type: oneshot\ncommand: "echo hello; exit 0"\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web +\| web up/);
  const status = await waitForStatus(corral, 'two processes in db and web', (s) => ['db', 'web'].every((name) => service(s, name).usage?.processes === 2));

  assert.equal(status.corral.pid, 1);
  const db = service(status, 'db');
  assert.equal(db.state, 'running');
  assert.equal(db.ready, true);
  assert.equal(db.restarts, 0);
  assert.ok(db.pid !== null && db.pid > 1, `db has a pid in the namespace: ${db.pid}`);
  assert.ok(db.usage !== null && db.usage.rssBytes > 100_000, `db's group has resident memory: ${db.usage?.rssBytes}`);
  assert.ok(db.usage.cpuPercent !== null && db.usage.cpuPercent >= 0);
  assert.ok(db.linesRelayed.stdout >= 1);
  assert.deepEqual(service(status, 'hello').lastExit, { description: 'exited with code 0', code: 0, signal: null });
  assert.equal(service(status, 'hello').state, 'exited');
  assert.equal(service(status, 'hello').usage, null);
  assert.ok(status.container.version === 1 || status.container.version === 2, `a cgroup was found: ${JSON.stringify(status.container)}`);
  assert.ok(status.container.cpusAvailable >= 1);

  const table = await corralCli(corral, ['status']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^corral \S+ as PID 1, up \d+s; 0 orphan\(s\) reaped$/);
  assert.match(lines[1]!, /^container: CPU [\d.]+% (\(no limit, \d+ CPUs\)|of [\d.]+ CPUs); memory [\d.]+ \w+ (\(no limit\)|of [\d.]+ \w+); cgroup v[12]$/);
  assert.match(lines[3]!, /^SERVICE +STATE +PID +UPTIME +RESTARTS +READY +CPU% +RSS +PROCS +LAST EXIT$/);
  assert.match(table.stdout, /\ndb +running +\d+ +\d+s +0 +yes +[\d.]+ +[\d.]+[KM] +2 +-\n/);
  assert.match(table.stdout, /\nhello +exited +- +- +0 +yes +- +- +- +code 0\n/);
  for (const line of lines) assert.ok(line.length <= 80, `wider than 80 columns: ${JSON.stringify(line)}`);

  const one = await corralCli(corral, ['status', 'web', '--json']);
  assert.deepEqual(
    (JSON.parse(one.stdout) as StatusJson).services.map((entry) => entry.name),
    ['web'],
  );
});

test('corral stop stops the dependents first and says so; start brings back what is needed; status follows', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'db.yaml': loop('db up'), 'web.yaml': loop('web up', 'depends_on: [db]\n'), 'cron.yaml': loop('cron up') },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web +\| web up/);

  const stop = await corralCli(corral, ['stop', 'db']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout, 'stopped web (it depends on db)\nstopped db\n');
  const events = corral.events();
  assert.ok(
    events.indexOf('web stopped (exited with code 0)') < events.indexOf('db stopped (exited with code 0)') || events.some((e) => /^web stopped/.test(e)),
    events.join('\n'),
  );
  let status = await statusOf(corral);
  assert.deepEqual(states(status), { cron: 'running', db: 'stopped', web: 'stopped' });
  assert.equal(service(status, 'db').stoppedByOperator, true);
  assert.equal(service(status, 'web').stoppedByOperator, true);
  const table = await corralCli(corral, ['status']);
  assert.match(table.stdout, /\ndb: stopped with corral stop; corral start db starts it\n/);

  // Stopped on purpose: neither probe counts it.
  assert.equal((await corralCli(corral, ['ready'])).code, 0);
  assert.equal((await corralCli(corral, ['health'])).code, 0);

  const again = await corralCli(corral, ['stop', 'db']);
  assert.equal(again.stdout, 'db was not running (stopped)\n');

  const start = await corralCli(corral, ['start', 'web']);
  assert.equal(start.code, 0, start.stderr);
  assert.equal(start.stdout, 'starting db (needed by web)\nstarting web\n');
  status = await waitForStatus(corral, 'db and web running again', (s) => s.services.every((entry) => entry.state === 'running'));
  assert.equal(service(status, 'web').stoppedByOperator, false);
  assert.equal(service(status, 'web').restarts, 0, 'an operator start is not a restart by the policy');

  const running = await corralCli(corral, ['start', 'cron']);
  assert.equal(running.stdout, 'cron is already running\n');
});

test('corral restart restarts the service and its dependents; a crash shows as a restart with its last exit', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'db.yaml': loop('db up', 'backoff: {initial: 100ms}\n'), 'web.yaml': loop('web up', 'depends_on: [db]\n') },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web +\| web up/);
  const before = await statusOf(corral);

  const restart = await corralCli(corral, ['restart', 'db']);
  assert.equal(restart.code, 0, restart.stderr);
  assert.equal(restart.stdout, 'stopped web (it depends on db)\nstopped db\nstarting db\nstarting web\n');
  const after = await waitForStatus(corral, 'db and web back', (s) => s.services.every((entry) => entry.state === 'running'));
  for (const name of ['db', 'web']) assert.notEqual(service(after, name).pid, service(before, name).pid, `${name} has a new process`);

  // A crash: the restart policy restarts it, and status counts it.
  const kill = await corralCli(corral, ['signal', 'db', 'KILL']);
  assert.equal(kill.code, 0, kill.stderr);
  assert.match(kill.stdout, /^sent SIGKILL to db \(process group \d+\)\n$/);
  const crashed = await waitForStatus(corral, 'db restarted by its policy', (s) => service(s, 'db').restarts === 1 && service(s, 'db').state === 'running');
  assert.deepEqual(service(crashed, 'db').lastExit, { description: 'was killed by SIGKILL', code: null, signal: 'SIGKILL' });
  const table = await corralCli(corral, ['status', 'db']);
  assert.match(table.stdout, /\ndb +running +\d+ +\d+s +1 +yes .* SIGKILL\n/);
});

test('corral signal delivers to the whole process group; corral reload applies a changed file or refuses a broken one', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'app.yaml': 'command: "trap \'echo got USR1\' USR1; echo app v1; while :; do sleep 1 & wait $!; done"\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/app +\| app v1/);
  const sent = await corralCli(corral, ['signal', 'app', 'usr1']);
  assert.equal(sent.code, 0, sent.stderr);
  await corral.waitForLine(/app +\| got USR1/);

  writeFileSync(join(corral.dir, 'app.yaml'), loop('app v2'));
  const reload = await corralCli(corral, ['reload']);
  assert.equal(reload.code, 0, reload.stderr);
  assert.equal(reload.stdout, 'reloaded: 0 added, 0 removed, 1 changed, 0 unchanged (app)\n');
  await corral.waitForLine(/app +\| app v2/);

  writeFileSync(join(corral.dir, 'broken.yaml'), 'command: "true"\nrestart: sometimes\n');
  const refused = await corralCli(corral, ['reload']);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^corral reload: reload refused, nothing was changed; the new configuration is invalid:\n.*broken\.yaml:2:10: restart: expected one of always, on-failure, never, got "sometimes"/,
  );
  assert.deepEqual(states(await statusOf(corral)), { app: 'running' });
});

test('corral stop on a service that failed for good marks it as wanted down: the probes stop counting it', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'broken.yaml': 'command: "exit 3"\nrestart: never\n', 'web.yaml': loop('web up') },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web +\| web up/); // services start once the socket is there
  await waitForStatus(corral, 'broken to fail', (s) => service(s, 'broken').state === 'fatal');
  const before = await corralCli(corral, ['health']);
  assert.equal(before.code, 1);
  assert.equal(before.stderr, 'broken is fatal: exited with code 3\n');

  const stop = await corralCli(corral, ['stop', 'broken']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout, 'stopped broken (it was fatal)\n');
  const status = await statusOf(corral);
  assert.equal(service(status, 'broken').state, 'stopped');
  assert.equal(service(status, 'broken').stoppedByOperator, true);
  assert.equal((await corralCli(corral, ['health'])).code, 0);
  assert.equal((await corralCli(corral, ['ready'])).code, 0);
});
