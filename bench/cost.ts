// Benchmark: what it costs to have corral as PID 1 (issue 20): memory, start-up, idle CPU,
// CPU per orphan reaped, relaying and the client commands, each measured beside bare Node
// (a script that does nothing but setInterval, with corral's V8 flags), `node -e 0` and
// the peers that are installed (npm run bench:setup installs them), interleaved round by
// round in one run. Each runs as PID 1 of its own PID namespace.
//
//   npm run bench:cost [-- --rounds 5 --only startup,idle,orphans,clients,relay --orphans 2000,20000 --idle-seconds 10 --client-runs 5]
//
// A run with any option other than the defaults does not update docs/benchmarks.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLIENTS, measureClients } from './cost-clients.js';
import { measureIdle, type IdleCase } from './cost-idle.js';
import { measureOrphans } from './cost-orphans.js';
import { pid1s, type Pid1, type Pid1Name } from './cost-pid1.js';
import { measureRelay, RELAY_SUPERVISORS, RELAY_WORKLOADS, relaySupervisor } from './cost-relay.js';
import { Samples } from './cost-report.js';
import { costSection, PHASES, type Phase } from './cost-section.js';
import { compileBenchProgram } from './compile.js';
import { measureNodeE0, measureStartup } from './cost-startup.js';
import { writeBenchmarkSection } from './report.js';

const defaults = { rounds: '5', orphans: '2000,20000', 'idle-seconds': '10', 'client-runs': '5' };
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: defaults.rounds },
    orphans: { type: 'string', default: defaults.orphans },
    'idle-seconds': { type: 'string', default: defaults['idle-seconds'] },
    'client-runs': { type: 'string', default: defaults['client-runs'] },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const ORPHANS = values.orphans.split(',').map(Number);
const IDLE_MS = Number(values['idle-seconds']) * 1000;
const CLIENT_RUNS = Number(values['client-runs']);
const phases = (values.only?.split(',') ?? PHASES) as Phase[];
const unknown = phases.filter((phase) => !PHASES.includes(phase));
if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);

const notes: string[] = [];
const available = new Map<Pid1Name, Pid1>();
for (const pid1 of pid1s()) {
  const missing = pid1.missing();
  if (missing === undefined) available.set(pid1.name, pid1);
  else {
    console.log(`${pid1.name}: skipped, ${missing}`);
    notes.push(`- ${pid1.name} was not measured: ${missing}.`);
  }
}
const these = (...names: Pid1Name[]): Pid1[] => names.flatMap((name) => available.get(name) ?? []);
const corral = available.get('corral')!;
const samples = new Samples();
const log = (text: string): void => console.log(`  ${text}`);

async function startupRound(): Promise<void> {
  const e0 = await measureNodeE0();
  samples.add('start|node -e 0', e0);
  log(`node -e 0: ${e0.toFixed(0)} ms`);
  for (const pid1 of these('corral', 's6-svscan', 'supervisord', 'tini', 'pm2-runtime')) {
    const { firstMs } = await measureStartup(pid1, 1);
    samples.add(`start 1|${pid1.name}`, firstMs);
    log(`${pid1.name}, 1 service: running after ${firstMs.toFixed(0)} ms`);
  }
  for (const pid1 of these('corral', 's6-svscan', 'supervisord')) {
    const { firstMs, allMs } = await measureStartup(pid1, 10);
    samples.add(`start 10 first|${pid1.name}`, firstMs);
    samples.add(`start 10 all|${pid1.name}`, allMs);
    log(`${pid1.name}, 10 services: first after ${firstMs.toFixed(0)} ms, all after ${allMs.toFixed(0)} ms`);
  }
}

