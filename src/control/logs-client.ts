// `corral logs NAME [-n N] [-f] [--stdout|--stderr]`: prints a service's kept lines as
// the service wrote them, its stdout lines on stdout and its stderr lines on stderr (as
// `docker logs` does), and with -f goes on until interrupted, until corral exits, or
// until a reload removes the service (said on stderr).
// While this client's own output is blocked it stops reading the socket; corral then
// stops writing, and reports the lines the ring overwrote meanwhile as missed.
import { connect } from 'node:net';
import type { Writable } from 'node:stream';
import { ExitCode } from '../shared/exit-codes.js';
import type { ClientOutput } from './client.js';
import type { ControlResponse, LogRecord, LogsRequest } from './protocol.js';

/** The answer's first line must come this quickly; the lines after it may take for ever (-f). */
const HEADER_TIMEOUT_MS = 15_000;
/** A record is at most a kept line (16 KiB) as JSON: 1 MiB means corral is not speaking the protocol. */
const MAX_RECORD_BYTES = 1024 * 1024;

export interface LogsOutput extends ClientOutput {
  /** Where the service's lines go, raw; writes returning false pause the socket. */
  streams: Record<'stdout' | 'stderr', Pick<Writable, 'write' | 'once'>>;
}

export function runLogsClient(request: LogsRequest, path: string, out: LogsOutput): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let pending: Buffer = Buffer.alloc(0);
    let header: ControlResponse | undefined;
    const fail = (message: string, code: number): void => {
      out.stderr(`corral logs: ${message}\n`);
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(HEADER_TIMEOUT_MS, () => fail(`no answer from corral within ${HEADER_TIMEOUT_MS / 1000}s on ${path}`, ExitCode.system));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('error', (error) => fail(`cannot reach corral on ${path}: ${error.message}`, ExitCode.system));
    socket.on('end', () => {
      if (header === undefined) fail(`corral closed the connection on ${path} without an answer`, ExitCode.system);
      else resolve(ExitCode.ok);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let newline = pending.indexOf(0x0a); newline !== -1; newline = pending.indexOf(0x0a, start)) {
        const text = pending.subarray(start, newline).toString('utf8');
        start = newline + 1;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return fail(`corral's answer on ${path} was not JSON: ${JSON.stringify(text.slice(0, 200))}`, ExitCode.system);
        }
        if (header === undefined) {
          header = value as ControlResponse;
          socket.setTimeout(0);
          if (!header.ok) return fail(header.error.message, ExitCode.serviceFailed);
        } else {
          printRecord(value as LogRecord, request.service, out, () => {
            socket.pause();
            return () => socket.resume();
          });
        }
      }
      pending = pending.subarray(start);
      if (pending.length > MAX_RECORD_BYTES)
        fail(`a record from corral is over ${MAX_RECORD_BYTES} bytes; is ${path} a corral of this version?`, ExitCode.system);
    });
  });
}

function printRecord(record: LogRecord, service: string, out: LogsOutput, pause: () => () => void): void {
  if ('ended' in record) {
    out.stderr(`corral logs: ${record.ended}\n`);
    return;
  }
  if ('missed' in record) {
    out.stderr(`corral logs: ${record.missed} line(s) of ${service}'s ${record.stream} missed: they were overwritten before this client read them\n`);
    return;
  }
  const bytes = 'raw' in record ? Buffer.from(record.raw, 'base64') : Buffer.from(record.line, 'utf8');
  const target = out.streams[record.stream];
  if (!target.write(Buffer.concat([bytes, Buffer.from('\n')]))) {
    const resume = pause();
    target.once('drain', resume);
  }
}
