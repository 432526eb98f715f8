// environment: {NAME: {file: PATH}} with corral as PID 1: the file's value reaches the
// service, and corral shows it nowhere (its output, print, status, /metrics, logs); a
// missing file fails only that service's start, which the next try after the file
// appears gets past; a rotated file reaches the service at its restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { corralCli, service, statusOf, waitForStatus } from '../helpers/corral-cli.js';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';
import { freePort } from '../helpers/free-port.js';

// A value found nowhere else: any place it shows up, corral put it there.
function uniqueSecret(): string {
  return `s3cret-${randomBytes(12).toString('hex')}`;
}

// A service that says whether $DB_PASSWORD is what `expected` holds, without ever
// printing either (its command, which corral print shows, holds only paths).
function checkingService(secret: string, expected: string, extra = ''): string {
  const check = `if [ "$DB_PASSWORD" = "$(cat ${expected})" ]; then echo secret ok; else echo secret differs; fi; exec sleep 1000`;
  return `command: ${JSON.stringify(check)}\nenvironment:\n  DB_PASSWORD: {file: ${secret}}\n${extra}`;
}

// corral running web, which has compared its secret once; rotate() writes a second value
// to the secret file (with a line break) and to what web compares it with.
async function startWithSecret(t: TestContext, others: Record<string, string> = {}) {
  const secrets = scratchDir(t);
  const [first, second] = [uniqueSecret(), uniqueSecret()];
  const path = join(secrets, 'db_password');
  const expected = join(secrets, 'expected');
  writeFileSync(path, first);
  writeFileSync(expected, first);
  const corral = await startCorral({ pid1: true, services: { 'web.yaml': checkingService(path, expected), ...others } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^web +\| secret (ok|differs)$/);
  const rotate = (): void => {
    writeFileSync(path, `${second}\n`);
    writeFileSync(expected, second);
  };
  return { corral, first, second, path, rotate };
}

test('a secret file reaches the service; its value is in none of corral output, print, status, /metrics, logs', async (t) => {
  if (skipUnlessPid1(t)) return;
  const secrets = scratchDir(t);
  const value = uniqueSecret();
  // With the line break an editor or `echo` leaves, which is not part of the value.
  writeFileSync(join(secrets, 'db_password'), `${value}\n`);
  writeFileSync(join(secrets, 'expected'), value);
  const port = await freePort();
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_METRICS_ADDR: `127.0.0.1:${port}` },
    services: {
      'web.yaml': checkingService(join(secrets, 'db_password'), join(secrets, 'expected'), 'health: {exec: \'[ -n "$DB_PASSWORD" ]\', interval: 1s}\n'),
    },
  });
  t.after(() => corral.dispose());
  assert.match(await corral.waitForLine(/^web +\| secret (ok|differs)$/), /secret ok$/);

  const places: Record<string, string> = {};
  const print = await corralCli(corral, ['print', corral.dir]);
  assert.equal(print.code, 0, print.stderr);
  assert.match(print.stdout, new RegExp(`DB_PASSWORD:\\n\\s+file: ${join(secrets, 'db_password')}\\n`));
  places['corral print'] = print.stdout + print.stderr;
  const check = await corralCli(corral, ['check', corral.dir]);
  places['corral check'] = check.stdout + check.stderr;
  const json = await corralCli(corral, ['status', '--json']);
  assert.equal(json.code, 0, json.stderr);
  places['corral status --json'] = json.stdout + json.stderr;
  const table = await corralCli(corral, ['status']);
  places['corral status'] = table.stdout + table.stderr;
  const logs = await corralCli(corral, ['logs', 'web']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /secret ok/);
  places['corral logs web'] = logs.stdout + logs.stderr;
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  places['/metrics'] = await response.text();
  assert.match(places['/metrics'], /corral_service_state\{service="web",state="running"\} 1/);

  // A restart reads it again; a health check (run with the service's environment) passed.
  assert.equal((await corralCli(corral, ['restart', 'web'])).code, 0);
  await pollFor('web to say secret ok twice', 15_000, () =>
    corral.texts().filter((line) => /^web +\| secret ok$/.test(line)).length === 2 ? true : undefined,
  );
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
  places["corral's output"] = corral.texts().join('\n');

  for (const [place, text] of Object.entries(places)) assert.ok(!text.includes(value), `the secret's value is shown in ${place}:\n${text}`);
});

