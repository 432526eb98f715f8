// What the built corral loads of Node's own modules on its way to the first service
// (issue 20): each costs start-up time, and some stay resident. A reload's worker thread
// (node:worker_threads) and timing through the global `performance` (perf_hooks and a
// dozen more) are kept off that path; src/config/load-in-worker.ts and
// src/shared/monotonic-ms.ts say why. The modules are read as corral exits after its main
// service, from process.moduleLoadList.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralMain, corralNodeFlags } from '../helpers/corral-process.js';

test('the built corral starts a service without loading worker_threads or perf_hooks', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-start-modules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const services = join(dir, 'services.d');
  const probe = join(dir, 'probe.cjs');
  // Written by corral's own process, once its main service has exited and it exits too.
  writeFileSync(
    probe,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));\n",
  );
  mkdirSync(services);
  writeFileSync(join(services, 'web.yaml'), 'command: [sleep, "100"]\n');
  const out = join(dir, 'modules.txt');
  const run = spawnSync(process.execPath, [...corralNodeFlags, '--require', probe, corralMain, '--services', services, '--', '/bin/true'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PROBE_OUT: out, CORRAL_LOG_LEVEL: 'info' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /main started/);
  const loaded = new Set(readFileSync(out, 'utf8').split('\n'));
  assert.ok(loaded.has('child_process') && loaded.has('vm'), 'the probe saw what corral needs');
  for (const module of ['worker_threads', 'perf_hooks', 'internal/perf/performance', 'internal/worker']) {
    assert.ok(!loaded.has(module), `corral loaded ${module} on its way to the first service`);
  }
});
