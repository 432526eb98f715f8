// SIGHUP re-reads services.d and applies only the difference, restarting the dependents of
// a changed service around it; an invalid new configuration is reported and changes nothing.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralCli } from '../helpers/corral-cli.js';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';

const sleeper = (word: string): string => `command: "echo ${word}; while :; do sleep 1 & wait $!; done"\n`;

function startedPids(corral: CorralProcess, name: string): number[] {
  return corral.events().flatMap((text) => {
    const match = new RegExp(`^${name} started \\(pid (\\d+)\\)$`).exec(text);
    return match ? [Number(match[1])] : [];
  });
}

test('SIGHUP: starts added services, stops removed ones, restarts changed ones, leaves the rest', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'keep.yaml': sleeper('keep v1'), 'change.yaml': sleeper('change v1'), 'remove.yaml': sleeper('remove v1') },
  });
  t.after(() => corral.dispose());
  for (const name of ['keep', 'change', 'remove']) await corral.waitForLine(new RegExp(`${name} *\\| ${name} v1`));
  const keepPid = startedPids(corral, 'keep')[0];

  writeFileSync(join(corral.dir, 'change.yaml'), sleeper('change v2'));
  rmSync(join(corral.dir, 'remove.yaml'));
  writeFileSync(join(corral.dir, 'add.yaml'), sleeper('add v1'));
  corral.signal('SIGHUP');

  await corral.waitForLine(/corral +\| reload: 1 added, 1 removed, 1 changed, 1 unchanged \(add, remove, change\)/);
  await corral.waitForLine(/change *\| change v2/);
  await corral.waitForLine(/add *\| add v1/);
  await corral.waitForLine(/corral +\| remove stopped/);
  assert.deepEqual(startedPids(corral, 'keep'), [keepPid], 'the unchanged service kept running');
  assert.equal(startedPids(corral, 'change').length, 2);
  assert.equal(startedPids(corral, 'remove').length, 1);

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('SIGHUP with an invalid configuration: reported, and nothing changes', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'keep.yaml': sleeper('keep v1') } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/keep *\| keep v1/);
  writeFileSync(join(corral.dir, 'keep.yaml'), sleeper('keep v2'));
  writeFileSync(join(corral.dir, 'broken.yaml'), 'command: "true"\nrestart: sometimes\n');
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| error: reload refused, nothing was changed; the new configuration is invalid:/);
  await corral.waitForLine(/broken\.yaml:2:10: restart: expected one of always, on-failure, never, got "sometimes"/);
  // Still the first and only run of keep; corral still answers signals.
  assert.equal(startedPids(corral, 'keep').length, 1);
  rmSync(join(corral.dir, 'broken.yaml'));
  corral.signal('SIGHUP');
  await corral.waitForLine(/keep *\| keep v2/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

// A database that takes a moment to accept connections after it started, so "started"
// and "ready" are two events a dependent's start can be placed between.
const database = (word: string): string =>
  `command: "echo ${word} starting; sleep 0.3; echo ${word} accepting connections; while :; do sleep 1 & wait $!; done"\nready: {log: "accepting connections"}\n`;

// The index of the n-th (from 0) of corral's event lines matching `pattern`; fails when missing.
function eventIndex(corral: CorralProcess, pattern: RegExp, nth = 0): number {
  const indexes = corral.events().flatMap((text, index) => (pattern.test(text) ? [index] : []));
  assert.ok(indexes.length > nth, `no event #${nth + 1} matching ${pattern}; last lines:\n${corral.tail()}`);
  return indexes[nth]!;
}

test('SIGHUP with a changed service: its dependents stop before it and start again once it is ready; the rest keep running', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'db.yaml': database('db v1'), 'web.yaml': sleeper('web v1') + 'depends_on: [db]\n', 'other.yaml': sleeper('other v1') },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web *\| web v1/);
  await corral.waitForLine(/other *\| other v1/);
  const otherPid = startedPids(corral, 'other')[0];

  writeFileSync(join(corral.dir, 'db.yaml'), database('db v2'));
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: 0 added, 0 removed, 1 changed, 2 unchanged \(db\); restarting web \(it depends on db\)$/);
  await corral.waitForLine(/db *\| db v2 accepting connections/);
  await pollFor('web to start again', 5000, () => (startedPids(corral, 'web').length === 2 ? true : undefined));

  const webStopped = eventIndex(corral, /^web stopped \(/);
  const dbStopped = eventIndex(corral, /^db stopped \(/);
  const dbStarted = eventIndex(corral, /^db started \(pid \d+\)$/, 1);
  const dbReady = eventIndex(corral, /^db is ready \(log line matched/, 1);
  const webStarted = eventIndex(corral, /^web started \(pid \d+\)$/, 1);
  assert.ok(webStopped < dbStopped, 'web stopped before db');
  assert.ok(dbStopped < dbStarted, 'the old db stopped before the new one started');
  assert.ok(dbReady < webStarted, 'web started again only once the new db was ready');
  assert.deepEqual(startedPids(corral, 'other'), [otherPid], 'the unrelated service kept running');
  assert.equal(startedPids(corral, 'db').length, 2);

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('corral reload with a changed dependency of the main service: the dependency restarts, the main service is not, with a warning', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'db.yaml': database('db v1'), 'app.yaml': sleeper('app v1') + 'depends_on: [db]\nmain: true\nrestart: never\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/app *\| app v1/);
  const appPid = startedPids(corral, 'app')[0];

  writeFileSync(join(corral.dir, 'db.yaml'), database('db v2'));
  const reload = await corralCli(corral, ['reload']);
  assert.equal(reload.code, 0, reload.stderr);
  const warning = 'app was not restarted, though it depends on db: a reload never restarts the main service (corral restart app does)';
  assert.equal(reload.stdout, `reloaded: 0 added, 0 removed, 1 changed, 1 unchanged (db)\n${warning}\n`);
  await corral.waitForLine(new RegExp(`corral +\\| warning: reload: ${warning.replace(/[()]/g, '\\$&')}$`));
  await corral.waitForLine(/db *\| db v2 accepting connections/);
  assert.deepEqual(startedPids(corral, 'app'), [appPid], 'the main service kept running');

  // The exit code is the main service's: its shell ends by the SIGTERM of the shutdown.
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 143, signal: null });
});
