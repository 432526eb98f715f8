// The HTTP endpoint Prometheus scrapes. It serves GET /metrics and nothing else of note; a
// scrape that fails or a client that goes away is logged or ignored, never allowed to
// disturb the supervisor it runs in (corral is PID 1: an uncaught error here ends the container).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logger.js';
import { formatMetricsAddress, METRICS_ADDRESS_VARIABLE, type MetricsAddress } from './metrics-address.js';
import { buildMetricsRegistry, type CollectMetrics } from './metrics.js';
import { MetricsServerError } from './metrics-server-error.js';

// Slow or idle clients are cut off, so connections cannot pile up in PID 1. A scrape is one
// small request; Prometheus' own default scrape timeout is 10 s.
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
// How often Node checks the two request timeouts above; its default of 30 s would let a
// slow client hold a connection six times longer than HEADERS_TIMEOUT_MS says.
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export { MetricsServerError, type MetricsServerErrorCode } from './metrics-server-error.js';

// A running endpoint; `address.port` is the real port, also when 0 was asked for (tests).
export interface MetricsServer {
  readonly address: MetricsAddress;
  close(): Promise<void>;
}

// Opens the endpoint and resolves once it is listening. Port 0 is accepted here (the kernel
// picks one) even though CORRAL_METRICS_ADDR refuses it, so tests need no fixed port.
export async function startMetricsServer(address: MetricsAddress, collect: CollectMetrics, logger: Logger): Promise<MetricsServer> {
  const registry = buildMetricsRegistry(collect);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    respond(req, res, () => registry.metrics(), registry.contentType, logger).catch((error: unknown) => {
      // Nothing in respond() should throw; if something does, this request fails, not corral.
      logger.warn(`metrics endpoint: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  };
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    handle,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.setTimeout(IDLE_TIMEOUT_MS);
  await listen(server, address);
  // Errors after listening (rare: e.g. accept() failing with EMFILE) are logged, not thrown.
  server.on('error', (error) => logger.warn(`metrics endpoint: ${error.message}`));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return { address: { host: address.host, port }, close: () => (closed ??= closeServer(server)) };
}

function listen(server: Server, address: MetricsAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${formatMetricsAddress(address)} (${METRICS_ADDRESS_VARIABLE})`;
      reject(new MetricsServerError(`cannot serve metrics on ${where}: ${describeListenError(error)}`, 'METRICS_LISTEN_FAILED', error.code, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address.host, port: address.port });
  });
}

// The reason in words, with the errno kept for searching and for scripts.
function describeListenError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'address already in use (EADDRINUSE)';
    case 'EACCES':
      return 'permission denied; ports below 1024 need privileges (EACCES)';
    case 'EADDRNOTAVAIL':
      return 'no interface of this machine has that address (EADDRNOTAVAIL)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name could not be resolved (${error.code})`;
    default:
      return error.code === undefined ? error.message : `${error.message} (${error.code})`;
  }
}

async function respond(req: IncomingMessage, res: ServerResponse, render: () => Promise<string>, contentType: string, logger: Logger): Promise<void> {
  // A client that disconnects mid-request makes these emit 'error'; with no listener that
  // would be an uncaught exception. There is nothing to do about it but stop writing.
  req.on('error', () => res.destroy());
  res.on('error', () => undefined);
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/' && path !== '/metrics') return send(res, 404, 'not found; metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, `method ${req.method ?? ''} not allowed; use GET\n`);
  }
  if (path === '/') return send(res, 200, 'corral: Prometheus metrics are at /metrics\n');
  let body: string;
  try {
    body = await render();
  } catch (error) {
    logger.warn(`metrics endpoint: could not collect metrics: ${error instanceof Error ? error.message : String(error)}`);
    return send(res, 500, "could not collect metrics; see corral's log\n");
  }
  send(res, 200, body, contentType);
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  // The client may have gone while the metrics were being collected.
  if (res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    // Every scrape must see fresh numbers, never a proxy's copy.
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

// At shutdown nobody waits for a scrape: open connections, idle or not, are cut.
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
