// replicas: N (issue 19, item 3) as PID 1: N processes, each with its index and the count;
// a dependent that waits for all of them; a rolling restart that keeps all but one ready
// throughout; the restart of one instance; a reload that starts or stops only the
// difference; and a bad count that exits 100.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { corralCli, service, statusOf, waitForStatus, type StatusJson } from '../helpers/corral-cli.js';
import { skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';

// An instance that notes "ready I" and "stop I" in `events` (one line each, appended, so
// the file is the timeline), says it is up with its index and the count, and is ready
// once it printed "ready". Instance 2 is ready only once `gate` exists.
function workerFile(events: string, gate: string, replicas: number): string {
  const script = [
    `trap 'echo "stop $CORRAL_REPLICA" >> ${events}; exit 0' TERM`,
    'echo "worker $CORRAL_REPLICA of $CORRAL_REPLICAS up"',
    `if [ "$CORRAL_REPLICA" = 2 ]; then while [ ! -e ${gate} ]; do sleep 0.05; done; fi`,
    `echo "ready $CORRAL_REPLICA" >> ${events}`,
    'echo ready',
    LOOP,
  ].join('; ');
  return `command: ${JSON.stringify(script)}\nreplicas: ${replicas}\nready: {log: "^ready$", timeout: 20s}\nstop_timeout: 10s\n`;
}

const WEB = `command: "echo web up; ${LOOP}"\ndepends_on: [worker]\n`;

interface World {
  corral: CorralProcess;
  events: string;
  gate: string;
}

async function startWorkers(t: TestContext): Promise<World> {
  const scratch = scratchDir(t);
  const events = join(scratch, 'events');
  const gate = join(scratch, 'gate');
  writeFileSync(events, '');
  const corral = await startCorral({ pid1: true, services: { 'worker.yaml': workerFile(events, gate, 3), 'web.yaml': WEB }, deadlineMs: 120_000 });
  t.after(() => corral.dispose());
  return { corral, events, gate };
}

function eventLines(events: string): string[] {
  return readFileSync(events, 'utf8').split('\n').filter(Boolean);
}

const pids = (status: StatusJson, names: readonly string[]): (number | null)[] => names.map((name) => service(status, name).pid);

const WORKERS = ['worker-0', 'worker-1', 'worker-2'];

async function allReady(corral: CorralProcess, names: readonly string[] = [...WORKERS, 'web']): Promise<StatusJson> {
  return waitForStatus(corral, `${names.join(', ')} ready`, (status) => names.every((name) => status.services.find((entry) => entry.name === name)?.ready));
}

test('replicas: 3 runs 3 processes with CORRAL_REPLICA 0..2, and a dependent starts only once all 3 are ready', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, events, gate } = await startWorkers(t);
  for (const index of [0, 1, 2]) await corral.waitForLine(new RegExp(`^worker-${index} +\\| worker ${index} of 3 up$`));
  await corral.waitForLine(/corral +\| worker-0 is ready/);
  await corral.waitForLine(/corral +\| worker-1 is ready/);
  // worker-2 waits for the gate: web, which depends on all of worker, must still wait.
  const waiting = await statusOf(corral);
  assert.equal(service(waiting, 'worker-2').ready, false);
  assert.equal(service(waiting, 'web').state, 'waiting');
  assert.ok(!corral.events().some((line) => /^web started/.test(line)), corral.tail());
  assert.deepEqual(
    waiting.services.filter((entry) => entry.name.startsWith('worker-')).map((entry) => entry.replica),
    [0, 1, 2].map((index) => ({ of: 'worker', index, count: 3 })),
  );

  writeFileSync(gate, '');
  await corral.waitForLine(/corral +\| web started/);
  const ready = corral.events().findIndex((line) => /^worker-2 is ready/.test(line));
  const started = corral.events().findIndex((line) => /^web started/.test(line));
  assert.ok(ready !== -1 && ready < started, 'web started after worker-2 was ready');
  const status = await allReady(corral);
  const running = pids(status, WORKERS);
  assert.equal(new Set(running).size, 3, 'three processes');
  assert.deepEqual(eventLines(events).sort(), ['ready 0', 'ready 1', 'ready 2']);

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});

// The fewest instances ready at any point of `lines`, `ready` holding those ready before.
function fewestReady(lines: readonly string[], ready: Set<string>): number {
  let fewest = ready.size;
  for (const line of lines) {
    const [what, index] = line.split(' ');
    if (what === 'ready') ready.add(index!);
    else ready.delete(index!);
    fewest = Math.min(fewest, ready.size);
  }
  return fewest;
}