test('a missing secret file fails only its service, in words; once the file is there, the next try starts it', async (t) => {
  if (skipUnlessPid1(t)) return;
  const secrets = scratchDir(t);
  const value = uniqueSecret();
  writeFileSync(join(secrets, 'expected'), value);
  const path = join(secrets, 'db_password');
  const corral = await startCorral({
    pid1: true,
    services: {
      'web.yaml': checkingService(path, join(secrets, 'expected'), 'backoff: {initial: 200ms, max: 400ms}\n'),
      'other.yaml': 'command: "echo other up; exec sleep 1000"\n',
    },
  });
  t.after(() => corral.dispose());
  const failed = await corral.waitForLine(/web could not be started/);
  assert.match(
    failed,
    new RegExp(
      `web could not be started: environment\\.DB_PASSWORD: ${path} does not exist \\(ENOENT\\); mount the secret there or fix the path; restarting in \\d+ms$`,
    ),
  );
  await corral.waitForLine(/^other +\| other up$/);
  // It goes on trying, with its backoff, while other runs.
  await pollFor('a second failed try', 10_000, () => (corral.events().filter((line) => /web could not be started/.test(line)).length >= 2 ? true : undefined));
  const status = await waitForStatus(corral, 'other running, web between tries', (s) => service(s, 'other').state === 'running');
  assert.match(service(status, 'web').lastExit?.description ?? '', /could not be started: environment\.DB_PASSWORD: .* does not exist \(ENOENT\)/);

  writeFileSync(path, value);
  await corral.waitForLine(/^web +\| secret ok$/);
  assert.ok(!corral.texts().some((line) => /secret differs/.test(line)), corral.tail());
  assert.ok(!corral.texts().join('\n').includes(value), 'the value is in corral output');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('secrets that take the environment past the exec limit fail the start in words naming them by size; smaller ones start it', async (t) => {
  if (skipUnlessPid1(t)) return;
  const secrets = scratchDir(t);
  // 36 certificates of 60 KiB: 2160 KiB, which load could not count, past the 2 MiB the
  // kernel takes with an 8 MiB stack (a bare E2BIG from spawn), and the 1 MiB corral allows.
  const names = Array.from({ length: 36 }, (_, i) => `CERT_${i}`);
  const values = names.map(() => randomBytes(30 * 1024).toString('hex'));
  names.forEach((name, i) => writeFileSync(join(secrets, name), values[i]!));
  const environment = names.map((name) => `  ${name}: {file: ${join(secrets, name)}}`).join('\n');
  const corral = await startCorral({
    pid1: true,
    services: { 'web.yaml': `command: "echo web up; exec sleep 1000"\nbackoff: {initial: 200ms, max: 400ms}\nenvironment:\n${environment}\n` },
  });
  t.after(() => corral.dispose());
  const failed = await corral.waitForLine(/web could not be started/);
  const sizes = names.map((name) => `${name} 60 KiB`).join(', ');
  assert.match(
    failed,
    new RegExp(
      `web could not be started: environment: the secrets read from files \\(${sizes}\\) make its arguments and environment \\d+(\\.\\d)? KiB, more than the 1024 KiB corral allows; make them smaller, or pass them as files \\(a path the program reads\\); restarting in \\d+ms$`,
    ),
  );
  names.forEach((name) => writeFileSync(join(secrets, name), 'small'));
  await corral.waitForLine(/^web +\| web up$/);
  const output = corral.texts().join('\n');
  for (const value of values) assert.ok(!output.includes(value.slice(0, 64)), 'a value is in corral output');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('under NODE_DEBUG=child_process, which would print secrets, corral with a secret file exits 100 and a reload adding one is refused', async (t) => {
  if (skipUnlessPid1(t)) return;
  const message =
    "environment: NODE_DEBUG=child_process makes Node print each service's environment, secrets read from files included, to corral's log; unset NODE_DEBUG or leave child_process out of it";
  const secretService = 'command: "exec sleep 1000"\nenvironment:\n  DB_PASSWORD: {file: /run/secrets/db_password}\n';
  const refused = await startCorral({ pid1: true, env: { NODE_DEBUG: 'child_process' }, services: { 'web.yaml': secretService } });
  t.after(() => refused.dispose());
  assert.deepEqual(await refused.waitExit(10_000), { code: 100, signal: null });
  assert.ok(
    refused.texts().some((line) => line.endsWith(message)),
    refused.tail(),
  );

  const corral = await startCorral({
    pid1: true,
    env: { NODE_DEBUG: 'child_process' },
    services: { 'keep.yaml': 'command: "echo keep up; exec sleep 1000"\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^keep +\| keep up$/);
  writeFileSync(join(corral.dir, 'web.yaml'), secretService);
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| error: reload refused, nothing was changed; the new configuration is invalid:/);
  await corral.waitForLine(new RegExp(`${message.replace(/[()]/g, '\\$&')}$`));
  const status = await statusOf(corral);
  assert.equal(service(status, 'keep').state, 'running');
  assert.ok(!status.services.some((entry) => entry.name === 'web'), 'web was added');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('a rotated secret reaches the service at corral restart NAME', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, first, second, rotate } = await startWithSecret(t);
  // Kubernetes swaps the file in place; the service sees it only when it starts again.
  rotate();
  assert.equal((await corralCli(corral, ['restart', 'web'])).code, 0);
  await pollFor('web to start again and compare', 15_000, () =>
    corral.texts().filter((line) => /^web +\| secret (ok|differs)$/.test(line)).length === 2 ? true : undefined,
  );
  assert.deepEqual(
    corral.texts().filter((line) => /^web +\| secret/.test(line)),
    corral.texts().filter((line) => /^web +\| secret ok$/.test(line)),
    'each start saw the file as it was then',
  );
  const output = corral.texts().join('\n');
  assert.ok(!output.includes(first) && !output.includes(second), 'a value is in corral output');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('a reload restarts a service whose secret file changed, and leaves it running when the file cannot be read', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, first, second, path, rotate } = await startWithSecret(t, { 'other.yaml': 'command: "echo other up; exec sleep 1000"\n' });
  await corral.waitForLine(/^other +\| other up$/);
  const pidOf = async (name: string): Promise<number | null> =>
    service(await waitForStatus(corral, `${name} running`, (status) => service(status, name).state === 'running'), name).pid;
  const otherPid = await pidOf('other');

  // The same file: nothing to restart.
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: 0 added, 0 removed, 0 changed, 2 unchanged$/);

  rotate();
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: web: a secret file changed since it started; restarting it$/);
  await corral.waitForLine(/corral +\| reload: 0 added, 0 removed, 1 changed, 1 unchanged \(web\)$/);
  await pollFor('web to start again and compare', 15_000, () =>
    corral.texts().filter((line) => /^web +\| secret (ok|differs)$/.test(line)).length === 2 ? true : undefined,
  );
  assert.equal(corral.texts().filter((line) => /^web +\| secret ok$/.test(line)).length, 2, corral.tail());
  assert.equal(await pidOf('other'), otherPid, 'a service without secrets is left running');

  // The secret is taken away: web keeps what it has, and the operator is told why.
  const webPid = await pidOf('web');
  rmSync(path);
  corral.signal('SIGHUP');
  await corral.waitForLine(
    new RegExp(
      `corral +\\| warning: reload: web keeps running with the secrets it started with: environment\\.DB_PASSWORD: ${path} does not exist \\(ENOENT\\)`,
    ),
  );
  await corral.waitForLine(/corral +\| reload: 0 added, 0 removed, 0 changed, 2 unchanged$/);
  assert.equal(await pidOf('web'), webPid);
  const output = corral.texts().join('\n');
  assert.ok(!output.includes(first) && !output.includes(second), 'a value is in corral output');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});
