// Bad control requests never disturb supervision. One corral as PID 1 takes, in turn:
// garbage, oversized and silent raw clients, clients that vanish mid-reply, 1000 clients
// at once and an operator's mistakes through the CLI; then it must still reap orphans,
// keep its services as they were, hold no leftover sockets, and exit 0 on SIGTERM.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { corralCli, runDirOf, service, statusOf } from '../helpers/corral-cli.js';
import { descendantsOf, pollFor, procStat, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

const LOOP = 'while :; do sleep 1 & wait $!; done';

interface RawReply {
  /** Everything corral sent before the connection closed. */
  text: string;
  /** The socket error the client saw, if any (a reset after corral's answer is fine). */
  error: string | undefined;
  /** ms from connecting to the first byte of the answer, and to the close. */
  answeredMs: number | undefined;
  closedMs: number;
}

// One raw connection: sends `payload` (if any), half-closes when asked, and collects the
// answer until corral closes. Fails if the connection is still open after timeoutMs.
function rawRequest(path: string, payload: string | undefined, options: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawReply> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ path, allowHalfOpen: false });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let answeredMs: number | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${timeoutMs}ms; received ${JSON.stringify(Buffer.concat(chunks).toString('utf8').slice(0, 200))}`));
    }, timeoutMs);
    socket.on('connect', () => {
      if (payload !== undefined) socket.write(payload);
      if (options.halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      answeredMs ??= performance.now() - started;
      chunks.push(chunk);
    });
    socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause.code ?? cause.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), error, answeredMs, closedMs: performance.now() - started });
    });
  });
}

interface Answer {
  ok: boolean;
  command?: string;
  passing?: boolean;
  error?: { code: string; message: string };
}

// The one JSON line corral answered with.
function oneLine(reply: RawReply): Answer {
  assert.match(reply.text, /^[^\n]+\n$/, `one line ending with a newline: ${JSON.stringify(reply.text.slice(0, 300))} (error ${reply.error})`);
  return JSON.parse(reply.text) as Answer;
}

function errorOf(reply: RawReply): { code: string; message: string } {
  const answer = oneLine(reply);
  assert.equal(answer.ok, false, JSON.stringify(answer));
  return answer.error!;
}

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const zombiesUnder = (pid: number): number[] => descendantsOf(pid).filter((child) => procStat(child)?.state === 'Z');

test('bad requests, silent and vanishing clients, 1000 clients at once and CLI mistakes leave supervision untouched', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    deadlineMs: 150_000,
    services: {
      'web.yaml': `command: "${LOOP}"\n`,
      'idle.yaml': `command: "${LOOP}"\n`,
      // Each round leaves a sleep behind whose parent is gone: corral, as PID 1, inherits it.
      'orphans.yaml': `command: "while :; do sh -c 'sleep 0.1 &'; sleep 0.3; done"\n`,
    },
    // The main service's code is corral's: it exits 0 on SIGTERM, so corral must too.
    args: ['--', 'sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/main started \(pid \d+\)/, 10_000);
  const socketPath = join(runDirOf(corral), 'control.sock');
  const before = await statusOf(corral);
  const fdsBefore = openFds(corral.hostPid);
  t.diagnostic(`corral holds ${fdsBefore} fds before the abuse`);

  await t.test('malformed JSON, an unknown command, a non-object, an empty stop, a stray key: one bad-request line each; over 64 KiB: too-large', async () => {
    const malformed = errorOf(await rawRequest(socketPath, '{command: status}\n'));
    assert.equal(malformed.code, 'bad-request');
    assert.match(malformed.message, /^the request is not valid JSON \(.+\); send one JSON object on one line, e\.g\. \{"command":"status"\}$/);

    const unknown = errorOf(await rawRequest(socketPath, '{"command":"explode"}\n'));
    assert.deepEqual(unknown, {
      code: 'bad-request',
      message: 'unknown command "explode"; expected one of status, start, stop, restart, signal, reload, ready, health, logs',
    });

    const array = errorOf(await rawRequest(socketPath, '["status"]\n'));
    assert.equal(array.code, 'bad-request');
    assert.match(array.message, /^the request must be a JSON object with a "command" key/);

    const emptyStop = errorOf(await rawRequest(socketPath, '{"command":"stop","services":[]}\n'));
    assert.equal(emptyStop.code, 'bad-request');
    assert.match(emptyStop.message, /^bad stop request: services: /);

    const stray = errorOf(await rawRequest(socketPath, '{"command":"health","verbose":true}\n'));
    assert.equal(stray.code, 'bad-request');
    assert.match(stray.message, /^bad health request: /);

    // No newline and no end of input: corral must stop reading at the limit by itself.
    const huge = await rawRequest(socketPath, `{"command":"status","services":["${'a'.repeat(70 * 1024)}`);
    assert.deepEqual(errorOf(huge), { code: 'too-large', message: 'the request is larger than 64 KiB' });

    // Just under the limit is a request like any other (here: 245 names nobody has).
    const names = Array.from({ length: 245 }, (_, index) => `${index}`.padStart(250, 'x'));
    const big = JSON.stringify({ command: 'status', services: names });
    assert.ok(big.length > 60 * 1024 && big.length < 64 * 1024, `${big.length} bytes`);
    const bigError = errorOf(await rawRequest(socketPath, `${big}\n`));
    assert.equal(bigError.code, 'unknown-service');
    assert.match(bigError.message, /^no service is named "x+0"/);
  });

  await t.test(
    'a client that sends nothing gets a timeout after about 5 s and is closed; a half-closed empty one gets "empty"; others are served meanwhile',
    async () => {
      const silent = rawRequest(socketPath, undefined, { timeoutMs: 8000 });

      const empty = await rawRequest(socketPath, undefined, { halfClose: true });
      const emptyError = errorOf(empty);
      assert.equal(emptyError.code, 'bad-request');
      assert.match(emptyError.message, /^the request was empty; /);

      const meanwhile = oneLine(await rawRequest(socketPath, '{"command":"status"}\n'));
      assert.equal(meanwhile.ok, true, 'a silent client does not hold up the others');

      const reply = await silent;
      const timeout = errorOf(reply);
      assert.equal(timeout.code, 'timeout');
      assert.match(timeout.message, /^no complete request within 5s; /);
      assert.ok(reply.answeredMs !== undefined && reply.answeredMs >= 4500, `answered after ${reply.answeredMs}ms, not before the 5 s`);
      assert.ok(reply.closedMs < 8000, `closed after ${reply.closedMs}ms`);
      t.diagnostic(`the silent client was answered after ${Math.round(reply.answeredMs)}ms and closed after ${Math.round(reply.closedMs)}ms`);
    },
  );

  await t.test('50 clients that send a status request and disconnect at once', async () => {
    const vanished = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(socketPath);
            const timer = setTimeout(() => reject(new Error('a vanishing client did not close within 5s')), 5000);
            socket.on('connect', () => {
              socket.write('{"command":"status"}\n');
              socket.destroy();
            });
            socket.on('error', () => undefined);
            socket.on('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    assert.equal(vanished.length, 50);
    const status = await statusOf(corral);
    assert.equal(status.corral.phase, 'running');
    assert.deepEqual(Object.fromEntries(status.services.map((entry) => [entry.name, entry.state])), {
      idle: 'running',
      main: 'running',
      orphans: 'running',
      web: 'running',
    });
  });

  await t.test('1000 clients at once each get a complete health answer', async () => {
    const count = 1000;
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: count }, () => rawRequest(socketPath, '{"command":"health"}\n', { timeoutMs: 30_000 })));
    const elapsedMs = performance.now() - started;
    const answers = replies.map(oneLine);
    assert.equal(answers.filter((answer) => answer.ok && answer.command === 'health' && answer.passing === true).length, count);
    const slowest = Math.max(...replies.map((reply) => reply.closedMs));
    t.diagnostic(`${count} concurrent health requests: all answered in ${Math.round(elapsedMs)}ms (slowest connection ${Math.round(slowest)}ms)`);
    assert.ok(elapsedMs < 30_000);
  });

  await t.test('operator mistakes through the CLI: suggestions, refusals, and usage errors (exit 100)', async () => {
    assert.deepEqual(await corralCli(corral, ['stop', 'wbe']), {
      code: 1,
      stdout: '',
      stderr: 'corral stop: no service is named "wbe"; did you mean "web"?\n',
    });
    const status = await corralCli(corral, ['status', 'wbe']);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /did you mean "web"\?/);

    const foo = await corralCli(corral, ['signal', 'web', 'SIGFOO']);
    assert.equal(foo.code, 1);
    assert.match(foo.stderr, /^corral signal: no signal is named "SIGFOO"; /);
    assert.deepEqual(await corralCli(corral, ['signal', 'web', 'HUPP']), {
      code: 1,
      stdout: '',
      stderr: 'corral signal: no signal is named "HUPP"; did you mean HUP?\n',
    });

    assert.deepEqual(await corralCli(corral, ['stop', 'idle']), { code: 0, stdout: 'stopped idle\n', stderr: '' });
    assert.deepEqual(await corralCli(corral, ['signal', 'idle', 'HUP']), {
      code: 1,
      stdout: '',
      stderr: 'corral signal: idle has no process to signal (it is stopped)\n',
    });
    assert.deepEqual(await corralCli(corral, ['start', 'idle']), { code: 0, stdout: 'starting idle\n', stderr: '' });

    const noName = await corralCli(corral, ['stop']);
    assert.equal(noName.code, 100);
    assert.match(noName.stderr, /^corral: corral stop needs at least one service name/);
    const noSignal = await corralCli(corral, ['signal', 'web']);
    assert.equal(noSignal.code, 100);
    assert.match(noSignal.stderr, /^corral: corral signal takes a service and a signal/);

    const main = await corralCli(corral, ['stop', 'main']);
    assert.equal(main.code, 1);
    assert.match(main.stderr, /^corral stop: main is the main service: when it stops, the container stops\./);
  });

  await t.test('afterwards: orphans are still reaped, no zombie is left, no socket is left open, the services are untouched, and SIGTERM exits 0', async () => {
    const reapedBefore = (await statusOf(corral)).corral.orphansReaped;
    let reapedNow = reapedBefore;
    const poll = async (): Promise<true | undefined> => {
      reapedNow = (await statusOf(corral)).corral.orphansReaped;
      return reapedNow >= reapedBefore + 3 ? true : undefined;
    };
    await pollFor('3 more orphans reaped', 15_000, poll, { intervalMs: 200, last: () => `orphansReaped went from ${reapedBefore} to ${reapedNow}` });
    t.diagnostic(`orphansReaped: ${before.corral.orphansReaped} at the start, ${reapedBefore} after the abuse, ${reapedNow} now`);
    await pollFor('a moment with no zombie under corral', 5000, () => (zombiesUnder(corral.hostPid).length === 0 ? true : undefined));

    await pollFor(`corral's fds back near ${fdsBefore}`, 10_000, () => (openFds(corral.hostPid) <= fdsBefore + 4 ? true : undefined));

    const after = await statusOf(corral);
    for (const name of ['web', 'main', 'orphans']) {
      assert.equal(service(after, name).pid, service(before, name).pid, `${name} kept its process`);
      assert.equal(service(after, name).restarts, 0);
    }
    assert.equal(service(after, 'idle').state, 'running');
    assert.deepEqual(
      corral.texts().filter((line) => /internal error|uncaught|unhandled/i.test(line)),
      [],
    );

    corral.signal('SIGTERM');
    assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
  });
});

