// The options of `corral logs NAME [-n N] [-f] [--stdout|--stderr]`, checked strictly:
// they mean nothing to the other commands, which refuse them.
import type { LogsRequest } from '../control/protocol.js';
import { UsageError } from './args.js';

/** A larger -n asks for more than any service keeps (log-ring.ts keeps 1000 lines). */
const MAX_LINES = 100_000;
const DEFAULT_LINES = 10;

export interface LogsOptions {
  lines?: string | undefined;
  follow?: boolean | undefined;
  stdout?: boolean | undefined;
  stderr?: boolean | undefined;
  json?: boolean | undefined;
}

export function logsRequest(args: readonly string[], options: LogsOptions): LogsRequest {
  const [service] = args;
  if (args.length !== 1 || service === undefined) {
    throw new UsageError(`corral logs takes one service name, e.g. corral logs web -n 50 -f; got ${args.length} argument(s)`);
  }
  if (options.json) throw new UsageError('corral logs prints the lines as the service wrote them and takes no --json');
  if (options.stdout && options.stderr) throw new UsageError('give --stdout or --stderr, not both; without either corral logs shows both');
  return {
    command: 'logs',
    service,
    lines: options.lines === undefined ? DEFAULT_LINES : lineCount(options.lines),
    follow: options.follow === true,
    streams: options.stdout ? ['stdout'] : options.stderr ? ['stderr'] : ['stdout', 'stderr'],
  };
}

function lineCount(text: string): number {
  const value = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(value <= MAX_LINES)) throw new UsageError(`-n takes a number of lines from 0 to ${MAX_LINES}, e.g. -n 50; got "${text}"`);
  return value;
}

export function refuseLogsOptions(options: LogsOptions, command: string): void {
  const given = (['lines', 'follow', 'stdout', 'stderr'] as const).find((key) => options[key] !== undefined);
  if (given !== undefined) throw new UsageError(`--${given} goes with corral logs only, not with ${command}; e.g. corral logs web -n 50 -f`);
}
