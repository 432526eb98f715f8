// The control requests are checked by hand (request-checks.ts), so the running corral
// does not load zod. The zod schema they were checked with before is kept here as the
// reference: on generated requests, good and bad, both must agree on the request, or on
// the first problem's path and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { COMMANDS, ControlError, parseRequest } from '../../src/control/protocol.js';

const name = z.string().min(1).max(256);
const names = z.array(name).max(1000);
const reference = z.discriminatedUnion('command', [
  z.object({ command: z.literal('status'), services: names.default([]) }).strict(),
  z.object({ command: z.enum(['start', 'stop', 'restart']), services: names.min(1) }).strict(),
  z.object({ command: z.literal('signal'), service: name, signal: z.string().min(1).max(32) }).strict(),
  z.object({ command: z.enum(['reload', 'ready', 'health']) }).strict(),
  z
    .object({
      command: z.literal('logs'),
      service: name,
      lines: z.number().int().min(0).max(100_000).default(10),
      follow: z.boolean().default(false),
      streams: z
        .array(z.enum(['stdout', 'stderr']))
        .min(1)
        .max(2)
        .default(['stdout', 'stderr']),
    })
    .strict(),
]);

// What the reference says of `line`, in parseRequest's words.
function referenceOutcome(line: string): unknown {
  const value = JSON.parse(line) as { command: string };
  const parsed = reference.safeParse(value);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { error: `bad ${value.command} request: ${where}${issue.message}` };
}

function outcome(line: string): unknown {
  try {
    return { request: parseRequest(line) };
  } catch (error) {
    assert.ok(error instanceof ControlError);
    return { error: error.message };
  }
}

// Values near each limit, of each JSON type.
const anyValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 1.5, 10, 100_000, 100_001, 2 ** 53, -(2 ** 53), Infinity, -Infinity, '', 'web', 'stdout', 'stderr', 'HUP'),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('a'.repeat(256), 'a'.repeat(257), 'S'.repeat(32), 'S'.repeat(33)),
  fc.integer(),
  fc.double(),
  fc.constant({}),
);
const list = fc.oneof(
  fc.array(anyValue, { maxLength: 4 }),
  fc.array(fc.constantFrom('stdout', 'stderr', 'web'), { maxLength: 4 }),
  fc.constantFrom(
    Array.from({ length: 1000 }, () => 'a'),
    Array.from({ length: 1001 }, () => 'a'),
    [...Array.from({ length: 1001 }, () => 'a'), 1],
  ),
);
// JSON as a client may send it: 1e999 is what JSON.parse reads as Infinity.
function json(value: unknown): string {
  if (value === Infinity || value === -Infinity) return value > 0 ? '1e999' : '-1e999';
  return JSON.stringify(value) ?? 'null';
}
const keys = ['services', 'service', 'signal', 'lines', 'follow', 'streams', 'x', '__proto__', 'toString'];
const request = fc
  .record({
    command: fc.constantFrom(...COMMANDS),
    fields: fc.dictionary(fc.constantFrom(...keys), fc.oneof(anyValue, list), { maxKeys: 6 }),
  })
  .map(({ command, fields }) => {
    // A JSON text, so that "__proto__" is an own key as it is when a client sends it.
    const body = Object.entries(fields).map(([key, value]) => `${JSON.stringify(key)}:${json(value)}`);
    return `{${[`"command":${JSON.stringify(command)}`, ...body].join(',')}}`;
  });

test('the hand-written checks agree with the zod schema they replace', () => {
  fc.assert(
    fc.property(request, (line) => {
      assert.deepEqual(outcome(line), referenceOutcome(line), line.slice(0, 300));
    }),
    { numRuns: 5_000 },
  );
});

test('each good request of the table agrees too, defaults filled in', () => {
  for (const line of [
    '{"command":"status"}',
    '{"command":"logs","service":"web"}',
    '{"command":"logs","service":"web","lines":0,"follow":true,"streams":["stderr"]}',
    '{"command":"signal","service":"web","signal":"HUP"}',
    '{"command":"ready"}',
  ]) {
    assert.deepEqual(outcome(line), referenceOutcome(line), line);
  }
});
