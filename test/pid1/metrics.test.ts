// CORRAL_METRICS_ADDR: corral as PID 1 serves Prometheus metrics that follow its services;
// a bad address stops corral before anything starts.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { corralCli } from '../helpers/corral-cli.js';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { freePort } from '../helpers/free-port.js';

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  return response.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('metrics: states, restarts, usage, lines and orphans of the running services', async (t) => {
  if (skipUnlessPid1(t)) return;
  const port = await freePort();
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_METRICS_ADDR: `127.0.0.1:${port}` },
    services: {
      'web.yaml': 'command: "echo web up; while :; do sleep 1 & wait $!; done"\nbackoff: {initial: 100ms}\n',
      // Leaves an orphan behind, which corral must reap and count.
      'orphans.yaml': 'type: oneshot\ncommand: "sleep 0.1 & echo left a child"\n',
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(new RegExp(`corral +\\| metrics on http://127\\.0\\.0\\.1:${port}/metrics`));
  await corral.waitForLine(/web +\| web up/);

  const first = await scrape(port);
  assert.equal(value(first, 'corral_service_state{service="web",state="running"}'), 1);
  assert.equal(value(first, 'corral_service_state{service="web",state="backoff"}'), 0);
  assert.equal(value(first, 'corral_service_ready{service="web"}'), 1);
  assert.equal(value(first, 'corral_service_restarts_total{service="web"}'), 0);
  assert.equal(value(first, 'corral_service_processes{service="web"}'), 2);
  assert.ok(value(first, 'corral_service_memory_rss_bytes{service="web"}')! > 100_000);
  assert.ok(value(first, 'corral_log_lines_relayed_total{service="web",stream="stdout"}')! >= 1);
  assert.match(first, /# TYPE corral_service_restarts_total counter/);

  // A crash is a restart; the orphan was reaped.
  assert.equal((await corralCli(corral, ['signal', 'web', 'KILL'])).code, 0);
  let text = '';
  await pollFor(
    'a restart and a reaped orphan in the metrics',
    10_000,
    async () => {
      text = await scrape(port);
      const restarted =
        value(text, 'corral_service_restarts_total{service="web"}') === 1 && value(text, 'corral_service_state{service="web",state="running"}') === 1;
      return restarted && value(text, 'corral_orphans_reaped_total')! >= 1 ? true : undefined;
    },
    { intervalMs: 100, last: () => text },
  );
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('metrics: a malformed CORRAL_METRICS_ADDR is a configuration error; a port in use is a system error', async (t) => {
  if (skipUnlessPid1(t)) return;
  const bad = await startCorral({ pid1: true, env: { CORRAL_METRICS_ADDR: '9100x' }, services: { 'web.yaml': 'command: "sleep 30"\n' } });
  t.after(() => bad.dispose());
  assert.deepEqual(await bad.waitExit(5000), { code: 100, signal: null });
  assert.match(bad.tail(), /CORRAL_METRICS_ADDR: expected HOST:PORT such as 127\.0\.0\.1:9100, got "9100x"/);
  assert.ok(!bad.events().some((text) => /web started/.test(text)), 'nothing was started');

  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => holder.close());
  const { port } = holder.address() as AddressInfo;
  const busy = await startCorral({ pid1: true, env: { CORRAL_METRICS_ADDR: `127.0.0.1:${port}` }, services: { 'web.yaml': 'command: "sleep 30"\n' } });
  t.after(() => busy.dispose());
  assert.deepEqual(await busy.waitExit(5000), { code: 111, signal: null });
  assert.match(busy.tail(), new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port} \\(CORRAL_METRICS_ADDR\\): address already in use \\(EADDRINUSE\\)`));
  assert.ok(!busy.events().some((text) => /web started/.test(text)), 'nothing was started');
});
