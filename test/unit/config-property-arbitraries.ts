// fast-check arbitraries for config-property.test.ts: service files made from the schema's
// keys. Each key mostly gets a value corral should take, boundary values included (the
// longest duration, the largest rlimit, a ${VAR} that expands to 130,000 bytes), so that
// many files are accepted and their start is checked; sometimes a hostile one (NUL bytes,
// escape sequences, numbers past every range, durations past what a timer holds); and
// sometimes a value of any type. The files are then written out in ways YAML allows and
// ways it does not: bytes that are not UTF-8, alias bombs, deep nesting, many keys,
// duplicate keys, a file cut short, raw bytes.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { aliasBombLines } from '../helpers/hostile-inputs.js';

// corral's environment for the generated files: ${BIG} is 65,000 bytes, so two of them in
// one argument come near the kernel's 128 KiB, three pass it, and a dozen pass 1 MiB in all.
export const PROPERTY_ENV: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: '/root', PORT: '8080', EMPTY: '', BIG: 'b'.repeat(65_000), CTRL: '\x1b[0m' };

const word = fc.stringMatching(/^[A-Za-z0-9._/-]{1,12}$/);
const goodText = fc.oneof(word, fc.constantFrom('${HOME}', '${BIG}', '${BIG}${BIG}', '$${x}', '${EMPTY:-d}', '${PORT}', 'caf\u00e9', '\u4e2d\u6587', 'a b'));
const badText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', ' ', 'a\0b', '\0', '\x1b[31mred', '\u202eevil', '\u009b2J', 'line\nbreak', '${UNSET}', '${BIG}${BIG}${BIG}', '${A', 'x'.repeat(70_000)),
);
const text = fc.oneof({ weight: 5, arbitrary: goodText }, { weight: 1, arbitrary: badText });

const goodInt = fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 32 - 2, 2 ** 53 - 1));
const badNumber = fc.oneof(fc.constantFrom(-1, 1.5, 2 ** 32 - 1, 2 ** 53, 1e20, Number.MAX_VALUE), fc.double());
const goodDuration = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('ms', 's', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
  fc.constantFrom('2147483647ms', '596h', '1.5s', ' 5s ', '0.4ms'),
);
// At or above every floor (config/floors.ts): for restart delays and probe intervals.
const goodInterval = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('s', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
  fc.constantFrom('2147483647ms', '596h', '1.5s', ' 5s ', '1000ms'),
);
const badDuration = fc.oneof(fc.constantFrom('2147483648ms', '597h', '600h', '99999999999999999999h', '1e3s', '10', 'soon', '-1s'), badNumber);
// Up to 40 arguments of ${BIG}: past 1 MiB in all from 17, past the kernel's 2 MiB from 33.
const pile = fc.integer({ min: 1, max: 40 }).map((count) => ['cat', ...Array<string>(count).fill('${BIG}')]);
const goodArgv = fc.oneof(goodText, fc.array(goodText, { minLength: 1, maxLength: 5 }), pile);
const badArgv = fc.oneof(badText, fc.array(text, { maxLength: 5 }));

// Values of any type, for keys given the wrong one.
const odd: fc.Arbitrary<unknown> = fc.anything({ maxDepth: 3, maxKeys: 4 });

