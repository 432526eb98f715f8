// The addon's reaper in a real process tree: a node child makes itself a subreaper, so the
// orphans of test/fixtures/orphan-storm.c become its children. Its loop is held (synchronous
// code) from the moment they are all zombies to the call, so libuv reaps nothing first and
// no timing is involved.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { cFixture } from '../helpers/fixtures.js';

const loader = new URL('../../src/native/addon.ts', import.meta.url).href;

// Runs `body` in a node child that is a subreaper, with `addon`, `reapedOrphans`,
// `spawn`, `spawnSync`, `storm` (the fixture's path), and `untilZombies(pids, count)`,
// which waits until this process has `count` children and all but `pids` are zombies;
// returns what it prints as JSON.
function inSubreaper(body: string): unknown {
  const script = `
const { loadNativeAddon, reapedOrphans } = await import(${JSON.stringify(loader)});
const { spawn, spawnSync } = await import('node:child_process');
const { readFileSync, readdirSync } = await import('node:fs');
const storm = ${JSON.stringify(cFixture('orphan-storm'))};
const addon = loadNativeAddon();
addon.setChildSubreaper();
const state = (pid) => {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return 'gone';
  }
};
const children = () => readdirSync('/proc/self/task').flatMap((tid) =>
  readFileSync('/proc/self/task/' + tid + '/children', 'utf8').split(' ').filter((word) => word !== '').map(Number));
const untilZombies = (count) => {
  const deadline = Date.now() + 30000;
  for (;;) {
    const now = children();
    if (now.length >= count && now.every((pid) => state(pid) === 'Z')) return;
    if (Date.now() > deadline) throw new Error(now.length + ' children, not all zombies: ' + now.filter((pid) => state(pid) !== 'Z').slice(0, 5));
  }
};
${body}
process.exit(0);
`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.status, 0, `the child failed: ${child.error?.message ?? child.stderr}`);
  return JSON.parse(child.stdout);
}

test('a libuv zombie at the head of the queue: the 50 orphans behind it are reaped, the zombie is not, and libuv reports its exit', () => {
  const reply = inSubreaper(`
const service = spawn('sh', ['-c', 'exit 7'], { stdio: 'ignore' });
const exited = new Promise((resolve) => service.once('exit', (code) => resolve(code)));
// The orphans join the children list behind the service, which waitid(P_ALL) returns first.
const made = spawnSync(storm, ['50'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error('orphan-storm: ' + made.stderr);
untilZombies(51);
const first = addon.reapOrphans();
const orphans = reapedOrphans(first.reaped);
const second = addon.reapOrphans();
console.log(JSON.stringify({
  retry: first.retry,
  reaped: orphans.length,
  codes: [...new Set(orphans.map((orphan) => orphan.code))],
  serviceReaped: orphans.some((orphan) => orphan.pid === service.pid),
  stillBlocked: second.retry && second.reaped.length === 0,
  serviceExit: await exited,
  afterwards: addon.reapOrphans().reaped.length,
}));
`);
  assert.deepEqual(reply, {
    retry: true,
    reaped: 50,
    codes: [0],
    serviceReaped: false,
    stillBlocked: true,
    serviceExit: 7,
    afterwards: 0,
  });
});

test('at most 4096 orphans a call: 4097 take two, the first asking for a retry', () => {
  const reply = inSubreaper(`
const made = spawnSync(storm, ['4097'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error('orphan-storm: ' + made.stderr);
untilZombies(4097);
const first = addon.reapOrphans();
const second = addon.reapOrphans();
console.log(JSON.stringify({
  first: { reaped: first.reaped.length / 3, retry: first.retry },
  second: { reaped: second.reaped.length / 3, retry: second.retry },
  left: children().length,
}));
`);
  assert.deepEqual(reply, { first: { reaped: 4096, retry: true }, second: { reaped: 1, retry: false }, left: 0 });
});
