// What happens when the reader of corral's stdout stops (a slow or stuck log driver):
// in block mode (the default) the service waits in write() and nothing is lost or piled
// up in corral; in drop mode the service carries on, corral keeps at most log.buffer of
// its lines and drops whole lines past that, and says how many.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { descendantsOf, pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';

const LINES = 200_000;
const LINE_BYTES = 100; // "NNNNNN " and filler, newline included

// Writes LINES numbered lines of LINE_BYTES as fast as it can, then "done" on stderr.
function writer(name: string, log = ''): string {
  const filler = 'x'.repeat(LINE_BYTES - 8);
  return `command: ["perl", "-e", "for my $i (1..${LINES}) { printf qq(%06d %s\\n), $i, '${filler}' } print STDERR qq(${name} done\\n)"]\nrestart: never\n${log}`;
}

function pidOf(corral: CorralProcess, comm: string, arg: string): number | undefined {
  return descendantsOf(corral.hostPid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(arg);
    } catch {
      return false;
    }
  });
}

// Bytes the process has written so far (any fd).
function written(pid: number): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

// The numbered lines of one service, checked whole and in order.
function numbered(corral: CorralProcess, label: RegExp): number[] {
  const filler = 'x'.repeat(LINE_BYTES - 8);
  const numbers: number[] = [];
  for (const line of corral.texts('stdout')) {
    const match = label.exec(line);
    if (!match) continue;
    const body = line.slice(match[0].length);
    assert.match(body, new RegExp(`^\\d{6} ${filler}$`), 'a whole line');
    numbers.push(Number(body.slice(0, 6)));
  }
  return numbers;
}

test('block mode: a stopped reader makes the service wait in write(); after it resumes every line arrives in order', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'steady.yaml': writer('steady') }, deadlineMs: 60_000 });
  t.after(() => corral.dispose());
  corral.child.stdout!.pause();
  const perl = await pollFor('the writer to start', 5000, () => pidOf(corral, 'perl', 'printf'));
  // Blocked: its write count stops moving (for 10 polls in a row) well short of the total.
  let last = -1;
  let still = 0;
  const blockedAt = await pollFor('the writer to block', 10_000, () => {
    const now = written(perl);
    still = now === last ? still + 1 : 0;
    last = now;
    return still >= 10 ? now : undefined;
  });
  assert.ok(blockedAt < 2 * 1024 * 1024, `blocked after ${blockedAt} bytes of ${LINES * LINE_BYTES}: nothing piles up in corral`);
  assert.ok(!corral.texts('stderr').some((line) => /steady done/.test(line)), 'it has not finished');
  corral.child.stdout!.resume();
  await corral.waitForLine(/steady exited with code 0/, 30_000);
  corral.signal('SIGTERM');
  await corral.waitExit(10_000);
  const numbers = numbered(corral, /^steady \| /);
  assert.equal(numbers.length, LINES, 'every line arrived');
  assert.ok(numbers.every((n, i) => n === i + 1), 'in order');
  t.diagnostic(`the writer blocked after ${blockedAt} bytes`);
});

test('drop mode: the service runs on while the reader is stopped; whole lines past log.buffer are dropped and counted; a block-mode neighbour loses nothing', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'chatty.yaml': writer('chatty', 'log: {mode: drop, buffer: 64KiB}\n'), 'steady.yaml': writer('steady') },
    deadlineMs: 60_000,
  });
  t.after(() => corral.dispose());
  corral.child.stdout!.pause();
  // chatty finishes and is reported while its output cannot be written: it never waited.
  await corral.waitForLine(/chatty exited with code 0/, 30_000);
  const report = await corral.waitForLine(/chatty: dropped \d+ line/, 5000);
  assert.ok(!corral.texts('stderr').some((line) => /steady done/.test(line)), 'the block-mode service is still waiting');
  corral.child.stdout!.resume();
  await corral.waitForLine(/steady exited with code 0/, 30_000);
  corral.signal('SIGTERM');
  await corral.waitExit(10_000);

  const dropped = Number(/dropped (\d+) line/.exec(report)![1]);
  assert.match(report, /^corral +\| warning: chatty: dropped \d+ line\(s\) \([\d.]+ [KM]iB\) of its stdout: corral's stdout was blocked and log\.buffer \(64KiB\) was full \(log\.mode: drop\)$/);
  const kept = numbered(corral, /^chatty \| /);
  assert.equal(kept.length + dropped, LINES, `${kept.length} kept + ${dropped} dropped`);
  assert.ok(dropped > LINES / 2, 'most were dropped: the reader was stopped for all of the run');
  assert.ok(kept.every((n, i) => i === 0 || n > kept[i - 1]!), 'the kept lines are in order');
  assert.equal(numbered(corral, /^steady \| /).length, LINES, 'the block-mode service lost nothing');
  t.diagnostic(report);
});
