// CPU use needs two readings: `corral status` reads /proc and the cgroup, waits a moment,
// reads again, and reports the difference as a percentage (100% = one CPU busy, as in
// top and docker stats). Concurrent requests share one measurement, so a thousand
// clients at once cost one.
import { availableParallelism } from 'node:os';
import type { ContainerUsage } from '../process/cgroup-usage.js';
import type { GroupUsage } from '../process/group-usage.js';

export const SAMPLE_WINDOW_MS = 250;

export interface UsageReading {
  at: number;
  groups: Map<number, GroupUsage>;
  container: ContainerUsage;
}

export interface GroupSample extends GroupUsage {
  cpuPercent: number | null;
}

export interface UsageSample {
  groups: Map<number, GroupSample>;
  container: ContainerUsage & { cpuPercent: number | null; cpusAvailable: number };
}

export class UsageSampler {
  private pending: Promise<UsageSample> | undefined;

  constructor(
    private readonly read: (pgids: readonly number[]) => UsageReading,
    private readonly windowMs = SAMPLE_WINDOW_MS,
  ) {}

  // Usage of the groups `pgids()` names at the start of the measurement, and of the container.
  sample(pgids: () => readonly number[]): Promise<UsageSample> {
    this.pending ??= this.measure(pgids()).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async measure(pgids: readonly number[]): Promise<UsageSample> {
    const first = this.read(pgids);
    await new Promise((resolve) => setTimeout(resolve, this.windowMs));
    const second = this.read(pgids);
    const seconds = (second.at - first.at) / 1000;
    const percent = (before: number | undefined, after: number | undefined): number | null =>
      before === undefined || after === undefined || seconds <= 0 ? null : Math.max(0, ((after - before) / seconds) * 100);
    const groups = new Map<number, GroupSample>();
    for (const [pgid, usage] of second.groups) {
      // A group whose processes all changed between the readings is not comparable.
      const before = first.groups.get(pgid);
      const comparable = before !== undefined && before.processes > 0 && usage.processes > 0 && usage.cpuSeconds >= before.cpuSeconds;
      groups.set(pgid, { ...usage, cpuPercent: comparable ? percent(before.cpuSeconds, usage.cpuSeconds) : null });
    }
    const container = {
      ...second.container,
      cpuPercent: percent(first.container.cpuSeconds, second.container.cpuSeconds),
      cpusAvailable: availableParallelism(),
    };
    return { groups, container };
  }
}
