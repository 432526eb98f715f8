// The control socket's protocol: the client writes one JSON request on one line, corral
// answers with one JSON line and closes. Requests are validated here, so a handler only
// ever sees a well-formed one.
import type { ServiceSnapshot, SupervisorSnapshot } from './snapshot.js';
import type { ContainerUsage } from '../process/cgroup-usage.js';
import type { GroupUsage } from '../process/group-usage.js';
import { checkRequest } from './request-checks.js';

export type Stream = 'stdout' | 'stderr';
export type ControlRequest =
  | { command: 'status'; services: string[] }
  | { command: 'start' | 'stop' | 'restart'; services: string[] }
  | { command: 'signal'; service: string; signal: string }
  | { command: 'reload' | 'ready' | 'health' }
  | { command: 'logs'; service: string; lines: number; follow: boolean; streams: Stream[] };
export type CommandName = ControlRequest['command'];
export const COMMANDS: readonly CommandName[] = ['status', 'start', 'stop', 'restart', 'signal', 'reload', 'ready', 'health', 'logs'];
/** `logs` is answered as a stream of lines (log-follower.ts), not one response. */
export type LogsRequest = Extract<ControlRequest, { command: 'logs' }>;
export type AnsweredRequest = Exclude<ControlRequest, LogsRequest>;

export type ErrorCode =
  | 'bad-request'
  | 'too-large'
  | 'timeout'
  | 'forbidden'
  | 'unknown-service'
  | 'unknown-signal'
  | 'not-running'
  /** A rolling restart stopped: an instance was not ready again in time. */
  | 'not-ready'
  | 'refused'
  | 'invalid-config'
  | 'shutting-down'
  | 'internal';

// A request that cannot be carried out; its message goes to the client as is.
export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A service's row of `corral status`: the snapshot plus its process group's usage. */
export interface ServiceStatus extends ServiceSnapshot {
  usage: (GroupUsage & { cpuPercent: number | null }) | null;
}

export interface StatusReport {
  corral: Omit<SupervisorSnapshot, 'services'> & { pid: number };
  container: ContainerUsage & { cpuPercent: number | null; cpusAvailable: number };
  services: ServiceStatus[];
}

export type ControlResponse =
  | { ok: true; command: 'status'; status: StatusReport }
  /** ready and health: `passing` false makes the client exit 1 with `problems`. */
  | { ok: true; command: 'ready' | 'health'; passing: boolean; problems: string[] }
  /** start, stop, restart, signal, reload: what was done, one line each. */
  | { ok: true; command: Exclude<CommandName, 'status' | 'ready' | 'health' | 'logs'>; messages: string[] }
  /** logs: the first line; the service's lines follow, one LogRecord each. */
  | { ok: true; command: 'logs'; service: string }
  | { ok: false; error: { code: ErrorCode; message: string } };

// The request in `line`, or a ControlError that says what is wrong with it.
export function parseRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ControlError(
      'bad-request',
      `the request is not valid JSON (${(error as Error).message}); send one JSON object on one line, e.g. {"command":"status"}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError('bad-request', `the request must be a JSON object with a "command" key, e.g. {"command":"status"}; got ${JSON.stringify(value)}`);
  }
  const { command } = value as { command?: unknown };
  if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command)) {
    const what = command === undefined ? 'no "command" key' : `unknown command ${JSON.stringify(command)}`;
    throw new ControlError('bad-request', `${what}; expected one of ${COMMANDS.join(', ')}`);
  }
  const checked = checkRequest(value as Record<string, unknown>, command as CommandName);
  if ('problem' in checked) {
    const where = checked.path.length > 0 ? `${checked.path.join('.')}: ` : '';
    throw new ControlError('bad-request', `bad ${command} request: ${where}${checked.problem}`);
  }
  return checked.request;
}

/** After a logs answer: one line of the service, or how many of a stream's lines were lost. */
export type LogRecord =
  | { stream: 'stdout' | 'stderr'; line: string; continued?: true }
  /** A line that is not valid UTF-8: its bytes, base64. */
  | { stream: 'stdout' | 'stderr'; raw: string; continued?: true }
  | { stream: 'stdout' | 'stderr'; missed: number }
  /** The last record: no more lines will come, and why ("web was removed by a reload"). */
  | { ended: string };

export function errorResponse(error: ControlError): ControlResponse {
  return { ok: false, error: { code: error.code, message: error.message } };
}
