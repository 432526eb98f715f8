// One attempt of a readiness or health probe. Every probe ends by its deadline, never
// throws, and leaves no socket or process behind, so callers can simply poll it.
import net from 'node:net';
import { formatDuration } from '../shared/format-duration.js';
import { runCheck } from '../process/run-check.js';
import type { ProbeSpec } from '../config/probe-spec.js';
import type { ProbeResult } from './probe-result.js';

export interface ProbeOptions {
  timeoutMs: number;
  /** Environment of an exec probe's command (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
  /** Ends the attempt early with "aborted", closing what it opened. */
  signal?: AbortSignal;
}

// Runs `spec` once and says whether it passed.
export async function probeOnce(spec: ProbeSpec, options: ProbeOptions): Promise<ProbeResult> {
  if (options.signal?.aborted) return { ok: false, detail: 'aborted' };
  try {
    switch (spec.kind) {
      case 'exec':
        return await runCheck(spec.argv, options);
      case 'tcp':
        return await probeTcp(spec.host, spec.port, options);
      case 'http':
        return await probeHttp(spec.url, options);
    }
  } catch (error) {
    return { ok: false, detail: `probe failed: ${(error as Error).message}` };
  }
}

function probeTcp(host: string, port: number, options: ProbeOptions): Promise<ProbeResult> {
  const target = formatTarget(host, port);
  return settleWithin(options, (finish) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => finish({ ok: true, detail: `${target}: connected` }));
    // Kept after finishing, so a late error on the destroyed socket is not unhandled.
    socket.on('error', (error) => finish({ ok: false, detail: `${target}: ${describeNetError(error)}` }));
    return {
      timedOut: () => ({ ok: false, detail: `${target}: no connection after ${formatDuration(options.timeoutMs)}` }),
      cleanup: () => socket.destroy(),
    };
  });
}

function probeHttp(rawUrl: string, options: ProbeOptions): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.resolve({ ok: false, detail: `${rawUrl}: not a valid URL` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ ok: false, detail: `${rawUrl}: only http: and https: URLs can be probed` });
  }
  // Loaded here, on the first http probe: node:http and node:https hold 2 MiB once loaded,
  // which a corral whose services have no http probe should not pay (issue 20).
  const { get } = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  return settleWithin(options, (finish) => {
    // Set once the status line is in; the body is drained before finishing.
    let answer: ProbeResult | undefined;
    const request = get(
      url,
      // No keep-alive pool, so the socket closes with the response. Like Kubernetes'
      // httpGet, an https probe does not verify the certificate: it asks "are you up?"
      // and sends nothing secret.
      { agent: false, rejectUnauthorized: false, headers: { 'user-agent': 'corral-probe' } },
      (response) => {
        answer = describeStatus(rawUrl, response.statusCode ?? 0, response.headers.location);
        const done = (): void => finish(answer!);
        response.once('end', done);
        response.once('close', done);
        response.on('error', done);
        response.resume();
      },
    );
    request.on('error', (error) => finish(answer ?? { ok: false, detail: `${rawUrl}: ${describeNetError(error)}` }));
    return {
      timedOut: () => answer ?? { ok: false, detail: `${rawUrl}: no response after ${formatDuration(options.timeoutMs)}` },
      cleanup: () => request.destroy(),
    };
  });
}

function describeStatus(url: string, status: number, location: string | undefined): ProbeResult {
  const detail = `HTTP ${status} from ${url}`;
  if (status >= 200 && status < 300) return { ok: true, detail };
  if (status >= 300 && status < 400) {
    const to = location === undefined ? 'no Location' : `Location: ${location}`;
    return { ok: false, detail: `${detail} (${to}; redirects are not followed)` };
  }
  return { ok: false, detail };
}

interface Attempt {
  /** The result when the deadline passes first. */
  timedOut: () => ProbeResult;
  /** Closes whatever the attempt opened; runs exactly once. */
  cleanup: () => void;
}

// Starts an attempt and resolves with whichever comes first: its own result, the
// deadline, or an abort; cleans up before resolving. Sockets report only on later ticks,
// so `finish` is never called while `start` runs.
function settleWithin(options: ProbeOptions, start: (finish: (result: ProbeResult) => void) => Attempt): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let attempt: Attempt;
    const onAbort = (): void => finish({ ok: false, detail: 'aborted' });
    function finish(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      attempt.cleanup();
      resolve(result);
    }
    try {
      attempt = start(finish);
    } catch (error) {
      resolve({ ok: false, detail: `probe failed: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(() => finish(attempt.timedOut()), Math.max(0, options.timeoutMs));
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// "127.0.0.1:5432", "[::1]:5432"
function formatTarget(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed for now',
  EPROTO: 'TLS handshake failed',
};

// "connection refused (ECONNREFUSED)"; a happy-eyeballs AggregateError is described by
// its first failure.
function describeNetError(error: Error): string {
  let code = (error as NodeJS.ErrnoException).code;
  if (code === undefined && error instanceof AggregateError) {
    const first = (error.errors as unknown[])[0] as NodeJS.ErrnoException | undefined;
    code = first?.code;
    if (code === undefined && first?.message !== undefined) return first.message;
  }
  if (code === undefined) return error.message;
  const words = NET_ERRORS[code];
  return words === undefined ? `${error.message || code}` : `${words} (${code})`;
}
