// Probes against real local servers and real commands: what passes, what fails and how the
// detail says it, and that nothing (socket, process group) is left behind.
import { pollFor } from '../helpers/corral-process.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { runCheck } from '../../src/process/run-check.js';
import { probeOnce } from '../../src/readiness/probes.js';
import { freePort } from '../helpers/free-port.js';

const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
const deadline = { timeout: 10_000 };

async function listen(t: TestContext, server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

// A port nothing listens on: bind one, then let it go.
// Resolves when every connection the server accepted has closed (or fails after 2 s).
async function allClosed(server: net.Server): Promise<void> {
  let count = 0;
  const poll = async (): Promise<true | undefined> => {
    count = await new Promise<number>((resolve, reject) => server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
    return count === 0 ? true : undefined;
  };
  await pollFor('every connection to close', 2000, poll, { intervalMs: 10, last: () => `${count} connection(s) still open` });
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return true;
  }
}

// A killed process stays a zombie until its parent reaps it; an orphan's new parent (init
// here) may take a while. A zombie runs nothing, so it counts as gone.
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function pidGone(pid: number): boolean {
  const state = processState(pid);
  return state === undefined || state === 'Z';
}

// Live (non-zombie) processes whose process group is pgid.
function liveMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    });
}

async function waitGone(check: () => boolean): Promise<boolean> {
  return pollFor('it to be gone', 2000, () => (check() ? true : undefined), { intervalMs: 10 }).catch(() => false);
}

describe('probeOnce tcp', () => {
  test('tcp: a listening port passes and the connection is closed afterwards', deadline, async (t) => {
    const server = net.createServer();
    const port = await listen(t, server);
    const result = await probeOnce({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: true, detail: `127.0.0.1:${port}: connected` });
    await allClosed(server);
  });

  test('tcp: a closed port fails with connection refused', deadline, async () => {
    const port = await freePort();
    const result = await probeOnce({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: `127.0.0.1:${port}: connection refused (ECONNREFUSED)` });
  });

  test('tcp: an IPv6 host is shown in brackets', deadline, async () => {
    const port = await freePort();
    const result = await probeOnce({ kind: 'tcp', host: '::1', port }, { timeoutMs: 2000, env });
    assert.equal(result.ok, false);
    assert.ok(result.detail.startsWith(`[::1]:${port}: `), result.detail);
  });

  test('tcp: an already aborted signal fails at once', deadline, async () => {
    const result = await probeOnce({ kind: 'tcp', host: '127.0.0.1', port: 1 }, { timeoutMs: 2000, env, signal: AbortSignal.abort() });
    assert.deepEqual(result, { ok: false, detail: 'aborted' });
  });
});

describe('probeOnce http', () => {
  async function httpServer(t: TestContext, handler: http.RequestListener): Promise<{ server: http.Server; base: string }> {
    const server = http.createServer(handler);
    const port = await listen(t, server);
    return { server, base: `http://127.0.0.1:${port}` };
  }

  const answering: http.RequestListener = (request, response) => {
    if (request.url === '/ok') response.writeHead(200).end('fine');
    else if (request.url === '/busy') response.writeHead(503).end('not yet');
    else if (request.url === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
    else response.writeHead(404).end();
  };

  test('http: 200 passes; the connection is closed afterwards', deadline, async (t) => {
    const { server, base } = await httpServer(t, answering);
    const result = await probeOnce({ kind: 'http', url: `${base}/ok` }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: true, detail: `HTTP 200 from ${base}/ok` });
    await allClosed(server);
  });

  test('http: 503 fails and names the status', deadline, async (t) => {
    const { base } = await httpServer(t, answering);
    const result = await probeOnce({ kind: 'http', url: `${base}/busy` }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: `HTTP 503 from ${base}/busy` });
  });

  test('http: 302 is not followed; it fails and gives the Location', deadline, async (t) => {
    const { base } = await httpServer(t, answering);
    const result = await probeOnce({ kind: 'http', url: `${base}/moved` }, { timeoutMs: 2000, env });
    assert.deepEqual(result, {
      ok: false,
      detail: `HTTP 302 from ${base}/moved (Location: /elsewhere; redirects are not followed)`,
    });
  });

  test('http: a server that never answers times out by the deadline and is disconnected', deadline, async (t) => {
    const { server, base } = await httpServer(t, () => {});
    const started = Date.now();
    const result = await probeOnce({ kind: 'http', url: `${base}/hang` }, { timeoutMs: 200, env });
    assert.deepEqual(result, { ok: false, detail: `${base}/hang: no response after 200ms` });
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started}ms`);
    await allClosed(server);
  });

  test('http: a 200 whose body never ends still passes by the deadline', deadline, async (t) => {
    const { server, base } = await httpServer(t, (_request, response) => {
      response.writeHead(200);
      response.write('streaming...');
    });
    const result = await probeOnce({ kind: 'http', url: `${base}/stream` }, { timeoutMs: 200, env });
    assert.deepEqual(result, { ok: true, detail: `HTTP 200 from ${base}/stream` });
    await allClosed(server);
  });

  test('http: a closed port fails with connection refused', deadline, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/healthz`;
    const result = await probeOnce({ kind: 'http', url }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: `${url}: connection refused (ECONNREFUSED)` });
  });

  test('http: aborting a hanging request ends it at once', deadline, async (t) => {
    const { server, base } = await httpServer(t, () => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await probeOnce({ kind: 'http', url: `${base}/hang` }, { timeoutMs: 5000, env, signal: controller.signal });
    assert.deepEqual(result, { ok: false, detail: 'aborted' });
    assert.ok(Date.now() - started < 2000);
    await allClosed(server);
  });

  test('http: a URL that is not http(s) or not a URL fails without a request', deadline, async () => {
    assert.deepEqual(await probeOnce({ kind: 'http', url: 'ftp://127.0.0.1/' }, { timeoutMs: 200, env }), {
      ok: false,
      detail: 'ftp://127.0.0.1/: only http: and https: URLs can be probed',
    });
    assert.deepEqual(await probeOnce({ kind: 'http', url: 'http://' }, { timeoutMs: 200, env }), {
      ok: false,
      detail: 'http://: not a valid URL',
    });
  });
});

