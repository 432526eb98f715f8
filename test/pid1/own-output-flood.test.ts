// corral's own lines obey backpressure: services that make corral log as fast as they can
// (STOPPING=1 on their notify sockets, each one "X says it is stopping") while nobody
// reads corral's stderr must leave corral's memory flat. Before, every line waited in
// process.stderr: RSS grew by some 10 MB a second until V8 ran out of heap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const FLOODERS = 8;
const SAMPLE_MS = 200;
/** Samples before the baseline: the stderr pipe (1 MiB) and the queue fill, the heap settles. */
const WARM_UP_SAMPLES = 10;
const SAMPLES = 30;
const MAX_GROWTH_MIB = 20;

// READY=1, then STOPPING=1 for ever, as fast as corral takes them.
const flooder = [
  'command: ["perl", "-MSocket", "-e", "socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die; my $to = sockaddr_un($ENV{NOTIFY_SOCKET}); send($s, q(READY=1), 0, $to); send($s, q(STOPPING=1), 0, $to) while 1"]',
  'ready: {notify: true}',
  '',
].join('\n');

function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

test("a flood of corral's own lines with stderr's reader stuck: RSS stays flat, and the count of dropped lines comes once it reads again", async (t) => {
  if (skipUnlessPid1(t)) return;
  const services = Object.fromEntries(Array.from({ length: FLOODERS }, (_, i) => [`flood${i}.yaml`, flooder]));
  const corral = await startCorral({ pid1: true, services, deadlineMs: 45_000 });
  t.after(() => corral.dispose());
  for (let i = 0; i < FLOODERS; i++) await corral.waitForLine(new RegExp(`flood${i} says it is stopping`), 10_000);
  corral.child.stderr!.pause();

  // RSS is a level over time, so it is sampled on a clock; nothing waits on a guess.
  const samples: number[] = [];
  for (let i = 0; i < WARM_UP_SAMPLES + SAMPLES; i++) {
    await sleep(SAMPLE_MS);
    samples.push(rssMiB(corral.hostPid));
  }
  const baseline = samples[WARM_UP_SAMPLES - 1]!;
  const peak = Math.max(...samples.slice(WARM_UP_SAMPLES));
  const figures = `RSS ${samples[0]!.toFixed(1)} MiB at the first sample, ${baseline.toFixed(1)} MiB after warm-up, peak ${peak.toFixed(1)} MiB over the next ${(SAMPLES * SAMPLE_MS) / 1000} s`;
  t.diagnostic(figures);
  assert.ok(peak - baseline < MAX_GROWTH_MIB, `corral's memory grew while its stderr was stuck: ${figures}`);

  corral.child.stderr!.resume();
  const report = await corral.waitForLine(/corral dropped \d+ of its own log line\(s\) \([\d.]+ [KMG]iB\) while its stderr was blocked$/, 15_000);
  const dropped = Number(/dropped (\d+) of/.exec(report)![1]);
  t.diagnostic(report);
  // How many depends on the machine's speed (a clean-clone CI run saw 292, others tens of
  // thousands); that any were dropped shows the queue overflowed while RSS was sampled.
  assert.ok(dropped > 0, `the flood was real: ${dropped} lines dropped`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});
