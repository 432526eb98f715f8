// Benchmark: what the control plane costs. corral, supervisord and pm2-runtime each run as
// PID 1 (`unshare --pid --fork --mount-proc`) with the same long-running services, and are
// asked (1) for their status by their own client, one run after another: wall time and the
// client's peak RSS; (2) a thousand cheap calls at once over their control socket: how many
// are answered, how soon, and the supervisor's RSS before, at the peak and after; (3)
// nothing at all for a while: the supervisor's CPU time, and corral's again with its metrics
// endpoint scraped every second.
//
//   npm run bench:control [-- --runs 30 --rounds 3 --clients 1000 --services 10 --idle-seconds 10 --only corral]
//
// A run with any option other than the defaults does not update docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  burstAgainst,
  cpuOver,
  freePort,
  peakRssMethod,
  quantile,
  runClient,
  sleep,
  startScraper,
  tickMs,
  type BurstFigures,
  type CpuFigures,
} from './control-measure.js';
import { controlSupervisors, type ControlSupervisor, type Running } from './control-supervisors.js';
import type { LogService } from './log-supervisors.js';
import { writeBenchmarkSection } from './report.js';

const defaults = { runs: '30', rounds: '3', clients: '1000', services: '10', 'idle-seconds': '10' };
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: defaults.runs },
    rounds: { type: 'string', default: defaults.rounds },
    clients: { type: 'string', default: defaults.clients },
    services: { type: 'string', default: defaults.services },
    'idle-seconds': { type: 'string', default: defaults['idle-seconds'] },
    only: { type: 'string' },
  },
});
const option = (key: keyof typeof defaults): number => Number(values[key]);
const [RUNS, ROUNDS, CLIENTS, IDLE_MS] = [option('runs'), option('rounds'), option('clients'), option('idle-seconds') * 1000];
// Time for a supervisor to finish starting before it is measured idle: for the two in Node,
// the one-off full collection V8 makes some 8 to 25 s after start ("Mark-Compact (reduce)",
// about 140 ms of CPU for corral), which would otherwise fall into some windows and not others.
const SETTLE_MS = 30_000;
const AFTER_MS = 2000;
const SCRAPE_EVERY_MS = 1000;
const SERVICE_ARGV = ['sleep', '100000'];
const services: LogService[] = Array.from({ length: option('services') }, (_, i) => ({ name: `s${i}`, argv: SERVICE_ARGV }));

const only = values.only?.split(',');
const all = controlSupervisors();
const unknown = (only ?? []).filter((name) => !all.some((supervisor) => supervisor.name === name));
if (unknown.length > 0) throw new Error(`unknown ${unknown.join(', ')} (supervisors: ${all.map((s) => s.name).join(', ')})`);

const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const mib = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '—' : `${value.toFixed(1)} MiB`);
// The median of the rounds, and their range.
const spread = (values: number[], unit: string, digits = 0): string =>
  `${fixed(quantile(values, 0.5), digits)} ${unit} (${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)})`;
// What each supervisor's burst call is, in the table.
const CALL = { corral: 'health', supervisord: 'getState', 'pm2-runtime': 'ping' } as const;

async function using(supervisor: ControlSupervisor, env: Record<string, string>, body: (running: Running) => Promise<void>): Promise<void> {
  const running = await supervisor.start(services, env);
  try {
    await body(running);
  } finally {
    await running.stop();
  }
}

// 1. Each client RUNS times, one after the other, after one run that is not counted (it
// brings the files into the page cache).
async function measureClients(supervisor: ControlSupervisor, rows: string[]): Promise<void> {
  await using(supervisor, {}, async (running) => {
    for (const client of running.clients) {
      await runClient(client.argv, client.env, running.dir);
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runClient(client.argv, client.env, running.dir));
      const ms = runs.map((run) => run.ms);
      const peaks = runs.map((run) => run.peakMib);
      const row = `| ${supervisor.name} | \`${client.label}\` | ${fixed(quantile(ms, 0.5))} ms | ${fixed(quantile(ms, 0.95))} ms | ${mib(quantile(peaks, 0.5))} | ${mib(Math.max(...peaks))} |`;
      console.log(`  ${row}`);
      rows.push(row);
    }
  });
}

