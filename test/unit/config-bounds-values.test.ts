// Values within what the code that uses them can take (issue 15, rows 2, 3 and 11):
// durations a timer can wait, limits and ids the exec shim takes, strings that exec takes
// (no NUL, the kernel's sizes), names, prefixes and patterns of a bounded length. Each
// limit is tested at its value and one past it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';
import { withCommandService } from '../../src/config/command-service.js';
import { LIMITS } from '../../src/config/limits.js';
import { dirWith, onlyProblem, onlyProblemSeen, problemsOf, seen, servicesOf, type Env } from './config-bounds-helpers.js';

const NUL = 'holds a NUL byte (\\0), which ends a string for the kernel';

describe('durations', () => {
  test('row 11: health.interval: 600h is refused, naming the maximum, instead of becoming 1 ms', (t) => {
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': 'command: x\nhealth: {exec: x, interval: 600h}\n' }), {
      file: 'web.yaml',
      line: 2,
      col: 29,
      path: 'health.interval',
      message: 'expected a duration of at most 2147483647ms (about 24.8 days, the longest a timer can wait), got "600h"',
    });
  });

  test('2147483647ms is the longest duration; 2147483648ms is refused, for every duration key', (t) => {
    const keys = [
      'stop_timeout: D',
      'reset_after: D',
      'backoff: {initial: D, max: D}',
      'ready: {exec: x, interval: D, timeout: D}',
      'max_restarts: {count: 1, window: D}',
      'watchdog: D',
    ];
    const file = (duration: string): string => `command: x\n${keys.join('\n').replaceAll('D', duration)}\n`;
    const [web] = servicesOf(dirWith(t, { 'web.yaml': file('2147483647ms') }));
    assert.equal(web?.stop_timeoutMs, 2 ** 31 - 1);
    assert.equal(web?.watchdog?.timeoutMs, 2 ** 31 - 1);
    const dir = dirWith(t, { 'web.yaml': file('2147483648ms') });
    const paths = problemsOf(dir).map((problem) => problem.path);
    assert.deepEqual(paths, [
      'stop_timeout',
      'reset_after',
      'backoff.initial',
      'backoff.max',
      'ready.interval',
      'ready.timeout',
      'max_restarts.window',
      'watchdog',
    ]);
  });
});

describe('numbers', () => {
  test('row 3: limits: {core: "0:99999999999999999999"} is refused at the value', (t) => {
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': 'command: x\nlimits: {core: "0:99999999999999999999"}\n' }), {
      file: 'web.yaml',
      line: 2,
      col: 16,
      path: 'limits.core',
      message: 'a limit is 0 to 9007199254740991, or unlimited, got "0:99999999999999999999"',
    });
  });

  test('an rlimit of 2^53-1 is taken, as a number and in SOFT:HARD; 2^53 is refused in both', (t) => {
    const [web] = servicesOf(dirWith(t, { 'web.yaml': 'command: x\nlimits: {core: 9007199254740991, stack: "0:9007199254740991"}\n' }));
    assert.deepEqual(web?.limits.core, { soft: 2 ** 53 - 1, hard: 2 ** 53 - 1 });
    const dir = dirWith(t, { 'web.yaml': 'command: x\nlimits: {core: 9007199254740992, stack: "9007199254740992:unlimited"}\n' });
    assert.deepEqual(
      problemsOf(dir).map((problem) => [problem.path, problem.message]),
      [
        ['limits.core', 'a limit is 0 to 9007199254740991, or unlimited, got 9007199254740992'],
        ['limits.stack', 'a limit is 0 to 9007199254740991, or unlimited, got "9007199254740992:unlimited"'],
      ],
    );
  });

  test('a numeric user of 4294967294 is taken; 4294967295, which the kernel reads as "unchanged", is refused', (t) => {
    assert.equal(servicesOf(dirWith(t, { 'web.yaml': 'command: x\nuser: 4294967294\n' }))[0]?.identity?.uid, 4294967294);
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': 'command: x\nuser: 4294967295\n' }), {
      file: 'web.yaml',
      line: 2,
      col: 7,
      path: 'user',
      message: 'a numeric id is at most 4294967294, got 4294967295',
    });
  });
});