test('corral restart worker restarts the instances one at a time, so 2 of 3 stay ready throughout; corral restart worker-1 restarts one', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, events, gate } = await startWorkers(t);
  writeFileSync(gate, '');
  const before = await allReady(corral);
  const start = eventLines(events).length;

  const rolling = await corralCli(corral, ['restart', 'worker'], { timeoutMs: 60_000 });
  assert.equal(rolling.code, 0, rolling.stderr);
  assert.match(rolling.stdout, /worker-0 is ready \(1 of 3\)\n[\s\S]*worker-1 is ready \(2 of 3\)\n[\s\S]*worker-2 is ready \(3 of 3\)\n$/);
  const timeline = eventLines(events).slice(start);
  assert.deepEqual(
    timeline.filter((line) => line.startsWith('stop')),
    ['stop 0', 'stop 1', 'stop 2'],
    'each instance stopped once, in order',
  );
  assert.equal(fewestReady(timeline, new Set(['0', '1', '2'])), 2, `the timeline: ${timeline.join(', ')}`);
  // The restart stopped each only after the one before was ready again.
  assert.deepEqual(timeline, ['stop 0', 'ready 0', 'stop 1', 'ready 1', 'stop 2', 'ready 2']);
  const after = await allReady(corral);
  for (const name of WORKERS) assert.notEqual(service(after, name).pid, service(before, name).pid, `${name} restarted`);
  assert.equal(service(after, 'web').pid, service(before, 'web').pid, 'web, which depends on worker, kept running');

  const one = await corralCli(corral, ['restart', 'worker-1']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, 'stopped worker-1\nstarting worker-1\n');
  const final = await allReady(corral);
  assert.deepEqual(pids(final, ['worker-0', 'worker-2', 'web']), pids(after, ['worker-0', 'worker-2', 'web']));
  assert.notEqual(service(final, 'worker-1').pid, service(after, 'worker-1').pid);

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});

test('the name of a service with replicas in stop, start, status and signal means every instance; logs wants one', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, gate } = await startWorkers(t);
  writeFileSync(gate, '');
  await allReady(corral);

  const status = await corralCli(corral, ['status', 'worker', '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(
    (JSON.parse(status.stdout) as StatusJson).services.map((entry) => entry.name),
    WORKERS,
  );
  const signalled = await corralCli(corral, ['signal', 'worker', 'USR1']);
  assert.equal(signalled.code, 0, signalled.stderr);
  assert.match(signalled.stdout, /^sent SIGUSR1 to worker-0 \(process group \d+\)\nsent SIGUSR1 to worker-1 .*\nsent SIGUSR1 to worker-2 .*\n$/);
  const logs = await corralCli(corral, ['logs', 'worker']);
  assert.equal(logs.code, 1);
  assert.equal(logs.stderr, 'corral logs: worker runs as 3 instances (replicas); name one of them: worker-0, worker-1, worker-2\n');
  const unknown = await corralCli(corral, ['stop', 'wroker']);
  assert.equal(unknown.stderr, 'corral stop: no service is named "wroker"; did you mean "worker"?\n');

  // Stopping one instance leaves web, which depends on all of worker, running; stopping
  // them all stops web first.
  const one = await corralCli(corral, ['stop', 'worker-1']);
  assert.equal(one.stdout, 'stopped worker-1\n');
  const all = await corralCli(corral, ['stop', 'worker']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'worker-1 was not running (stopped)\nstopped web (it depends on worker)\nstopped worker-0\nstopped worker-2\n');
  const started = await corralCli(corral, ['start', 'web']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(started.stdout, 'starting worker-0 (needed by web)\nstarting worker-1 (needed by web)\nstarting worker-2 (needed by web)\nstarting web\n');
  await allReady(corral);

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});

test('a rolling restart stops at an instance that is not ready in time, and says which were not restarted', async (t) => {
  if (skipUnlessPid1(t)) return;
  const scratch = scratchDir(t);
  const block = join(scratch, 'block');
  // Ready on a line that, once `block` exists, a new run of instance 1 never prints.
  const script = `if [ "$CORRAL_REPLICA" = 1 ] && [ -e ${block} ]; then echo stuck; else echo ready; fi; ${LOOP}`;
  const corral = await startCorral({
    pid1: true,
    services: { 'worker.yaml': `command: ${JSON.stringify(script)}\nreplicas: 3\nready: {log: "^ready$", timeout: 1s}\n` },
    deadlineMs: 60_000,
  });
  t.after(() => corral.dispose());
  const before = await allReady(corral, WORKERS);
  writeFileSync(block, '');
  const result = await corralCli(corral, ['restart', 'worker']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /^corral restart: stopped worker-0\nstarting worker-0\nworker-0 is ready \(1 of 3\)\nstopped worker-1\nstarting worker-1\nthe rolling restart of worker stopped at worker-1: it is not ready after 1s \(it is \w+[^\n]*\); not restarted: worker-2, which keep running as they were\n$/,
  );
  const status = await statusOf(corral);
  assert.equal(service(status, 'worker-2').pid, service(before, 'worker-2').pid, 'worker-2 was not restarted');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});

