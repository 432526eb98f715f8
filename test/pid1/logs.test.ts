// Every line of every service reaches corral's stdout/stderr whole, prefixed, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const LINES = 100_000;
const PAYLOAD = 'x'.repeat(80);

// Writes LINES numbered lines as fast as it can (perl buffers stdout in 8 KiB blocks).
function writer(tag: string): string {
  return `command: ["perl", "-e", "for my $i (1..${LINES}) { printf qq(%s %06d %s\\n), '${tag}', $i, '${PAYLOAD}' } print STDERR qq(${tag} done\\n)"]\nrestart: never\n`;
}

test('two services writing 100,000 lines each at full speed: no line lost, torn or mixed', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'a.yaml': writer('A'), 'b.yaml': writer('B') }, deadlineMs: 60_000 });
  t.after(() => corral.dispose());
  const started = Date.now();
  await corral.waitForLine(/a exited with code 0/, 30_000);
  await corral.waitForLine(/b exited with code 0/, 30_000);
  t.diagnostic(`200,000 lines relayed in ${Date.now() - started}ms`);
  // stdout and stderr are separate pipes: "b exited" on stderr can arrive before b's last
  // stdout lines. corral flushes its stdout before exiting, so count after it exited.
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(10_000)).code, 0);
  const next = { a: 1, b: 1 };
  const bad: string[] = [];
  for (const line of corral.texts('stdout')) {
    const match = /^(a|b) {6}\| ([AB]) (\d{6}) (x+)$/.exec(line);
    const name = match?.[1] as 'a' | 'b' | undefined;
    if (!match || !name || match[2] !== name.toUpperCase() || match[4] !== PAYLOAD || Number(match[3]) !== next[name]) {
      bad.push(line.slice(0, 120));
      continue;
    }
    next[name] += 1;
  }
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} lines torn, mixed or out of order`);
  assert.deepEqual(next, { a: LINES + 1, b: LINES + 1 }, 'every line arrived');
  assert.ok(
    corral.texts('stderr').some((line) => /^a +\| A done$/.test(line)),
    'stderr is relayed to stderr',
  );
});

test('a service can open /dev/stdout itself (a real pipe, not a socket)', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'nginxish.yaml': 'command: "echo via-dev-stdout > /dev/stdout; echo via-proc-fd > /proc/self/fd/1; sleep 1000"\n' },
  });
  t.after(() => corral.dispose());
  assert.match(await corral.waitForLine(/via-dev-stdout/), /^nginxish \| via-dev-stdout$/);
  assert.match(await corral.waitForLine(/via-proc-fd/), /^nginxish \| via-proc-fd$/);
  assert.ok(!corral.texts().some((line) => /No such device/.test(line)), corral.tail());
});

test('an unfinished last line is flushed; an over-long line is cut into marked 16 KiB pieces', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'long.yaml': `command: ["perl", "-e", "print 'y' x 40000; print qq(\\n); print 'no newline at the end'"]\nrestart: never\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/long exited with code 0/);
  // Its lines (stdout) may come after corral's (stderr) when a reader lags: wait for the last.
  await corral.waitForLine(/^long +\| no newline at the end$/);
  const lines = corral.texts('stdout');
  assert.deepEqual(
    lines.map((line) => `${line.slice(0, 9)}${line.length}`),
    ['long   | 16393', 'long   + 16393', 'long   + 7241', 'long   | 30'],
  );
  assert.equal(lines[3], 'long   | no newline at the end');
  assert.equal(lines[0], `long   | ${'y'.repeat(16384)}`);
});
