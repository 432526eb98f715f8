// corral as PID 1 reaps every orphan, and services' exit statuses survive the storm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childrenOf, pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { cFixture } from '../helpers/fixtures.js';

const ROUNDS = 3;
const PER_ROUND = 2000;

test('2000 orphans at a time leave no zombie; a service exiting with 3 meanwhile is reported with 3 and restarted', async (t) => {
  if (skipUnlessPid1(t)) return;
  const storm = cFixture('orphan-storm');
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_LEVEL: 'debug' },
    services: {
      'storm.yaml': `command: "for r in $(seq ${ROUNDS}); do ${storm} ${PER_ROUND}; done; exec sleep 1000"\nrestart: never\n`,
      'flaky.yaml': 'command: "sleep 0.1; exit 3"\nrestart: on-failure\nbackoff: {initial: 50ms, max: 50ms, jitter: 0}\n',
    },
  });
  t.after(() => corral.dispose());
  const zombies = (): number => childrenOf(corral.hostPid).filter((child) => child.state === 'Z').length;

  for (let round = 1; round <= ROUNDS; round++) {
    await pollFor(`round ${round} to finish`, 20_000, () =>
      corral.texts().filter((line) => /storm *\| made 2000 orphans/.test(line)).length >= round ? true : undefined,
    );
    const made = Date.now();
    await pollFor(`no zombies after round ${round}`, 1000, () => (zombies() === 0 ? true : undefined));
    t.diagnostic(`round ${round}: no zombie ${Date.now() - made}ms after the orphans were made`);
  }
  const reaped = await pollFor(`all ${ROUNDS * PER_ROUND} orphans logged as reaped`, 2000, () => {
    const count = corral.texts().filter((line) => /reaped orphan pid \d+, exit code 0/.test(line)).length;
    return count >= ROUNDS * PER_ROUND ? count : undefined;
  });
  assert.equal(reaped, ROUNDS * PER_ROUND);

  const flakyEnds = corral.texts().filter((line) => /flaky (exited|was killed|could not)/.test(line));
  assert.ok(flakyEnds.length >= 3, `flaky should have exited several times during the storm:\n${corral.tail()}`);
  for (const line of flakyEnds) assert.match(line, /flaky exited with code 3; restarting in 50ms$/);
  const starts = corral.texts().filter((line) => /flaky started \(pid \d+\)/.test(line)).length;
  assert.ok(starts >= flakyEnds.length, 'every exit of flaky was followed by a restart');

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});