test('a reload from 3 to 5 starts only worker-3 and worker-4, and from 5 to 3 stops only them', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, events, gate } = await startWorkers(t);
  writeFileSync(gate, '');
  const before = await allReady(corral);
  const kept = [...WORKERS, 'web'];

  writeFileSync(join(corral.dir, 'worker.yaml'), workerFile(events, gate, 5));
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: 2 added, 0 removed, 0 changed, 4 unchanged \(worker-3, worker-4\)$/);
  await corral.waitForLine(/^worker-3 +\| worker 3 of 5 up$/);
  await corral.waitForLine(/^worker-4 +\| worker 4 of 5 up$/);
  const five = await allReady(corral, [...kept, 'worker-3', 'worker-4']);
  assert.deepEqual(pids(five, kept), pids(before, kept), 'worker-0..2 and web kept running');

  writeFileSync(join(corral.dir, 'worker.yaml'), workerFile(events, gate, 3));
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: 0 added, 2 removed, 0 changed, 4 unchanged \(worker-3, worker-4\)$/);
  await corral.waitForLine(/corral +\| worker-3 stopped/);
  await corral.waitForLine(/corral +\| worker-4 stopped/);
  const three = await waitForStatus(corral, 'worker-3 and worker-4 gone', (status) => status.services.length === 4);
  assert.deepEqual(pids(three, kept), pids(before, kept), 'worker-0..2 and web still kept running');
  // Both are stopped at once, so either may log its stop first.
  assert.deepEqual(
    eventLines(events)
      .filter((line) => line.startsWith('stop'))
      .sort(),
    ['stop 3', 'stop 4'],
  );

  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});

test('a bad count exits 100 with the place, the value and the range, and starts nothing', async (t) => {
  if (skipUnlessPid1(t)) return;
  const services = { 'worker.yaml': `command: "echo worker up; ${LOOP}"\nreplicas: \${N}\n` };
  for (const [n, shown] of [
    ['abc', '"abc"'],
    ['201', '"201"'],
  ]) {
    const corral = await startCorral({ pid1: true, services, env: { N: n! } });
    try {
      assert.deepEqual(await corral.waitExit(15_000), { code: 100, signal: null }, corral.tail());
      assert.match(corral.texts().join('\n'), new RegExp(`worker\\.yaml:2:11: replicas: expected a whole number from 0 to 200, got ${shown}`));
      assert.ok(!corral.texts().some((line) => / up$/.test(line)), corral.tail());
    } finally {
      await corral.dispose();
    }
  }
});

test('a reload that comes during a rolling restart waits only for the instance under way; the rest are named as not restarted', async (t) => {
  if (skipUnlessPid1(t)) return;
  const scratch = scratchDir(t);
  const [slow, release] = [join(scratch, 'slow'), join(scratch, 'release')];
  // Once `slow` exists, a new run of instance 0 is ready only once `release` exists.
  const script = `if [ "$CORRAL_REPLICA" = 0 ] && [ -e ${slow} ]; then while [ ! -e ${release} ]; do sleep 0.05; done; fi; echo ready; ${LOOP}`;
  const corral = await startCorral({
    pid1: true,
    services: { 'worker.yaml': `command: ${JSON.stringify(script)}\nreplicas: 3\nready: {log: "^ready$", timeout: 30s}\n` },
    deadlineMs: 90_000,
  });
  t.after(() => corral.dispose());
  const before = await allReady(corral, WORKERS);
  writeFileSync(slow, '');
  const rolling = corralCli(corral, ['restart', 'worker'], { timeoutMs: 60_000 });
  await corral.waitForLine(/corral +\| worker-0 stopped/);
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: waiting for the reload or command under way \(corral start, stop, restart\) to end$/);
  writeFileSync(release, '');
  const result = await rolling;
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /worker-0 is ready \(1 of 3\)\nthe rolling restart of worker stopped before worker-1: a reload or another command is waiting for it; not restarted: worker-1, worker-2, which keep running as they were \(corral restart worker again restarts them all\)\n$/,
  );
  await corral.waitForLine(/corral +\| reload: 0 added, 0 removed, 0 changed, 3 unchanged$/);
  const status = await statusOf(corral);
  assert.deepEqual(pids(status, ['worker-1', 'worker-2']), pids(before, ['worker-1', 'worker-2']));
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});
