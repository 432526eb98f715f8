// Services switched at docker run: enabled: ${VAR}, CORRAL_ENABLE and CORRAL_DISABLE.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitForStatus } from '../helpers/corral-cli.js';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';
const SERVICES = {
  'web.yaml': `command: "echo web up; ${LOOP}"\n`,
  'worker.yaml': `command: "echo worker up; ${LOOP}"\nenabled: \${RUN_WORKER:-true}\n`,
  'debug.yaml': `command: "echo debug up; ${LOOP}"\nenabled: false\n`,
  'app.yaml': `command: "echo app up; ${LOOP}"\ndepends_on: [db]\n`,
  'db.yaml': `command: "echo db up; ${LOOP}"\n`,
};

async function runningWith(env: Record<string, string>): Promise<string[]> {
  const corral = await startCorral({ pid1: true, services: SERVICES, env });
  try {
    // Every enabled service says it is up; the status then lists exactly the enabled ones.
    const status = await waitForStatus(corral, 'the control socket', (status) => status.services.length > 0);
    for (const { name } of status.services) await corral.waitForLine(new RegExp(`${name} up$`));
    corral.signal('SIGTERM');
    assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
    return status.services.map((service) => service.name).sort();
  } finally {
    await corral.dispose();
  }
}

test('enabled: ${RUN_WORKER:-true}, CORRAL_DISABLE and CORRAL_ENABLE start exactly the services they say', async (t) => {
  if (skipUnlessPid1(t)) return;
  assert.deepEqual(await runningWith({}), ['app', 'db', 'web', 'worker']);
  assert.deepEqual(await runningWith({ RUN_WORKER: 'false' }), ['app', 'db', 'web']);
  assert.deepEqual(await runningWith({ RUN_WORKER: 'No' }), ['app', 'db', 'web']);
  assert.deepEqual(await runningWith({ CORRAL_DISABLE: 'worker' }), ['app', 'db', 'web']);
  assert.deepEqual(await runningWith({ CORRAL_DISABLE: 'worker, web', CORRAL_ENABLE: 'debug' }), ['app', 'db', 'debug']);
});

test('a bad enabled value, an unknown name, or disabling a dependency exits 100 and starts nothing', async (t) => {
  if (skipUnlessPid1(t)) return;
  const cases: [Record<string, string>, RegExp][] = [
    [{ RUN_WORKER: 'maybe' }, /worker\.yaml:2:10: enabled: expected true or false \(also yes\/no, on\/off, 1\/0\), got "maybe"/],
    [{ CORRAL_DISABLE: 'wroker' }, /environment: CORRAL_DISABLE=wroker: no service is named "wroker"; did you mean "worker"\?/],
    [{ CORRAL_DISABLE: 'db' }, /app\.yaml:2:14: depends_on\.0: "db" is disabled \(CORRAL_DISABLE=db\); enable it or remove the dependency/],
  ];
  for (const [env, message] of cases) {
    const corral = await startCorral({ pid1: true, services: SERVICES, env });
    try {
      assert.deepEqual(await corral.waitExit(15_000), { code: 100, signal: null }, corral.tail());
      assert.match(corral.texts().join('\n'), message);
      assert.ok(!corral.texts().some((line) => / up$/.test(line)), corral.tail());
    } finally {
      await corral.dispose();
    }
  }
});