// A client cannot keep a connection, and one of PID 1's fds, for long: the 5 s bound is a
// deadline for the whole request, not an idle timeout that any byte resets, and after the
// answer corral closes the connection whole, not just its sending side.
test('a client gets no more than about 5 s per request: trickling bytes, or holding the connection after the answer, does not keep it open', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, deadlineMs: 40_000, services: { 'web.yaml': `command: "${LOOP}"\n` } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web started/);
  const socketPath = join(runDirOf(corral), 'control.sock');
  await statusOf(corral);
  const fdsBefore = openFds(corral.hostPid);

  // 50 clients that read their answer and never close their end.
  const holders = await Promise.all(
    Array.from(
      { length: 50 },
      () =>
        new Promise<{ socket: ReturnType<typeof connect>; text: string }>((resolve, reject) => {
          const socket = connect({ path: socketPath, allowHalfOpen: true });
          let text = '';
          const timer = setTimeout(() => reject(new Error('no answer within 5s')), 5000);
          socket.on('connect', () => socket.write('{"command":"health"}\n'));
          socket.on('error', () => undefined);
          socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          socket.on('end', () => {
            clearTimeout(timer);
            resolve({ socket, text });
          });
        }),
    ),
  );
  t.after(() => holders.forEach((holder) => holder.socket.destroy()));
  for (const holder of holders) assert.equal((JSON.parse(holder.text) as Answer).ok, true);

  // One that sends a byte a second and never a newline.
  const trickler = connect(socketPath);
  t.after(() => trickler.destroy());
  const drip = setInterval(() => trickler.write(' '), 1000);
  t.after(() => clearInterval(drip));
  const started = Date.now();
  const answered = new Promise<number>((resolve) => trickler.once('data', () => resolve(Date.now() - started)));
  trickler.on('error', () => undefined);

  const limit = new Promise<undefined>((resolve) => setTimeout(resolve, 9000, undefined));
  const trickleMs = await Promise.race([answered, limit]);
  const fdsNow = openFds(corral.hostPid);
  t.diagnostic(
    `trickling client answered after ${trickleMs ?? 'more than 9000'}ms; corral's fds: ${fdsBefore} before, ${fdsNow} with 50 answered clients holding on for 9s`,
  );
  const problems = [
    ...(trickleMs === undefined ? ['a client sending a byte a second got no timeout within 9s'] : []),
    ...(fdsNow > fdsBefore + 4 ? [`corral still holds ${fdsNow - fdsBefore} more fds 9s after answering 50 clients that keep their end open`] : []),
  ];
  assert.deepEqual(problems, []);
});
