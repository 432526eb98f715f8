// readContainerUsage: cgroup v2 and v1 layouts built as file trees (namespaced and not,
// combined and separate v1 mounts, limits and no limits, missing files), then this machine.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { readContainerUsage } from '../../src/process/cgroup-usage.js';
import { scratchDir } from '../helpers/scratch.js';

// A proc and a cgroup tree holding `files` (path under the scratch dir -> text).
function fakeRoots(t: TestContext, files: Record<string, string>): { proc: string; cgroup: string } {
  const root = scratchDir(t);
  const roots = { proc: join(root, 'proc'), cgroup: join(root, 'cgroup') };
  mkdirSync(roots.proc);
  mkdirSync(roots.cgroup);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return roots;
}

// What readContainerUsage reads from a tree of `files`, with `links` (name under the
// cgroup root -> target) made as symlinks: every field, for exact comparison.
interface UsageCase {
  name: string;
  files: Record<string, string>;
  links?: Record<string, string>;
  usage: ReturnType<typeof readContainerUsage>;
}

function testUsage(cases: UsageCase[]): void {
  for (const { name, files, links = {}, usage } of cases) {
    test(name, (t) => {
      const roots = fakeRoots(t, files);
      for (const [link, target] of Object.entries(links)) symlinkSync(target, join(roots.cgroup, link));
      assert.deepEqual(readContainerUsage(roots), usage);
    });
  }
}

// No version and no numbers: what the cases below start from.
const NOTHING = { version: undefined, cpuSeconds: undefined, cpuLimit: undefined, memoryBytes: undefined, memoryLimitBytes: undefined };

describe('readContainerUsage, cgroup v2', () => {
  const limited = {
    'cgroup/cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n',
    'cgroup/cpu.max': '150000 100000\n',
    'cgroup/memory.current': '52428800\n',
    'cgroup/memory.max': '268435456\n',
  };

  testUsage([
    {
      name: 'in a cgroup namespace (path "/"), the mount root holds the numbers',
      files: { 'proc/self/cgroup': '0::/\n', 'cgroup/cgroup.controllers': 'cpu memory pids\n', ...limited },
      usage: { version: 2, cpuSeconds: 2.5, cpuLimit: 1.5, memoryBytes: 52_428_800, memoryLimitBytes: 268_435_456 },
    },
    {
      name: 'a nested path that is mounted is read there, not at the root',
      files: {
        'proc/self/cgroup': '0::/system.slice/app.service\n',
        'cgroup/cgroup.controllers': 'cpu memory\n',
        'cgroup/cpu.stat': 'usage_usec 999\n',
        'cgroup/system.slice/app.service/cpu.stat': 'usage_usec 7000000\n',
        'cgroup/system.slice/app.service/cpu.max': '200000 100000\n',
        'cgroup/system.slice/app.service/memory.current': '4096\n',
        'cgroup/system.slice/app.service/memory.max': '8192\n',
      },
      usage: { version: 2, cpuSeconds: 7, cpuLimit: 2, memoryBytes: 4096, memoryLimitBytes: 8192 },
    },
    {
      name: 'a host path that is not mounted falls back to the mount root',
      files: { 'proc/self/cgroup': '0::/docker/0123abcd\n', 'cgroup/cgroup.controllers': 'cpu memory\n', ...limited },
      usage: { version: 2, cpuSeconds: 2.5, cpuLimit: 1.5, memoryBytes: 52_428_800, memoryLimitBytes: 268_435_456 },
    },
    {
      name: '"max" means no limit',
      files: {
        'proc/self/cgroup': '0::/\n',
        'cgroup/cgroup.controllers': 'cpu memory\n',
        'cgroup/cpu.stat': 'usage_usec 1\n',
        'cgroup/cpu.max': 'max 100000\n',
        'cgroup/memory.current': '1\n',
        'cgroup/memory.max': 'max\n',
      },
      usage: { ...NOTHING, version: 2, cpuSeconds: 0.000001, memoryBytes: 1 },
    },
    {
      name: 'missing files leave their fields undefined; the version is still 2',
      files: { 'cgroup/cgroup.controllers': '\n', 'cgroup/memory.current': '123\n' },
      usage: { ...NOTHING, version: 2, memoryBytes: 123 },
    },
  ]);
});