// For each key: what corral should take, and what it should not.
const VALUES: Record<string, [good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>]> = {
  name: [fc.constantFrom('web', 'n'.repeat(63), 'my.svc-1'), fc.constantFrom('n'.repeat(64), 'a b', '_x', 'main')],
  description: [goodText, badText],
  enabled: [fc.oneof(fc.boolean(), fc.constantFrom('yes', 'off', 'TRUE', '0')), fc.constantFrom('maybe', 0)],
  command: [goodArgv, badArgv],
  type: [fc.constantFrom('longrun', 'oneshot'), fc.constantFrom('daemon', '')],
  main: [fc.boolean(), fc.constant('true')],
  depends_on: [fc.constant([]), fc.constantFrom(['db'], 'db', ['web'])],
  ready: [
    fc.oneof(
      fc.constant('none'),
      fc.record({ exec: goodArgv, interval: goodInterval, timeout: goodDuration }, { requiredKeys: ['exec'] }),
      fc.record({ tcp: fc.constantFrom(5432, 'db:5432', '[::1]:8080', '${PORT}') }),
      fc.record({ http: fc.constantFrom('http://127.0.0.1:8080/', 'https://[::1]:8443/x?y') }),
      fc.record({ log: fc.constantFrom('listening', 'a'.repeat(4096), '('.repeat(500) + ')'.repeat(500), '\\d+') }),
      fc.constant({ notify: true }),
    ),
    fc.oneof(
      fc.record({ exec: badArgv }),
      fc.record({ tcp: fc.constantFrom(0, 70_000, 'db\t:1', '[::1]:99999') }),
      fc.record({ http: fc.constantFrom('http://[::1/', 'ftp://x', 'http://a b/') }),
      fc.record({ log: fc.constantFrom('(', 'a'.repeat(4097)) }),
      fc.constant({ notify: false }),
      fc.record({ exec: goodArgv, interval: badDuration }),
      fc.constant({}),
    ),
  ],
  health: [
    fc.record({ exec: goodArgv, interval: goodInterval, timeout: goodDuration, retries: fc.integer({ min: 1, max: 2 ** 31 }) }, { requiredKeys: ['exec'] }),
    fc.record({ exec: badArgv, tcp: badNumber, interval: badDuration, retries: badNumber }, { requiredKeys: [] }),
  ],
  watchdog: [
    fc.oneof(goodDuration, fc.record({ timeout: goodDuration, signal: fc.constantFrom('SIGABRT', 'kill') })),
    fc.oneof(badDuration, fc.constant('0ms'), fc.constant({ signal: 'SIGFOO' })),
  ],
  restart: [fc.constantFrom('always', 'on-failure', 'never'), fc.constant('sometimes')],
  backoff: [
    fc.record({ initial: goodInterval, max: goodInterval, factor: fc.constantFrom(1, 2, 1e300), jitter: fc.constantFrom(0, 0.5, 1) }, { requiredKeys: [] }),
    fc.record({ initial: badDuration, factor: badNumber, jitter: badNumber }, { requiredKeys: [] }),
  ],
  reset_after: [goodDuration, badDuration],
  max_restarts: [
    fc.record({ count: goodInt, window: goodDuration }, { requiredKeys: ['count'] }),
    fc.record({ count: badNumber, window: badDuration }, { requiredKeys: [] }),
  ],
  on_failure: [fc.constantFrom('ignore', 'shutdown'), fc.constant('panic')],
  stop_signal: [fc.constantFrom('TERM', 'SIGHUP', 'usr1'), fc.constantFrom('SIGFOO', '9')],
  stop_timeout: [goodDuration, badDuration],
  reload_signal: [fc.constantFrom('HUP', 'SIGUSR2'), fc.constant('NOPE')],
  user: [
    fc.oneof(fc.constantFrom('root', 'nobody'), fc.constantFrom(0, 65534, 2 ** 32 - 2)),
    fc.oneof(fc.constantFrom('no-such-user', 'ro\0ot', ''), badNumber),
  ],
  group: [fc.constantFrom('root', 0), fc.constantFrom('no-such-group', 2 ** 32 - 1)],
  umask: [fc.constantFrom('0027', '077', '0'), fc.constantFrom('999', '0x1', 27)],
  working_dir: [fc.constantFrom('/srv', '/', '/${HOME}/x'), fc.constantFrom('/srv\0x', 'relative', `/${'d'.repeat(131_072)}`)],
  // Made with Object.fromEntries, so __proto__ is a key as YAML makes it, not a prototype.
  environment: [
    fc
      .array(fc.tuple(fc.constantFrom('A', 'PATH', 'HOME', 'X_1', 'constructor', 'toString'), fc.oneof(goodText, goodInt, fc.boolean())), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries)),
    fc
      .array(fc.tuple(fc.constantFrom('1BAD', 'A=B', '', 'A', '__proto__'), fc.oneof(badText, odd)), { minLength: 1, maxLength: 3 })
      .map((entries) => Object.fromEntries(entries)),
  ],
  env_file: [
    fc.constantFrom('web.env', { path: 'web.env', required: false }, ['web.env', { path: 'missing.env', required: false }]),
    fc.constantFrom('missing.env', 'web\0.env', '', ['x', 1]),
  ],
  inherit_env: [fc.boolean(), fc.constant('no')],
  limits: [
    fc.dictionary(
      fc.constantFrom('nofile', 'nproc', 'core', 'memlock', 'stack', 'as'),
      fc.oneof(goodInt, fc.constantFrom('unlimited', '1024:4096', '0:9007199254740991', '4096:unlimited', 1_048_576)),
      { maxKeys: 3 },
    ),
    fc.dictionary(
      fc.constantFrom('nofile', 'core', 'cpu'),
      fc.oneof(badNumber, fc.constantFrom('4096:1024', '0:99999999999999999999', '9007199254740992:unlimited', '1:2:3', 'unlimited:1')),
      { maxKeys: 2 },
    ),
  ],
  log: [
    fc.record(
      {
        prefix: fc.constantFrom('web', 'p'.repeat(63), 'caf\u00e9'),
        stdout: fc.constantFrom('stdout', 'stderr', 'discard'),
        max_line: fc.constantFrom(256, '16KiB', '1MiB'),
        mode: fc.constantFrom('block', 'drop'),
        buffer: fc.constantFrom('4KiB', '1GiB'),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        prefix: fc.constantFrom('p'.repeat(64), ' web', 'a|b', '\x1b[1mweb'),
        max_line: fc.constantFrom(255, '2MiB', '99999999999999999999k'),
        mode: fc.constant('lossy'),
      },
      { requiredKeys: [] },
    ),
  ],
};

const KEYS = Object.keys(VALUES);