// 2. and 3. for one round: idle first, so the burst's garbage is not in the idle figure.
async function measureRound(supervisor: ControlSupervisor, round: number, idle: Map<string, CpuFigures[]>, bursts: Map<string, BurstFigures[]>): Promise<void> {
  const record = <T>(map: Map<string, T[]>, key: string, value: T): void => void map.set(key, [...(map.get(key) ?? []), value]);
  await using(supervisor, {}, async ({ pid1, burst }) => {
    await sleep(SETTLE_MS);
    const cpu = await cpuOver(pid1, IDLE_MS);
    const figures = await burstAgainst(pid1, CLIENTS, burst.call, AFTER_MS);
    record(idle, supervisor.name, cpu);
    record(bursts, supervisor.name, figures);
    const failed = [...figures.failures].map(([why, count]) => `${count}× ${why}`).join(', ');
    console.log(
      `  #${round} ${supervisor.name}: idle ${fixed(cpu.ticksMsPerSecond, 2)} ms/s (schedstat ${fixed(cpu.schedMsPerSecond, 2)}); ${figures.answered}/${CLIENTS} answered in ${fixed(figures.ms)} ms${failed === '' ? '' : ` (${failed})`}; RSS ${mib(figures.rssBefore)} → ${mib(figures.rssPeak)} → ${mib(figures.rssAfter)}`,
    );
  });
  if (supervisor.name !== 'corral') return;
  const port = await freePort();
  await using(supervisor, { CORRAL_METRICS_ADDR: `127.0.0.1:${port}` }, async ({ pid1 }) => {
    // Scraped from the start, as Prometheus would: the first scrapes, which compile the code
    // they run, are not what a scrape costs later on.
    const counts = { ok: 0, failed: 0 };
    const stopScraper = startScraper(`http://127.0.0.1:${port}/metrics`, SCRAPE_EVERY_MS, counts);
    await sleep(SETTLE_MS);
    const cpu = await cpuOver(pid1, IDLE_MS).finally(stopScraper);
    if (counts.ok === 0 || counts.failed > 0) throw new Error(`the metrics endpoint answered ${counts.ok} scrapes and failed ${counts.failed}`);
    record(idle, 'corral+metrics', cpu);
    console.log(
      `  #${round} corral, /metrics scraped every ${SCRAPE_EVERY_MS / 1000} s: ${fixed(cpu.ticksMsPerSecond, 2)} ms/s (schedstat ${fixed(cpu.schedMsPerSecond, 2)}); ${counts.ok} scrapes`,
    );
  });
}

function burstRow(name: ControlSupervisor['name'], runs: BurstFigures[]): string {
  const failures = [...new Set(runs.flatMap((run) => [...run.failures].map(([why, count]) => `${count}× ${why}`)))];
  const notes = [
    ...(runs.some((run) => !run.exactPeak) ? ['peak: VmRSS sampled every 10 ms'] : []),
    ...(failures.length === 0 ? [] : [`failed: ${failures.join(', ')}`]),
  ];
  const median = (key: 'rssBefore' | 'rssPeak' | 'rssAfter'): string =>
    mib(
      quantile(
        runs.map((run) => run[key] ?? Number.NaN),
        0.5,
      ),
    );
  const answered = runs.map((run) => run.answered).join(', ');
  return `| ${name} | ${CALL[name]} | ${answered} | ${spread(
    runs.map((run) => run.ms),
    'ms',
  )} | ${median('rssBefore')} | ${median('rssPeak')} | ${median('rssAfter')} | ${notes.join('; ')} |`;
}

function idleRow(label: string, runs: CpuFigures[]): string {
  return `| ${label} | ${spread(
    runs.map((run) => run.ticksMsPerSecond),
    'ms/s',
    2,
  )} | ${spread(
    runs.map((run) => run.schedMsPerSecond),
    'ms/s',
    2,
  )} |`;
}

function commit(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
  return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src', 'addon') === '' ? '' : ' with uncommitted changes to src/'}`;
}

const notes: string[] = [];
const supervisors = all.filter((supervisor) => {
  const missing = supervisor.missing();
  if (missing !== undefined && (only === undefined || only.includes(supervisor.name))) {
    console.log(`${supervisor.name}: skipped, ${missing}`);
    notes.push(`- ${supervisor.name} was not measured: ${missing}.`);
  }
  return missing === undefined && (only === undefined || only.includes(supervisor.name));
});

const queryRows: string[] = [];
console.log(`1. the status query, ${RUNS} runs each:`);
for (const supervisor of supervisors) await measureClients(supervisor, queryRows);

console.log(`2. and 3., ${ROUNDS} rounds: CPU over ${IDLE_MS / 1000} s idle, then ${CLIENTS} calls at once:`);
const idle = new Map<string, CpuFigures[]>();
const bursts = new Map<string, BurstFigures[]>();
for (let round = 1; round <= ROUNDS; round++) for (const supervisor of supervisors) await measureRound(supervisor, round, idle, bursts);

const burstRows = supervisors.map((supervisor) => burstRow(supervisor.name, bursts.get(supervisor.name)!));
const idleRows = supervisors.flatMap((supervisor) =>
  supervisor.name === 'corral'
    ? [
        idleRow('corral (control socket, no client)', idle.get('corral')!),
        idleRow(`corral, CORRAL_METRICS_ADDR set, /metrics scraped every ${SCRAPE_EVERY_MS / 1000} s`, idle.get('corral+metrics')!),
      ]
    : [idleRow(supervisor.name, idle.get(supervisor.name)!)],
);
let metricsExtra = '';
if (idle.has('corral+metrics')) {
  const medianOf = (key: string): number =>
    quantile(
      idle.get(key)!.map((run) => run.schedMsPerSecond),
      0.5,
    );
  const extra = medianOf('corral+metrics') - medianOf('corral');
  metricsExtra = `The metrics endpoint, scraped every ${SCRAPE_EVERY_MS / 1000} s, costs corral ${fixed(extra, 2)} ms of CPU per second more than the control socket alone (the difference of the schedstat medians), about ${fixed((extra * SCRAPE_EVERY_MS) / 1000, 1)} ms a scrape.`;
  console.log(metricsExtra);
}

