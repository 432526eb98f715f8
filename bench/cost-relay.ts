// Relaying in the cost benchmark (bench/cost.ts): two of the log benchmark's workloads
// (bench/log-workloads.ts), run the log benchmark's way (bench/log-run.ts), for corral and
// supervisord: peak RSS while relaying, MB/s, and whether every line came through whole.
import { corralMain } from '../test/helpers/corral-process.js';
import { runOnce } from './log-run.js';
import { logSupervisors, type LogSupervisor } from './log-supervisors.js';
import { logWorkloads, type Workload } from './log-workloads.js';

export const RELAY_WORKLOADS = ['main', 'many'] as const;
export type RelayWorkload = (typeof RELAY_WORKLOADS)[number];
export const RELAY_SUPERVISORS = ['corral', 'supervisord'] as const;

export interface RelayFigures {
  mbPerSecond: number;
  peakMib: number | undefined;
  /** Lost, torn and out-of-order lines together. */
  bad: number;
}

export function relayWorkload(key: RelayWorkload): Workload {
  return logWorkloads(500_000).find((workload) => workload.key === key)!;
}

export function relaySupervisor(name: (typeof RELAY_SUPERVISORS)[number]): LogSupervisor {
  return logSupervisors(corralMain).find((supervisor) => supervisor.name === name)!;
}

export async function measureRelay(supervisor: LogSupervisor, workload: RelayWorkload, writer: string): Promise<RelayFigures> {
  const { check, peakMib } = await runOnce(supervisor, relayWorkload(workload).scenario(writer));
  return { mbPerSecond: check.mbPerSecond, peakMib, bad: check.lost + check.torn + check.outOfOrder };
}
