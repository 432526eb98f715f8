// The values of service files, as zod schemas: durations, signals, commands, probe
// targets, limits, accounts, sizes. Each is checked against what the code that uses it
// can take (a timer, the exec shim, the kernel), so a value that passes here never
// makes a start throw, nor quietly becomes something else (a timer past 2^31-1 ms fires
// at once).
import { z } from 'zod';
import { formatByteSize, parseByteSize, SIZE_PATTERN } from './byte-size.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { VARIABLE_NAME } from './expand-variables.js';
import { LIMITS } from './limits.js';
import { normalizeSignal } from '../process/signal-names.js';
import type { RlimitValue } from '../process/exec-shim.js';

export type Argv = [string, ...string[]];

const DURATION_EXPECTED = 'expected a duration like "10s" or "500ms"';

// The pattern is parseDuration's, so the transform always has a number.
export const duration = z
  .string({ error: DURATION_EXPECTED })
  .regex(DURATION_PATTERN, { error: DURATION_EXPECTED })
  .transform((text, ctx) => {
    const ms = parseDuration(text)!;
    if (ms > LIMITS.durationMs) {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `expected a duration of at most ${LIMITS.durationMs}ms (about 24.8 days, the longest a timer can wait)`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const signal = z.string({ error: 'expected a signal name like SIGTERM' }).transform((text, ctx) => {
  const name = normalizeSignal(text);
  if (name === undefined) {
    ctx.issues.push({ code: 'custom', input: text, message: 'expected a signal name like SIGTERM or HUP' });
    return z.NEVER;
  }
  return name;
});

// A command: a string for /bin/sh -c, or an argv list; normalised to an argv list.
export const command = z
  .union(
    [
      z.string().trim().min(1, 'the command is empty'),
      z
        .array(z.string())
        .min(1, 'the command list is empty')
        .superRefine((argv, ctx) => {
          if (argv[0]?.trim() === '')
            ctx.addIssue({ code: 'custom', path: [0], message: 'the program (the first item of the list) is empty', params: { plain: true } });
        }),
    ],
    { error: 'expected a string (run with /bin/sh -c) or a list of arguments' },
  )
  .transform((value): Argv => (typeof value === 'string' ? ['/bin/sh', '-c', value] : (value as Argv)));

const port = z.number().int().min(1, 'a port is 1 to 65535').max(65535, 'a port is 1 to 65535');

// tcp: 5432, or tcp: "db:5432" / "[::1]:5432"; a port may be a string, as "${PORT}" is.
// A host holds no space or control character: no resolver would find it.
export const tcpTarget = z
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  .union([port, z.string().regex(/^(?:([^\s\x00-\x1f\x7f]+):)?(\d{1,5})$/, 'expected a port like 5432 or "host:port"')], {
    error: 'expected a port like 5432 or "host:port"',
  })
  .transform((value, ctx) => {
    if (typeof value === 'number') return { host: '127.0.0.1', port: value };
    const at = value.lastIndexOf(':');
    const number = Number(value.slice(at + 1));
    if (number < 1 || number > 65535) {
      ctx.issues.push({ code: 'custom', input: value, message: 'a port is 1 to 65535' });
      return z.NEVER;
    }
    return { host: at === -1 ? '127.0.0.1' : value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: number };
  });

const URL_EXPECTED = 'expected a URL like "http://127.0.0.1:8080/healthz"';

// What the probe's URL parser takes: a URL it would refuse is refused here, not at every probe.
export const httpUrl = z
  .string({ error: URL_EXPECTED })
  .regex(/^https?:\/\/[^/\s]+/, { error: URL_EXPECTED })
  .refine((text) => URL.canParse(text), { error: `${URL_EXPECTED}; this one is not a valid URL`, when: (payload) => payload.issues.length === 0 });

export const logPattern = z.string({ error: 'expected a regular expression like "listening on"' }).transform((text, ctx) => {
  if (text.length > LIMITS.logPatternLength) {
    ctx.issues.push({ code: 'custom', input: text, message: `expected a regular expression of at most ${LIMITS.logPatternLength} characters` });
    return z.NEVER;
  }
  try {
    const pattern = new RegExp(text);
    // V8 compiles a pattern when it first runs, once for Latin-1 text and once for other
    // text, and a pattern too deep to compile throws there: here, rather than on a log line.
    pattern.test('');
    pattern.test('\u0100');
    return pattern;
  } catch (error) {
    // V8 says "Invalid regular expression: /(/: Unterminated group"; the pattern is shown anyway.
    const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    ctx.issues.push({ code: 'custom', input: text, message: `not a valid regular expression: ${why}` });
    return z.NEVER;
  }
});

const RLIMIT_EXPECTED = 'expected a number, unlimited, or "SOFT:HARD" like "1024:4096"';
const RLIMIT_RANGE = `a limit is 0 to ${LIMITS.rlimit}, or unlimited`;

// A limit: 4096 (soft = hard), "1024:4096" (soft:hard), or unlimited. Numbers stay
// within what a JavaScript number holds exactly, far below what the kernel takes.
export const rlimitValue = z
  .union(
    [
      // zod's int() stops at 2^53-1 (LIMITS.rlimit) itself; said in corral's words.
      z
        .number()
        .int({ error: (issue) => (issue.code === 'too_big' ? RLIMIT_RANGE : undefined) })
        .min(0, 'a limit is 0 or more'),
      z.literal('unlimited'),
      z.string().regex(/^(\d+|unlimited):(\d+|unlimited)$/, RLIMIT_EXPECTED),
    ],
    {
      error: RLIMIT_EXPECTED,
    },
  )
  .transform((value, ctx): RlimitValue => {
    if (typeof value === 'number' || value === 'unlimited') return { soft: value, hard: value };
    const [soft, hard] = value.split(':').map((part) => (part === 'unlimited' ? 'unlimited' : Number(part))) as [RlimitValue['soft'], RlimitValue['hard']];
    if ((soft !== 'unlimited' && soft > LIMITS.rlimit) || (hard !== 'unlimited' && hard > LIMITS.rlimit)) {
      ctx.issues.push({ code: 'custom', input: value, message: RLIMIT_RANGE });
      return z.NEVER;
    }
    if (soft === 'unlimited' ? hard !== 'unlimited' : hard !== 'unlimited' && soft > hard) {
      ctx.issues.push({ code: 'custom', input: value, message: 'the soft limit must not exceed the hard limit' });
      return z.NEVER;
    }
    return { soft, hard };
  });

// A user or group: a name, or a numeric id.
export const account = z.union(
  [
    z.string().trim().min(1, 'expected a name or a numeric id, not an empty string'),
    z.number().int().min(0, 'a numeric id is 0 or more').max(LIMITS.accountId, `a numeric id is at most ${LIMITS.accountId}`),
  ],
  { error: 'expected a name or a numeric id' },
);

// YAML reads 0027 as the decimal 27, so a umask must be a quoted octal string.
export const umask = z
  .string({ error: 'expected a quoted octal string like "0027" (YAML reads 0027 unquoted as the number 27)' })
  .regex(/^0?[0-7]{1,3}$/, 'expected an octal umask like "0027"')
  .transform((text) => parseInt(text, 8));

// JavaScript objects take __proto__ as their prototype, not as a key, and zod's record
// skips it: the variable would be dropped without a word, so the loader refuses it.
export const RESERVED_NAME = '__proto__';
export const RESERVED_NAME_MESSAGE = `corral cannot pass on a variable named ${RESERVED_NAME}; rename it`;

// A variable whose value is read from a file when the service starts (a Docker or
// Kubernetes secret): {file: PATH}. The path is kept, never the value (secret-file.ts).
export const secretFileObject = z.strictObject({
  file: z
    .string({ error: 'expected a path' })
    .min(1, 'expected a path, e.g. {file: /run/secrets/db_password}')
    .refine((path) => !path.includes('\0'), 'a path cannot hold a NUL byte (\\0)')
    .describe("the file the value is read from, each time the service starts; relative to the service file's directory"),
});

const ENVIRONMENT_VALUE = 'expected a string, number or boolean, or {file: PATH} to read the value from a file';

export const environment = z.record(
  z.string().regex(VARIABLE_NAME, 'expected a variable name of letters, digits and _, not starting with a digit'),
  z.union([z.union([z.string(), z.number(), z.boolean()]).transform(String), secretFileObject], { error: ENVIRONMENT_VALUE }),
  { error: 'expected a mapping of NAME: value' },
);

// A size in bytes within [min, max], written as 16384 or "16KiB".
export function byteSize(min: number, max: number, what: string) {
  return z
    .union([z.number().int(), z.string().regex(SIZE_PATTERN, 'expected a size like "16KiB", "1MiB" or 16384 (bytes)')], {
      error: 'expected a size like "16KiB" or 16384',
    })
    .transform((value, ctx) => {
      // The pattern is parseByteSize's, so a string always gives a number.
      const bytes = typeof value === 'number' ? value : parseByteSize(value)!;
      if (bytes < min || bytes > max) {
        ctx.issues.push({ code: 'custom', input: value, message: `expected ${what} from ${formatByteSize(min)} to ${formatByteSize(max)}` });
        return z.NEVER;
      }
      return bytes;
    });
}
