// readGroupUsage: per-process-group sums from one pass over /proc, checked against real
// process groups and against a hand-written /proc whose numbers are known exactly.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadNativeAddon } from '../../src/native/addon.js';
import { readGroupUsage, type GroupUsage } from '../../src/process/group-usage.js';
import { pollFor } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const deadlineMs = 10_000;
const constants = loadNativeAddon().systemConstants();

// Starts `script` as the leader of a new process group; the group is killed after the test.
function spawnGroup(t: TestContext, script: string): number {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  const pgid = child.pid;
  assert.ok(pgid !== undefined, 'sh did not start');
  t.after(() => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return pgid;
}

// Reads the group's usage every 20 ms until `done` accepts it.
function pollGroup(pgid: number, what: string, done: (usage: GroupUsage) => boolean): Promise<GroupUsage> {
  return pollFor(`pgid ${pgid}: ${what}`, deadlineMs, () => {
    const usage = readGroupUsage([pgid], constants).get(pgid);
    return usage && done(usage) ? usage : undefined;
  });
}

describe('readGroupUsage on the real /proc', () => {
  test('the addon constants are sane: pageSize a power of two of at least 4096, clockTicks > 0', () => {
    const { pageSize, clockTicks } = constants;
    assert.ok(Number.isInteger(pageSize) && pageSize >= 4096, `pageSize ${pageSize}`);
    assert.equal(pageSize & (pageSize - 1), 0, `pageSize ${pageSize} is not a power of two`);
    assert.ok(Number.isInteger(clockTicks) && clockTicks > 0, `clockTicks ${clockTicks}`);
  });

  test('a shell with two sleeps counts as three processes with resident memory', async (t) => {
    const pgid = spawnGroup(t, 'sleep 30 & sleep 30 & wait');
    const usage = await pollGroup(pgid, '3 processes with rss', (u) => u.processes === 3 && u.rssBytes > 0);
    assert.ok(usage.cpuSeconds >= 0);
    assert.equal(usage.rssBytes % constants.pageSize, 0);
  });

  test('a busy loop shows CPU time growing between two reads', async (t) => {
    const pgid = spawnGroup(t, 'while :; do :; done');
    const first = await pollGroup(pgid, 'the loop running', (u) => u.processes === 1);
    const later = await pollGroup(pgid, 'more CPU time', (u) => u.cpuSeconds > first.cpuSeconds);
    assert.equal(later.processes, 1);
  });

  test('a pgid no process has gives zeros', () => {
    const usage = readGroupUsage([99_999_999], constants);
    assert.deepEqual([...usage], [[99_999_999, { cpuSeconds: 0, rssBytes: 0, processes: 0 }]]);
  });

  test('no pgids gives an empty map', () => {
    assert.equal(readGroupUsage([], constants).size, 0);
  });
});

describe('readGroupUsage on a hand-written /proc', () => {
  // Fields as proc(5) numbers them: 3 state, 5 pgrp, 14-17 utime stime cutime cstime, 24 rss.
  const stats: Record<string, string> = {
    // group 100: 150+50+20+30 ticks, 1000 pages
    '100':
      '100 (web) S 1 100 100 0 -1 4194560 900 0 0 0 150 50 20 30 20 0 4 0 5000 104857600 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n',
    // group 100: a comm with ") (" and spaces; 100 ticks, 500 pages
    '101':
      '101 (evil) (name x) R 100 100 100 0 -1 4194304 10 0 0 0 100 0 0 0 20 0 1 0 5001 2000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n',
    // group 100: a zombie still counts, with its 15 ticks; its rss (made up here) does not
    '102': '102 (worker) Z 100 100 100 0 -1 4227084 5 0 0 0 10 5 0 0 20 0 1 0 5002 0 7 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n',
    // group 200: 1 tick, 1 page
    '200': '200 (db) S 1 200 200 0 -1 4194560 3 0 0 0 1 0 0 0 20 0 1 0 6000 1000000 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n',
    // group 999, not asked for
    '400': '400 (other) S 1 999 999 0 -1 4194560 3 0 0 0 500 500 0 0 20 0 1 0 7000 1000000 900 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n',
    // not a pid: skipped even though it names group 100
    self: '100 (web) S 1 100 100 0 -1 4194560 900 0 0 0 150 50 20 30 20 0 4 0 5000 104857600 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n',
  };

  function fakeProc(t: TestContext): string {
    const root = scratchDir(t);
    for (const [name, line] of Object.entries(stats)) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'stat'), line);
    }
    // A process that exited between readdir and read: its directory has no stat.
    mkdirSync(join(root, '300'));
    return root;
  }

  test('sums each requested group exactly: cpu, rss and processes, zombie included without rss', (t) => {
    const usage = readGroupUsage([100, 200, 555], { pageSize: 4096, clockTicks: 100 }, fakeProc(t));
    assert.deepEqual(
      new Map(usage),
      new Map([
        [100, { cpuSeconds: 3.65, rssBytes: 1500 * 4096, processes: 3 }],
        [200, { cpuSeconds: 0.01, rssBytes: 4096, processes: 1 }],
        [555, { cpuSeconds: 0, rssBytes: 0, processes: 0 }],
      ]),
    );
  });

  test('the units come from the constants (64 KiB pages, 250 Hz)', (t) => {
    const usage = readGroupUsage([200], { pageSize: 65536, clockTicks: 250 }, fakeProc(t));
    assert.deepEqual(usage.get(200), { cpuSeconds: 0.004, rssBytes: 65536, processes: 1 });
  });

  test('a procRoot that does not exist throws rather than reporting zeros', (t) => {
    assert.throws(() => readGroupUsage([1], constants, join(scratchDir(t), 'missing')), { code: 'ENOENT' });
  });
});
