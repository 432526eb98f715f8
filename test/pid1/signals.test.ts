// corral as PID 1 handles every signal an init must: the kernel would drop them otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { procStat, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const listener = `command: "for s in HUP USR1 USR2 WINCH; do trap \\"echo got $s\\" $s; done; echo ready; while :; do sleep 0.05; done"\n`;

test('USR1, USR2 and WINCH are forwarded to every service when there is no main one; USR1 does not open the inspector', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'listener.yaml': listener } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/listener *\| ready/);
  for (const signal of ['SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
    corral.signal(signal);
    await corral.waitForLine(new RegExp(`listener *\\| got ${signal.slice(3)}$`));
  }
  assert.ok(!corral.texts().some((line) => /Debugger listening/.test(line)), corral.tail());
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

test('TSTP, TTIN and TTOU are ignored: corral keeps running and keeps forwarding', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'listener.yaml': listener } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/listener *\| ready/);
  for (const signal of ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const) corral.signal(signal);
  corral.signal('SIGUSR2');
  await corral.waitForLine(/listener *\| got USR2$/);
  assert.notEqual(procStat(corral.hostPid)?.state, 'T');
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
  test(`${signal} stops everything gracefully, like SIGTERM`, async (t) => {
    if (skipUnlessPid1(t)) return;
    const corral = await startCorral({
      pid1: true,
      services: { 'svc.yaml': `command: "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done"\n` },
    });
    t.after(() => corral.dispose());
    await corral.waitForLine(/svc *\| ready/);
    corral.signal(signal);
    assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
    assert.ok(
      corral.texts().some((line) => /svc +\| bye/.test(line)),
      corral.tail(),
    );
    assert.ok(corral.events().includes(`received ${signal}: stopping 1 service(s), dependents first (budget 9s)`), corral.tail());
  });
}

test('with a main service, USR1, USR2 and WINCH go to it alone; HUP reloads and is not forwarded', async (t) => {
  if (skipUnlessPid1(t)) return;
  const script = listener.replace('command: "', '').replace(/"\n$/, '').replaceAll('\\"', '"');
  const corral = await startCorral({
    pid1: true,
    services: { 'side.yaml': listener.replace('echo ready', 'echo side ready') },
    args: ['--', 'sh', '-c', script],
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/main *\| ready/, 10_000);
  for (const signal of ['SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
    corral.signal(signal);
    await corral.waitForLine(new RegExp(`main *\\| got ${signal.slice(3)}$`));
  }
  corral.signal('SIGHUP');
  await corral.waitForLine(/reload: 0 added, 0 removed, 0 changed, 2 unchanged/);
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 143, 'the main service was killed by SIGTERM');
  assert.ok(!corral.texts().some((line) => /side *\| got/.test(line) || /main *\| got HUP/.test(line)), corral.tail());
});