async function idleRound(): Promise<void> {
  const cases: IdleCase[] = [];
  const add = (pid1: Pid1, services: number, cpu: boolean): number => cases.push({ key: `${pid1.name}|${services}`, pid1, services, cpu });
  for (const pid1 of these('bare node')) add(pid1, 0, true);
  for (const pid1 of these('corral', 'supervisord'))
    for (const [count, cpu] of [
      [10, true],
      [20, false],
      [100, true],
      [500, false],
    ] as const)
      add(pid1, count, cpu);
  for (const pid1 of these('s6-svscan', 'pm2-runtime')) add(pid1, 20, false);
  const figures = await measureIdle(cases, IDLE_MS);
  for (const [key, { rssMib, peakMib, cpu }] of figures) {
    samples.add(`rss|${key}`, rssMib);
    samples.add(`rss peak|${key}`, peakMib);
    if (cpu !== undefined) samples.add(`cpu|${key}`, cpu.schedMsPerSecond);
    log(`${key}: RSS ${rssMib.toFixed(1)} MiB${cpu === undefined ? '' : `, idle CPU ${cpu.schedMsPerSecond.toFixed(2)} ms/s`}`);
  }
}

async function orphanRound(maker: string): Promise<void> {
  for (const count of ORPHANS) {
    for (const pid1 of these('corral', 'tini')) {
      const { usPerOrphan, ms } = await measureOrphans(pid1, maker, count);
      samples.add(`orphan|${pid1.name}|${count}`, usPerOrphan);
      log(`${pid1.name}, ${count} orphans: ${usPerOrphan.toFixed(1)} µs each, all reaped after ${ms.toFixed(0)} ms`);
    }
  }
}

async function clientRound(): Promise<void> {
  const runs = await measureClients(corral, CLIENT_RUNS);
  for (const name of CLIENTS) {
    for (const run of runs.get(name)!) {
      samples.add(`client ms|${name}`, run.ms);
      samples.add(`client peak|${name}`, run.peakMib);
    }
    log(
      `${name}: ${runs
        .get(name)!
        .map((run) => `${run.ms.toFixed(0)} ms/${run.peakMib.toFixed(1)} MiB`)
        .join(', ')}`,
    );
  }
}

async function relayRound(writer: string): Promise<void> {
  for (const workload of RELAY_WORKLOADS) {
    for (const name of RELAY_SUPERVISORS.filter((candidate) => available.has(candidate))) {
      const figures = await measureRelay(relaySupervisor(name), workload, writer);
      samples.add(`relay mbs|${workload}|${name}`, figures.mbPerSecond);
      if (figures.peakMib !== undefined) samples.add(`relay peak|${workload}|${name}`, figures.peakMib);
      samples.add(`relay bad|${workload}|${name}`, figures.bad);
      log(`${workload}, ${name}: ${figures.mbPerSecond.toFixed(0)} MB/s, peak ${figures.peakMib?.toFixed(1)} MiB, ${figures.bad} lost/torn/out of order`);
    }
  }
}

const started = performance.now();
// How long each phase took in all, so that the run's length can be kept in check.
const phaseSeconds = new Map<Phase, number>();
const dir = mkdtempSync(join(tmpdir(), 'bench-cost-bin-'));
try {
  const maker = compileBenchProgram('orphan-maker', dir);
  const writer = compileBenchProgram('line-writer', dir);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const phase of phases) {
      console.log(`round ${round}/${ROUNDS}, ${phase}:`);
      const phaseStarted = performance.now();
      if (phase === 'startup') await startupRound();
      else if (phase === 'idle') await idleRound();
      else if (phase === 'orphans') await orphanRound(maker);
      else if (phase === 'clients') await clientRound();
      else await relayRound(writer);
      phaseSeconds.set(phase, (phaseSeconds.get(phase) ?? 0) + (performance.now() - phaseStarted) / 1000);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const minutes = (performance.now() - started) / 60_000;
console.log(`done in ${minutes.toFixed(1)} min (${[...phaseSeconds].map(([phase, seconds]) => `${phase} ${seconds.toFixed(0)} s`).join(', ')})`);

const lines = costSection({ samples, rounds: ROUNDS, orphans: ORPHANS, idleMs: IDLE_MS, clientRuns: CLIENT_RUNS, phases, minutes, notes });
console.log(lines.join('\n'));
const nonDefault = values.only !== undefined || (Object.keys(defaults) as (keyof typeof defaults)[]).some((key) => values[key] !== defaults[key]);
if (nonDefault) console.log('a run with non-default options: docs/benchmarks.md not updated');
else writeBenchmarkSection('cost', lines);
