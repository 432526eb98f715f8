// corral's stdout on a file whose disk fills up, then gets room again: the lines that
// could not be written are dropped and counted, and writing resumes (before, one ENOSPC
// ended stdout for good). The disk is a 64 KiB tmpfs mounted in corral's own mount
// namespace, so it vanishes with corral; the test reaches it through /proc/PID/root.
// /dev/full, which never gets room, must cost corral nothing either.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { childrenOf, CorralProcess, corralMain, corralNodeFlags, pollFor, skipUnlessPid1 } from '../helpers/corral-process.js';

// A service whose stdout lines end with "end", so a line that lost its tail shows, and
// whose stderr counts along, so the test sees it run while its stdout is failing.
const ticker = `command: ["sh", "-c", "i=0; while :; do i=$((i+1)); echo \\"line $i end\\"; echo \\"err $i\\" >&2; sleep 0.01; done"]\n`;
const WHOLE = /^ticker \| line (\d+) end$/;

// corral as PID 1 with its stdout sent where `redirect` says, inside its own mount
// namespace after `setup`, both shell text; $D is the given directory.
async function startWithStdout(t: TestContext, setup: string, redirect: string): Promise<{ corral: CorralProcess; disk: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-test-'));
  writeFileSync(join(dir, 'ticker.yaml'), ticker);
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  const script = `D=$1; shift; ${setup} exec "$@" > ${redirect}`;
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
      'sh',
      '-ec',
      script,
      'sh',
      disk,
      process.execPath,
      ...corralNodeFlags,
      corralMain,
      '--services',
      dir,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CORRAL_RUN_DIR: join(dir, 'run'), CORRAL_INIT_DIR: join(dir, 'init.d') },
    },
  );
  const corral = new CorralProcess(dir, child, 40_000);
  t.after(() => corral.dispose());
  corral.hostPid = await pollFor('corral to start inside the namespace', 5000, () => childrenOf(child.pid!)[0]?.pid);
  return { corral, disk: `/proc/${corral.hostPid}/root${disk}` };
}

// Writes zeros into a new file on `dir` until the disk is full.
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const chunk = Buffer.alloc(1024); ;) writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

// Whether `text` is the start of a whole line (not empty, not two lines run together).
function isPieceOfLine(text: string): boolean {
  return text !== '' && 'ticker | line 123456789 end'.startsWith(text.replace(/\d+/, '123456789'));
}

function lastWhole(lines: string[]): number {
  return Math.max(0, ...lines.map((line) => Number(WHOLE.exec(line)?.[1] ?? 0)));
}

test('stdout on a full disk: lines are dropped and counted while it is full, and written again, whole, once there is room', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, disk } = await startWithStdout(t, 'mount -t tmpfs -o size=64k tmpfs "$D";', '"$D/out"');
  const out = join(disk, 'out');
  const lines = (): string[] => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').slice(0, -1) : []);
  await pollFor('the first lines in the file', 10_000, () => (lastWhole(lines()) >= 5 ? true : undefined));
  const filler = fill(disk);
  // The rest of the file's last page takes a few more lines; then a write fails.
  await corral.waitForLine(
    /warning: cannot write to stdout: no space left on device \(ENOSPC\); its lines are dropped, and counted, until a write succeeds$/,
    10_000,
  );
  // Its stderr shows the service going on meanwhile: 50 more of its lines, and the stdout
  // lines beside them fail.
  const counted = (): number => Math.max(0, ...corral.texts('stderr').map((line) => Number(/^ticker +\| err (\d+)$/.exec(line)?.[1] ?? 0)));
  const errAtFailure = counted();
  await pollFor('50 more lines of the service', 10_000, () => (counted() >= errAtFailure + 50 ? true : undefined));
  const beforeRoom = lastWhole(lines());
  rmSync(filler);
  await pollFor('lines after the disk got room', 10_000, () => (lastWhole(lines()) >= beforeRoom + 5 ? true : undefined));
  const report = await corral.waitForLine(
    /warning: stdout works again: \d+ line\(s\) \(.+\) were dropped while writing failed with no space left on device \(ENOSPC\)$/,
    10_000,
  );
  // Read while corral runs: its mount namespace, and the disk, go with it.
  const written = lines();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });

  const whole = written.filter((line) => WHOLE.test(line)).map((line) => Number(WHOLE.exec(line)![1]));
  const pieces = written.filter((line) => !WHOLE.test(line));
  assert.ok(pieces.length <= 1, `at most the one line the disk cut, ended on its own: ${JSON.stringify(pieces)}`);
  for (const piece of pieces) assert.ok(isPieceOfLine(piece), `${JSON.stringify(piece)} is the start of one line, not two lines run together`);
  assert.ok(
    whole.every((n, i) => i === 0 || n > whole[i - 1]!),
    'in order',
  );
  const missing = whole.at(-1)! - whole[0]! + 1 - whole.length;
  const dropped = Number(/works again: (\d+) line/.exec(report)![1]);
  assert.ok(missing > 0, 'lines were lost while the disk was full');
  assert.equal(dropped, missing, 'the report counts exactly the lines that are not in the file');
  t.diagnostic(`${whole.length} lines written, ${missing} dropped and reported; ${report.replace(/^corral +\| /, '')}`);
});

test('stdout on /dev/full: every write fails; corral says so once, goes on supervising, and exits 0', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral } = await startWithStdout(t, '', '/dev/full');
  await corral.waitForLine(/warning: cannot write to stdout: no space left on device \(ENOSPC\)/, 10_000);
  await corral.waitForLine(/^ticker +\| err 100$/, 10_000);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
  assert.equal(corral.events().filter((line) => /cannot write to stdout/.test(line)).length, 1, 'said once');
});
