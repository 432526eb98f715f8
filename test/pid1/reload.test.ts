// SIGHUP re-reads services.d and applies only the difference; an invalid new
// configuration is reported and changes nothing.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';

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
