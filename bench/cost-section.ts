// The section of docs/benchmarks.md that the cost benchmark (bench/cost.ts) writes: the
// targets of issue 20 with their ratios, met or missed, then every measure per contender.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { CLIENTS } from './cost-clients.js';
import { RSS_AFTER_MS, SETTLE_MS } from './cost-idle.js';
import { RELAY_WORKLOADS, relayWorkload } from './cost-relay.js';
import { difference, ratio, TARGET_HEAD, targetRow, type Samples, type Target } from './cost-report.js';

export const PHASES = ['startup', 'idle', 'orphans', 'clients', 'relay'] as const;
export type Phase = (typeof PHASES)[number];

export interface SectionInput {
  samples: Samples;
  rounds: number;
  orphans: number[];
  idleMs: number;
  clientRuns: number;
  phases: Phase[];
  minutes: number;
  notes: string[];
}

function run(command: string, ...args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

function versions(): string {
  const deb = (name: string): string => run('dpkg-query', '-W', '-f', '${Version}', name) || 'not installed';
  return `Node ${process.version}, supervisor ${deb('supervisor')}, s6 ${deb('s6')}, tini ${deb('tini')}, pm2 ${pm2Version()}`;
}

// pm2 lives in bench/.peers (npm run bench:setup), never among corral's dependencies.
function pm2Version(): string {
  try {
    const manifest = readFileSync(new URL('./.peers/node_modules/pm2/package.json', import.meta.url), 'utf8');
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function commit(): string {
  const short = run('git', 'rev-parse', '--short', 'HEAD');
  return `${short}${run('git', 'status', '--porcelain', '--', 'src', 'addon') === '' ? '' : ' with uncommitted changes to src/'}`;
}

function targets(s: Samples, orphans: number[]): Target[] {
  const bare: [string, string, number] = ['rss|bare node|0', 'MiB', 1];
  const list: Target[] = [
    ratio(s, 'idle RSS, 20 services, vs bare Node', ['rss|corral|20', 'MiB', 1], bare, 1.2),
    difference(s, 'RSS, 500 services, vs bare Node', ['rss|corral|500', 'MiB', 1], bare, 15),
  ];
  for (const workload of RELAY_WORKLOADS) {
    const title = relayWorkload(workload).title;
    const bad = s.all(`relay bad|${workload}|corral`);
    list.push({
      ...difference(s, `peak RSS relaying ${title}, vs bare Node`, [`relay peak|${workload}|corral`, 'MiB', 1], bare, 20),
      also: { what: '0 lost, torn or reordered', holds: bad.length > 0 && bad.every((n) => n === 0) },
    });
  }
  list.push(
    ratio(s, 'exec → first service running, 1 service, vs `node -e 0`', ['start 1|corral', 'ms'], ['start|node -e 0', 'ms'], 2.5),
    ratio(s, 'exec → first service running, 10 services, vs `node -e 0`', ['start 10 first|corral', 'ms'], ['start|node -e 0', 'ms'], 2.5),
    ratio(s, 'idle CPU, 100 services vs 10', ['cpu|corral|100', 'ms/s', 2], ['cpu|corral|10', 'ms/s', 2], 1.2),
    ratio(s, 'idle CPU, 10 services, vs supervisord', ['cpu|corral|10', 'ms/s', 2], ['cpu|supervisord|10', 'ms/s', 2], 1),
    ratio(s, 'idle CPU, 100 services, vs supervisord', ['cpu|corral|100', 'ms/s', 2], ['cpu|supervisord|100', 'ms/s', 2], 1),
  );
  for (const count of orphans) {
    list.push(
      ratio(
        s,
        `CPU per orphan reaped, ${count.toLocaleString('en')} orphans, vs tini`,
        [`orphan|corral|${count}`, 'µs', 1],
        [`orphan|tini|${count}`, 'µs', 1],
        3,
      ),
    );
  }
  for (const workload of RELAY_WORKLOADS) {
    const title = relayWorkload(workload).title;
    list.push(
      ratio(
        s,
        `relay throughput, ${title}, vs supervisord`,
        [`relay mbs|${workload}|corral`, 'MB/s'],
        [`relay mbs|${workload}|supervisord`, 'MB/s'],
        0.8,
        'at least',
      ),
    );
  }
  list.push(
    ratio(s, '`corral health` wall time vs `node -e 0`', ['client ms|corral health', 'ms'], ['client ms|node -e 0', 'ms'], 1.5),
    difference(s, '`corral health` peak RSS vs bare Node', ['client peak|corral health', 'MiB', 1], bare, 5),
    difference(s, '`corral status` peak RSS vs bare Node', ['client peak|corral status', 'MiB', 1], bare, 5),
  );
  return list;
}

function detailRows(s: Samples, orphans: number[]): string[] {
  const rows: string[] = [];
  const row = (what: string, who: string, key: string, unit: string, digits = 0): void =>
    void (s.has(key) && rows.push(`| ${what} | ${who} | ${s.cell(key, unit, digits)} |`));
  const everyone = ['corral', 'bare node', 'supervisord', 's6-svscan', 'tini', 'pm2-runtime'];
  for (const count of [0, 10, 20, 100, 500]) for (const who of everyone) row(`RSS (VmRSS), ${count} services`, who, `rss|${who}|${count}`, 'MiB', 1);
  // The relay rows' peak is VmHWM too, counted from exec: this is how much of it start-up is.
  for (const count of [0, 20])
    for (const who of everyone) row(`peak RSS since exec (VmHWM), idle, ${count} services`, who, `rss peak|${who}|${count}`, 'MiB', 1);
  for (const count of [0, 10, 100]) for (const who of everyone) row(`idle CPU, ${count} services`, who, `cpu|${who}|${count}`, 'ms/s', 2);
  row('exec → exit', '`node -e 0`', 'start|node -e 0', 'ms');
  for (const who of everyone) row('exec → the service running, 1 service', who, `start 1|${who}`, 'ms');
  for (const who of everyone) row('exec → first service running, 10 services', who, `start 10 first|${who}`, 'ms');
  for (const who of everyone) row('exec → all 10 services running', who, `start 10 all|${who}`, 'ms');
  for (const count of orphans)
    for (const who of everyone) row(`CPU per orphan reaped, ${count.toLocaleString('en')} orphans`, who, `orphan|${who}|${count}`, 'µs', 1);
  for (const workload of RELAY_WORKLOADS) {
    const title = relayWorkload(workload).title;
    for (const who of ['corral', 'supervisord']) {
      row(`relay ${title}: MB/s`, who, `relay mbs|${workload}|${who}`, 'MB/s');
      row(`relay ${title}: peak RSS (VmHWM)`, who, `relay peak|${workload}|${who}`, 'MiB', 1);
      row(`relay ${title}: lost + torn + out of order`, who, `relay bad|${workload}|${who}`, 'lines');
    }
  }
  for (const name of CLIENTS) {
    row('client wall time', `\`${name}\``, `client ms|${name}`, 'ms');
    row('client peak RSS', `\`${name}\``, `client peak|${name}`, 'MiB', 1);
  }
  return rows;
}

export function costSection(input: SectionInput): string[] {
  const { samples, rounds } = input;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    '### The cost of a PID 1 (`npm run bench:cost`)',
    '',
    `Measured on ${run('nproc')} cores (${cpu}), ${versions()}, corral at commit ${commit()},`,
    `${new Date().toISOString().slice(0, 10)}; ${rounds} rounds, in each of which every contender ran once (the clients ${input.clientRuns} times), in turn;`,
    `the whole run took ${input.minutes.toFixed(1)} min. Figures are the median of the rounds with their range. Each contender runs`,
    'as PID 1 of its own PID namespace (`unshare --pid --fork --mount-proc`); corral with one YAML file per service,',
    'started as its bin starts it (node with the V8 flags of its `#!` line). **bare Node** is the reference: `node',
    "<corral's flags> -e 'setInterval(() => {}, 1e9)'`, also as PID 1. A shared machine: read differences under a",
    'third between runs as noise.',
    '',
    `- RSS: VmRSS of the PID 1 ${RSS_AFTER_MS / 1000} s after all its \`sleep 100000\` services run (s6-svscan: its own process,`,
    "  without the s6-supervise beside each service). All of a round's idle contenders run at the same time.",
    `- Idle CPU: the PID 1's threads' schedstat over ${input.idleMs / 1000} s, from ${SETTLE_MS / 1000} s after the last of them was up, in ms per s.`,
    "- Start-up: from spawning unshare to the service's script writing its name into a FIFO the benchmark reads;",
    '  `node -e 0` is timed from spawning it under unshare to its exit.',
    "- Orphans: the one service (bench/orphan-maker.c) makes N orphans that exit at once; the PID 1's CPU time",
    '  (schedstat) from the trigger until it has reaped them all, per orphan. tini runs the maker as its command.',
    "- Relay: the log benchmark's workloads and checker (see above); peak RSS is VmHWM.",
    "- Clients: run from the host against a corral with 10 services; wall time from spawn() to exit, peak RSS by GNU time's `%M`.",
    '',
    ...TARGET_HEAD,
    ...targets(samples, input.orphans).map(targetRow),
    '',
    '| measure | who | median (range) |',
    '| --- | --- | --- |',
    ...detailRows(samples, input.orphans),
    ...(input.notes.length > 0 ? ['', ...input.notes] : []),
  ];
}