describe('probeOnce exec', () => {
  test('exec: true passes, false fails with its exit code', deadline, async () => {
    assert.deepEqual(await probeOnce({ kind: 'exec', argv: ['true'] }, { timeoutMs: 2000, env }), { ok: true, detail: 'exit code 0' });
    assert.deepEqual(await probeOnce({ kind: 'exec', argv: ['false'] }, { timeoutMs: 2000, env }), { ok: false, detail: 'exit code 1' });
  });

  test('exec: the detail quotes the last line of output', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['sh', '-c', 'echo starting; echo not yet >&2; exit 3'] }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: 'exit code 3: not yet' });
  });

  test('exec: a long last line is cut to 200 characters', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['sh', '-c', 'printf "%0300d\\n" 0; exit 2'] }, { timeoutMs: 2000, env });
    assert.equal(result.ok, false);
    assert.equal(result.detail, `exit code 2: ${'0'.repeat(199)}…`);
  });

  test('exec: output past 64 KiB is cut; the exit code still decides', deadline, async () => {
    // head's own complaint when the probe closes the pipe after the cut goes to /dev/null:
    // whether it comes at all depends on timing.
    const result = await probeOnce({ kind: 'exec', argv: ['sh', '-c', 'yes | head -c 200000 2>/dev/null; exit 0'] }, { timeoutMs: 5000, env });
    assert.deepEqual(result, { ok: true, detail: 'exit code 0: y (output cut at 64 KiB)' });
  });

  test('exec: a command killed by a signal names the signal', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['sh', '-c', 'kill -TERM $$'] }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: 'killed by SIGTERM' });
  });

  test('exec: a missing command says command not found', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['corral-no-such-command'] }, { timeoutMs: 2000, env });
    assert.deepEqual(result, { ok: false, detail: 'corral-no-such-command: command not found (ENOENT)' });
  });

  test('exec: a missing working directory is named as such', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['true'] }, { timeoutMs: 2000, env, cwd: '/nonexistent/corral-dir' });
    assert.deepEqual(result, { ok: false, detail: 'working directory /nonexistent/corral-dir does not exist (ENOENT)' });
  });

  test('exec: runs in cwd', deadline, async () => {
    const result = await probeOnce({ kind: 'exec', argv: ['sh', '-c', 'pwd; exit 1'] }, { timeoutMs: 2000, env, cwd: '/tmp' });
    assert.deepEqual(result, { ok: false, detail: 'exit code 1: /tmp' });
  });

  test('exec: only the given env is passed', deadline, async () => {
    const result = await probeOnce(
      { kind: 'exec', argv: ['sh', '-c', 'echo "[$PROBE_VAR][$HOME]"; exit 1'] },
      { timeoutMs: 2000, env: { ...env, PROBE_VAR: 'x' } },
    );
    assert.deepEqual(result, { ok: false, detail: 'exit code 1: [x][]' });
  });

  test('exec: a command past its deadline is killed with its process group', deadline, async () => {
    let pid: number | undefined;
    const started = Date.now();
    const result = await runCheck(['sleep', '5'], { env, timeoutMs: 200, onSpawn: (p) => (pid = p) });
    assert.deepEqual(result, { ok: false, detail: 'timed out after 200ms' });
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started}ms`);
    assert.ok(pid !== undefined);
    assert.ok(groupGone(pid), 'the sleep process group is gone');
  });

  test('exec: a timed-out shell takes its background children with it', deadline, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-probe-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pidFile = join(dir, 'child.pid');
    let pgid: number | undefined;
    const result = await runCheck(['sh', '-c', 'sleep 30 & echo $! > "$0"; wait', pidFile], {
      env,
      timeoutMs: 300,
      onSpawn: (p) => (pgid = p),
    });
    assert.deepEqual(result, { ok: false, detail: 'timed out after 300ms' });
    const child = Number(readFileSync(pidFile, 'utf8'));
    t.after(() => {
      if (!pidGone(child)) process.kill(child, 'SIGKILL');
    });
    assert.ok(await waitGone(() => pidGone(child)), `background child ${child} is gone`);
    assert.ok(await waitGone(() => liveMembers(pgid!).length === 0), 'nothing runs in the process group');
  });

  test('exec: a check that exits leaves nothing running in its group', deadline, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-probe-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pidFile = join(dir, 'child.pid');
    const result = await runCheck(['sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $! > "$0"', pidFile], { env, timeoutMs: 2000 });
    assert.deepEqual(result, { ok: true, detail: 'exit code 0' });
    const child = Number(readFileSync(pidFile, 'utf8'));
    t.after(() => {
      if (!pidGone(child)) process.kill(child, 'SIGKILL');
    });
    assert.ok(await waitGone(() => pidGone(child)), `background child ${child} is gone`);
  });

  test('exec: aborting kills the command', deadline, async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    setTimeout(() => controller.abort(), 50);
    const result = await runCheck(['sleep', '5'], { env, timeoutMs: 5000, signal: controller.signal, onSpawn: (p) => (pid = p) });
    assert.deepEqual(result, { ok: false, detail: 'aborted' });
    assert.ok(groupGone(pid!));
  });
});
