// The container's own CPU time, memory and limits, read from its cgroup: what `corral
// status` shows beside the services, and what their sum is measured against.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface ContainerUsage {
  /** The cgroup hierarchy the numbers came from; undefined when none was found. */
  version: 1 | 2 | undefined;
  /** CPU time used by every process in the cgroup since it was created. */
  cpuSeconds: number | undefined;
  /** CPUs the quota allows (quota / period), e.g. 1.5; undefined when unlimited. */
  cpuLimit: number | undefined;
  memoryBytes: number | undefined;
  /** undefined when unlimited. */
  memoryLimitBytes: number | undefined;
}

// Where proc and the cgroup mount are, so tests can hand in fixture trees.
export interface CgroupRoots {
  proc: string;
  cgroup: string;
}

const noCgroup: ContainerUsage = {
  version: undefined,
  cpuSeconds: undefined,
  cpuLimit: undefined,
  memoryBytes: undefined,
  memoryLimitBytes: undefined,
};

// v1 writes "no limit" as the largest page-aligned long (9223372036854771712 with 4 KiB
// pages), which differs with the page size; no machine has 4 EiB, so anything this big is
// no limit.
const unlimitedBytes = 2 ** 62;

// Reads the container's usage from cgroup v2 (unified) or v1 (one mount per controller,
// including the hybrid layout). Status must show something even in odd containers, so a
// missing or unreadable file leaves its field undefined and nothing throws.
export function readContainerUsage(roots: CgroupRoots = { proc: '/proc', cgroup: '/sys/fs/cgroup' }): ContainerUsage {
  const membership = readText(`${roots.proc}/self/cgroup`) ?? '';
  if (readText(`${roots.cgroup}/cgroup.controllers`) !== undefined) return readV2(roots.cgroup, membership);
  return readV1(roots.cgroup, membership);
}

function readV2(mount: string, membership: string): ContainerUsage {
  const dir = cgroupDir(
    mount,
    cgroupPath(membership, (controllers, hierarchy) => hierarchy === '0' && controllers === ''),
  );
  const usec = /^usage_usec (\d+)$/m.exec(readText(`${dir}/cpu.stat`) ?? '')?.[1];
  const [quota, period] = (readText(`${dir}/cpu.max`) ?? '').split(' ');
  return {
    version: 2,
    cpuSeconds: usec === undefined ? undefined : Number(usec) / 1e6,
    cpuLimit: quota === 'max' ? undefined : ratio(quota, period),
    memoryBytes: readNumber(`${dir}/memory.current`),
    memoryLimitBytes: limitBytes(readText(`${dir}/memory.max`)),
  };
}

function readV1(mount: string, membership: string): ContainerUsage {
  const cpuacct = controllerDir(mount, membership, 'cpuacct');
  const cpu = controllerDir(mount, membership, 'cpu');
  const memory = controllerDir(mount, membership, 'memory');
  if (!cpuacct && !cpu && !memory) return { ...noCgroup };
  const usageNs = toNumber(readIn(cpuacct, 'cpuacct.usage'));
  const quota = readIn(cpu, 'cpu.cfs_quota_us');
  return {
    version: 1,
    cpuSeconds: usageNs === undefined ? undefined : usageNs / 1e9,
    // A negative quota (-1) means no limit.
    cpuLimit: Number(quota) < 0 ? undefined : ratio(quota, readIn(cpu, 'cpu.cfs_period_us')),
    memoryBytes: toNumber(readIn(memory, 'memory.usage_in_bytes')),
    memoryLimitBytes: limitBytes(readIn(memory, 'memory.limit_in_bytes')),
  };
}

// The cgroup directory of one v1 controller, or undefined when it is not mounted. Mounts
// are named by their comma-joined controllers ("cpu,cpuacct"), often with a symlink per
// controller, so the exact name is tried first and then any name that lists it.
function controllerDir(mount: string, membership: string, controller: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(mount);
  } catch {
    return undefined;
  }
  // Both a mount's name and a /proc/self/cgroup line list controllers comma-joined.
  const listed = (controllers: string): boolean => controllers.split(',').includes(controller);
  const name = names.includes(controller) ? controller : names.find(listed);
  if (name === undefined || !isDirectory(`${mount}/${name}`)) return undefined;
  return cgroupDir(`${mount}/${name}`, cgroupPath(membership, listed));
}

// The PATH of the first "N:controllers:PATH" line of /proc/self/cgroup that `matches`.
function cgroupPath(membership: string, matches: (controllers: string, hierarchy: string) => boolean): string {
  for (const line of membership.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    if (matches(line.slice(first + 1, second), line.slice(0, first))) return line.slice(second + 1);
  }
  return '/';
}

// With a cgroup namespace the path is "/" and the mount is our cgroup. Without one the
// path is the host's, which is not mounted in the container: the mount root is then the
// container's cgroup.
function cgroupDir(mount: string, path: string): string {
  const nested = `${mount}${path === '/' ? '' : path}`;
  return isDirectory(nested) ? nested : mount;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return undefined;
  }
}

// A file of a v1 controller that may not be mounted.
function readIn(dir: string | undefined, file: string): string | undefined {
  return dir === undefined ? undefined : readText(`${dir}/${file}`);
}

function readNumber(path: string): number | undefined {
  return toNumber(readText(path));
}

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

function limitBytes(text: string | undefined): number | undefined {
  const bytes = toNumber(text);
  return bytes === undefined || bytes >= unlimitedBytes ? undefined : bytes;
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const over = toNumber(quota);
  const under = toNumber(period);
  return over === undefined || under === undefined || under <= 0 ? undefined : over / under;
}
