// The schemas of the service file's mappings and lists: ready, health, watchdog, backoff,
// max_restarts, limits, log and env_file. Each validates and normalises its key, so the
// rest of corral works with numbers and argv lists; schema.ts puts them together.
import { z } from 'zod';
import { durationAtLeast, FLOORS } from './floors.js';
import { LIMITS } from './limits.js';
import { byteSize, command, duration, httpUrl, logPattern, rlimitValue, signal, tcpTarget, type Argv } from './value-schemas.js';
import { RLIMIT_NAMES, type RlimitName } from '../process/exec-shim.js';
import type { ProbeSpec } from './probe-spec.js';

// ready adds two kinds of its own to the probes health shares with it.
export type ReadySpec = ProbeSpec | { kind: 'log'; pattern: RegExp } | { kind: 'notify' };

export const READY_KINDS = ['exec', 'tcp', 'http', 'log', 'notify'] as const;
export const HEALTH_KINDS = ['exec', 'tcp', 'http'] as const;

// Exactly one of the probe keys must be present: say so, naming them.
function exactlyOne(kinds: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const present = kinds.filter((kind) => value[kind] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0 ? `say how to check: one of ${kinds.join(', ')}` : `only one of ${kinds.join(', ')} may be given, got ${present.join(' and ')}`,
      params: { plain: true },
    });
  };
}

function checkOf(value: { exec?: Argv; tcp?: { host: string; port: number }; http?: string }): ProbeSpec {
  if (value.exec) return { kind: 'exec', argv: value.exec };
  if (value.tcp) return { kind: 'tcp', ...value.tcp };
  return { kind: 'http', url: value.http! };
}

export const readyObject = z.strictObject({
  exec: command.optional().describe('ready once this command exits 0'),
  tcp: tcpTarget.optional().describe('ready once this port (5432 or "host:port") accepts a connection'),
  http: httpUrl.optional().describe('ready once a GET of this URL returns 2xx'),
  log: logPattern.optional().describe('ready once an output line matches this regular expression'),
  notify: z.literal(true, { error: 'expected true (notify: true)' }).optional().describe('ready on READY=1 sent to $NOTIFY_SOCKET (sd_notify)'),
  interval: durationAtLeast(FLOORS.readyIntervalMs, 'the floor for a check while starting')
    .prefault('200ms')
    .describe(`time between two checks; at least ${FLOORS.readyIntervalMs}ms`),
  timeout: duration.prefault('60s').describe('give up and count a failed start after this long'),
});

// ready: none says explicitly what leaving ready out means: ready once started.
export const readySchema = z.union(
  [
    z.literal('none').transform(() => undefined),
    readyObject.superRefine(exactlyOne(READY_KINDS)).transform((value) => {
      const spec: ReadySpec = value.log ? { kind: 'log', pattern: value.log } : value.notify ? { kind: 'notify' } : checkOf(value);
      return { spec, intervalMs: value.interval, timeoutMs: value.timeout };
    }),
  ],
  { error: 'expected none, or a mapping with one of exec, tcp, http, log, notify' },
);

export const healthObject = z.strictObject({
  exec: command.optional().describe('healthy while this command exits 0'),
  tcp: tcpTarget.optional().describe('healthy while this port accepts connections'),
  http: httpUrl.optional().describe('healthy while a GET of this URL returns 2xx'),
  interval: durationAtLeast(FLOORS.healthIntervalMs, 'the floor for a probe that runs for ever')
    .prefault('10s')
    .describe(`time between two probes; at least ${FLOORS.healthIntervalMs}ms`),
  timeout: duration.prefault('2s').describe('a probe taking longer fails'),
  retries: z
    .number()
    .int('expected a whole number')
    .min(1, 'retries must be at least 1')
    .default(3)
    .describe('failed probes in a row that restart the service'),
});

export const healthSchema = healthObject
  .superRefine(exactlyOne(HEALTH_KINDS))
  .transform((value) => ({ spec: checkOf(value), intervalMs: value.interval, timeoutMs: value.timeout, retries: value.retries }));

// watchdog: 30s, or {timeout: 30s, signal: SIGABRT}: systemd's WatchdogSec= and
// WatchdogSignal=. SIGABRT by default, as systemd: a hung process leaves a core dump to
// look at, where the runtime writes one.
export const WATCHDOG_DEFAULT_SIGNAL = 'SIGABRT';

