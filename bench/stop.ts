// Benchmark: how long a supervisor running as PID 1 takes to stop N services that exit
// promptly on SIGTERM. With services that take no time to stop, the time from SIGTERM to
// the supervisor's exit is the supervisor's own overhead. corral is measured beside
// supervisord and s6-svscan (Debian packages) in the same run, on the same services.
//
//   npm run bench:stop [-- --services 50 --rounds 5]
//
// Each supervisor runs under `unshare --pid --fork --mount-proc` as PID 1. A run counts as
// started once N `sleep` processes exist below it; SIGTERM then goes to its PID 1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { childrenOf, corralMain, corralNodeFlags, descendantsOf, pollFor } from '../test/helpers/corral-process.js';
import { writeBenchmarkSection } from './report.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '50' }, rounds: { type: 'string', default: '5' } },
});
const SERVICES = Number(values.services);
const ROUNDS = Number(values.rounds);
// `sleep` exits at once on SIGTERM: the services themselves cost nothing to stop.
const SERVICE_ARGV = ['sleep', '3600'];

interface Contender {
  name: string;
  available: () => string | undefined;
  /** Writes its configuration for SERVICES services into dir; returns its argv. */
  prepare: (dir: string) => string[];
}

const contenders: Contender[] = [
  {
    // The floor: a shell that starts the services and, on SIGTERM, kills them all and
    // waits. No supervision at all; what is left is the kernel's cost of ending N
    // processes on this machine, which every supervisor pays too.
    name: 'floor (sh: kill all, wait)',
    available: () => undefined,
    prepare: () => [
      'sh',
      '-c',
      `trap 'kill $pids; wait; exit 0' TERM; pids=; i=0; while [ $i -lt ${SERVICES} ]; do ${SERVICE_ARGV.join(' ')} & pids="$pids $!"; i=$((i + 1)); done; while :; do wait; done`,
    ],
  },
  {
    name: 'corral',
    available: () => undefined,
    prepare: (dir) => {
      mkdirSync(join(dir, 'services.d'));
      for (let i = 0; i < SERVICES; i++) writeFileSync(join(dir, 'services.d', `s${i}.yaml`), `command: ${JSON.stringify(SERVICE_ARGV)}\n`);
      return [process.execPath, ...corralNodeFlags, corralMain, '--services', join(dir, 'services.d')];
    },
  },
  {
    name: 'supervisord',
    available: () => which('supervisord'),
    prepare: (dir) => {
      const programs = Array.from({ length: SERVICES }, (_, i) =>
        [
          `[program:s${i}]`,
          `command=${SERVICE_ARGV.join(' ')}`,
          'startsecs=0',
          'stopwaitsecs=10',
          'stdout_logfile=/dev/stdout',
          'stdout_logfile_maxbytes=0',
          '',
        ].join('\n'),
      );
      const conf = [
        '[supervisord]',
        'nodaemon=true',
        'logfile=/dev/null',
        'logfile_maxbytes=0',
        `pidfile=${dir}/supervisord.pid`,
        'user=root',
        '',
        ...programs,
      ].join('\n');
      writeFileSync(join(dir, 'supervisord.conf'), conf);
      return ['supervisord', '-c', join(dir, 'supervisord.conf')];
    },
  },
  {
    name: 's6-svscan',
    available: () => which('s6-svscan'),
    prepare: (dir) => {
      for (let i = 0; i < SERVICES; i++) {
        mkdirSync(join(dir, 'scan', `s${i}`), { recursive: true });
        const run = join(dir, 'scan', `s${i}`, 'run');
        writeFileSync(run, `#!/bin/sh\nexec ${SERVICE_ARGV.join(' ')}\n`);
        chmodSync(run, 0o755);
      }
      return ['s6-svscan', join(dir, 'scan')];
    },
  },
];

function which(command: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
    ? undefined
    : `${command} is not installed (apt-get install ${command === 'supervisord' ? 'supervisor' : 's6'})`;
}

function sleepsBelow(root: number): number {
  return descendantsOf(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  }).length;
}

// One round: start, wait for every service, SIGTERM, time until exit. Milliseconds.
async function round(contender: Contender): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), `bench-stop-${contender.name}-`));
  let child: ChildProcess | undefined;
  try {
    const argv = contender.prepare(dir);
    child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
      stdio: 'ignore',
      env: { ...process.env, CORRAL_RUN_DIR: join(dir, 'run'), CORRAL_LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<number>((resolve) => child!.once('exit', () => resolve(performance.now())));
    const pid1 = await pollFor(`${contender.name} to start`, 10_000, () => childrenOf(child!.pid!)[0]?.pid);
    await pollFor(`${SERVICES} services under ${contender.name}`, 30_000, () => (sleepsBelow(pid1) >= SERVICES ? true : undefined));
    const sent = performance.now();
    process.kill(pid1, 'SIGTERM');
    const done = await Promise.race([
      exited,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`${contender.name} did not exit within 20s`)), 20_000)),
    ]);
    return done - sent;
  } finally {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rows: string[] = [];
for (const contender of contenders) {
  const missing = contender.available();
  if (missing !== undefined) {
    console.log(`${contender.name}: skipped, ${missing}`);
    rows.push(`| ${contender.name} | not measured: ${missing} | | |`);
    continue;
  }
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await round(contender));
  const [min, max] = [Math.min(...times), Math.max(...times)];
  console.log(
    `${contender.name}: median ${median(times).toFixed(0)} ms, min ${min.toFixed(0)}, max ${max.toFixed(0)} (${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
  rows.push(`| ${contender.name} | ${median(times).toFixed(0)} ms | ${min.toFixed(0)} ms | ${max.toFixed(0)} ms |`);
}

const machine = `${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.version}`;
writeBenchmarkSection('stop', [
  `### Stopping ${SERVICES} services that exit at once on SIGTERM (\`npm run bench:stop\`)`,
  '',
  `Each supervisor runs as PID 1 (unshare) with ${SERVICES} \`sleep 3600\` services; the time is from SIGTERM`,
  `to the supervisor's exit, ${ROUNDS} rounds each, on ${machine}, measured ${new Date().toISOString().slice(0, 10)}.`,
  '',
  "corral's own overhead is its time minus the floor's.",
  '',
  '| supervisor | median | min | max |',
  '| --- | --- | --- | --- |',
  ...rows,
]);
