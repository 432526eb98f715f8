import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { descendantsOf, readProcEntry, readProcTable, type ProcEntry } from '../../src/process/proc-table.js';

const entry = (pid: number, ppid: number, comm = `p${pid}`): ProcEntry => ({ pid, ppid, pgid: pid, state: 'S', comm });
const pids = (entries: ProcEntry[]): number[] => entries.map((e) => e.pid).sort((a, b) => a - b);

describe('readProcEntry', () => {
  test('readProcEntry(process.pid) describes this process', () => {
    const self = readProcEntry(process.pid);
    assert.ok(self);
    assert.equal(self.pid, process.pid);
    assert.equal(self.ppid, process.ppid);
    assert.ok(self.state === 'R' || self.state === 'S', `state ${self.state}`);
    assert.ok(Number.isInteger(self.pgid) && self.pgid > 0, `pgid ${self.pgid}`);
    assert.ok(self.comm.length > 0);
  });

  test('readProcEntry: a comm with spaces and parentheses is read whole', () => {
    const saved = process.title;
    process.title = 'x) Y (z'; // sets /proc/self/comm on Linux
    try {
      const self = readProcEntry(process.pid);
      assert.equal(self?.comm, 'x) Y (z');
      assert.equal(self?.ppid, process.ppid);
      assert.ok(self?.state === 'R' || self?.state === 'S');
    } finally {
      process.title = saved;
    }
  });

  test('readProcEntry: a pid that does not exist gives undefined', () => {
    assert.equal(readProcEntry(99_999_999), undefined);
  });

  test('readProcTable includes this process and its parent', () => {
    const table = readProcTable();
    assert.ok(table.some((e) => e.pid === process.pid && e.ppid === process.ppid));
    assert.ok(table.some((e) => e.pid === process.ppid));
  });
});

describe('descendantsOf', () => {
  //   1 ─┬─ 10 ─┬─ 11 ── 12
  //      │      └─ 13
  //      └─ 20 ── 21
  //  30 (its parent 99 is not in the table)
  const table = [entry(1, 0), entry(10, 1), entry(11, 10), entry(12, 11), entry(13, 10), entry(20, 1), entry(21, 20), entry(30, 99)];

  test('descendantsOf finds children and grandchildren, not siblings or unrelated processes', () => {
    assert.deepEqual(pids(descendantsOf(10, table)), [11, 12, 13]);
  });

  test('descendantsOf excludes the root itself', () => {
    assert.ok(!descendantsOf(10, table).some((e) => e.pid === 10));
  });

  test('descendantsOf(1) is the whole tree under 1 and nothing else', () => {
    assert.deepEqual(pids(descendantsOf(1, table)), [10, 11, 12, 13, 20, 21]);
  });

  test('descendantsOf a leaf or an unknown pid is empty', () => {
    assert.deepEqual(descendantsOf(12, table), []);
    assert.deepEqual(descendantsOf(12345, table), []);
  });

  test('descendantsOf a pid missing from the table still finds its children', () => {
    assert.deepEqual(pids(descendantsOf(99, table)), [30]);
  });

  test('descendantsOf returns the table entries themselves, each once', () => {
    const found = descendantsOf(1, table);
    assert.equal(new Set(found).size, found.length);
    for (const e of found) assert.ok(table.includes(e));
  });

  test('descendantsOf an empty table is empty', () => {
    assert.deepEqual(descendantsOf(1, []), []);
  });
});
