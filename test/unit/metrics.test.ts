import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import type { MetricsInput } from '../../src/control/metrics.js';
import { MetricsServerError, startMetricsServer, type MetricsServer } from '../../src/control/metrics-server.js';
import type { ServiceSnapshot, SupervisorSnapshot } from '../../src/control/snapshot.js';
import type { GroupUsage } from '../../src/process/group-usage.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { scheduleSnapshot, serviceSnapshot } from '../helpers/snapshots.js';

const AT = Date.UTC(2026, 10, 23, 10, 0, 0);

const service = serviceSnapshot;

const WEB = service('web', {
  main: true,
  state: 'running',
  ready: true,
  pid: 42,
  startedAt: AT - 90_500,
  restarts: 1,
  linesRelayed: { stdout: 1200, stderr: 7 },
  linesDropped: { stdout: 3, stderr: 0 },
});
const WORKER = service('worker', { state: 'backoff', restarts: 4, linesRelayed: { stdout: 10, stderr: 2 } });

function input(services: ServiceSnapshot[], usage: [string, GroupUsage][] = []): MetricsInput {
  const snapshot: SupervisorSnapshot = {
    at: AT,
    phase: 'running',
    version: '0.1.0',
    startedAt: AT - 3_600_000,
    orphansReaped: 5,
    services,
  };
  return { snapshot, usage: new Map(usage) };
}

const BOTH = input([WEB, WORKER], [['web', { cpuSeconds: 1.25, rssBytes: 10_485_760, processes: 2 }]]);

// The whole body for BOTH: every metric, HELP and TYPE included, in registration order.
const BOTH_TEXT = `# HELP corral_service_state Current state of the service: 1 for the state it is in, 0 for every other state.
# TYPE corral_service_state gauge
${['web', 'worker']
  .flatMap((name) =>
    ['stopped', 'waiting', 'blocked', 'starting', 'running', 'backoff', 'stopping', 'scheduled', 'exited', 'fatal'].map((state) => {
      const current = (name === 'web' && state === 'running') || (name === 'worker' && state === 'backoff');
      return `corral_service_state{service="${name}",state="${state}"} ${current ? 1 : 0}`;
    }),
  )
  .join('\n')}

# HELP corral_service_ready Whether the service is ready: 1 when a longrun is running, a oneshot has succeeded or a scheduled service is on its schedule, else 0.
# TYPE corral_service_ready gauge
corral_service_ready{service="web"} 1
corral_service_ready{service="worker"} 0

# HELP corral_service_restarts_total Times the restart policy restarted the service since corral started (corral restart is not counted).
# TYPE corral_service_restarts_total counter
corral_service_restarts_total{service="web"} 1
corral_service_restarts_total{service="worker"} 4

# HELP corral_service_uptime_seconds Seconds since the current run of the service started; absent while it has no run.
# TYPE corral_service_uptime_seconds gauge
corral_service_uptime_seconds{service="web"} 90.5

# HELP corral_service_cpu_seconds_total CPU time used by the current run of the service and its children (user + system); 0 without a live process.
# TYPE corral_service_cpu_seconds_total counter
corral_service_cpu_seconds_total{service="web"} 1.25
corral_service_cpu_seconds_total{service="worker"} 0

# HELP corral_service_memory_rss_bytes Resident memory of the service and its children, summed; 0 without a live process.
# TYPE corral_service_memory_rss_bytes gauge
corral_service_memory_rss_bytes{service="web"} 10485760
corral_service_memory_rss_bytes{service="worker"} 0

# HELP corral_service_processes Live processes of the service: its own process and those it started.
# TYPE corral_service_processes gauge
corral_service_processes{service="web"} 2
corral_service_processes{service="worker"} 0

# HELP corral_orphans_reaped_total Orphaned processes (not started by corral) that corral reaped as PID 1.
# TYPE corral_orphans_reaped_total counter
corral_orphans_reaped_total 5

# HELP corral_log_lines_relayed_total Log lines of the service that corral passed on to its own stdout or stderr.
# TYPE corral_log_lines_relayed_total counter
corral_log_lines_relayed_total{service="web",stream="stdout"} 1200
corral_log_lines_relayed_total{service="web",stream="stderr"} 7
corral_log_lines_relayed_total{service="worker",stream="stdout"} 10
corral_log_lines_relayed_total{service="worker",stream="stderr"} 2

# HELP corral_log_lines_dropped_total Log lines of the service that corral dropped (log mode: drop) because its own output could not keep up.
# TYPE corral_log_lines_dropped_total counter
corral_log_lines_dropped_total{service="web",stream="stdout"} 3
corral_log_lines_dropped_total{service="web",stream="stderr"} 0
corral_log_lines_dropped_total{service="worker",stream="stdout"} 0
corral_log_lines_dropped_total{service="worker",stream="stderr"} 0

# HELP corral_scheduled_runs_total Runs of a scheduled service since corral started, by result: succeeded, failed, timed-out, replaced (overlap: replace), or skipped (due while a run was going).
# TYPE corral_scheduled_runs_total counter

# HELP corral_scheduled_next_run_timestamp_seconds When the next run of a scheduled service is due, in seconds since the Unix epoch; absent while its schedule is paused.
# TYPE corral_scheduled_next_run_timestamp_seconds gauge

# HELP corral_info Always 1; the version label says which corral is running.
# TYPE corral_info gauge
corral_info{version="0.1.0"} 1

# HELP corral_start_time_seconds When corral started, in seconds since the Unix epoch.
# TYPE corral_start_time_seconds gauge
corral_start_time_seconds ${(AT - 3_600_000) / 1000}
`;