const QUERY_HEAD = ['| supervisor | client | median | p95 | client peak RSS, median | client peak RSS, max |', '| --- | --- | --- | --- | --- | --- |'];
const BURST_HEAD = [
  '| supervisor | call | answered (each round) | time to the last answer | RSS before | peak RSS during | RSS 2 s after | notes |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
const IDLE_HEAD = ['| supervisor | CPU, utime+stime | CPU, schedstat |', '| --- | --- | --- |'];
console.log(['', ...QUERY_HEAD, ...queryRows, '', ...BURST_HEAD, ...burstRows, '', ...IDLE_HEAD, ...idleRows].join('\n'));

const nonDefault = only !== undefined || (Object.keys(defaults) as (keyof typeof defaults)[]).some((key) => values[key] !== defaults[key]);
if (nonDefault) {
  console.log('a run with non-default options: docs/benchmarks.md not updated');
} else {
  const machine = `${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.version}, corral at commit ${commit()}`;
  writeBenchmarkSection('control', [
    '### The cost of the control plane (`npm run bench:control`)',
    '',
    `Each supervisor runs as PID 1 (\`unshare --pid --fork --mount-proc\`) with ${services.length} services`,
    `(\`${SERVICE_ARGV.join(' ')}\`), configured as in the log benchmark; supervisord also gets its`,
    '`[unix_http_server]`, `[rpcinterface:supervisor]` and `[supervisorctl]` sections, pm2-runtime',
    'runs its daemon inside PID 1 and its client uses the same `PM2_HOME`.',
    '',
    `Measured on ${machine}, ${new Date().toISOString().slice(0, 10)}: a shared machine, on`,
    'which other tests may have been running; read differences of less than a third between runs as noise.',
    '',
    `**1. A status query.** Each client, run from the host as a user would run it (corral: node`,
    `with the flags of its bin), one run after another, ${RUNS} runs after one that is not counted.`,
    `Wall time is from spawn() to the exit (median and p95 by nearest rank); peak RSS is ${peakRssMethod}.`,
    '',
    ...QUERY_HEAD,
    ...queryRows,
    '',
    `**2. ${CLIENTS} calls at once.** One process opens ${CLIENTS} connections to the supervisor's socket at`,
    'once, each with one cheap call: corral `{"command":"health"}`; supervisord the XML-RPC',
    "`supervisor.getState` that supervisorctl uses, as an HTTP POST; pm2 its daemon's `ping`, with",
    "the RPC client pm2's CLI uses. The time runs from the first connect to the last answer; the",
    "supervisor's peak RSS is the kernel's VmHWM after resetting it (`/proc/PID/clear_refs`) just",
    `before the burst. ${ROUNDS} rounds, each with a freshly started supervisor: median (range); RSS are medians.`,
    'A call that fails counts as not answered and is not tried again. EAGAIN is the kernel refusing',
    "a connection because the socket's queue of connections not yet accepted was full: its listen",
    "backlog is 4096 for corral, 1024 for supervisord and Node's default 511 for pm2's daemon.",
    '',
    ...BURST_HEAD,
    ...burstRows,
    '',
    `**3. Idle.** The supervisor's CPU time over ${IDLE_MS / 1000} s with no client, from ${SETTLE_MS / 1000} s after its services`,
    `started, in ms per second: from utime+stime in /proc/PID/stat (${tickMs} ms ticks: ±${fixed((tickMs * 1000) / IDLE_MS, 1)} ms/s over`,
    `${IDLE_MS / 1000} s) and from the threads' schedstat (ns). corral again with \`CORRAL_METRICS_ADDR\` and`,
    `a GET /metrics every ${SCRAPE_EVERY_MS / 1000} s from its start on (the first scrapes of a fresh corral cost several`,
    `times more: they compile the code they run). ${ROUNDS} rounds, each with a freshly started supervisor: median (range).`,
    '',
    ...IDLE_HEAD,
    ...idleRows,
    '',
    metricsExtra,
    '',
    'Caveats:',
    '',
    '- `corral status` waits 250 ms on purpose, between two readings of /proc, to report CPU%;',
    '  `corral health` is the same client without that wait. `supervisorctl status` and',
    "  `pm2 jlist` answer from what they have (pm2 also reads each process's usage).",
    "- The clients run outside the container's PID namespace; `docker exec` adds its own cost.",
    `- The ${CLIENTS} calls come from one Node process, whose own work (opening sockets, parsing) is in`,
    '  the time; it is the same for every supervisor.',
    ...notes,
  ]);
}
