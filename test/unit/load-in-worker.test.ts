// Loading the services directory in a worker thread (load-in-worker.ts) gives what
// loading in this thread gives, to the byte, and a worker that fails or hangs is a
// LoaderError, never mistaken for a problem of the files.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchFiles } from '../helpers/scratch.js';
import { withCommandService } from '../../src/config/command-service.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadInWorker, LoaderError, type LoadRequest } from '../../src/config/load-in-worker.js';
import { loadServices } from '../../src/config/load-services.js';
import { ownCredentials } from '../../src/process/credentials.js';

const TIMEOUT_MS = 60_000;
// The real worker, run from the .ts sources.
const LOAD_WORKER = new URL('../helpers/load-worker-tsx.mjs', import.meta.url);

// What loading `request` in this thread gives: the services, or the ConfigError.
function inThread(request: LoadRequest): unknown {
  try {
    return withCommandService(loadServices(request.dir, { env: request.env, self: request.self }), request.command);
  } catch (error) {
    return error;
  }
}

async function inWorker(request: LoadRequest, workerUrl = LOAD_WORKER, timeoutMs = TIMEOUT_MS): Promise<unknown> {
  try {
    return await loadInWorker(request, { timeoutMs, workerUrl });
  } catch (error) {
    return error;
  }
}