describe('what reaches exec', () => {
  test('row 2: a NUL byte in the command, working_dir, an environment value, a check command or an env file is refused where it is written', (t) => {
    const dir = dirWith(t, {
      'a.yaml': 'command: ["server", "--name=a\\0b"]\n',
      'b.yaml': 'command: "echo \\0"\nworking_dir: "/srv\\0x"\n',
      'c.yaml': 'command: x\nenvironment: {GREETING: "hi\\0there"}\nready: {exec: ["probe", "\\0"]}\n',
      'd.yaml': 'command: x\nenv_file: d.env\n',
      'd.env': 'A=1\nB=x\0y\n',
    });
    assert.deepEqual(
      problemsOf(dir).map((problem) => seen(dir, problem)),
      [
        { file: 'a.yaml', line: 1, col: 21, path: 'command.1', message: `this argument ${NUL}` },
        { file: 'b.yaml', line: 1, col: 10, path: 'command', message: `this argument ${NUL}` },
        { file: 'b.yaml', line: 2, col: 14, path: 'working_dir', message: NUL },
        { file: 'c.yaml', line: 2, col: 25, path: 'environment.GREETING', message: `the environment variable GREETING ${NUL}` },
        { file: 'c.yaml', line: 3, col: 25, path: 'ready.exec.1', message: `this argument ${NUL}` },
        { file: 'd.env', line: 2, col: 4, message: 'the value of B holds a NUL byte (\\0), which ends a string for the kernel' },
      ],
    );
  });

  test('one argument of 131071 bytes (128 KiB with its NUL) is taken; 131072 are refused', (t) => {
    // Not inherited: corral's own environment never holds a string the kernel refused.
    const dir = dirWith(t, { 'web.yaml': 'command: [x, "${BIG}"]\ninherit_env: false\n' });
    servicesOf(dir, { BIG: 'b'.repeat(LIMITS.execStringBytes - 1) });
    const problem = onlyProblem(dir, { BIG: 'b'.repeat(LIMITS.execStringBytes) });
    assert.deepEqual(
      [problem.path, problem.message],
      ['command.1', 'this argument is 131073 bytes with its NUL, more than the 131072 the kernel takes for one string (MAX_ARG_STRLEN)'],
    );
  });

  test('an environment variable of 131071 bytes as NAME=value is taken from an env file; one byte more is refused', (t) => {
    const file = (length: number): Record<string, string> => ({ 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': `A=${'v'.repeat(length - 2)}\n` });
    servicesOf(dirWith(t, file(LIMITS.execStringBytes - 1)));
    assert.deepEqual(onlyProblemSeen(t, file(LIMITS.execStringBytes)), {
      file: 'web.yaml',
      line: 2,
      col: 11,
      path: 'env_file',
      message: 'the environment variable A (from env_file) is 131073 bytes with its NUL, more than the 131072 the kernel takes for one string (MAX_ARG_STRLEN)',
    });
  });

  // corral's environment, with which the service's argv (["x"], 10 bytes) and
  // environment come to `total` bytes as the kernel counts them.
  function envOfTotal(total: number): Env {
    const env: Env = {};
    let left = total - 10;
    for (let i = 0; left > 0; i++) {
      const name = `P${i}`;
      const value = Math.min(100_000, left - name.length - 10);
      env[name] = 'v'.repeat(value);
      left -= name.length + value + 10;
    }
    assert.equal(left, 0);
    return env;
  }

  test("argv and environment of 1 MiB, as the kernel counts them, are taken; one byte more is refused, corral's own environment included", (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: [x]\n' });
    servicesOf(dir, envOfTotal(LIMITS.execTotalBytes));
    const problem = onlyProblem(dir, envOfTotal(LIMITS.execTotalBytes + 1));
    assert.deepEqual(
      [problem.path, problem.message],
      [
        'command',
        'the arguments and the environment come to 1048577 bytes, more than the 1048576 bytes corral allows; each string counts with its NUL and an 8-byte pointer',
      ],
    );
  });

  test('a small limits.stack lowers the limit to a quarter of it, and never below 128 KiB, as the kernel does', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: [x]\nlimits: {stack: 1048576}\n' });
    servicesOf(dir, envOfTotal(262_144));
    assert.match(
      onlyProblem(dir, envOfTotal(262_145)).message,
      /come to 262145 bytes, more than the 262144 bytes the kernel allows with limits.stack at 1048576 bytes \(a quarter of it, at least 131072\)/,
    );
    const tiny = dirWith(t, { 'web.yaml': 'command: [x]\nlimits: {stack: 4096}\n' });
    servicesOf(tiny, envOfTotal(131_072));
    assert.match(onlyProblem(tiny, envOfTotal(131_073)).message, /more than the 131072 bytes the kernel allows/);
  });

  test('a variable named __proto__ is refused, in environment and in an env file, instead of being dropped without a word', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nenvironment: {__proto__: a, B: b}\nenv_file: web.env\n', 'web.env': 'C=1\n__proto__=x\n' });
    assert.deepEqual(
      problemsOf(dir).map((problem) => seen(dir, problem)),
      [{ file: 'web.yaml', line: 2, col: 26, path: 'environment.__proto__', message: 'corral cannot pass on a variable named __proto__; rename it' }],
    );
    const envFile = dirWith(t, { 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': 'C=1\n__proto__=x\n' });
    assert.deepEqual(seen(envFile, onlyProblem(envFile)), {
      file: 'web.env',
      line: 2,
      col: 1,
      message: 'corral cannot pass on a variable named __proto__; rename it',
    });
  });

  test('an http target that the URL parser refuses, and a tcp host with a control character, are refused', (t) => {
    const dir = dirWith(t, { 'a.yaml': 'command: x\nready: {http: "http://[::1/"}\n', 'b.yaml': 'command: x\nready: {tcp: "db\\t:5432"}\n' });
    assert.deepEqual(
      problemsOf(dir).map((problem) => [problem.path, problem.message]),
      [
        ['ready.http', 'expected a URL like "http://127.0.0.1:8080/healthz"; this one is not a valid URL, got "http://[::1/"'],
        ['ready.tcp', 'expected a port like 5432 or "host:port", got "db\\t:5432"'],
      ],
    );
  });

  test('corral -- "" is a ConfigError, not an internal error', () => {
    assert.throws(
      () => withCommandService([], ['']),
      (error: unknown) => error instanceof ConfigError && error.problems[0]?.message === 'the program (the first item of the list) is empty',
    );
  });
});

describe('lengths', () => {
  test('a name (by file or name:) and a log prefix of 63 characters are taken; 64 are refused', (t) => {
    const ok = 'n'.repeat(LIMITS.nameLength);
    const [service] = servicesOf(dirWith(t, { [`${ok}.yaml`]: `command: x\nlog: {prefix: ${ok}}\n` }));
    assert.equal(service?.name, ok);
    const long = 'n'.repeat(LIMITS.nameLength + 1);
    const dir = dirWith(t, { [`${long}.yaml`]: 'command: x\n', 'b.yaml': `command: x\nname: m${long}\nlog: {prefix: ${long}}\n` });
    assert.deepEqual(
      problemsOf(dir).map((problem) => problem.path ?? problem.message.slice(0, 30)),
      ['name', 'log.prefix', `"${long.slice(0, 29)}`],
    );
  });

  test('a log prefix with a control character is refused: it would reach the terminal on every line', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nlog: {prefix: "\\e[31mweb"}\n' });
    assert.equal(onlyProblem(dir).path, 'log.prefix');
  });

  test('a ready.log pattern of 4096 characters is taken; 4097 are refused', (t) => {
    const pattern = (length: number): string => `command: x\nready: {log: "${'a'.repeat(length)}"}\n`;
    servicesOf(dirWith(t, { 'web.yaml': pattern(LIMITS.logPatternLength) }));
    const dir = dirWith(t, { 'web.yaml': pattern(LIMITS.logPatternLength + 1) });
    assert.equal(onlyProblem(dir).message, `expected a regular expression of at most 4096 characters, got "${'a'.repeat(4097)}"`);
  });
});
