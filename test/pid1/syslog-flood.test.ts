// A flood of syslog messages while nobody reads corral's stdout (issue 18): corral keeps
// reading the socket, its memory stays flat (the messages wait in a bounded queue, past
// which they are dropped whole), and the dropped count is reported. 100,000 messages of
// about 1 KiB each: kept, they would be some 100 MiB.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const MESSAGES = 100_000;
const SAMPLE_MS = 100;
// Kept, the messages would add some 100 MiB. The baseline is corral just after its
// start-up trim (memory-trimmer.ts), and any busy minute regrows what that gave back, V8's
// young generation and pooled pages, some 8 MiB: the peak itself stayed at 69-71 MiB when
// the trim came in, while the growth measured from the lower baseline went from 16 to 22.
const MAX_GROWTH_MIB = 30;

function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

test(`${MESSAGES} syslog messages with corral's stdout stuck: RSS stays flat, and the dropped lines are counted and reported`, async (t) => {
  if (skipUnlessPid1(t)) return;
  const dir = scratchDir(t);
  const socket = join(dir, 'log.sock');
  const go = join(dir, 'go');
  // Waits for the test to stop reading, then sends the flood and says so on stderr.
  const flood = `while [ ! -e ${go} ]; do sleep 0.05; done; yes "$(printf '%01000d' 7)" | head -n ${MESSAGES} | logger -u ${socket} -t flood; echo "flood sent" >&2`;
  const corral = await startCorral({
    pid1: true,
    deadlineMs: 90_000,
    env: { CORRAL_SYSLOG: socket },
    services: { 'flooder.yaml': `command: ${JSON.stringify(flood)}\ntype: oneshot\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/flooder started/, 10_000);
  corral.child.stdout!.pause();
  const baseline = rssMiB(corral.hostPid);
  writeFileSync(go, '');

  // RSS is a level over time, so it is sampled on a clock until the flood is sent.
  const samples: number[] = [];
  const started = Date.now();
  while (!corral.texts('stderr').some((text) => /^flooder +\| flood sent$/.test(text))) {
    if (Date.now() - started > 60_000) assert.fail(`the flood was not sent within 60 s; last lines:\n${corral.tail()}`);
    await sleep(SAMPLE_MS);
    samples.push(rssMiB(corral.hostPid));
  }
  const peak = Math.max(...samples);
  const figures = `RSS ${baseline.toFixed(1)} MiB before, peak ${peak.toFixed(1)} MiB over ${samples.length} samples in ${Date.now() - started} ms of flood`;
  t.diagnostic(figures);
  assert.ok(peak - baseline < MAX_GROWTH_MIB, `corral's memory grew while its stdout was stuck: ${figures}`);

  // Reported once stdout flows again (and every 10 s while it does not): the sum of the reports.
  corral.child.stdout!.resume();
  const report =
    /syslog: dropped (\d+) line\(s\) \([\d.]+ [KMG]iB\) of messages for corral's stdout: it was blocked and the syslog buffer \(1\.0 MiB\) was full$/;
  const reported = (): number => corral.texts('stderr').reduce((sum, text) => sum + Number(report.exec(text)?.[1] ?? 0), 0);
  const dropped = await pollFor('the dropped lines to be reported', 30_000, () => (reported() > MESSAGES / 2 ? reported() : undefined), {
    last: () => `${reported()} reported`,
  });
  t.diagnostic(`${dropped} of ${MESSAGES} messages dropped and reported; ${corral.texts('stdout').filter((text) => /^flood +\| /.test(text)).length} relayed`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});