// A file's keys and values in one of three ways: every value one corral should take; all
// of them but one, so that each hostile value decides alone; or anything for each key.
const valueFor = (key: string, mode: 'good' | 'bad' | 'wild'): fc.Arbitrary<unknown> => {
  const [good, bad] = VALUES[key]!;
  if (mode === 'good') return good;
  if (mode === 'bad') return fc.oneof({ weight: 3, arbitrary: bad }, { weight: 1, arbitrary: odd });
  return fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad }, { weight: 1, arbitrary: odd });
};

export const serviceData: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    keys: fc.subarray(KEYS, { maxLength: 8 }),
    mode: fc.constantFrom('good', 'one bad', 'wild'),
    bad: fc.constantFrom(...KEYS),
    dice: fc.nat({ max: 20 }),
    unknown: fc.dictionary(fc.string({ maxLength: 6 }), odd, { maxKeys: 2 }),
  })
  .chain(({ keys, mode, bad, dice, unknown }) => {
    // Almost always a command; now and then none, or an unknown key.
    const chosen = [...new Set([...(dice > 0 ? ['command'] : []), ...keys, ...(mode === 'one bad' ? [bad] : [])])];
    const values = chosen.map((key): [string, fc.Arbitrary<unknown>] => [
      key,
      valueFor(key, mode === 'wild' ? 'wild' : mode === 'one bad' && key === bad ? 'bad' : 'good'),
    ]);
    return fc.record(Object.fromEntries(values)).map((data) => (dice === 1 ? { ...data, ...unknown } : data));
  });

// How the data is written out: each a function of the YAML text and a number for where or how much.
const WRITERS: Record<string, (yaml: string, n: number) => string | Buffer> = {
  yaml: (yaml) => yaml,
  'not UTF-8': (yaml, n) =>
    Buffer.concat([Buffer.from(yaml.slice(0, n % (yaml.length + 1))), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from(yaml.slice(n % (yaml.length + 1)))]),
  'alias bomb': (yaml, n) => `${yaml}${aliasBombLines(n % 10)}`,
  'alias to nothing': (yaml) => `${yaml}dangling: *nowhere\n`,
  'alias in itself': (yaml) => `${yaml}loop: &loop [a, *loop]\n`,
  'deep flow': (yaml, n) => `${yaml}deep: ${'['.repeat([31, 32, 33, 5000][n % 4]!)}${']'.repeat([31, 32, 33, 5000][n % 4]!)}\n`,
  // As deep as the token limit allows: "- " is two tokens.
  'deep compact': (yaml) => `${yaml}deep: ${'- '.repeat(20_000)}x\n`,
  'deep block': (yaml, n) => `${yaml}deep:\n${Array.from({ length: [31, 32, 40][n % 3]! }, (_, i) => `${' '.repeat(i)}- `).join('\n')}\n`,
  'many keys': (yaml, n) => `${yaml}${Array.from({ length: [50, 3000, 6000, 9000][n % 4]! }, (_, i) => `k${i}: ${i}`).join('\n')}\n`,
  'duplicate key': (yaml) => `${yaml}${yaml.split('\n')[0] ?? 'a: 1'}\n`,
  'cut short': (yaml, n) => yaml.slice(0, n % (yaml.length + 1)),
  'raw bytes': (_yaml, n) => Buffer.from(Array.from({ length: n % 200 }, (_, i) => (i * 37 + n) % 256)),
  'two documents': (yaml) => `${yaml}---\ncommand: y\n`,
};

export interface ServiceFileCase {
  data: Record<string, unknown>;
  writer: string;
  n: number;
  /** web.env's text, for env_file. */
  envFile: string | Buffer;
}

const envFile: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('A=1\nexport B="two words"\n# comment\n', `A=${'e'.repeat(131_069)}\n`, `${'# pad\n'.repeat(40_000)}A=1\n`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'A=x\0y\n',
      Buffer.from('A=caf\xe9\n', 'latin1'),
      `A=${'e'.repeat(131_070)}\n`,
      '1BAD=x\nC="unclosed\n',
      `${'# pad\n'.repeat(45_000)}`,
      '__proto__=x\n',
    ),
  },
);

export const serviceFileCase: fc.Arbitrary<ServiceFileCase> = fc.record({
  data: serviceData,
  writer: fc.oneof({ weight: 12, arbitrary: fc.constant('yaml') }, { weight: 4, arbitrary: fc.constantFrom(...Object.keys(WRITERS)) }),
  n: fc.nat({ max: 100_000 }),
  envFile,
});

// The file's bytes: block or flow YAML; data yaml cannot write (a symbol) falls back to JSON.
export function serviceFileBytes(example: ServiceFileCase): string | Buffer {
  let yaml: string;
  try {
    yaml = stringify(example.data, { lineWidth: 0, collectionStyle: example.n % 5 === 0 ? 'flow' : 'any' });
  } catch {
    yaml = `${JSON.stringify(example.data) ?? '{}'}\n`;
  }
  return WRITERS[example.writer]!(yaml, example.n);
}