describe('metrics endpoint', () => {
  const servers: MetricsServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  async function start(collect: () => Promise<MetricsInput>, logger = captureLogger().logger): Promise<string> {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, collect, logger);
    servers.push(server);
    assert.equal(server.address.host, '127.0.0.1');
    assert.ok(server.address.port > 0, 'the real port, not 0');
    return `http://127.0.0.1:${server.address.port}`;
  }

  test('GET /metrics: every metric for a running service with usage and one in backoff, one collect per scrape', async () => {
    let collects = 0;
    const base = await start(() => {
      collects += 1;
      return Promise.resolve(BOTH);
    });
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(await response.text(), BOTH_TEXT);
    assert.equal(collects, 1);
    await (await fetch(`${base}/metrics?x=1`)).text();
    assert.equal(collects, 2, 'a query string is ignored, and each scrape collects anew');
  });

  test('a service removed between two scrapes disappears from the output', async () => {
    let current = BOTH;
    const base = await start(() => Promise.resolve(current));
    assert.match(await (await fetch(`${base}/metrics`)).text(), /service="worker"/);
    current = input([WEB], [['web', { cpuSeconds: 2, rssBytes: 1, processes: 1 }]]);
    const body = await (await fetch(`${base}/metrics`)).text();
    assert.doesNotMatch(body, /worker/);
    assert.match(body, /^corral_service_cpu_seconds_total\{service="web"\} 2$/m);
  });

  test('a service that stopped loses its uptime but keeps its other series', async () => {
    let current = BOTH;
    const base = await start(() => Promise.resolve(current));
    await (await fetch(`${base}/metrics`)).text();
    current = input([{ ...WEB, state: 'stopped', ready: false, pid: null, startedAt: null }, WORKER]);
    const body = await (await fetch(`${base}/metrics`)).text();
    assert.doesNotMatch(body, /^corral_service_uptime_seconds\{/m);
    assert.match(body, /^corral_service_state\{service="web",state="stopped"\} 1$/m);
    assert.match(body, /^corral_service_processes\{service="web"\} 0$/m);
  });

  test('a scheduled service: its runs by result and its next run time; none while paused', async () => {
    const runs = { succeeded: 11, failed: 1, 'timed-out': 2, replaced: 0, skipped: 3 };
    const schedule = scheduleSnapshot({ nextRunAt: AT + 240_000, runs });
    const report = service('report', { type: 'scheduled', state: 'scheduled', ready: true, schedule });
    let current = input([report]);
    const base = await start(() => Promise.resolve(current));
    const body = await (await fetch(`${base}/metrics`)).text();
    for (const [result, count] of Object.entries(runs))
      assert.match(body, new RegExp(`^corral_scheduled_runs_total\\{service="report",result="${result}"\\} ${count}$`, 'm'));
    assert.match(body, new RegExp(`^corral_scheduled_next_run_timestamp_seconds\\{service="report"\\} ${(AT + 240_000) / 1000}$`, 'm'));
    assert.match(body, /^corral_service_state\{service="report",state="scheduled"\} 1$/m);
    current = input([{ ...report, state: 'stopped', stoppedByOperator: true, schedule: { ...schedule, nextRunAt: null } }]);
    const paused = await (await fetch(`${base}/metrics`)).text();
    assert.doesNotMatch(paused, /^corral_scheduled_next_run_timestamp_seconds\{/m);
    assert.match(paused, /^corral_scheduled_runs_total\{service="report",result="succeeded"\} 11$/m);
  });

  test('concurrent scrapes each get a complete body', async () => {
    const base = await start(() => new Promise((resolve) => setTimeout(() => resolve(BOTH), 20)));
    const bodies = await Promise.all([1, 2, 3].map(async () => (await fetch(`${base}/metrics`)).text()));
    for (const body of bodies) assert.equal(body, BOTH_TEXT);
  });

  test('GET / points to /metrics; other paths are 404, other methods 405', async () => {
    const base = await start(() => Promise.resolve(BOTH));
    const root = await fetch(`${base}/`);
    assert.equal(root.status, 200);
    assert.equal(await root.text(), 'corral: Prometheus metrics are at /metrics\n');

    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not found; metrics are at /metrics\n');

    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal(await post.text(), 'method POST not allowed; use GET\n');

    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  test('a collect that throws gives 500 and a log line; the next scrape works', async () => {
    const { logger, lines } = captureLogger();
    let fail = true;
    const base = await start(() => (fail ? Promise.reject(new Error('/proc is gone')) : Promise.resolve(BOTH)), logger);
    const failed = await fetch(`${base}/metrics`);
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), "could not collect metrics; see corral's log\n");
    assert.deepEqual(lines, ['warn: metrics endpoint: could not collect metrics: /proc is gone']);

    fail = false;
    const next = await fetch(`${base}/metrics`);
    assert.equal(next.status, 200);
    assert.equal(await next.text(), BOTH_TEXT);
  });

  test('a client that leaves before the answer harms nothing', async () => {
    const { logger, lines } = captureLogger();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const base = await start(async () => {
      await gate;
      return BOTH;
    }, logger);
    const abort = new AbortController();
    const gone = fetch(`${base}/metrics`, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    await assert.rejects(gone, { name: 'AbortError' });
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const next = await fetch(`${base}/metrics`);
    assert.equal(next.status, 200);
    assert.equal(await next.text(), BOTH_TEXT);
    assert.deepEqual(lines, []);
  });

  test('a port already in use is a MetricsServerError naming the address, the variable and EADDRINUSE', async (t) => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { port } = holder.address() as { port: number };
    const failed = startMetricsServer({ host: '127.0.0.1', port }, () => Promise.resolve(BOTH), captureLogger().logger);
    await assert.rejects(failed, (error: unknown) => {
      assert.ok(error instanceof MetricsServerError);
      assert.equal(error.name, 'MetricsServerError');
      assert.equal(error.code, 'METRICS_LISTEN_FAILED');
      assert.equal(error.errno, 'EADDRINUSE');
      assert.equal(error.message, `cannot serve metrics on 127.0.0.1:${port} (CORRAL_METRICS_ADDR): address already in use (EADDRINUSE)`);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      return true;
    });
  });

  test('close() can be called twice', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, () => Promise.resolve(BOTH), captureLogger().logger);
    await (await fetch(`http://127.0.0.1:${server.address.port}/`)).text();
    await server.close();
    await server.close();
    await assert.rejects(fetch(`http://127.0.0.1:${server.address.port}/`));
  });
});
