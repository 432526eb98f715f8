// The `corral status|start|stop|restart|signal|reload|ready|health` client: one request to
// the control socket, the answer printed for people (or as JSON), and an exit code a
// script, a HEALTHCHECK or a Kubernetes probe can act on.
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ExitCode } from '../shared/exit-codes.js';
import type { ControlRequest, ControlResponse } from './protocol.js';

export interface ClientOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

// Probes must answer quickly or count as failed; stop and restart wait for the services.
const QUICK_TIMEOUT_MS = 15_000;
const SLOW_TIMEOUT_MS = 10 * 60_000;

export class ClientError extends Error {
  override name = 'ClientError';
}

export interface ClientOptions {
  /** The control socket, or where the client looked for one and found none (run-dir.ts). */
  socket: { path: string } | { lookedIn: string[] };
  json: boolean;
}

export async function runClient(request: ControlRequest, options: ClientOptions, out: ClientOutput): Promise<number> {
  // Docker reserves exit code 2 for HEALTHCHECK, and any failure is simply "not passing".
  const probe = request.command === 'ready' || request.command === 'health';
  let response: ControlResponse;
  try {
    if ('lookedIn' in options.socket) throw new ClientError(noSocket(options.socket.lookedIn));
    response = await send(request, options.socket.path);
  } catch (error) {
    out.stderr(`corral ${request.command}: ${(error as Error).message}\n`);
    return probe ? ExitCode.notPassing : ExitCode.system;
  }
  if (!response.ok) {
    out.stderr(`corral ${request.command}: ${response.error.message}\n`);
    return probe ? ExitCode.notPassing : ExitCode.refused;
  }
  if (options.json) {
    out.stdout(`${JSON.stringify(response.command === 'status' ? response.status : response, null, 2)}\n`);
  }
  switch (response.command) {
    case 'status':
      // Loaded for the table only: corral health, which Kubernetes runs every few seconds, never needs it.
      if (!options.json) out.stdout((await import('./status-table.js')).formatStatus(response.status));
      return ExitCode.ok;
    case 'ready':
    case 'health':
      if (response.passing) {
        if (!options.json) out.stdout(`${response.command === 'ready' ? 'ready' : 'healthy'}\n`);
        return ExitCode.ok;
      }
      out.stderr(response.problems.map((problem) => `${problem}\n`).join(''));
      return ExitCode.notPassing;
    case 'logs':
      // Answered by logs-client.ts, which reads the lines that follow.
      return ExitCode.ok;
    default:
      if (!options.json) out.stdout(response.messages.map((line) => `${line}\n`).join(''));
      return ExitCode.ok;
  }
}

function send(request: ControlRequest, path: string): Promise<ControlResponse> {
  const timeoutMs = ['status', 'ready', 'health', 'signal'].includes(request.command) ? QUICK_TIMEOUT_MS : SLOW_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new ClientError(`no answer from corral within ${timeoutMs / 1000}s on ${path}`));
    });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const answer = (): void => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text) as ControlResponse);
      } catch {
        reject(new ClientError(`corral's answer on ${path} was not JSON: ${JSON.stringify(text.slice(0, 200))}`));
      }
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // An answer that arrived whole counts, even if the connection was reset after it.
      if (chunks.length > 0 && chunks[chunks.length - 1]!.at(-1) === 0x0a) answer();
      else reject(new ClientError(explainConnectError(error, path), { cause: error }));
    });
    socket.on('end', answer);
  });
}

function explainConnectError(error: NodeJS.ErrnoException, path: string): string {
  switch (error.code) {
    case 'ENOENT':
      return noSocket([path]);
    case 'ECONNREFUSED':
      return `nothing answers on ${path}: the corral that made it has exited`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${path}: only the user corral runs as${ownerOf(path)} may use it, and you are uid ${process.getuid?.()}; run the command as that user (docker exec -u ...)`;
    default:
      return `cannot reach corral on ${path}: ${error.message}`;
  }
}

function noSocket(lookedIn: readonly string[]): string {
  return `no control socket at ${lookedIn.join(', ')}: corral is not running here, or uses another run directory (set CORRAL_RUN_DIR to the one it uses)`;
}

function ownerOf(path: string): string {
  try {
    return ` (uid ${statSync(dirname(path)).uid})`;
  } catch {
    return '';
  }
}
