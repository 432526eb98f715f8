// Issue 15 as PID 1: files that made corral exit or freeze at a reload (a FIFO, a link to
// /dev/zero, an alias bomb, a NUL byte) are refused with their reason while the running
// service keeps its pid and corral keeps answering; at start they exit 100, not 111 or a
// crash. The same inputs through `corral check` are in config-boundary-check.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { service, statusOf } from '../helpers/corral-cli.js';
import { skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { aliasBombLines } from '../helpers/hostile-inputs.js';

const sleeper = (word: string): string => `command: "echo ${word}; while :; do sleep 1 & wait $!; done"\n`;

async function startKeep(t: TestContext): Promise<{ corral: CorralProcess; pid: number }> {
  const corral = await startCorral({ pid1: true, services: { 'keep.yaml': sleeper('keep v1') } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/keep *\| keep v1/);
  const pid = service(await statusOf(corral), 'keep').pid;
  assert.ok(pid !== null);
  return { corral, pid };
}

// After a refused reload: the same run of keep, corral answering, and a clean stop.
async function assertUntouched(corral: CorralProcess, pid: number): Promise<void> {
  const keep = service(await statusOf(corral), 'keep');
  assert.deepEqual([keep.pid, keep.state, keep.restarts], [pid, 'running', 0]);
  assert.equal(corral.events().filter((text) => /^keep started/.test(text)).length, 1);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
}

const REFUSED = /corral +\| error: reload refused, nothing was changed; the new configuration is invalid:/;

test('row 7: a FIFO named x.yaml, then SIGHUP: refused without opening it, and the event loop goes on', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, pid } = await startKeep(t);
  assert.equal(spawnSync('mkfifo', [join(corral.dir, 'x.yaml')]).status, 0);
  corral.signal('SIGHUP');
  await corral.waitForLine(REFUSED);
  await corral.waitForLine(/x\.yaml: is a FIFO \(named pipe\), not a regular file; corral reads only regular files/);
  await assertUntouched(corral, pid);
});

test('row 6: a symbolic link to /dev/zero in services.d, then SIGHUP: refused at once, memory untouched', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, pid } = await startKeep(t);
  symlinkSync('/dev/zero', join(corral.dir, 'zero.yaml'));
  corral.signal('SIGHUP');
  await corral.waitForLine(REFUSED);
  await corral.waitForLine(/zero\.yaml: is a character device, not a regular file/);
  await assertUntouched(corral, pid);
});

test('row 1: a "billion laughs" file, then SIGHUP: refused with the node limit, not an exit with 111', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, pid } = await startKeep(t);
  writeFileSync(join(corral.dir, 'bomb.yaml'), `command: x\n${aliasBombLines(9)}`);
  corral.signal('SIGHUP');
  await corral.waitForLine(REFUSED);
  await corral.waitForLine(/bomb\.yaml:6:10: l4: the file holds more than 10000 YAML nodes/);
  await assertUntouched(corral, pid);
});

test('row 2: a service whose command holds a NUL byte, then SIGHUP: refused, nothing started', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, pid } = await startKeep(t);
  writeFileSync(join(corral.dir, 'nul.yaml'), 'command: ["echo", "a\\0b"]\n');
  corral.signal('SIGHUP');
  await corral.waitForLine(REFUSED);
  await corral.waitForLine(/nul\.yaml:1:19: command\.1: this argument holds a NUL byte/);
  await assertUntouched(corral, pid);
});

test("also seen: an editor's lock file in services.d does not make a reload fail", async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral } = await startKeep(t);
  symlinkSync('user@host.4242:1700000000', join(corral.dir, '.#keep.yaml'));
  writeFileSync(join(corral.dir, 'keep.yaml'), sleeper('keep v2'));
  corral.signal('SIGHUP');
  await corral.waitForLine(/keep *\| keep v2/);
  assert.ok(!corral.lines.some((line) => REFUSED.test(line.text)), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

for (const [row, files] of [
  ['row 2: a NUL byte in working_dir', { 'web.yaml': 'command: x\nworking_dir: "/srv\\0"\n' }],
  ['row 3: an rlimit past 2^53-1', { 'web.yaml': 'command: x\nlimits: {core: "0:99999999999999999999"}\n' }],
  ['row 5: a 5 MB service file', { 'web.yaml': `command: x\n${'#'.repeat(5 * 1024 * 1024)}\n` }],
] as const) {
  test(`${row} at start: exit 100 with the problem, nothing started`, async (t) => {
    if (skipUnlessPid1(t)) return;
    const corral = await startCorral({ pid1: true, services: files });
    t.after(() => corral.dispose());
    assert.deepEqual(await corral.waitExit(10_000), { code: 100, signal: null }, corral.tail());
    await corral.waitForLine(/corral +\| error: invalid configuration; nothing was started:/);
    assert.ok(!corral.events().some((text) => / started \(pid/.test(text)), corral.tail());
  });
}
