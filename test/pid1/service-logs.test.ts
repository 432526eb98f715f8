// `corral logs NAME`: one service's last lines from corral's ring, and -f following them
// while the service floods, without a slow follower ever slowing the service or growing
// corral's memory, and across a reload that changes or removes the service.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralCli, runDirOf, statusOf, service } from '../helpers/corral-cli.js';
import { corralMain, corralNodeFlags, pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const MAX_GROWTH_MIB = 30;

function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

test('corral logs web -n 5 prints its last 5 lines; --stderr and --stdout pick a stream', async (t) => {
  if (skipUnlessPid1(t)) return;
  const web = `command: ["sh", "-c", "for i in $(seq 1 20); do echo line $i; done; echo oops >&2; echo done; exec sleep 1000"]\n`;
  const corral = await startCorral({ pid1: true, services: { 'web.yaml': web } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^web +\| done$/);
  await corral.waitForLine(/^web +\| oops$/);

  const last5 = await corralCli(corral, ['logs', 'web', '-n', '5', '--stdout']);
  assert.equal(last5.code, 0, last5.stderr);
  assert.equal(last5.stdout, 'line 17\nline 18\nline 19\nline 20\ndone\n');
  const errors = await corralCli(corral, ['logs', 'web', '--stderr']);
  assert.deepEqual([errors.code, errors.stdout, errors.stderr], [0, '', 'oops\n']);
  const both = await corralCli(corral, ['logs', 'web', '-n', '3']);
  assert.equal(both.code, 0, both.stderr);
  assert.equal(both.stdout.split('\n').filter(Boolean).length + both.stderr.split('\n').filter(Boolean).length, 3);

  const unknown = await corralCli(corral, ['logs', 'wbe']);
  assert.deepEqual([unknown.code, unknown.stderr], [1, 'corral logs: no service is named "wbe"; did you mean "web"?\n']);
  const usage = await corralCli(corral, ['logs', 'web', '-n', 'many']);
  assert.equal(usage.code, 100, usage.stderr);
  assert.match(usage.stderr, /-n takes a number of lines from 0 to 100000/);
});

test('corral logs -f follows a flooding service; stalled, it costs the service nothing and corral no memory, and is told what it missed', async (t) => {
  if (skipUnlessPid1(t)) return;
  // drop mode with corral's stdout unread (below): the flood runs at full speed and this
  // test does not have to hold millions of lines itself.
  const flood = `command: ["perl", "-e", "my $i = 0; while (1) { printf qq(flood %09d\\n), $i++ }"]\nlog: {mode: drop}\n`;
  const corral = await startCorral({ pid1: true, services: { 'flood.yaml': flood }, deadlineMs: 90_000 });
  t.after(() => corral.dispose());
  await corral.waitForLine(/flood started/);
  corral.child.stdout!.pause();

  const argv = [...corralNodeFlags, corralMain, 'logs', 'flood', '-f', '-n', '0'];
  const follower = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORRAL_RUN_DIR: runDirOf(corral) } });
  t.after(() => follower.kill('SIGKILL'));
  let stderr = '';
  follower.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The first thousand lines it follows are the service's, whole and in order.
  const seen: number[] = [];
  let partial = '';
  await new Promise<void>((resolve) => {
    const onData = (chunk: string): void => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const match = /^flood (\d{9})$/.exec(line);
        assert.ok(match, `not a line of flood: ${JSON.stringify(line)}`);
        seen.push(Number(match[1]));
      }
      if (seen.length >= 1000) {
        follower.stdout.off('data', onData);
        resolve();
      }
    };
    follower.stdout.setEncoding('utf8').on('data', onData);
  });
  assert.ok(
    seen.every((n, i) => i === 0 || n > seen[i - 1]!),
    'in order',
  );

  // The follower stops reading: its pipe fills, then its socket. The flood goes on.
  follower.stdout.pause();
  const framed = async (): Promise<number> => {
    const row = service(await statusOf(corral), 'flood');
    return row.linesRelayed.stdout + row.linesDropped.stdout;
  };
  const warmUp = (await framed()) + 300_000;
  await pollFor('the flood to go on', 30_000, async () => ((await framed()) > warmUp ? true : undefined));
  const baseline = rssMiB(corral.hostPid);
  const goal = (await framed()) + 2_000_000;
  let peak = baseline;
  await pollFor('2,000,000 more lines of flood with the follower stalled', 60_000, async () => {
    peak = Math.max(peak, rssMiB(corral.hostPid));
    return (await framed()) > goal ? true : undefined;
  });
  t.diagnostic(`RSS ${baseline.toFixed(1)} MiB with the follower stalled, peak ${peak.toFixed(1)} MiB over 2,000,000 more lines`);
  assert.ok(peak - baseline < MAX_GROWTH_MIB, `corral's memory grew with a stalled follower: ${baseline} -> ${peak} MiB`);

  follower.stdout.resume();
  await pollFor('the follower to be told what it missed', 20_000, () => (/line\(s\) of flood's stdout missed/.test(stderr) ? true : undefined));
  assert.match(stderr, /^corral logs: \d+ line\(s\) of flood's stdout missed: they were overwritten before this client read them$/m);
  follower.kill('SIGINT');
  corral.child.stdout!.resume();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});

test('corral logs -f follows a service across a reload that changes it, keeping its history; a reload that removes it ends the follower, saying so', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'web.yaml': 'command: "echo first run; exec sleep 1000"\n' }, deadlineMs: 60_000 });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^web +\| first run$/);

  const argv = [...corralNodeFlags, corralMain, 'logs', 'web', '-f'];
  const follower = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORRAL_RUN_DIR: runDirOf(corral) } });
  t.after(() => follower.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  follower.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)));
  await pollFor('the follower to print the first run', 15_000, () => (stdout === 'first run\n' ? true : undefined), { last: () => stdout });

  writeFileSync(join(corral.dir, 'web.yaml'), 'command: "echo second run; exec sleep 1000"\n');
  assert.equal((await corralCli(corral, ['reload'])).code, 0);
  await pollFor("the follower to print the changed service's line", 15_000, () => (stdout === 'first run\nsecond run\n' ? true : undefined), {
    last: () => JSON.stringify({ stdout, stderr }),
  });
  // A new client sees the history of both instances.
  const tail = await corralCli(corral, ['logs', 'web']);
  assert.equal(tail.stdout, 'first run\nsecond run\n');

  rmSync(join(corral.dir, 'web.yaml'));
  writeFileSync(join(corral.dir, 'other.yaml'), 'command: "exec sleep 1000"\n');
  assert.equal((await corralCli(corral, ['reload'])).code, 0);
  assert.equal(await exited, 0);
  assert.equal(stderr, 'corral logs: web was removed by a reload\n');
  assert.equal(stdout, 'first run\nsecond run\n');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});