const watchdogTimeout = duration.refine((ms) => ms > 0, { error: 'the watchdog timeout must be more than 0' });

export const watchdogObject = z.strictObject({
  timeout: watchdogTimeout.describe('the longest time allowed between two WATCHDOG=1 before the service counts as hung'),
  signal: signal.prefault(WATCHDOG_DEFAULT_SIGNAL).describe('the signal that stops a hung service; SIGKILL follows after stop_timeout'),
});

export const watchdogSchema = z
  .union([watchdogTimeout, watchdogObject], { error: 'expected a duration like "30s", or a mapping like {timeout: 30s, signal: SIGABRT}' })
  .transform((value) =>
    typeof value === 'number' ? { timeoutMs: value, signal: WATCHDOG_DEFAULT_SIGNAL as NodeJS.Signals } : { timeoutMs: value.timeout, signal: value.signal },
  );

const restartDelay = durationAtLeast(FLOORS.restartDelayMs, 'the shortest delay between two restarts');
export const backoffSchema = z.strictObject({
  initial: restartDelay.prefault('1s').describe(`the first delay before a restart; at least ${FLOORS.restartDelayMs}ms`),
  max: restartDelay.prefault('30s').describe(`the longest delay; at least ${FLOORS.restartDelayMs}ms`),
  factor: z.number().min(1, 'factor must be at least 1').default(2).describe('each delay is the previous one times this'),
  // 0.2 spreads each delay over ±20%, so services that failed together restart apart.
  jitter: z.number().min(0, 'jitter is 0 to 1').max(1, 'jitter is 0 to 1').default(0.1).describe('spread each delay randomly by this fraction'),
});

export const maxRestartsSchema = z.strictObject({
  count: z
    .number({ error: 'expected a whole number of restarts' })
    .int('expected a whole number')
    .min(0, 'count must be 0 or more')
    .describe('restarts allowed within window'),
  window: duration.prefault('5m').describe('the sliding window the restarts are counted in'),
});

export const limitsSchema = z.strictObject(
  Object.fromEntries(RLIMIT_NAMES.map((name) => [name, rlimitValue.optional()])) as Record<RlimitName, z.ZodOptional<typeof rlimitValue>>,
);

// Where a service's stdout or stderr goes: corral's stdout or stderr, or nowhere.
export const logDestinations = ['stdout', 'stderr', 'discard'] as const;

// block: a slow reader of corral's output makes the service wait (lossless, like Docker's
// default mode=blocking); drop: the service never waits, lines past log.buffer are dropped.
export const logModes = ['block', 'drop'] as const;

export const logSchema = z.strictObject({
  prefix: z
    .string({ error: 'expected a string' })
    // Printed in front of every line: no control character may reach the terminal.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .regex(/^[^\s|\x00-\x1f\x7f-\x9f][^|\x00-\x1f\x7f-\x9f]*$/, 'expected text not starting with a space, without "|" or a control character')
    .max(LIMITS.nameLength, `expected at most ${LIMITS.nameLength} characters`)
    .optional()
    .describe("the label in front of each line (default: the service's name)"),
  stdout: z.enum(logDestinations).default('stdout').describe("where the service's stdout goes"),
  stderr: z.enum(logDestinations).default('stderr').describe("where the service's stderr goes"),
  max_line: byteSize(256, 1024 ** 2, 'a line limit')
    .prefault('16KiB')
    .describe('a longer line is split into pieces of this size, marked as continued'),
  mode: z.enum(logModes).default('block').describe("when corral's output cannot keep up: block makes the service wait, drop drops whole lines past buffer"),
  buffer: byteSize(4 * 1024, 1024 ** 3, 'a buffer size')
    .prefault('1MiB')
    .describe('drop mode: how much output may wait per stream before lines are dropped'),
});

// env_file: a path, or {path, required}; a path is relative to the service file's directory.
export const envFileObject = z.strictObject({ path: z.string().min(1, 'expected a path'), required: z.boolean().default(true) });
const envFileEntry = z.union([z.string().min(1, 'expected a path'), envFileObject], { error: 'expected a path, or {path: ..., required: false}' });
export const envFiles = z
  .union([envFileEntry, z.array(envFileEntry)], { error: 'expected a path or a list of paths' })
  .transform((value) => (Array.isArray(value) ? value : [value]).map((entry) => (typeof entry === 'string' ? { path: entry, required: true } : entry)));
