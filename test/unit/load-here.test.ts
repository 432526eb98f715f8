// The first load, in corral's own thread (load-here.ts), with bodies of the tests' own in
// place of the built one: its answer comes back as plain data and leaves nothing of the
// body behind, and a body that hangs or fails is a LoaderError, never a problem of the
// files. The built body, from its code cache, is run by test/process/built-load-worker.test.ts.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scratchFiles } from '../helpers/scratch.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadHere } from '../../src/config/load-here.js';
import { LoaderError, type LoadRequest } from '../../src/config/load-in-worker.js';

const request: LoadRequest = { dir: '/etc/corral/services.d', env: {}, self: { uid: 0, gid: 0, groups: [0] } } as unknown as LoadRequest;

// A CommonJS body, as the build makes dist/config/load-reply.cjs, without a code cache.
function body(t: TestContext, source: string): string {
  return join(scratchFiles(t, { 'load-reply.cjs': source }), 'load-reply.cjs');
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  assert.fail('it did not throw');
}

test('the services come back as a copy, and what the body left on globalThis is gone', (t) => {
  const source = `
    globalThis.__leftBehind = { big: 'x'.repeat(1000) };
    exports.loadReply = (request) => {
      const services = [{ name: 'web', pattern: /up/i, dir: request.dir }];
      globalThis.__lastReply = services;
      return { services };
    };`;
  const loaded = loadHere(request, { timeoutMs: 10_000, body: body(t, source) });
  assert.deepEqual(loaded, { services: [{ name: 'web', pattern: /up/i, dir: request.dir }], codeCache: 'absent' });
  const global = globalThis as Record<string, unknown>;
  assert.equal(global.__leftBehind, undefined);
  assert.equal(global.__lastReply, undefined);
  assert.equal(global.__corralLoadHere, undefined);
});

test('globals that were there before stay', (t) => {
  const global = globalThis as Record<string, unknown>;
  global.__before = 'kept';
  t.after(() => delete global.__before);
  loadHere(request, { timeoutMs: 10_000, body: body(t, `exports.loadReply = () => ({ services: [] });`) });
  assert.equal(global.__before, 'kept');
});

test('problems of the files are a ConfigError, as from the worker', (t) => {
  const problems = [{ file: 'web.yaml', line: 2, path: 'restart', message: 'restart must be one of always, on-failure, never' }];
  const source = `exports.loadReply = () => ({ problems: ${JSON.stringify(problems)} });`;
  const error = thrown(() => loadHere(request, { timeoutMs: 10_000, body: body(t, source) }));
  assert.ok(error instanceof ConfigError, String(error));
  assert.match(error.message, /restart must be one of always, on-failure, never/);
});

test('a load that hangs is ended once the bound has passed: a LoaderError', (t) => {
  const error = thrown(() => loadHere(request, { timeoutMs: 300, body: body(t, 'exports.loadReply = () => { for (;;); };') }));
  assert.ok(error instanceof LoaderError, String(error));
  assert.match(error.message, /^corral could not load \/etc\/corral\/services\.d: reading it did not end within 0\.3s; please report it as a bug$/);
  assert.equal((globalThis as Record<string, unknown>).__corralLoadHere, undefined);
});

test('a body that throws, or has no loadReply, is a LoaderError that says what', (t) => {
  const threw = thrown(() => loadHere(request, { timeoutMs: 10_000, body: body(t, 'throw new RangeError("boom");') }));
  assert.ok(threw instanceof LoaderError, String(threw));
  assert.match(threw.message, /reading it failed: RangeError: boom; please report it as a bug$/);
  const empty = thrown(() => loadHere(request, { timeoutMs: 10_000, body: body(t, 'exports.other = 1;') }));
  assert.ok(empty instanceof LoaderError, String(empty));
  assert.match(empty.message, /has no loadReply function: rebuild it with npm run build/);
  const missing = thrown(() => loadHere(request, { timeoutMs: 10_000, body: '/nonexistent/load-reply.cjs' }));
  assert.ok(missing instanceof LoaderError, String(missing));
  assert.match(missing.message, /ENOENT/);
});