// A worker that never answers and says which thread it is: /proc/PID/task/TID.
function hangingWorker(t: TestContext): { source: string; thread: () => string | undefined } {
  const marker = join(scratchFiles(t, {}), 'thread');
  const source = `import { readlinkSync, writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, readlinkSync('/proc/thread-self')); setInterval(() => {}, 1000);`;
  return { source, thread: () => (existsSync(marker) ? join('/proc', readFileSync(marker, 'utf8')) : undefined) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `waited too long for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function threadGone(thread: string | undefined): Promise<void> {
  assert.ok(thread !== undefined, 'the worker never started');
  await until(() => !existsSync(thread), `${thread} to end`);
}

// A worker module of a test's own, as a data: URL.
const worker = (source: string): URL => new URL(`data:text/javascript,${encodeURIComponent(source)}`);

describe('loadInWorker: the same as loading in this thread', () => {
  test('every kind of setting comes back as loaded: RegExp, schedule, identity, env files, the command service', async (t) => {
    const dir = scratchFiles(t, {
      'web.yaml': [
        'command: [node, server.js]',
        'ready: {log: "listening on (\\\\d+)"}',
        'health: {http: "http://localhost:${PORT}/health", interval: 5s}',
        'watchdog: 30s',
        'user: root',
        'env_file: web.env',
        'environment: {A: 1, B: true}',
        'limits: {nofile: 1024}',
        'log: {prefix: w, mode: drop}',
        '',
      ].join('\n'),
      'web.env': 'SECRET=s3\n',
      'nightly.yaml': 'command: backup\nschedule: {cron: "0 3 * * *", timezone: Europe/Berlin, overlap: queue}\n',
      'tick.yaml': 'command: tick\nschedule: {every: 90s}\n',
      'once.yaml': 'command: migrate\ntype: oneshot\ntimeout: 1m\ndepends_on: [web]\n',
      'off.yaml': 'command: never\nenabled: false\n',
    });
    const request: LoadRequest = { dir, command: ['my-app', '--port', '8080'], env: { PORT: '8080', TZ: 'UTC' }, self: ownCredentials() };
    const expected = inThread(request);
    assert.ok(Array.isArray(expected), String(expected));
    const got = await inWorker(request);
    assert.deepEqual(got, expected);
    const web = (got as { name: string; ready?: { spec: { kind: string; pattern?: RegExp } } }[]).find((service) => service.name === 'web')!;
    // A RegExp of this thread's realm, which works as the original does.
    assert.ok(web.ready?.spec.pattern instanceof RegExp);
    assert.deepEqual(web.ready.spec.pattern.exec('listening on 8080')?.[1], '8080');
  });

  test('the environment is the one given, not the worker thread’s own', async (t) => {
    const dir = scratchFiles(t, { 'a.yaml': 'command: run ${ONLY_GIVEN}\nenabled: ${SWITCH}\n' });
    const request: LoadRequest = { dir, env: { ONLY_GIVEN: 'here', SWITCH: 'true' }, self: ownCredentials() };
    const got = (await inWorker(request)) as { argv: string[] }[];
    assert.deepEqual(got[0]?.argv, ['/bin/sh', '-c', 'run here']);
  });

  test('an invalid directory is a ConfigError with the same problems and message', async (t) => {
    const dir = scratchFiles(t, {
      'a.yaml': 'command: x\nrestrat: always\n',
      'b.yaml': 'command: [""]\nstop_timeout: soon\n',
      'c.yaml': 'command: y\ndepends_on: [nowhere]\n',
      'main.yaml': 'command: z\n',
    });
    const request: LoadRequest = { dir, command: ['app'], env: {}, self: ownCredentials() };
    const expected = inThread(request);
    assert.ok(expected instanceof ConfigError);
    const got = await inWorker(request);
    assert.ok(got instanceof ConfigError, String(got));
    assert.deepEqual(got.problems, expected.problems);
    assert.equal(got.message, expected.message);
  });

  test('a directory that does not exist, and the command service refused, as in one thread', async (t) => {
    const missing: LoadRequest = { dir: join(scratchFiles(t, {}), 'nope'), env: {}, self: ownCredentials() };
    assert.equal(((await inWorker(missing)) as ConfigError).message, (inThread(missing) as ConfigError).message);
    const empty: LoadRequest = { dir: scratchFiles(t, {}), command: [''], env: {}, self: ownCredentials() };
    assert.equal(((await inWorker(empty)) as ConfigError).message, (inThread(empty) as ConfigError).message);
  });
});

describe('loadInWorker: a worker that fails is corral’s failure, said clearly', () => {
  const request = (dir: string): LoadRequest => ({ dir, env: {}, self: ownCredentials() });

  test('a worker that throws: LoaderError with what it threw', async (t) => {
    const got = await inWorker(request(scratchFiles(t, {})), worker('throw new TypeError("boom in the loader")'));
    assert.ok(got instanceof LoaderError, String(got));
    assert.match(got.message, /^corral could not load .*: the worker thread that reads it failed: TypeError: boom in the loader; please report it as a bug$/);
  });

  test('a worker that ends without answering: LoaderError with its exit code and last words', async (t) => {
    const got = await inWorker(request(scratchFiles(t, {})), worker('process.stderr.write("dying\\n"); process.exit(7)'));
    assert.ok(got instanceof LoaderError, String(got));
    assert.match(got.message, /ended \(exit code 7\) without an answer/);
  });

  test('a worker that hangs: LoaderError once the bound has passed, and the worker is ended', async (t) => {
    const { source, thread } = hangingWorker(t);
    let ended = false;
    const pending = loadInWorker(request(scratchFiles(t, {})), { timeoutMs: 300, workerUrl: worker(source), onExit: () => (ended = true) });
    const got = await pending.catch((error: unknown) => error);
    assert.ok(got instanceof LoaderError, String(got));
    assert.match(got.message, /did not answer within 0\.3s/);
    // On a busy machine the bound may pass before the worker ran at all: either way it ends.
    await until(() => ended, 'the worker to end');
    const tid = thread();
    if (tid !== undefined) await threadGone(tid);
  });

  test('an abort ends the wait with its reason and ends the worker', async (t) => {
    const { source, thread } = hangingWorker(t);
    const controller = new AbortController();
    const pending = loadInWorker(request(scratchFiles(t, {})), { timeoutMs: TIMEOUT_MS, signal: controller.signal, workerUrl: worker(source) });
    await until(() => thread() !== undefined, 'the worker to start');
    const reason = new Error('shutting down');
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    await threadGone(thread());
    // Aborted already: no worker is started at all.
    await assert.rejects(loadInWorker(request('/'), { timeoutMs: TIMEOUT_MS, signal: controller.signal }), (error) => error === reason);
  });

  test('onExit is called once the worker thread has ended: after an answer, and after a hang was given up on', async (t) => {
    const ended: string[] = [];
    const dir = scratchFiles(t, { 'a.yaml': 'command: x\n' });
    await loadInWorker(request(dir), { timeoutMs: TIMEOUT_MS, workerUrl: LOAD_WORKER, onExit: () => ended.push('answered') });
    await until(() => ended.length === 1, 'the answering worker to end');
    const { source } = hangingWorker(t);
    await assert.rejects(loadInWorker(request(dir), { timeoutMs: 300, workerUrl: worker(source), onExit: () => ended.push('hung') }), LoaderError);
    await until(() => ended.length === 2, 'the hung worker to end');
    assert.deepEqual(ended, ['answered', 'hung']);
  });

  test('an answer that is not plain data: LoaderError, not a crash', async (t) => {
    // A DataCloneError in the worker arrives as an empty object: still a LoaderError.
    // (load-worker.ts itself says it in words: its answer could not be sent.)
    const source = `import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ services: [{ run: () => 1 }] });`;
    const got = await inWorker(request(scratchFiles(t, {})), worker(source));
    assert.ok(got instanceof LoaderError, String(got));
    assert.match(got.message, /failed: something that is not an Error \(object\)/);
  });
});
