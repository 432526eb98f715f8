// corral not as PID 1 (docker run --init, shareProcessNamespace): it registers as a child
// subreaper, so it still reaps the orphans of its services, and at shutdown it kills only
// its own subtree.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { childrenOf, pollFor, startCorral } from '../helpers/corral-process.js';

test('as a subreaper, corral reaps the orphans of its services', async (t) => {
  const corral = await startCorral({
    pid1: false,
    env: { CORRAL_LOG_LEVEL: 'debug' },
    services: {
      'maker.yaml': `command: ["perl", "-e", "$| = 1; for (1..200) { my $p = fork; if (!$p) { fork or exit 0; exit 0 } waitpid($p, 0) } print qq(made\\n); sleep 1000"]\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/as pid \d+ \(subreaper\)/);
  await corral.waitForLine(/maker *\| made/, 10_000);
  await pollFor('no zombie children of corral', 1000, () => (childrenOf(corral.hostPid).some((child) => child.state === 'Z') ? undefined : true));
  const reaped = await pollFor('200 orphans logged as reaped by corral', 2000, () => {
    const count = corral.texts().filter((line) => line.includes('reaped orphan pid')).length;
    return count >= 200 ? count : undefined;
  });
  assert.equal(reaped, 200);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('as a subreaper, a grandchild that ignores SIGTERM is killed, and nothing is left behind', async (t) => {
  const corral = await startCorral({
    pid1: false,
    services: {
      'parent.yaml': [`command: "sh -c 'trap \\"\\" TERM; echo grandchild $$; exec sleep 1000' & echo ready; wait"`, 'stop_timeout: 300ms', ''].join('\n'),
    },
  });
  t.after(() => corral.dispose());
  const line = await corral.waitForLine(/parent *\| grandchild \d+/);
  const grandchild = Number(/grandchild (\d+)/.exec(line)![1]);
  await corral.waitForLine(/parent *\| ready/);
  assert.ok(existsSync(`/proc/${grandchild}`));
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
  assert.ok(
    corral.texts().some((text) => /the process\(es\) left in parent's group: did not stop within 300ms of SIGTERM; sending SIGKILL/.test(text)),
    corral.tail(),
  );
  assert.equal(existsSync(`/proc/${grandchild}`), false, `grandchild ${grandchild} survived corral`);
});