describe('readContainerUsage, cgroup v1', () => {
  testUsage([
    {
      name: 'a combined cpu,cpuacct mount with "cpu" and "cpuacct" symlinks, and a nested memory path',
      files: {
        'proc/self/cgroup': '12:pids:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/\n1:name=systemd:/\n0::/\n',
        'cgroup/cpu,cpuacct/cpuacct.usage': '3500000000\n',
        'cgroup/cpu,cpuacct/cpu.cfs_quota_us': '50000\n',
        'cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
        'cgroup/memory/memory.usage_in_bytes': '999\n',
        'cgroup/memory/process_api/abc/memory.usage_in_bytes': '1048576\n',
        'cgroup/memory/process_api/abc/memory.limit_in_bytes': '536870912\n',
      },
      links: { cpu: 'cpu,cpuacct', cpuacct: 'cpu,cpuacct' },
      usage: { version: 1, cpuSeconds: 3.5, cpuLimit: 0.5, memoryBytes: 1_048_576, memoryLimitBytes: 536_870_912 },
    },
    {
      name: 'a combined mount without symlinks is found by its comma-joined name',
      files: {
        'proc/self/cgroup': '3:cpuacct,cpu:/\n',
        'cgroup/cpuacct,cpu/cpuacct.usage': '1000000000\n',
        'cgroup/cpuacct,cpu/cpu.cfs_quota_us': '300000\n',
        'cgroup/cpuacct,cpu/cpu.cfs_period_us': '100000\n',
      },
      usage: { ...NOTHING, version: 1, cpuSeconds: 1, cpuLimit: 3 },
    },
    {
      name: 'separate cpu and cpuacct mounts; quota -1 and the page-rounded 2^63 limit mean no limit',
      files: {
        'proc/self/cgroup': '4:memory:/\n2:cpuacct:/\n1:cpu:/\n',
        'cgroup/cpuacct/cpuacct.usage': '250000000\n',
        'cgroup/cpu/cpu.cfs_quota_us': '-1\n',
        'cgroup/cpu/cpu.cfs_period_us': '100000\n',
        'cgroup/memory/memory.usage_in_bytes': '2048\n',
        'cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
      },
      usage: { ...NOTHING, version: 1, cpuSeconds: 0.25, memoryBytes: 2048 },
    },
    {
      name: 'the unlimited value for 64 KiB pages is no limit either',
      files: { 'cgroup/memory/memory.limit_in_bytes': '9223372036854710272\n' },
      usage: { ...NOTHING, version: 1 },
    },
    {
      name: 'a host path that is not mounted falls back to the controller root',
      files: { 'proc/self/cgroup': '4:memory:/docker/0123abcd\n', 'cgroup/memory/memory.usage_in_bytes': '77\n' },
      usage: { ...NOTHING, version: 1, memoryBytes: 77 },
    },
    {
      name: 'only memory mounted: the cpu fields are undefined',
      files: { 'proc/self/cgroup': '4:memory:/\n', 'cgroup/memory/memory.usage_in_bytes': '5\n' },
      usage: { ...NOTHING, version: 1, memoryBytes: 5 },
    },
    {
      name: 'unreadable contents (not numbers, a directory) are undefined, not an error',
      files: {
        'cgroup/cpuacct/cpuacct.usage': 'garbage\n',
        'cgroup/cpu/cpu.cfs_quota_us': '50000\n',
        'cgroup/cpu/cpu.cfs_period_us': '0\n',
        'cgroup/memory/memory.usage_in_bytes/file': 'a directory where a file should be\n',
      },
      usage: { ...NOTHING, version: 1 },
    },
  ]);
});

describe('readContainerUsage, no cgroup', () => {
  testUsage([{ name: 'an empty cgroup mount gives version undefined and no numbers', files: { 'proc/self/cgroup': '0::/\n' }, usage: NOTHING }]);

  test('roots that do not exist do not throw', (t) => {
    const missing = join(scratchDir(t), 'missing');
    assert.equal(readContainerUsage({ proc: missing, cgroup: missing }).version, undefined);
  });
});

describe('readContainerUsage on this machine', () => {
  test('finds a cgroup version and a positive CPU time', () => {
    const usage = readContainerUsage();
    assert.ok(usage.version === 1 || usage.version === 2, `version ${usage.version}`);
    assert.ok(typeof usage.cpuSeconds === 'number' && usage.cpuSeconds > 0, `cpuSeconds ${usage.cpuSeconds}`);
    if (usage.memoryBytes !== undefined) assert.ok(usage.memoryBytes > 0, `memoryBytes ${usage.memoryBytes}`);
  });
});
