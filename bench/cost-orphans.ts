// Orphan reaping in the cost benchmark (bench/cost.ts): the PID 1's CPU time per orphan it
// reaps. Its one service, bench/orphan-maker.c, waits for a byte on a FIFO, then makes
// COUNT orphans that exit at once and creates a file. The CPU time (the threads'
// schedstat) is read before the byte is written and again once the file exists and the
// PID 1 has no more children than before: every orphan reaped.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollFor } from '../test/helpers/corral-process.js';
import { schedCpuMs, sleep } from './control-measure.js';
import { servicesUp, startPid1, type Pid1 } from './cost-pid1.js';

// Time for a fresh PID 1 to finish starting (for corral: loading, first JIT) before the
// orphans come, so that its start-up is not counted as reaping.
const QUIET_MS = 2000;
const DEADLINE_MS = 120_000;

/** The PID 1's children, from /proc/PID/task/TID/children of each of its threads. */
function childCount(pid: number): number {
  let count = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      count += readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1')
        .split(' ')
        .filter((word) => word.trim() !== '').length;
    } catch {
      // the thread ended meanwhile
    }
  }
  return count;
}

export interface OrphanFigures {
  /** µs of the PID 1's CPU time per orphan. */
  usPerOrphan: number;
  /** ms from the trigger to the last orphan reaped. */
  ms: number;
}

export async function measureOrphans(pid1: Pid1, maker: string, count: number): Promise<OrphanFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-orphans-'));
  const trigger = join(dir, 'trigger.fifo');
  const done = join(dir, 'done');
  const made = spawnSync('mkfifo', [trigger]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
  const services = [{ name: 'maker', argv: [maker, String(count), trigger, done] }];
  const running = await startPid1(pid1, services, {}, dir);
  try {
    await servicesUp(running, pid1.name, 'orphan-maker', 1);
    // The maker has the FIFO open for reading once it is blocked in read(); until then
    // a non-blocking open for writing fails with ENXIO.
    const fd = await pollFor('the orphan maker to open its trigger', 10_000, () => {
      try {
        return openSync(trigger, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        return undefined;
      }
    });
    await sleep(QUIET_MS);
    const before = childCount(running.pid1);
    const cpuBefore = schedCpuMs(running.pid1);
    const startedAt = performance.now();
    writeSync(fd, 'x');
    closeSync(fd);
    await pollFor(`${pid1.name} to reap ${count} orphans`, DEADLINE_MS, () => (existsSync(done) && childCount(running.pid1) <= before ? true : undefined), {
      intervalMs: 10,
      last: () => `${childCount(running.pid1)} children, ${before} before`,
    });
    const ms = performance.now() - startedAt;
    return { usPerOrphan: ((schedCpuMs(running.pid1) - cpuBefore) * 1000) / count, ms };
  } finally {
    await running.stop();
  }
}
