// Limits that protect the container: a oneshot's timeout, floors under restart delays and
// probe intervals, and ${VAR:?message}.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corralCli, statusOf, service } from '../helpers/corral-cli.js';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';

test('a oneshot that hangs is stopped at its timeout, counts as failed, and its dependents are blocked', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'migrate.yaml': `type: oneshot\ncommand: "echo migrating; ${LOOP}"\ntimeout: 1s\n`,
      'web.yaml': `command: "${LOOP}"\ndepends_on: [migrate]\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/warning: migrate is still running after its timeout of 1s; stopping it$/);
  await corral.waitForLine(/error: web will not start: it needs migrate, which was stopped: still running after its timeout of 1s$/);
  const status = await statusOf(corral);
  assert.equal(service(status, 'migrate').state, 'fatal');
  assert.equal(service(status, 'migrate').pid, null);
  assert.equal(service(status, 'web').state, 'blocked');
  const health = await corralCli(corral, ['health']);
  assert.equal(health.code, 1);
  assert.match(health.stderr, /web is blocked: needs migrate/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});

test('a backoff or probe interval below its floor, and an unset ${VAR:?message}, stop corral with exit 100 before anything starts', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'a.yaml': `command: "echo started-a; ${LOOP}"\nbackoff: {initial: 0s}\n`,
      'b.yaml': `command: "echo started-b; ${LOOP}"\nhealth: {tcp: 80, interval: 0s}\n`,
      'c.yaml': `command: "echo started-c; ${LOOP}"\nready: {tcp: 80, interval: 0ms}\n`,
      'd.yaml': `command: ["echo", "\${DB_HOST:?set DB_HOST to the database}"]\n`,
      'e.yaml': `command: "${LOOP}"\ntimeout: 1s\n`,
    },
  });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(15_000), { code: 100, signal: null });
  const out = corral.texts().join('\n');
  assert.match(out, /a\.yaml:2:20: backoff\.initial: expected at least 100ms \(the shortest delay between two restarts\), got "0s"/);
  assert.match(out, /b\.yaml:2:29: health\.interval: expected at least 1s/);
  assert.match(out, /c\.yaml:2:28: ready\.interval: expected at least 50ms/);
  assert.match(out, /d\.yaml:1:\d+: command\.1: \$\{DB_HOST\} is not set in corral's environment: set DB_HOST to the database/);
  assert.match(out, /e\.yaml:2:\d+: timeout: timeout limits a oneshot's run/);
  assert.doesNotMatch(out, /started-/);
});
