// What happens when the reader of corral's stdout stops (a slow or stuck log driver):
// in block mode (the default) the service waits in write() and nothing is lost or piled
// up in corral; in drop mode the service carries on, corral keeps at most log.buffer of
// its lines and drops whole lines past that, and says how many.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

// Resolves with the bytes `pid` has written once that count stops moving (for 10 polls in
// a row): it is blocked in write().
function waitUntilBlocked(pid: number): Promise<number> {
  let last = -1;
  let still = 0;
  return pollFor(`pid ${pid} to block in write()`, 10_000, () => {
    const now = written(pid);
    still = now === last ? still + 1 : 0;
    last = now;
    return still >= 10 ? now : undefined;
  });
}

// The numbered lines of one service, each checked whole.
function numbered(corral: CorralProcess, label: RegExp, fillerLength = LINE_BYTES - 8): number[] {
  const filler = 'x'.repeat(fillerLength);
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

// On a socket pair (Node's 'pipe') corral writes through Node's stream; on a real pipe, as
// under Docker, with write(2) until the pipe is full, then through the stream (pipe-output.ts).
for (const [what, realStdout] of [
  ['a socket pair', false],
  ['a real pipe', true],
] as const) {
  test(`block mode, stdout ${what}: a stopped reader makes the service wait in write(); after it resumes every line arrives in order`, async (t) => {
    if (skipUnlessPid1(t)) return;
    const corral = await startCorral({ pid1: true, services: { 'steady.yaml': writer('steady') }, deadlineMs: 60_000, realStdout });
    t.after(() => corral.dispose());
    corral.child.stdout!.pause();
    const perl = await pollFor('the writer to start', 5000, () => pidOf(corral, 'perl', 'printf'));
    const blockedAt = await waitUntilBlocked(perl);
    assert.ok(blockedAt < 2 * 1024 * 1024, `blocked after ${blockedAt} bytes of ${LINES * LINE_BYTES}: nothing piles up in corral`);
    assert.ok(!corral.texts('stderr').some((line) => /steady done/.test(line)), 'it has not finished');
    corral.child.stdout!.resume();
    await corral.waitForLine(/steady exited with code 0/, 30_000);
    corral.signal('SIGTERM');
    await corral.waitExit(10_000);
    const numbers = numbered(corral, /^steady \| /);
    assert.equal(numbers.length, LINES, 'every line arrived');
    assert.ok(
      numbers.every((n, i) => n === i + 1),
      'in order',
    );
    t.diagnostic(`the writer blocked after ${blockedAt} bytes`);
  });
}

test('block mode: a service that exits while its last lines wait for a stopped reader loses none of them', async (t) => {
  if (skipUnlessPid1(t)) return;
  // filler fills every buffer between corral and the stopped reader; then, on the test's
  // signal (a file), batch writes 70 KB: corral takes one read of it and waits for a turn,
  // the rest stays in batch's pipe, and batch exits.
  const go = join(mkdtempSync(join(tmpdir(), 'corral-go-')), 'go');
  t.after(() => rmSync(dirname(go), { recursive: true, force: true }));
  const batch = [
    `command: ["sh", "-c", "while [ ! -e ${go} ]; do sleep 0.02; done; exec perl -e 'for my $i (1..700) { printf qq(%06d %s\\\\n), $i, q(x) x 92 } close STDOUT; print STDERR qq(wrote all\\\\n)'"]`,
    'restart: never',
    '',
  ].join('\n');
  const corral = await startCorral({ pid1: true, services: { 'batch.yaml': batch, 'filler.yaml': writer('filler') }, deadlineMs: 60_000 });
  t.after(() => corral.dispose());
  corral.child.stdout!.pause();
  const filler = await pollFor('the filler to start', 5000, () => pidOf(corral, 'perl', 'printf'));
  await waitUntilBlocked(filler);
  writeFileSync(go, '');
  // stderr is not held up: batch has written everything and is about to exit.
  await corral.waitForLine(/batch +\| wrote all/, 10_000);
  // Longer than the 1 s a quiet pipe is waited for after its service exited: lines still
  // in the pipe that wait for the reader do not make it quiet.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  corral.child.stdout!.resume();
  await corral.waitForLine(/batch exited with code 0/, 20_000);
  await corral.waitForLine(/filler exited with code 0/, 30_000);
  corral.signal('SIGTERM');
  await corral.waitExit(10_000);
  const numbers = numbered(corral, /^batch +\| /, 92);
  assert.equal(numbers.length, 700, 'every line arrived, whole');
  assert.ok(
    numbers.every((n, i) => n === i + 1),
    'in order',
  );
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
  assert.ok(!corral.texts('stderr').some((line) => /steady done/.test(line)), 'the block-mode service is still waiting');
  corral.child.stdout!.resume();
  // Reported once output flows again.
  const report = await corral.waitForLine(/chatty: dropped \d+ line/, 10_000);
  await corral.waitForLine(/steady exited with code 0/, 30_000);
  corral.signal('SIGTERM');
  await corral.waitExit(10_000);

  const dropped = Number(/dropped (\d+) line/.exec(report)![1]);
  assert.match(
    report,
    /^corral +\| warning: chatty: dropped \d+ line\(s\) \([\d.]+ [KM]iB\) of its stdout: corral's stdout was blocked and log\.buffer \(64KiB\) was full \(log\.mode: drop\)$/,
  );
  const kept = numbered(corral, /^chatty \| /);
  assert.equal(kept.length + dropped, LINES, `${kept.length} kept + ${dropped} dropped`);
  assert.ok(dropped > LINES / 2, 'most were dropped: the reader was stopped for all of the run');
  assert.ok(
    kept.every((n, i) => i === 0 || n > kept[i - 1]!),
    'the kept lines are in order',
  );
  assert.equal(numbered(corral, /^steady \| /).length, LINES, 'the block-mode service lost nothing');
  t.diagnostic(report);
});
