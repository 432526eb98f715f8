import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServices } from '../../src/config/load-services.js';
import { ConfigError, formatProblem, type ConfigProblem } from '../../src/config/config-error.js';

// A fresh services directory holding `files`, removed when the test ends.
function servicesDir(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

// The problems of the ConfigError that loading `dir` must throw.
function problemsOf(dir: string): readonly ConfigProblem[] {
  let caught: unknown;
  try {
    loadServices(dir);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.ok(caught.problems.length > 0);
  return caught.problems;
}

// The fields a user sees, with absent ones as undefined, for exact comparison.
function where(p: ConfigProblem): Pick<ConfigProblem, 'file' | 'line' | 'col' | 'path' | 'message'> {
  return { file: p.file, line: p.line, col: p.col, path: p.path, message: p.message };
}

const DEFAULTS = {
  restart: 'always',
  backoff: { initial: 1000, max: 30_000, factor: 2 },
  reset_after: 10_000,
  stop_signal: 'SIGTERM',
  stop_timeout: 5000,
};

describe('loadServices: valid files', () => {
  test('a string command becomes argv ["/bin/sh", "-c", command]', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: node server.js --port 8080\n' });
    const [web] = loadServices(dir);
    assert.deepEqual(web?.argv, ['/bin/sh', '-c', 'node server.js --port 8080']);
  });

  test('a string command is trimmed', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: "  echo hi  "\n' });
    assert.deepEqual(loadServices(dir)[0]?.argv, ['/bin/sh', '-c', 'echo hi']);
  });

  test('a list command is kept as is for argv', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: ["node", "server.js", "--port", "8080"]\n' });
    assert.deepEqual(loadServices(dir)[0]?.argv, ['node', 'server.js', '--port', '8080']);
  });

  test('a block list command with spaces in an argument is kept as is', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command:\n  - sh\n  - -c\n  - echo "a b"; exit 3\n' });
    assert.deepEqual(loadServices(dir)[0]?.argv, ['sh', '-c', 'echo "a b"; exit 3']);
  });

  test('defaults are filled in; the name is the file stem and file is the path', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: [server]\n' });
    assert.deepEqual(loadServices(dir), [
      { command: ['server'], ...DEFAULTS, name: 'web', file: join(dir, 'web.yaml'), argv: ['server'] },
    ]);
  });

  test('every setting is read and durations are converted to milliseconds', (t) => {
    const dir = servicesDir(t, {
      'api.yml': [
        'command: [api]',
        'restart: on-failure',
        'backoff: {initial: 500ms, max: 1m, factor: 1.5}',
        'reset_after: 1.5s',
        'stop_signal: SIGINT',
        'stop_timeout: 3s',
        '',
      ].join('\n'),
    });
    const [api] = loadServices(dir);
    assert.ok(api);
    assert.equal(api.restart, 'on-failure');
    assert.deepEqual(api.backoff, { initial: 500, max: 60_000, factor: 1.5 });
    assert.equal(api.reset_after, 1500);
    assert.equal(api.stop_signal, 'SIGINT');
    assert.equal(api.stop_timeout, 3000);
  });

  test('a partial backoff mapping gets the other backoff defaults', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nbackoff:\n  initial: 200ms\n' });
    assert.deepEqual(loadServices(dir)[0]?.backoff, { initial: 200, max: 30_000, factor: 2 });
  });

  test('the name is the file stem, dots and dashes included', (t) => {
    const dir = servicesDir(t, { 'my-api.v2.yml': 'command: x\n', 'worker_1.yaml': 'command: y\n' });
    assert.deepEqual(
      loadServices(dir).map((s) => s.name),
      ['my-api.v2', 'worker_1'],
    );
  });

  test('files are loaded in name order, .yaml and .yml both, other extensions ignored', (t) => {
    const dir = servicesDir(t, {
      'zeta.yaml': 'command: z\n',
      'alpha.yml': 'command: a\n',
      'mid.yaml': 'command: m\n',
      'notes.txt': 'not: yaml\n',
      'README.md': '# services\n',
      'old.yaml.bak': 'restrat: broken\n',
      'data.json': '{}\n',
      'web.YAML': 'restrat: broken\n',
    });
    const services = loadServices(dir);
    assert.deepEqual(
      services.map((s) => s.name),
      ['alpha', 'mid', 'zeta'],
    );
    assert.deepEqual(
      services.map((s) => s.file),
      [join(dir, 'alpha.yml'), join(dir, 'mid.yaml'), join(dir, 'zeta.yaml')],
    );
  });

  test('an empty directory gives no services', (t) => {
    const dir = servicesDir(t, {});
    assert.deepEqual(loadServices(dir), []);
  });

  test('stop_signal "TERM" is normalised to "SIGTERM", "hup" to "SIGHUP"', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: x\nstop_signal: TERM\n', 'b.yaml': 'command: x\nstop_signal: hup\n' });
    assert.deepEqual(
      loadServices(dir).map((s) => s.stop_signal),
      ['SIGTERM', 'SIGHUP'],
    );
  });

  test('comments and a leading document marker are fine', (t) => {
    const dir = servicesDir(t, { 'web.yaml': '# the web server\n---\ncommand: x # inline\n' });
    assert.equal(loadServices(dir)[0]?.command, 'x');
  });
});

