// Benchmark: relaying services' stdout through a supervisor running as PID 1. Services
// (bench/line-writer.c) write numbered 100-byte lines as fast as they can; a checker
// process (bench/log-checker.ts) reads the supervisor's stdout and checks every line: lost,
// torn, out of order, MB/s; the supervisor's peak RSS is read from /proc. corral is
// measured beside supervisord and pm2-runtime in the same run, on the same services.
//
//   npm run bench:logs [-- --lines 500000 --rounds 3 --corral dist/cli/main.js --only corral --workloads main,long]
//                      [--corral-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]
//
// --only and --workloads are for trying things out, --corral-node-args for profiling
// corral (it is stopped with SIGTERM, so it writes its profile): a run with any of them
// does not update docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { corralMain } from '../test/helpers/corral-process.js';
import { compileBenchProgram } from './compile.js';
import { logSupervisors } from './log-supervisors.js';
import { runOnce, type RunFigures } from './log-run.js';
import { tableRow } from './log-table.js';
import { logWorkloads } from './log-workloads.js';
import { writeLogsSection } from './log-report.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '500000' },
    rounds: { type: 'string', default: '3' },
    corral: { type: 'string', default: corralMain },
    only: { type: 'string' },
    workloads: { type: 'string' },
    'corral-node-args': { type: 'string' },
  },
});
const LINES = Number(values.lines);
const ROUNDS = Number(values.rounds);
const CORRAL = resolve(values.corral);
const workloads = logWorkloads(LINES);

// Which corral was measured: the commit of the tree its main.js was built from.
function corralVersion(): string {
  const root = resolve(CORRAL, '../../..');
  const git = (...args: string[]): string | undefined => {
    const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git('rev-parse', '--short', 'HEAD');
  if (commit === undefined) return `corral from ${root}`;
  const dirty = git('status', '--porcelain', '--', 'src', 'addon');
  return `corral at commit ${commit}${dirty === '' ? '' : ' with uncommitted changes to src/'}`;
}

const only = values.only?.split(',');
const chosen = values.workloads?.split(',');
const nodeArgs = values['corral-node-args']?.split(' ').filter((arg) => arg !== '');
const allSupervisors = logSupervisors(CORRAL, nodeArgs);
const unknown = [
  ...(only ?? []).filter((name) => !allSupervisors.some((supervisor) => supervisor.name === name)),
  ...(chosen ?? []).filter((key) => !workloads.some((workload) => workload.key === key)),
];
if (unknown.length > 0) {
  const known = `supervisors: ${allSupervisors.map((s) => s.name).join(', ')}; workloads: ${workloads.map((w) => w.key).join(', ')}`;
  throw new Error(`unknown ${unknown.join(', ')} (${known})`);
}
const supervisors = allSupervisors.filter((supervisor) => only === undefined || only.includes(supervisor.name));
const rows: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-logs-writer-'));
try {
  const writer = compileBenchProgram('line-writer', dir);
  for (const workload of workloads.filter((candidate) => chosen === undefined || chosen.includes(candidate.key))) {
    console.log(`${workload.title}:`);
    const workloadStarted = performance.now();
    for (const supervisor of supervisors.filter((candidate) => workload.under.includes(candidate.name))) {
      const missing = supervisor.missing();
      if (missing !== undefined) {
        console.log(`  ${supervisor.name}: skipped, ${missing}`);
        rows.push(`| ${workload.title} | ${supervisor.name} | not measured: ${missing} | | | | | |`);
        continue;
      }
      const scenario = workload.scenario(writer);
      const runs: RunFigures[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const figures = await runOnce(supervisor, scenario);
        const { check } = figures;
        console.log(
          `  ${supervisor.name} #${round}: ${check.intactLines} intact, ${check.lost} lost, ${check.torn} torn, ${check.outOfOrder} out of order, ${check.mbPerSecond.toFixed(0)} MB/s, peak ${figures.peakMib?.toFixed(0) ?? '—'} MiB (${check.ended})`,
        );
        for (const sample of check.tornSamples.slice(0, 2)) console.log(`    torn: ${sample}`);
        runs.push(figures);
      }
      const line = tableRow({
        workload: workload.title,
        supervisor: supervisor.name,
        scenario,
        runs,
        throughput: workload.throughput ?? true,
        pause: workload.key === 'pause',
      });
      console.log(`  ${line}`);
      rows.push(line);
    }
    console.log(`  (${workload.key} took ${((performance.now() - workloadStarted) / 1000).toFixed(0)} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (only !== undefined || chosen !== undefined || nodeArgs !== undefined) {
  console.log('a partial or profiled run: docs/benchmarks.md not updated');
} else {
  const machine = `${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.version}, ${corralVersion()}`;
  writeLogsSection({ machine, date: new Date().toISOString().slice(0, 10), lines: LINES, rounds: ROUNDS, rows });
}
