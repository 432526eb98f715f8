// The control socket: a unix stream socket only corral's own uid may use. The directory
// is made 0700 and the socket 0600, so the kernel refuses other users; root passes any
// file mode, so the peer's uid, as the kernel reports it (SO_PEERCRED), is checked too.
// One request per connection, bounded in size and time: a client that sends nothing,
// sends garbage or vanishes mid-reply costs one small, short-lived socket and nothing else.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { ControlError, errorResponse, parseRequest, type AnsweredRequest, type ControlResponse, type LogsRequest } from './protocol.js';

const MAX_REQUEST_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 5000;
const LINGER_MS = 1000;
// The kernel's queue of connections not yet accepted: room for a burst of probes.
const BACKLOG = 4096;

export interface ControlServerOptions {
  path: string;
  handle: (request: AnsweredRequest) => Promise<ControlResponse>;
  /** `logs`: takes the connection over and streams lines on it (log-follower.ts). */
  serveLogs?: (request: LogsRequest, socket: Socket) => void;
  /** The connecting process's uid from the kernel; undefined when it cannot be known. */
  peerUid: (socket: Socket) => number | undefined;
  logger: Logger;
}

export class ControlServerError extends Error {
  override name = 'ControlServerError';
  readonly code = 'CONTROL_UNAVAILABLE';
}

export interface ControlServer {
  path: string;
  close(): void;
}

// Listens at options.path, replacing a stale socket left by a corral that is gone.
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path } = options;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await removeStaleSocket(path);
  } catch (error) {
    if (error instanceof ControlServerError) throw error;
    throw new ControlServerError(`cannot create the control socket ${path}: ${(error as Error).message}`, { cause: error });
  }
  // Half-open: a client may close its side once the request is written (nc, socat do),
  // and must still get the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, options));
  server.maxConnections = BACKLOG;
  await listen(server, path);
  return { path, close: () => server.close() };
}

// Binds with a umask that leaves the socket 0600 from its first instant, then sets the
// mode explicitly in case the umask was looser. corral starts no process meanwhile.
function listen(server: Server, path: string): Promise<void> {
  const saved = process.umask(0o177);
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new ControlServerError(`cannot listen on the control socket ${path}: ${error.message}`, { cause: error })));
    server.listen({ path, backlog: BACKLOG }, () => {
      chmodSync(path, 0o600);
      resolve();
    });
  }).finally(() => process.umask(saved));
}

// A socket file nobody answers on is left over from an earlier run: remove it. One that
// answers belongs to a running corral, which must not lose its socket to us.
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if (!lstatSync(path).isSocket()) throw new ControlServerError(`${path} exists and is not a socket; remove it or set CORRAL_RUN_DIR`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // Only a refused connection proves nobody listens; EAGAIN (a live corral with a full
  // queue) or EACCES prove nothing, and a live socket must not be taken.
  const refusal = await new Promise<string | undefined>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve('another corral is serving it');
    });
    probe.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? undefined : `it may be in use (${error.code ?? error.message})`),
    );
  });
  if (refusal !== undefined) throw new ControlServerError(`cannot take the control socket ${path}: ${refusal}; give this corral its own CORRAL_RUN_DIR`);
  unlinkSync(path);
}

function serve(socket: Socket, options: ControlServerOptions): void {
  // A reader that went away (EPIPE, ECONNRESET) is no one's problem but its own.
  socket.on('error', () => socket.destroy());
  // After the answer corral closes its side, and the whole connection a moment later if
  // the client has not closed its own: a client must not hold one of PID 1's descriptors.
  // The moment lets a refused client finish writing its request and read the answer
  // instead of getting a reset.
  const reply = (response: ControlResponse): void => {
    clearTimeout(deadline);
    if (!socket.destroyed && socket.writable) socket.end(`${JSON.stringify(response)}\n`);
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(linger));
  };
  // One deadline for the whole request, not an idle timeout: a byte now and then does
  // not keep a connection open.
  const deadline = setTimeout(() => {
    reply(errorResponse(new ControlError('timeout', `no complete request within ${REQUEST_TIMEOUT_MS / 1000}s; send one JSON object followed by a newline`)));
  }, REQUEST_TIMEOUT_MS);
  const uid = options.peerUid(socket);
  const own = process.getuid?.();
  if (uid === undefined || uid !== own) {
    const who = uid === undefined ? 'a client whose uid cannot be read' : `uid ${uid}`;
    options.logger.warn(`control socket: refused ${who}; only corral's own uid ${own} may use it`);
    reply(
      errorResponse(
        new ControlError(
          'forbidden',
          `refused: only uid ${own} may use corral's control socket; you are ${who}. Run the command as that user (docker exec -u ${own} ...)`,
        ),
      ),
    );
    return;
  }
  readRequest(
    socket,
    (line) => {
      clearTimeout(deadline);
      void answer(line, options, socket).then((response) => response !== undefined && reply(response));
    },
    reply,
  );
}

// Collects bytes up to the first newline (or the end of input), within MAX_REQUEST_BYTES.
function readRequest(socket: Socket, onLine: (line: string) => void, reply: (response: ControlResponse) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const finish = (line: string): void => {
    if (done) return;
    done = true;
    socket.removeAllListeners('data');
    onLine(line);
  };
  socket.on('data', (chunk: Buffer) => {
    const newline = chunk.indexOf(0x0a);
    const part = newline === -1 ? chunk : chunk.subarray(0, newline);
    chunks.push(part);
    size += part.length;
    if (size > MAX_REQUEST_BYTES) {
      done = true;
      socket.removeAllListeners('data');
      reply(errorResponse(new ControlError('too-large', `the request is larger than ${MAX_REQUEST_BYTES / 1024} KiB`)));
    } else if (newline !== -1) {
      finish(Buffer.concat(chunks).toString('utf8'));
    }
  });
  socket.on('end', () => {
    if (size === 0 && !done) {
      done = true;
      reply(errorResponse(new ControlError('bad-request', 'the request was empty; send one JSON object followed by a newline, e.g. {"command":"status"}')));
    } else {
      finish(Buffer.concat(chunks).toString('utf8'));
    }
  });
}

// The response, or undefined when a logs request took the connection over.
async function answer(line: string, options: ControlServerOptions, socket: Socket): Promise<ControlResponse | undefined> {
  try {
    const request = parseRequest(line);
    if (request.command !== 'logs') return await options.handle(request);
    if (options.serveLogs === undefined) throw new ControlError('bad-request', 'this corral keeps no logs to show');
    options.serveLogs(request, socket);
    return undefined;
  } catch (error) {
    if (error instanceof ControlError) return errorResponse(error);
    options.logger.error(`control socket: internal error answering ${line.slice(0, 200)}: ${(error as Error).stack ?? String(error)}`);
    return errorResponse(new ControlError('internal', `internal error: ${(error as Error).message}; corral goes on, see its log`));
  }
}
