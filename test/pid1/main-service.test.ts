// The main service (`corral -- CMD` or main: true) and the exit code corral reports; a
// crash loop that backs off, gives up, and shuts the container down (on_failure).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const sidecar = 'command: "trap \'echo sidecar got TERM; exit 0\' TERM; echo sidecar up; while :; do sleep 1 & wait $!; done"\nready: {log: "sidecar up"}\n';

const cases: [string, string, number][] = [
  ['exits 0', 'exit 0', 0],
  ['exits 3', 'exit 3', 3],
  ['is killed by SIGKILL', 'kill -KILL $$', 137],
  ['is killed by SIGTERM', 'kill -TERM $$', 143],
];

for (const [what, script, expected] of cases) {
  test(`corral -- CMD: when the command ${what}, everything stops and corral exits ${expected}`, async (t) => {
    if (skipUnlessPid1(t)) return;
    const corral = await startCorral({
      pid1: true,
      services: { 'sidecar.yaml': sidecar },
      args: ['--', 'sh', '-c', `echo main running; ${script}`],
    });
    t.after(() => corral.dispose());
    assert.deepEqual(await corral.waitExit(10_000), { code: expected, signal: null });
    const texts = corral.texts();
    const events = corral.events();
    // The command starts only once the services are ready, and the sidecar is stopped.
    const ready = events.findIndex((text) => text.startsWith('sidecar is ready (log line matched'));
    assert.ok(ready !== -1 && ready < events.findIndex((text) => text.startsWith('main started')), corral.tail());
    assert.ok(
      texts.some((text) => /main *\| main running/.test(text)),
      corral.tail(),
    );
    assert.ok(
      texts.some((text) => /sidecar *\| sidecar got TERM/.test(text)),
      corral.tail(),
    );
    assert.ok(
      events.some((text) => new RegExp(`^stopped in \\S+; exiting with code ${expected}$`).test(text)),
      corral.tail(),
    );
  });
}

test('main: true in a service file: its exit stops the container with its code', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'sidecar.yaml': sidecar, 'job.yaml': 'command: "sleep 0.2; exit 5"\nmain: true\n' },
  });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(10_000), { code: 5, signal: null });
  assert.ok(corral.events().includes('the main service job exited with code 5: stopping 2 service(s), dependents first (budget 9s)'), corral.tail());
});

test('SIGTERM with a main service: corral exits with the main service code (it traps TERM and exits 0)', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {},
    args: ['--', 'sh', '-c', "trap 'echo bye; exit 0' TERM; echo waiting; while :; do sleep 1 & wait $!; done"],
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/main *\| waiting/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('a command after -- that does not exist: reported in words, and corral exits 1', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: {}, args: ['--', 'no-such-command-xyz'] });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(5000), { code: 1, signal: null });
  const failure = corral.texts().find((text) => text.includes('main could not be started'));
  assert.ok(failure, corral.tail());
  assert.match(failure, /no-such-command-xyz.*\(ENOENT\)/);
  assert.ok(!corral.texts().some((text) => /code 127/.test(text)), 'reported as exit code 127');
});

test('a crash loop backs off, gives up after max_restarts, and on_failure: shutdown exits with its code', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'sidecar.yaml': sidecar,
      'crashy.yaml': [
        'command: "echo crashing; exit 4"',
        'backoff: {initial: 100ms, max: 300ms, factor: 2, jitter: 0}',
        'max_restarts: {count: 3, window: 1m}',
        'on_failure: shutdown',
        '',
      ].join('\n'),
    },
  });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(10_000), { code: 4, signal: null });
  const events = corral.events().filter((text) => /^(warning: |error: )?crashy (exited|failed)/.test(text));
  assert.deepEqual(
    events.map((text) => text.replace(/^(warning|error): /, '')),
    [
      'crashy exited with code 4; restarting in 100ms',
      'crashy exited with code 4; restarting in 200ms',
      'crashy exited with code 4; restarting in 300ms',
      'crashy exited with code 4; giving up (max_restarts: 3 restarts within 1m)',
      'crashy failed and has on_failure: shutdown: stopping 2 service(s), dependents first (budget 9s)',
    ],
  );
  assert.equal(corral.texts('stdout').filter((text) => /crashy *\| crashing/.test(text)).length, 4);
});

test('on_failure: ignore (the default): corral keeps the other services running', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'sidecar.yaml': sidecar, 'crashy.yaml': 'command: "exit 4"\nrestart: never\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/crashy exited with code 4; giving up \(restart: never\)/);
  await corral.waitForLine(/sidecar is ready/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
