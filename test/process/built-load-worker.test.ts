// The built load body (scripts/bundle.mjs, src/config/load-body.ts), run by the reload
// worker (cached-load-worker.ts) and at start in corral's own thread (load-here.ts): with
// corral's own V8 flags it is compiled from the code cache the build wrote, and a cache
// that is missing or does not fit only costs time, never the answer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { corralMain, corralNodeFlags, startCorral } from '../helpers/corral-process.js';

const built = fileURLToPath(new URL('../../dist', import.meta.url));
const addon = fileURLToPath(new URL('../../addon', import.meta.url));

// Runs the worker at `worker` on `dir`, as load-in-worker.ts does, and returns its answer.
function loadWith(worker: string, dir: string): { services?: { name: string }[]; problems?: unknown[]; codeCache?: string } {
  const script = `
    import { Worker } from 'node:worker_threads';
    const thread = new Worker(${JSON.stringify(worker)}, { workerData: { dir: ${JSON.stringify(dir)}, env: {}, self: { uid: 0, gid: 0, canSwitchUser: true } } });
    thread.once('message', (reply) => process.stdout.write(JSON.stringify(reply)));
    thread.once('error', (error) => { console.error(error); process.exitCode = 1; });`;
  // A file, not -e: the worker would inherit --input-type, which only -e takes.
  const file = join(dir, '..', `${dir.split('/').pop()!}-load.mjs`);
  writeFileSync(file, script);
  const run = spawnSync(process.execPath, [...corralNodeFlags, file], { encoding: 'utf8', timeout: 20_000 });
  rmSync(file);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as ReturnType<typeof loadWith>;
}

function servicesDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-built-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'web.yaml'), 'command: [sleep, "100"]\n');
  return dir;
}

// A copy of dist/ beside a link to the addon, as the bundle's relative paths expect.
function copyOfDist(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'corral-built-copy-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(built, join(root, 'dist'), { recursive: true });
  symlinkSync(addon, join(root, 'addon'));
  return join(root, 'dist');
}

test('the built bin is the bundle: one entry, its chunks, and the worker with its code cache', () => {
  assert.equal(corralMain, join(built, 'cli', 'main.js'));
  const run = spawnSync('find', [built, '-type', 'f', '-printf', '%P\\n'], { encoding: 'utf8' });
  const files = run.stdout.trim().split('\n').sort();
  const outside = files.filter((file) => !file.startsWith('chunks/'));
  assert.deepEqual(outside, ['cli/main.js', 'config/load-reply.cjs', 'config/load-reply.cjs.cache', 'config/load-worker.cjs', 'package.json']);
  // Ends Node's search for each module's package scope here (scripts/bundle.mjs).
  assert.deepEqual(JSON.parse(readFileSync(join(built, 'package.json'), 'utf8')), { type: 'module' });
});

test("with corral's V8 flags the built worker compiles its body from the code cache", (t) => {
  const reply = loadWith(join(built, 'config', 'load-worker.cjs'), servicesDir(t));
  assert.deepEqual(
    reply.services?.map((service) => service.name),
    ['web'],
  );
  assert.equal(reply.codeCache, 'used');
});

test('a code cache that does not fit is rejected by V8, and the services load as without one', (t) => {
  const dist = copyOfDist(t);
  writeFileSync(join(dist, 'config', 'load-reply.cjs.cache'), Buffer.alloc(4096, 7));
  const reply = loadWith(join(dist, 'config', 'load-worker.cjs'), servicesDir(t));
  assert.deepEqual(
    reply.services?.map((service) => service.name),
    ['web'],
  );
  assert.equal(reply.codeCache, 'rejected');
});

test('without a code cache the worker compiles its body, and problems are answered as ever', (t) => {
  const dist = copyOfDist(t);
  rmSync(join(dist, 'config', 'load-reply.cjs.cache'));
  const dir = servicesDir(t);
  writeFileSync(join(dir, 'bad.yaml'), 'command: [sleep, "1"]\nrestart: sometimes\n');
  const reply = loadWith(join(dist, 'config', 'load-worker.cjs'), dir);
  assert.equal(reply.codeCache, 'absent');
  assert.equal(reply.problems?.length, 1, JSON.stringify(reply));
});

test("at start, in corral's own thread, the body is compiled from the code cache too", async (t) => {
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_LEVEL: 'debug' }, services: { 'web.yaml': 'command: "echo web up; exec sleep 100"\n' } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/corral +\| debug: config: read .* in \d+ ms \(V8 code cache: used\)$/);
  await corral.waitForLine(/web +\| web up/);
});
