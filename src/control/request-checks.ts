// The shape of each control request, checked by hand rather than with zod: the running
// corral answers requests for as long as it runs, and zod alone would hold about 13 MiB of
// its memory for that (issue 20). The checks and their messages are zod's, as they were
// when zod did this (test/unit/control-request-checks.test.ts compares the two on
// generated requests): each key in order, the first problem only, then the unknown keys.
import type { CommandName, ControlRequest } from './protocol.js';

export type Checked = { request: ControlRequest } | { path: (string | number)[]; problem: string };

const NAME_MAX = 256;
const NAMES_MAX = 1000;
const SIGNAL_MAX = 32;
const LINES_MAX = 100_000;
const STREAMS = ['stdout', 'stderr'] as const;

/** A problem at a path; thrown inside this module only, caught by checkRequest. */
class Problem extends Error {
  constructor(
    readonly path: (string | number)[],
    readonly problem: string,
  ) {
    super(problem);
  }
}

// The keys each request has, in the order they are checked.
const KEYS: Record<CommandName, readonly string[]> = {
  status: ['command', 'services'],
  start: ['command', 'services'],
  stop: ['command', 'services'],
  restart: ['command', 'services'],
  signal: ['command', 'service', 'signal'],
  reload: ['command'],
  ready: ['command'],
  health: ['command'],
  logs: ['command', 'service', 'lines', 'follow', 'streams'],
};

// `value` is a JSON object whose command is `command`, one of COMMANDS.
export function checkRequest(value: Record<string, unknown>, command: CommandName): Checked {
  try {
    const request = build(value, command);
    const unknown = Object.keys(value).filter((key) => !KEYS[command].includes(key));
    if (unknown.length > 0) return { path: [], problem: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}` };
    return { request };
  } catch (error) {
    if (error instanceof Problem) return { path: error.path, problem: error.problem };
    throw error;
  }
}

function build(value: Record<string, unknown>, command: CommandName): ControlRequest {
  // Own keys only: JSON.parse makes "__proto__" an own key, never the prototype.
  const at = (key: string): unknown => (Object.hasOwn(value, key) ? value[key] : undefined);
  // A default stands for a missing key only, not for null.
  const or = (key: string, fallback: unknown): unknown => (at(key) === undefined ? fallback : at(key));
  switch (command) {
    case 'status':
      return { command, services: names(or('services', []), 0) };
    case 'start':
    case 'stop':
    case 'restart':
      return { command, services: names(at('services'), 1) };
    case 'signal':
      return { command, service: text(at('service'), ['service'], 1, NAME_MAX), signal: text(at('signal'), ['signal'], 1, SIGNAL_MAX) };
    case 'reload':
    case 'ready':
    case 'health':
      return { command };
    case 'logs':
      return {
        command,
        service: text(at('service'), ['service'], 1, NAME_MAX),
        lines: lines(or('lines', 10)),
        follow: flag(or('follow', false), ['follow']),
        streams: streams(or('streams', [...STREAMS])),
      };
  }
}

function text(value: unknown, path: (string | number)[], min: number, max: number): string {
  if (typeof value !== 'string') throw new Problem(path, expected('string', value));
  if (value.length < min) throw new Problem(path, `Too small: expected string to have >=${min} characters`);
  if (value.length > max) throw new Problem(path, `Too big: expected string to have <=${max} characters`);
  return value;
}

function names(value: unknown, min: number): string[] {
  const list = array(value, ['services'], min, NAMES_MAX);
  return list.map((item, index) => text(item, ['services', index], 1, NAME_MAX));
}

function streams(value: unknown): ('stdout' | 'stderr')[] {
  return array(value, ['streams'], 1, STREAMS.length).map((item, index) => {
    if (item !== 'stdout' && item !== 'stderr') throw new Problem(['streams', index], `Invalid option: expected one of "stdout"|"stderr"`);
    return item;
  });
}

// As zod has it: a list too long is said before any item in it, so a bad item of a list
// too long is not.
function array(value: unknown, path: (string | number)[], min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new Problem(path, expected('array', value));
  if (value.length > max) throw new Problem(path, `Too big: expected array to have <=${max} items`);
  if (value.length < min) throw new Problem(path, `Too small: expected array to have >=${min} items`);
  return value;
}

function lines(value: unknown): number {
  const path = ['lines'];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Problem(path, expected('number', value));
  if (!Number.isInteger(value)) throw new Problem(path, 'Invalid input: expected int, received number');
  if (!Number.isSafeInteger(value)) {
    throw new Problem(
      path,
      value > 0 ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
    );
  }
  if (value < 0) throw new Problem(path, 'Too small: expected number to be >=0');
  if (value > LINES_MAX) throw new Problem(path, `Too big: expected number to be <=${LINES_MAX}`);
  return value;
}

function flag(value: unknown, path: (string | number)[]): boolean {
  if (typeof value !== 'boolean') throw new Problem(path, expected('boolean', value));
  return value;
}

// zod's words for a value of the wrong type; JSON holds no NaN, and Infinity (1e999) is
// said as itself.
function expected(type: string, value: unknown): string {
  const received =
    value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' && !Number.isFinite(value) ? String(value) : typeof value;
  return `Invalid input: expected ${type}, received ${received}`;
}
