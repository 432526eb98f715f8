import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { SAMPLE_WINDOW_MS, UsageSampler, type UsageReading } from '../../src/control/usage-sampler.js';
import type { ContainerUsage } from '../../src/process/cgroup-usage.js';
import type { GroupUsage } from '../../src/process/group-usage.js';

const WINDOW_MS = 5;

const CONTAINER: ContainerUsage = { version: 2, cpuSeconds: 100, cpuLimit: 2, memoryBytes: 1000, memoryLimitBytes: 5000 };

function group(cpuSeconds: number, processes = 1, rssBytes = 4096): GroupUsage {
  return { cpuSeconds, rssBytes, processes };
}

function reading(at: number, groups: [number, GroupUsage][], container: Partial<ContainerUsage> = {}): UsageReading {
  return { at, groups: new Map(groups), container: { ...CONTAINER, ...container } };
}

// A fake `read` that returns `readings` in turn (the last one again when they run out),
// and records the pgids of each call.
function fakeRead(...readings: UsageReading[]): { read: (pgids: readonly number[]) => UsageReading; calls: (readonly number[])[] } {
  const calls: (readonly number[])[] = [];
  const read = (pgids: readonly number[]): UsageReading => {
    calls.push(pgids);
    return readings[Math.min(calls.length - 1, readings.length - 1)]!;
  };
  return { read, calls };
}

describe('UsageSampler: the arithmetic', () => {
  test('the default window is 250 ms', () => {
    assert.equal(SAMPLE_WINDOW_MS, 250);
  });

  test('cpuPercent is the CPU seconds used over the wall seconds between the readings, times 100', async () => {
    // 0.25 s of CPU in 0.5 s of wall time: 50%; 1.5 s in 0.5 s: 300% (three CPUs busy).
    const { read, calls } = fakeRead(
      reading(
        1000,
        [
          [10, group(2)],
          [20, group(7, 2)],
        ],
        { cpuSeconds: 100 },
      ),
      reading(
        1500,
        [
          [10, group(2.25, 1, 8192)],
          [20, group(8.5, 3)],
        ],
        { cpuSeconds: 100.1 },
      ),
    );
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [10, 20]);
    assert.deepEqual(calls, [
      [10, 20],
      [10, 20],
    ]);
    assert.deepEqual(sample.groups.get(10), { cpuSeconds: 2.25, rssBytes: 8192, processes: 1, cpuPercent: 50 });
    assert.deepEqual(sample.groups.get(20), { cpuSeconds: 8.5, rssBytes: 4096, processes: 3, cpuPercent: 300 });
    assert.equal(sample.groups.size, 2);
    // The container: 0.1 s in 0.5 s.
    assert.ok(Math.abs(sample.container.cpuPercent! - 20) < 1e-9, String(sample.container.cpuPercent));
  });

  test('the usage reported is the second reading; the container keeps its fields and gains the CPU count', async () => {
    const { read } = fakeRead(reading(0, [], { cpuSeconds: 1, memoryBytes: 10 }), reading(2000, [], { cpuSeconds: 2, memoryBytes: 20, version: 1 }));
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => []);
    assert.deepEqual(sample.container, {
      version: 1,
      cpuSeconds: 2,
      cpuLimit: 2,
      memoryBytes: 20,
      memoryLimitBytes: 5000,
      cpuPercent: 50,
      cpusAvailable: availableParallelism(),
    });
    assert.equal(sample.groups.size, 0);
  });

  test('an idle group is at 0%', async () => {
    const { read } = fakeRead(reading(0, [[5, group(3)]]), reading(250, [[5, group(3)]]));
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [5]);
    assert.equal(sample.groups.get(5)?.cpuPercent, 0);
  });

  test('a group absent from the first reading has its usage but no cpuPercent', async () => {
    const { read } = fakeRead(reading(0, []), reading(500, [[7, group(1, 2, 1024)]]));
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [7]);
    assert.deepEqual(sample.groups.get(7), { cpuSeconds: 1, rssBytes: 1024, processes: 2, cpuPercent: null });
  });

  test('a group whose CPU time went down (a member exited and took its time along) has no cpuPercent', async () => {
    const { read } = fakeRead(reading(0, [[7, group(5, 3)]]), reading(500, [[7, group(4, 2)]]));
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [7]);
    assert.deepEqual(sample.groups.get(7), { cpuSeconds: 4, rssBytes: 4096, processes: 2, cpuPercent: null });
  });

  test('a group with no processes in either reading has no cpuPercent', async () => {
    const before = fakeRead(reading(0, [[7, group(0, 0)]]), reading(500, [[7, group(1, 1)]]));
    assert.equal((await new UsageSampler(before.read, WINDOW_MS).sample(() => [7])).groups.get(7)?.cpuPercent, null);
    const after = fakeRead(reading(0, [[7, group(1, 1)]]), reading(500, [[7, group(1, 0)]]));
    assert.equal((await new UsageSampler(after.read, WINDOW_MS).sample(() => [7])).groups.get(7)?.cpuPercent, null);
  });

  test('a group gone by the second reading is left out', async () => {
    const { read } = fakeRead(
      reading(0, [
        [7, group(1)],
        [8, group(1)],
      ]),
      reading(500, [[8, group(1.5)]]),
    );
    const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [7, 8]);
    assert.deepEqual([...sample.groups.keys()], [8]);
    assert.equal(sample.groups.get(8)?.cpuPercent, 100);
  });

  test('the container has no cpuPercent when its CPU time is unknown in either reading', async () => {
    for (const [first, second] of [
      [undefined, 5],
      [5, undefined],
      [undefined, undefined],
    ] as const) {
      const { read } = fakeRead(reading(0, [], { cpuSeconds: first }), reading(500, [], { cpuSeconds: second }));
      const sample = await new UsageSampler(read, WINDOW_MS).sample(() => []);
      assert.equal(sample.container.cpuPercent, null, `${first} -> ${second}`);
      assert.equal(sample.container.cpuSeconds, second);
    }
  });

  test('container CPU time that went down counts as 0%, not negative', async () => {
    const { read } = fakeRead(reading(0, [], { cpuSeconds: 10 }), reading(500, [], { cpuSeconds: 9 }));
    assert.equal((await new UsageSampler(read, WINDOW_MS).sample(() => [])).container.cpuPercent, 0);
  });

  test('readings taken at the same instant (or backwards) give no cpuPercent, not Infinity', async () => {
    for (const secondAt of [1000, 900]) {
      const { read } = fakeRead(reading(1000, [[7, group(1)]], { cpuSeconds: 1 }), reading(secondAt, [[7, group(2)]], { cpuSeconds: 2 }));
      const sample = await new UsageSampler(read, WINDOW_MS).sample(() => [7]);
      assert.equal(sample.groups.get(7)?.cpuPercent, null, String(secondAt));
      assert.equal(sample.container.cpuPercent, null, String(secondAt));
    }
  });
});

