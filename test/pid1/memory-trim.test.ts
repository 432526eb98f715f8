// corral gives its memory back (src/native/memory-trimmer.ts, addon/src/memory.cc): once
// the first services are spawned and again once the services' states settle after start
// (the first load ran in corral's own thread, load-here.ts, and left its garbage there),
// and at once when a reload's worker ends. The debug log says when and how much; the amounts are benchmarked
// (bench/cost-idle.ts), this checks that the trims happen when they should.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const sleeper = (word: string): string => `command: "echo ${word}; while :; do sleep 1 & wait $!; done"\n`;
// The worker's end gives back the C heap only (no collection on the way to the first
// service); the settling trim collects too.
const trimmed = (why: 'the load worker ended' | 'things settled' | 'the first services are started'): RegExp => {
  const what = why === 'the load worker ended' ? 'trimmed the C heap' : 'collected and trimmed';
  return new RegExp(`corral +\\| debug: memory: ${why}; ${what} in \\d+ ms, RSS [\\d.]+ -> [\\d.]+ MiB$`);
};

test('memory: trimmed once the services settle, and when a reload worker ends', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_LEVEL: 'debug' },
    services: { 'a.yaml': sleeper('a up'), 'b.yaml': sleeper('b up'), 'c.yaml': 'command: "echo c done"\nrestart: never\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(trimmed('things settled'));
  const texts = corral.texts();
  const settled = texts.findIndex((text) => trimmed('things settled').test(text));
  for (const change of [/a: starting -> running/, /b: starting -> running/, /c: running -> exited/]) {
    const at = texts.findIndex((text) => change.test(text));
    assert.ok(at >= 0 && at < settled, `${change.source} comes before the settling trim`);
  }
  assert.equal(texts.filter((text) => /memory: things settled/.test(text)).length, 1, 'one trim for the whole start-up');
  // The first load's garbage goes at once, once the services that wait for none are
  // spawned, not before (it would hold up the first service).
  const early = texts.findIndex((text) => trimmed('the first services are started').test(text));
  assert.ok(early >= 0 && early < settled, 'the start-up garbage is collected before things settle');
  for (const name of ['a', 'b', 'c']) {
    const starting = texts.findIndex((text) => new RegExp(`${name}: waiting -> starting`).test(text));
    assert.ok(starting >= 0 && starting < early, `${name} was spawned before the start-up garbage was collected`);
  }

  writeFileSync(join(corral.dir, 'd.yaml'), sleeper('d up'));
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: 1 added/);
  await corral.waitForLine(/d +\| d up/);
  // The worker's exit, and the trim, may come just after the service it loaded has started.
  const workerTrims = (): number => corral.texts().filter((text) => trimmed('the load worker ended').test(text)).length;
  await pollFor('the trim after the reload worker ended', 10_000, () => (workerTrims() === 1 ? true : undefined));

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