describe('loadServices: problems', () => {
  test('unknown key "restrat": did you mean "restart"?, at the key', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nrestrat: always\n' });
    const problems = problemsOf(dir);
    assert.deepEqual(problems.map(where), [
      { file: join(dir, 'web.yaml'), line: 2, col: 1, path: 'restrat', message: 'unknown key "restrat"; did you mean "restart"?' },
    ]);
    assert.equal(problems[0]?.source, 'restrat: always');
  });

  test('an unknown key with no close match says to remove it', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\ncolour: red\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      { file: join(dir, 'web.yaml'), line: 2, col: 1, path: 'colour', message: 'unknown key "colour"; remove it' },
    ]);
  });

  test('restart: alway -> expected one of always, on-failure, never, got "alway", at the value', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nrestart: alway\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: 2,
        col: 10,
        path: 'restart',
        message: 'expected one of always, on-failure, never, got "alway"; did you mean "always"?',
      },
    ]);
  });

  test('stop_timeout: 5 (a number) -> expected a duration, got 5', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nstop_timeout: 5\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: 2,
        col: 15,
        path: 'stop_timeout',
        message: 'expected a duration like "10s" or "500ms", got 5',
      },
    ]);
  });

  test('stop_timeout: soon -> expected a duration, got "soon"', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nstop_timeout: soon\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: 2,
        col: 15,
        path: 'stop_timeout',
        message: 'expected a duration like "10s" or "500ms", got "soon"',
      },
    ]);
  });

  test('stop_signal: SIGFOO -> expected a signal name, got "SIGFOO"', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nstop_signal: SIGFOO\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: 2,
        col: 14,
        path: 'stop_signal',
        message: 'expected a signal name like SIGTERM or HUP, got "SIGFOO"',
      },
    ]);
  });

  test('a nested problem has a dotted path: backoff.factor below 1', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nbackoff:\n  factor: 0.5\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      { file: join(dir, 'web.yaml'), line: 3, col: 11, path: 'backoff.factor', message: 'factor must be at least 1, got 0.5' },
    ]);
  });

  test('an unknown nested key is reported at the key with its dotted path', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nbackoff:\n  inital: 1s\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      { file: join(dir, 'web.yaml'), line: 3, col: 3, path: 'backoff.inital', message: 'unknown key "inital"; did you mean "initial"?' },
    ]);
  });

  test('a missing command is reported as a missing required key, with no position', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'restart: always\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: undefined,
        col: undefined,
        path: 'command',
        message: 'the required key "command" is missing; add it, e.g. command: ["my-server", "--port", "8080"]',
      },
    ]);
  });

  test('an empty command value, an empty string and an empty list are each rejected', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command:\n', 'b.yaml': 'command: "  "\n', 'c.yaml': 'command: []\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'a.yaml'),
        line: 1,
        col: 9,
        path: 'command',
        message: 'expected a string (run with /bin/sh -c) or a list of arguments, got an empty value',
      },
      { file: join(dir, 'b.yaml'), line: 1, col: 10, path: 'command', message: 'the command is empty' },
      { file: join(dir, 'c.yaml'), line: 1, col: 10, path: 'command', message: 'the command list is empty' },
    ]);
  });

  test('an empty file is one whole-file problem', (t) => {
    const dir = servicesDir(t, { 'web.yaml': '' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: undefined,
        col: undefined,
        path: undefined,
        message: 'the file is empty; a service needs at least a command, e.g. command: ["my-server", "--port", "8080"]',
      },
    ]);
  });

  test('a file holding only comments is empty too', (t) => {
    const dir = servicesDir(t, { 'web.yaml': '# TODO: write me\n' });
    assert.match(problemsOf(dir)[0]?.message ?? '', /^the file is empty; /);
  });

  test('a list instead of a mapping is reported at 1:1', (t) => {
    const dir = servicesDir(t, { 'web.yaml': '- node\n- server.js\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yaml'),
        line: 1,
        col: 1,
        path: undefined,
        message: 'expected keys such as "command:", got a single value or a list',
      },
    ]);
  });

  test('a YAML syntax error is reported with its line and column', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: "a" b\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      { file: join(dir, 'web.yaml'), line: 1, col: 14, path: undefined, message: 'YAML syntax error: Unexpected scalar at node end' },
    ]);
  });

  test('a tab used for indentation is a YAML syntax error at the tab', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: a\n\tstop_signal: TERM\n' });
    const problems = problemsOf(dir);
    assert.deepEqual(problems.map(where), [
      { file: join(dir, 'web.yaml'), line: 2, col: 1, path: undefined, message: 'YAML syntax error: Tabs are not allowed as indentation' },
    ]);
    assert.equal(problems[0]?.source, '\tstop_signal: TERM');
  });

  test('a YAML syntax error message is one line', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: a\nrestart: @x\n' });
    const [problem] = problemsOf(dir);
    assert.equal(problem?.line, 2);
    assert.equal(problem?.col, 10);
    assert.match(problem?.message ?? '', /^YAML syntax error: \S/);
    assert.doesNotMatch(problem?.message ?? '', /\n/);
  });

  test('a duplicate key is reported at its second occurrence', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nrestart: always\nrestart: never\n' });
    const problems = problemsOf(dir);
    assert.deepEqual(problems.map(where), [
      { file: join(dir, 'web.yaml'), line: 3, col: 1, path: undefined, message: 'Map keys must be unique; each key may appear once' },
    ]);
    assert.equal(problems[0]?.source, 'restart: never');
  });

  test('web.yaml and web.yml -> one problem naming both files', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: a\n', 'web.yml': 'command: b\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, 'web.yml'),
        line: undefined,
        col: undefined,
        path: undefined,
        message: `service "web" is already defined by ${join(dir, 'web.yaml')}; remove or rename one of them`,
      },
    ]);
  });

  test('a file name that is not a valid service name is reported', (t) => {
    const dir = servicesDir(t, { '_web.yaml': 'command: a\n' });
    assert.deepEqual(problemsOf(dir).map(where), [
      {
        file: join(dir, '_web.yaml'),
        line: undefined,
        col: undefined,
        path: undefined,
        message:
          "\"_web\" is not a valid service name (the file's name without .yaml); use letters, digits, '.', '_' and '-', starting with a letter or digit",
      },
    ]);
  });

  test('a missing directory -> one problem saying it does not exist', (t) => {
    const parent = servicesDir(t, {});
    const missing = join(parent, 'services.d');
    const problems = problemsOf(missing);
    assert.equal(problems.length, 1);
    assert.deepEqual(where(problems[0]!), {
      file: missing,
      line: undefined,
      col: undefined,
      path: undefined,
      message: 'the services directory does not exist; create it, or choose another with --services DIR or CORRAL_SERVICES_DIR',
    });
  });

  test('a regular file given as the directory -> "not a directory"', (t) => {
    const parent = servicesDir(t, { 'web.yaml': 'command: x\n' });
    const problems = problemsOf(join(parent, 'web.yaml'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /^the services directory is not a directory; /);
  });

  test('several broken files: every problem of every file is reported at once', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: a\nrestrat: always\nstop_timeout: 5\n',
      'b.yaml': '',
      'c.yaml': 'command: [\n',
      'd.yaml': 'command: fine\n',
      'e.yaml': 'restart: alway\nstop_signal: SIGFOO\n',
    });
    const problems = problemsOf(dir);
    assert.equal(problems.length, 7);
    // Files in name order; within a file, by line.
    const byPosition = problems
      .map((p) => [p.file.slice(dir.length + 1), p.line ?? 0, p.path ?? ''] as const)
      .sort(([fa, la], [fb, lb]) => fa.localeCompare(fb) || la - lb);
    assert.deepEqual(byPosition, [
      ['a.yaml', 2, 'restrat'],
      ['a.yaml', 3, 'stop_timeout'],
      ['b.yaml', 0, ''],
      ['c.yaml', 2, ''],
      ['e.yaml', 0, 'command'],
      ['e.yaml', 1, 'restart'],
      ['e.yaml', 2, 'stop_signal'],
    ]);
    assert.deepEqual(
      problems.map((p) => p.file.slice(dir.length + 1)),
      ['a.yaml', 'a.yaml', 'b.yaml', 'c.yaml', 'e.yaml', 'e.yaml', 'e.yaml'],
      'problems are grouped by file, in file-name order',
    );
  });

  test('the ConfigError message shows each problem with its source line and a caret under the value', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: echo hi\nrestart: alway\n' });
    let caught: unknown;
    try {
      loadServices(dir);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    const file = join(dir, 'web.yaml');
    assert.equal(
      caught.message,
      `${file}:2:10: restart: expected one of always, on-failure, never, got "alway"; did you mean "always"?\n  2 | restart: alway\n               ^`,
    );
    const [, shown, caret] = formatProblem(caught.problems[0]!).split('\n');
    assert.equal(shown?.slice(caret!.length - 1), 'alway', 'the caret is under the first letter of the value');
  });

  test('a subdirectory named like a service file is reported, not crashed on', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\n' });
    mkdirSync(join(dir, 'extra.yaml'));
    const problems = problemsOf(dir);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.file, join(dir, 'extra.yaml'));
    assert.match(problems[0]?.message ?? '', /^is a directory, not a service file; rename it/);
  });
});