describe('UsageSampler: sharing one measurement', () => {
  test('concurrent callers share one measurement: two reads for any number of callers', async () => {
    const { read, calls } = fakeRead(reading(0, [[1, group(0)]]), reading(500, [[1, group(0.5)]]));
    const sampler = new UsageSampler(read, WINDOW_MS);
    const pgidCalls: string[] = [];
    const promises = ['a', 'b', 'c', 'd', 'e'].map((caller) =>
      sampler.sample(() => {
        pgidCalls.push(caller);
        return [1];
      }),
    );
    // The first reading is taken at once, the second after the window.
    assert.equal(calls.length, 1);
    const samples = await Promise.all(promises);
    assert.equal(calls.length, 2);
    // Only the first caller's pgids were asked for; every caller got the same sample.
    assert.deepEqual(pgidCalls, ['a']);
    for (const sample of samples) assert.equal(sample, samples[0]);
    assert.equal(samples[0]!.groups.get(1)?.cpuPercent, 100);
  });

  test('a call after the measurement ended measures again', async () => {
    const { read, calls } = fakeRead(
      reading(0, [[1, group(0)]]),
      reading(500, [[1, group(0.5)]]),
      reading(1000, [[1, group(0.5)]]),
      reading(2000, [[1, group(1)]]),
    );
    const sampler = new UsageSampler(read, WINDOW_MS);
    const first = await sampler.sample(() => [1]);
    assert.equal(calls.length, 2);
    const second = await sampler.sample(() => [1, 2]);
    assert.equal(calls.length, 4);
    assert.notEqual(second, first);
    assert.deepEqual(calls[2], [1, 2]);
    assert.equal(first.groups.get(1)?.cpuPercent, 100);
    assert.equal(second.groups.get(1)?.cpuPercent, 50);
  });

  test('the second reading waits for the window', async () => {
    const { read, calls } = fakeRead(reading(0, []), reading(1, []));
    const sampler = new UsageSampler(read, 40);
    const started = performance.now();
    const pending = sampler.sample(() => []);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(calls.length, 1);
    await pending;
    assert.equal(calls.length, 2);
    // Timers may fire a little early by the clock, never much.
    assert.ok(performance.now() - started >= 35, String(performance.now() - started));
  });

  test('a failed reading rejects every waiting caller, and the next call measures again', async () => {
    let calls = 0;
    const sampler = new UsageSampler((): UsageReading => {
      calls += 1;
      if (calls === 2) throw new Error('EACCES reading /proc');
      return reading(calls * 500, []);
    }, WINDOW_MS);
    const results = await Promise.allSettled([sampler.sample(() => []), sampler.sample(() => [])]);
    assert.equal(calls, 2);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      const reason: unknown = result.reason;
      assert.ok(reason instanceof Error);
      assert.equal(reason.message, 'EACCES reading /proc');
    }
    const sample = await sampler.sample(() => []);
    assert.equal(calls, 4);
    assert.equal(sample.groups.size, 0);
  });
});
