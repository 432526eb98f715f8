import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_DEFAULTS } from '../helpers/service-config.js';
import { scratchFiles } from '../helpers/scratch.js';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadServices } from '../../src/config/load-services.js';
import { ConfigError, formatProblem, type ConfigProblem } from '../../src/config/config-error.js';
import { problemsOf } from './config-bounds-helpers.js';

// A fresh services directory holding `files`, removed when the test ends.
const servicesDir = scratchFiles;

// A problem as the user sees it: "file line:col path: message", the file relative to `dir`,
// without line:col or path where the problem has none.
function seen(dir: string, p: ConfigProblem): string {
  return `${p.file.slice(dir.length + 1)}${p.line === undefined ? '' : ` ${p.line}:${p.col}`}${p.path === undefined ? '' : ` ${p.path}`}: ${p.message}`;
}

const DEFAULTS = SERVICE_DEFAULTS;

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
      {
        ...DEFAULTS,
        name: 'web',
        file: join(dir, 'web.yaml'),
        argv: ['server'],
        identity: undefined,
        log: { prefix: 'web', stdout: 'stdout', stderr: 'stderr', max_line: 16 * 1024, mode: 'block', buffer: 1024 * 1024 },
      },
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
    assert.deepEqual(api.backoff, { initialMs: 500, maxMs: 60_000, factor: 1.5, jitter: 0.1 });
    assert.equal(api.reset_afterMs, 1500);
    assert.equal(api.stop_signal, 'SIGINT');
    assert.equal(api.stop_timeoutMs, 3000);
  });

  test('a partial backoff mapping gets the other backoff defaults', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nbackoff:\n  initial: 200ms\n' });
    assert.deepEqual(loadServices(dir)[0]?.backoff, { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.1 });
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
    assert.deepEqual(loadServices(dir)[0]?.argv, ['/bin/sh', '-c', 'x']);
  });
});

describe('loadServices: problems', () => {
  test('a file holding only comments is empty too', (t) => {
    const dir = servicesDir(t, { 'web.yaml': '# TODO: write me\n' });
    assert.match(problemsOf(dir)[0]?.message ?? '', /^the file is empty; /);
  });

  test('a YAML syntax error message is one line', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: a\nrestart: @x\n' });
    const [problem] = problemsOf(dir);
    assert.equal(problem?.line, 2);
    assert.equal(problem?.col, 10);
    assert.match(problem?.message ?? '', /^YAML syntax error: \S/);
    assert.doesNotMatch(problem?.message ?? '', /\n/);
  });

  test('a missing directory -> one problem saying it does not exist', (t) => {
    const parent = servicesDir(t, {});
    const missing = join(parent, 'services.d');
    const problems = problemsOf(missing);
    assert.equal(problems.length, 1);
    assert.equal(
      seen(parent, problems[0]!),
      'services.d: the services directory does not exist; create it, or choose another with --services DIR or CORRAL_SERVICES_DIR',
    );
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
      ['c.yaml', 1, ''],
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

  test('a dangling symbolic link is reported as such; the other files are still checked', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nrestart: alway\n' });
    symlinkSync(join(dir, 'gone.yaml.orig'), join(dir, 'db.yaml'));
    assert.deepEqual(
      problemsOf(dir).map((p) => `${p.file.slice(dir.length + 1)}: ${p.message}`),
      [
        'db.yaml: is a symbolic link to a file that does not exist; fix the link or remove it',
        'web.yaml: expected one of always, on-failure, never, got "alway"; did you mean "always"?',
      ],
    );
  });
});

// The problems of a services directory, a row a case: its files, and every problem that
// loading it must report, as the user sees each: "file line:col path: message", without
// line:col or path where the problem has none; <dir> stands for the directory. source: the
// first problem's source line, where the row checks it.
interface ProblemRow {
  name: string;
  files: Record<string, string>;
  problems: string[];
  source?: string;
}

const PROBLEM_ROWS: ProblemRow[] = [
  {
    name: 'unknown key "restrat": did you mean "restart"?, at the key',
    files: { 'web.yaml': 'command: echo hi\nrestrat: always\n' },
    problems: ['web.yaml 2:1 restrat: unknown key "restrat"; did you mean "restart"?'],
    source: 'restrat: always',
  },
  {
    name: 'an unknown key with no close match says to remove it',
    files: { 'web.yaml': 'command: x\ncolour: red\n' },
    problems: ['web.yaml 2:1 colour: unknown key "colour"; remove it'],
  },
  {
    name: 'restart: alway -> expected one of always, on-failure, never, got "alway", at the value',
    files: { 'web.yaml': 'command: echo hi\nrestart: alway\n' },
    problems: ['web.yaml 2:10 restart: expected one of always, on-failure, never, got "alway"; did you mean "always"?'],
  },
  {
    name: 'stop_timeout: 5 (a number) -> expected a duration, got 5',
    files: { 'web.yaml': 'command: echo hi\nstop_timeout: 5\n' },
    problems: ['web.yaml 2:15 stop_timeout: expected a duration like "10s" or "500ms", got 5'],
  },
  {
    name: 'stop_timeout: soon -> expected a duration, got "soon"',
    files: { 'web.yaml': 'command: echo hi\nstop_timeout: soon\n' },
    problems: ['web.yaml 2:15 stop_timeout: expected a duration like "10s" or "500ms", got "soon"'],
  },
  {
    name: 'stop_signal: SIGFOO -> expected a signal name, got "SIGFOO"',
    files: { 'web.yaml': 'command: echo hi\nstop_signal: SIGFOO\n' },
    problems: ['web.yaml 2:14 stop_signal: expected a signal name like SIGTERM or HUP, got "SIGFOO"'],
  },
  {
    name: 'a nested problem has a dotted path: backoff.factor below 1',
    files: { 'web.yaml': 'command: x\nbackoff:\n  factor: 0.5\n' },
    problems: ['web.yaml 3:11 backoff.factor: factor must be at least 1, got 0.5'],
  },
  {
    name: 'an unknown nested key is reported at the key with its dotted path',
    files: { 'web.yaml': 'command: x\nbackoff:\n  inital: 1s\n' },
    problems: ['web.yaml 3:3 backoff.inital: unknown key "inital"; did you mean "initial"?'],
  },
  {
    name: 'a missing command is reported as a missing required key, with no position',
    files: { 'web.yaml': 'restart: always\n' },
    problems: ['web.yaml command: the required key "command" is missing; add it, e.g. command: ["my-server", "--port", "8080"]'],
  },
  {
    name: 'an empty command value, an empty string and an empty list are each rejected',
    files: { 'a.yaml': 'command:\n', 'b.yaml': 'command: "  "\n', 'c.yaml': 'command: []\n' },
    problems: [
      'a.yaml 1:9 command: expected a string (run with /bin/sh -c) or a list of arguments, got an empty value',
      'b.yaml 1:10 command: the command is empty',
      'c.yaml 1:10 command: the command list is empty',
    ],
  },
  {
    name: 'an empty file is one whole-file problem',
    files: { 'web.yaml': '' },
    problems: ['web.yaml: the file is empty; a service needs at least a command, e.g. command: ["my-server", "--port", "8080"]'],
  },
  {
    name: 'a list instead of a mapping is reported at 1:1',
    files: { 'web.yaml': '- node\n- server.js\n' },
    problems: ['web.yaml 1:1: expected keys such as "command:", got a single value or a list'],
  },
  {
    name: 'a YAML syntax error is reported with its line and column',
    files: { 'web.yaml': 'command: "a" b\n' },
    problems: ['web.yaml 1:14: YAML syntax error: Unexpected scalar at node end'],
  },
  {
    name: 'a tab used for indentation is a YAML syntax error at the tab',
    files: { 'web.yaml': 'command: a\n\tstop_signal: TERM\n' },
    problems: ['web.yaml 2:1: YAML syntax error: a tab is used to indent; YAML indents with spaces only'],
    source: '\tstop_signal: TERM',
  },
  {
    name: 'a duplicate key is reported at its second occurrence',
    files: { 'web.yaml': 'command: echo hi\nrestart: always\nrestart: never\n' },
    problems: ['web.yaml 3:1 restart: the key "restart" appears twice in this mapping; keep one of them'],
    source: 'restart: never',
  },
  {
    name: 'web.yaml and web.yml -> one problem naming both files',
    files: { 'web.yaml': 'command: a\n', 'web.yml': 'command: b\n' },
    problems: [
      'web.yml: service "web" (named after its file) is already defined by <dir>/web.yaml (named after its file); rename one of them (name: key or file name)',
    ],
  },
  {
    name: 'a file name that is not a valid service name is reported',
    files: { '_web.yaml': 'command: a\n' },
    problems: [
      "_web.yaml: \"_web\" is not a valid service name; rename the file, or set name: with letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters",
    ],
  },
  {
    name: 'ready with two kinds',
    files: { 'web.yaml': 'command: x\nready:\n  tcp: 80\n  http: http://127.0.0.1/\n' },
    problems: ['web.yaml 2:1 ready: only one of exec, tcp, http, log, notify may be given, got tcp and http'],
  },
  {
    name: 'ready with none',
    files: { 'web.yaml': 'command: x\nready:\n  interval: 1s\n' },
    problems: ['web.yaml 2:1 ready: say how to check: one of exec, tcp, http, log, notify'],
  },
  {
    name: 'ready: {} is ready with none, at the key',
    files: { 'web.yaml': 'command: x\nready: {}\n' },
    problems: ['web.yaml 2:1 ready: say how to check: one of exec, tcp, http, log, notify'],
  },
  {
    name: 'ready written as a plain string',
    files: { 'web.yaml': 'command: x\nready: tcp\n' },
    problems: ['web.yaml 2:8 ready: expected none, or a mapping with one of exec, tcp, http, log, notify, got "tcp"'],
  },
  {
    name: 'unknown key under ready, with did-you-mean',
    files: { 'web.yaml': 'command: x\nready:\n  tcp: 80\n  intervall: 1s\n' },
    problems: ['web.yaml 4:3 ready.intervall: unknown key "intervall"; did you mean "interval"?'],
  },
  {
    name: 'tcp port 70000, "db:70000" and 0 are out of range',
    files: { 'a.yaml': 'command: x\nready:\n  tcp: 70000\n', 'b.yaml': 'command: x\nready:\n  tcp: "db:70000"\n', 'c.yaml': 'command: x\nhealth:\n  tcp: 0\n' },
    problems: [
      'a.yaml 3:8 ready.tcp: a port is 1 to 65535, got 70000',
      'b.yaml 3:8 ready.tcp: a port is 1 to 65535, got "db:70000"',
      'c.yaml 3:8 health.tcp: a port is 1 to 65535, got 0',
    ],
  },
  {
    name: 'tcp without a port',
    files: { 'web.yaml': 'command: x\nready:\n  tcp: db\n' },
    problems: ['web.yaml 3:8 ready.tcp: expected a port like 5432 or "host:port", got "db"'],
  },
  {
    name: 'http without a scheme',
    files: { 'web.yaml': 'command: x\nready:\n  http: localhost:8080\n' },
    problems: ['web.yaml 3:9 ready.http: expected a URL like "http://127.0.0.1:8080/healthz", got "localhost:8080"'],
  },
  {
    name: 'a bad regex in log',
    files: { 'web.yaml': 'command: x\nready:\n  log: "listening (on"\n' },
    problems: ['web.yaml 3:8 ready.log: not a valid regular expression: Unterminated group, got "listening (on"'],
  },
  {
    name: 'an empty exec command',
    files: { 'web.yaml': 'command: x\nready:\n  exec: ""\n' },
    problems: ['web.yaml 3:9 ready.exec: the command is empty'],
  },
  {
    name: 'health cannot use log: the key is unknown there and no kind is left',
    files: { 'web.yaml': 'command: x\nhealth:\n  log: ready\n' },
    problems: ['web.yaml 2:1 health: say how to check: one of exec, tcp, http', 'web.yaml 3:3 health.log: unknown key "log"; remove it'],
  },
  {
    name: 'health retries 0 and 1.5',
    files: { 'a.yaml': 'command: x\nhealth:\n  tcp: 80\n  retries: 0\n', 'b.yaml': 'command: x\nhealth:\n  tcp: 80\n  retries: 1.5\n' },
    problems: ['a.yaml 4:12 health.retries: retries must be at least 1, got 0', 'b.yaml 4:12 health.retries: expected a whole number, got 1.5'],
  },
  {
    name: 'umask written as 0027 unquoted',
    files: { 'web.yaml': 'command: x\numask: 0027\n' },
    problems: ['web.yaml 2:8 umask: expected a quoted octal string like "0027" (YAML reads 0027 unquoted as the number 27), got 27'],
  },
  {
    name: 'umask with a digit that is not octal',
    files: { 'web.yaml': 'command: x\numask: "0028"\n' },
    problems: ['web.yaml 2:8 umask: expected an octal umask like "0027", got "0028"'],
  },
  {
    name: 'limits "4096:1024": soft above hard',
    files: { 'web.yaml': 'command: x\nlimits:\n  nofile: "4096:1024"\n' },
    problems: ['web.yaml 3:11 limits.nofile: the soft limit must not exceed the hard limit, got "4096:1024"'],
  },
  {
    name: 'limits "unlimited:10": soft above hard',
    files: { 'web.yaml': 'command: x\nlimits:\n  core: "unlimited:10"\n' },
    problems: ['web.yaml 3:9 limits.core: the soft limit must not exceed the hard limit, got "unlimited:10"'],
  },
  {
    name: 'limits that are not a number, unlimited or SOFT:HARD',
    files: {
      'a.yaml': 'command: x\nlimits:\n  nofile: lots\n',
      'b.yaml': 'command: x\nlimits:\n  nofile: -1\n',
      'c.yaml': 'command: x\nlimits:\n  nofile: 1.5\n',
    },
    problems: [
      'a.yaml 3:11 limits.nofile: expected a number, unlimited, or "SOFT:HARD" like "1024:4096", got "lots"',
      'b.yaml 3:11 limits.nofile: a limit is 0 or more, got -1',
      'c.yaml 3:11 limits.nofile: expected a number, unlimited, or "SOFT:HARD" like "1024:4096", got 1.5',
    ],
  },
  {
    name: 'unknown key under limits, with did-you-mean',
    files: { 'web.yaml': 'command: x\nlimits:\n  nofiles: 10\n' },
    problems: ['web.yaml 3:3 limits.nofiles: unknown key "nofiles"; did you mean "nofile"?'],
  },
  {
    name: 'backoff jitter above 1',
    files: { 'web.yaml': 'command: x\nbackoff:\n  jitter: 2\n' },
    problems: ['web.yaml 3:11 backoff.jitter: jitter is 0 to 1, got 2'],
  },
  {
    name: 'max_restarts without count, and with a negative count',
    files: { 'a.yaml': 'command: x\nmax_restarts:\n  window: 1m\n', 'b.yaml': 'command: x\nmax_restarts:\n  count: -1\n' },
    problems: ['a.yaml 2:1 max_restarts.count: the required key "count" is missing; add it', 'b.yaml 3:10 max_restarts.count: count must be 0 or more, got -1'],
  },
  {
    name: 'type and on_failure outside their values',
    files: { 'a.yaml': 'command: x\ntype: daemon\n', 'b.yaml': 'command: x\non_failure: stop\n' },
    problems: ['a.yaml 2:7 type: expected one of longrun, oneshot, got "daemon"', 'b.yaml 2:13 on_failure: expected one of ignore, shutdown, got "stop"'],
  },
  {
    name: 'user: a negative id, and an empty name',
    files: { 'a.yaml': 'command: x\nuser: -1\n', 'b.yaml': 'command: x\nuser: "  "\n' },
    problems: ['a.yaml 2:7 user: a numeric id is 0 or more, got -1', 'b.yaml 2:7 user: expected a name or a numeric id, not an empty string'],
  },
  {
    name: 'working_dir must be absolute',
    files: { 'web.yaml': 'command: x\nworking_dir: srv\n' },
    problems: ['web.yaml 2:14 working_dir: expected an absolute path, got "srv"'],
  },
  {
    name: 'environment: a bad name is reported at the name, a bad value at the value',
    files: { 'web.yaml': 'command: x\nenvironment:\n  1BAD: x\n  OK: [1]\n  A-B: 1\n' },
    problems: [
      'web.yaml 3:3 environment.1BAD: expected a variable name of letters, digits and _, not starting with a digit, got "1BAD"',
      'web.yaml 4:7 environment.OK: expected a string, number or boolean, or {file: PATH} to read the value from a file, got a list',
      'web.yaml 5:3 environment.A-B: expected a variable name of letters, digits and _, not starting with a digit, got "A-B"',
    ],
  },
  {
    name: 'environment written as a list',
    files: { 'web.yaml': 'command: x\nenvironment:\n  - A=1\n' },
    problems: ['web.yaml 3:3 environment: expected a mapping of NAME: value, got a list'],
  },
  {
    name: 'depends_on written as a string',
    files: { 'web.yaml': 'command: x\ndepends_on: db\n' },
    problems: ['web.yaml 2:13 depends_on: expected a list of service names, got "db"'],
  },
  {
    name: 'a oneshot with health, ready and restart: always',
    files: { 'init.yaml': 'command: x\ntype: oneshot\nhealth:\n  tcp: 80\nready:\n  tcp: 80\nrestart: always\n' },
    problems: [
      'init.yaml 3:1 health: a oneshot runs to completion, so it cannot have a liveness probe; remove health, or make it type: longrun',
      'init.yaml 5:1 ready: a oneshot is ready when it exits with code 0; remove ready, or make it type: longrun',
      'init.yaml 7:10 restart: a oneshot with restart: always would run for ever; use on-failure or never',
    ],
  },
  {
    name: 'the main service with restart',
    files: { 'app.yaml': 'command: x\nmain: true\nrestart: on-failure\n' },
    problems: ['app.yaml 3:10 restart: the main service is never restarted: the container stops when it exits; remove restart, or main'],
  },
  {
    name: 'group without user',
    files: { 'web.yaml': 'command: x\ngroup: app\n' },
    problems: ['web.yaml 2:8 group: group sets the primary group of user; give user too (e.g. user: app)'],
  },
  {
    name: 'a missing dependency: did you mean, at the list entry (block list)',
    files: { 'web.yaml': 'command: x\ndepends_on:\n  - cache\n  - dbb\n', 'cache.yaml': 'command: c\n', 'db.yaml': 'command: d\n' },
    problems: ['web.yaml 4:5 depends_on.1: no service is named "dbb"; did you mean "db"?'],
    source: '  - dbb',
  },
  {
    name: 'a missing dependency at the list entry (flow list)',
    files: { 'web.yaml': 'command: x\ndepends_on: [cache, redis]\n', 'cache.yaml': 'command: c\n' },
    problems: ['web.yaml 2:21 depends_on.1: no service is named "redis"; add <dir>/redis.yaml or remove the dependency'],
  },
  {
    name: 'a dependency on a disabled service',
    files: { 'web.yaml': 'command: x\ndepends_on: [db]\n', 'db.yaml': 'command: d\nenabled: false\n' },
    problems: ['web.yaml 2:14 depends_on.0: "db" is disabled (enabled: false in <dir>/db.yaml); enable it or remove the dependency'],
  },
  {
    name: 'a dependency on itself',
    files: { 'web.yaml': 'command: x\ndepends_on: [web]\n' },
    problems: ['web.yaml 2:14 depends_on.0: web cannot depend on itself; remove "web"'],
  },
  {
    name: 'a cycle across three files, named in order, at the entry that closes it',
    files: { 'a.yaml': 'command: x\ndepends_on: [b]\n', 'b.yaml': 'command: y\ndepends_on:\n  - c\n', 'c.yaml': 'command: z\ndepends_on: [a]\n' },
    problems: ['c.yaml 2:14 depends_on.0: dependency cycle: a -> b -> c -> a; remove one of these dependencies'],
  },
  {
    name: 'a cycle across two files',
    files: { 'a.yaml': 'command: x\ndepends_on:\n  - b\n', 'b.yaml': 'command: y\ndepends_on:\n  - a\n' },
    problems: ['b.yaml 3:5 depends_on.0: dependency cycle: a -> b -> a; remove one of these dependencies'],
  },
  {
    name: 'two main services: the second file is reported at main',
    files: { 'a.yaml': 'command: x\nmain: true\n', 'b.yaml': 'command: y\nmain: true\n' },
    problems: ['b.yaml 2:7 main: only one service can be the main one, and a (<dir>/a.yaml) already is; remove main from one of them'],
  },
  {
    name: 'two files with the same name: are one problem naming both',
    files: { 'a.yaml': 'name: web\ncommand: a\n', 'b.yaml': 'name: web\ncommand: b\n' },
    problems: ['b.yaml: service "web" (name: web) is already defined by <dir>/a.yaml (name: web); rename one of them (name: key or file name)'],
  },
];

describe('loadServices: problems, a row a case', () => {
  for (const row of PROBLEM_ROWS) {
    test(row.name, (t) => {
      const dir = servicesDir(t, row.files);
      const problems = problemsOf(dir);
      assert.deepEqual(
        problems.map((problem) => seen(dir, problem)),
        row.problems.map((text) => text.replaceAll('<dir>', dir)),
      );
      if (row.source !== undefined) assert.equal(problems[0]?.source, row.source);
    });
  }
});

describe('loadServices: every key', () => {
  const API = [
    'description: the API server',
    'enabled: true',
    'command: ["node", "api.js"]',
    'type: longrun',
    'main: false',
    'depends_on:',
    '  - db',
    'ready:',
    '  http: http://127.0.0.1:8080/ready',
    '  interval: 100ms',
    '  timeout: 30s',
    'health:',
    '  exec: curl -f http://127.0.0.1:8080/healthz',
    '  interval: 5s',
    '  timeout: 1s',
    '  retries: 2',
    'restart: on-failure',
    'backoff:',
    '  initial: 500ms',
    '  max: 1m',
    '  factor: 1.5',
    '  jitter: 0.2',
    'reset_after: 30s',
    'max_restarts:',
    '  count: 5',
    '  window: 10m',
    'on_failure: shutdown',
    'stop_signal: INT',
    'stop_timeout: 3s',
    'user: root',
    'group: 0',
    'umask: "0027"',
    'working_dir: /srv/api',
    'environment:',
    '  PORT: 8080',
    '  DEBUG: false',
    '  NAME: api',
    '  DB_PASSWORD: {file: secrets/db_password}',
    'limits:',
    '  nofile: "1024:4096"',
    '  nproc: 512',
    '  core: unlimited',
    '  memlock: unlimited',
    '  stack: "8388608:unlimited"',
    '  as: unlimited',
    'reload_signal: SIGUSR2',
    'inherit_env: false',
    'log:',
    '  prefix: API',
    '  stdout: stderr',
    '  stderr: discard',
    '  max_line: 64KiB',
    '  mode: drop',
    '  buffer: 256KiB',
    '',
  ].join('\n');

  test('a file using every key is read, normalised and resolved', (t) => {
    const dir = servicesDir(t, { 'api.yaml': API, 'db.yaml': 'command: [db]\n' });
    const [api, db] = loadServices(dir);
    assert.equal(db?.name, 'db');
    assert.ok(api);
    const { identity, ...settings } = api;
    assert.deepEqual(settings, {
      description: 'the API server',
      enabled: true,
      type: 'longrun',
      main: false,
      depends_on: ['db'],
      ready: { spec: { kind: 'http', url: 'http://127.0.0.1:8080/ready' }, intervalMs: 100, timeoutMs: 30_000 },
      health: {
        spec: { kind: 'exec', argv: ['/bin/sh', '-c', 'curl -f http://127.0.0.1:8080/healthz'] },
        intervalMs: 5000,
        timeoutMs: 1000,
        retries: 2,
      },
      backoff: { initialMs: 500, maxMs: 60_000, factor: 1.5, jitter: 0.2 },
      reset_afterMs: 30_000,
      max_restarts: { count: 5, windowMs: 600_000 },
      on_failure: 'shutdown',
      stop_signal: 'SIGINT',
      stop_timeoutMs: 3000,
      user: 'root',
      group: 0,
      umask: 0o027,
      working_dir: '/srv/api',
      environment: { PORT: '8080', DEBUG: 'false', NAME: 'api' },
      secret_files: { DB_PASSWORD: join(dir, 'secrets/db_password') },
      limits: {
        nofile: { soft: 1024, hard: 4096 },
        nproc: { soft: 512, hard: 512 },
        core: { soft: 'unlimited', hard: 'unlimited' },
        memlock: { soft: 'unlimited', hard: 'unlimited' },
        stack: { soft: 8_388_608, hard: 'unlimited' },
        as: { soft: 'unlimited', hard: 'unlimited' },
      },
      reload_signal: 'SIGUSR2',
      inherit_env: false,
      env_from_files: {},
      log: { prefix: 'API', stdout: 'stderr', stderr: 'discard', max_line: 65_536, mode: 'drop', buffer: 262_144 },
      name: 'api',
      file: join(dir, 'api.yaml'),
      argv: ['node', 'api.js'],
      restart: 'on-failure',
    });
    assert.deepEqual({ userName: identity?.userName, uid: identity?.uid, gid: identity?.gid }, { userName: 'root', uid: 0, gid: 0 });
  });

  test('every ready kind: exec, tcp (port, host:port, [v6]:port), http, log, notify', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: a\nready:\n  exec: [pg_isready]\n',
      'b.yaml': 'command: b\nready:\n  tcp: 5432\n',
      'c.yaml': 'command: c\nready:\n  tcp: "db:5432"\n',
      'd.yaml': 'command: d\nready:\n  tcp: "[::1]:80"\n',
      'e.yaml': 'command: e\nready:\n  http: https://example.com:8443/ready\n',
      'f.yaml': 'command: f\nready:\n  log: "listening on \\\\d+"\n',
      'g.yaml': 'command: g\nready:\n  notify: true\n',
    });
    const specs = loadServices(dir).map((s) => s.ready?.spec);
    assert.deepEqual(specs, [
      { kind: 'exec', argv: ['pg_isready'] },
      { kind: 'tcp', host: '127.0.0.1', port: 5432 },
      { kind: 'tcp', host: 'db', port: 5432 },
      { kind: 'tcp', host: '::1', port: 80 },
      { kind: 'http', url: 'https://example.com:8443/ready' },
      { kind: 'log', pattern: /listening on \d+/ },
      { kind: 'notify' },
    ]);
  });

  test('ready and health get their default interval, timeout and retries', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nready:\n  tcp: 80\nhealth:\n  tcp: 80\n' });
    const [web] = loadServices(dir);
    assert.deepEqual(web?.ready, { spec: { kind: 'tcp', host: '127.0.0.1', port: 80 }, intervalMs: 200, timeoutMs: 60_000 });
    assert.deepEqual(web?.health, { spec: { kind: 'tcp', host: '127.0.0.1', port: 80 }, intervalMs: 10_000, timeoutMs: 2000, retries: 3 });
  });

  test('max_restarts window defaults to 5m', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\nmax_restarts:\n  count: 3\n' });
    assert.deepEqual(loadServices(dir)[0]?.max_restarts, { count: 3, windowMs: 300_000 });
  });

  test('umask: quoted octal strings, with or without the leading 0', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: a\numask: "0027"\n', 'b.yaml': 'command: b\numask: "077"\n', 'c.yaml': "command: c\numask: '0'\n" });
    assert.deepEqual(
      loadServices(dir).map((s) => s.umask),
      [0o027, 0o077, 0],
    );
  });
});

describe('loadServices: defaults resolved', () => {
  test('restart: a longrun -> always, a oneshot -> never, the main service -> never', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: a\n',
      'b.yaml': 'command: b\ntype: oneshot\n',
      'c.yaml': 'command: c\nmain: true\n',
    });
    assert.deepEqual(
      loadServices(dir).map((s) => [s.name, s.restart]),
      [
        ['a', 'always'],
        ['b', 'never'],
        ['c', 'never'],
      ],
    );
    const oneshotMain = servicesDir(t, { 'd.yaml': 'command: d\ntype: oneshot\nmain: true\n' });
    assert.equal(loadServices(oneshotMain)[0]?.restart, 'never');
  });

  test('restart written out wins over the default', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: a\nrestart: never\n',
      'b.yaml': 'command: b\ntype: oneshot\nrestart: on-failure\n',
      'c.yaml': 'command: c\nmain: true\nrestart: never\n',
    });
    assert.deepEqual(
      loadServices(dir).map((s) => s.restart),
      ['never', 'on-failure', 'never'],
    );
  });

  test('a disabled service is validated but not returned', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: a\n', 'off.yaml': 'command: b\nenabled: false\n' });
    assert.deepEqual(
      loadServices(dir).map((s) => s.name),
      ['a'],
    );
    const broken = servicesDir(t, { 'off.yaml': 'command: b\nenabled: false\nrestrat: always\n' });
    assert.deepEqual(
      problemsOf(broken).map((p) => seen(broken, p)),
      ['off.yaml 3:1 restrat: unknown key "restrat"; did you mean "restart"?'],
    );
  });

  test('dependencies across files are fine when they exist and are enabled', (t) => {
    const dir = servicesDir(t, { 'db.yaml': 'command: db\n', 'web.yaml': 'command: web\ndepends_on: [db]\n' });
    assert.deepEqual(
      loadServices(dir).map((s) => [s.name, s.depends_on]),
      [
        ['db', []],
        ['web', ['db']],
      ],
    );
  });
});

describe('loadServices: dependencies across files', () => {
  test('the ConfigError message shows the dependency problem with its source line', (t) => {
    const dir = servicesDir(t, { 'web.yaml': 'command: x\ndepends_on: [dbb]\n', 'db.yaml': 'command: d\n' });
    let caught: unknown;
    try {
      loadServices(dir);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(
      caught.message,
      `${join(dir, 'web.yaml')}:2:14: depends_on.0: no service is named "dbb"; did you mean "db"?\n  2 | depends_on: [dbb]\n                   ^`,
    );
  });
});

describe('loadServices: names, environment files and variables', () => {
  test('name: overrides the file stem, for depends_on and the log prefix', (t) => {
    const dir = servicesDir(t, { '10-db.yaml': 'name: db\ncommand: db\n', '20-web.yaml': 'name: web\ncommand: web\ndepends_on: [db]\n' });
    const services = loadServices(dir);
    assert.deepEqual(
      services.map((s) => [s.name, s.log.prefix, s.depends_on]),
      [
        ['db', 'db', []],
        ['web', 'web', ['db']],
      ],
    );
  });

  test('a broken file still counts as a service: its dependents are not told it is missing', (t) => {
    const dir = servicesDir(t, { 'db.yaml': 'command: db\nrestart: sometimes\n', 'web.yaml': 'command: web\ndepends_on: [db, cache]\n' });
    assert.deepEqual(
      problemsOf(dir).map((p) => `${p.file.slice(dir.length + 1)} ${p.path}: ${p.message}`),
      [
        'db.yaml restart: expected one of always, on-failure, never, got "sometimes"',
        `web.yaml depends_on.1: no service is named "cache"; add ${join(dir, 'cache.yaml')} or remove the dependency`,
      ],
    );
  });

  test('env_file: a path relative to the file, a list in order, optional files, environment wins', (t) => {
    const dir = servicesDir(t, {
      'web.yaml': 'command: web\nenv_file: [base.env, {path: local.env, required: false}, override.env]\nenvironment: {C: from-yaml}\n',
      'base.env': 'A=base\nB=base\nC=base\n',
      'override.env': 'B=override\n',
    });
    const [web] = loadServices(dir);
    assert.deepEqual(web?.env_from_files, { A: 'base', B: 'override', C: 'base' });
    assert.deepEqual(web?.environment, { C: 'from-yaml' });
  });

  test('a missing env_file is reported at its entry; a bad line at its own file and line', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: a\nenv_file:\n  - ok.env\n  - gone.env\n',
      'b.yaml': 'command: b\nenv_file: bad.env\n',
      'ok.env': 'X=1\n',
      'bad.env': 'X=1\nY\n',
    });
    assert.deepEqual(
      problemsOf(dir).map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.col} ${p.path ?? ''} ${p.message}`),
      [
        `a.yaml:4:5 env_file.1 ${join(dir, 'gone.env')} does not exist; create it, or write {path: ..., required: false} if it may be absent`,
        'bad.env:2:1  expected NAME=value (or a # comment)',
      ],
    );
  });

  test('${VAR} comes from the env option; an unset one is reported where it is written', (t) => {
    const dir = servicesDir(t, {
      'a.yaml': 'command: ["server", "--port", "${PORT:-8080}"]\nworking_dir: ${ROOT}/app\nready:\n  tcp: ${PORT:-8080}\n',
      'b.yaml': 'command: echo\nenvironment:\n  URL: http://${HOST}/\n',
    });
    assert.deepEqual(
      problemsOf(dir).map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.col} ${p.path}`),
      ['a.yaml:2:14 working_dir', 'b.yaml:3:8 environment.URL'],
    );
    const [a] = loadServices(dir, { env: { ROOT: '/srv', HOST: 'h', PORT: '9000' } });
    assert.deepEqual(a?.argv, ['server', '--port', '9000']);
    assert.equal(a?.working_dir, '/srv/app');
    assert.deepEqual(a?.ready?.spec, { kind: 'tcp', host: '127.0.0.1', port: 9000 });
  });

  test('ready: none is the same as no ready key', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: a\nready: none\n' });
    assert.equal(loadServices(dir)[0]?.ready, undefined);
  });

  test('a wrong key inside a ready mapping is reported there, not as "expected none"', (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: a\nready:\n  tcp: 5432\n  intervall: 1s\n' });
    assert.deepEqual(
      problemsOf(dir).map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`),
      ['4:3 ready.intervall: unknown key "intervall"; did you mean "interval"?'],
    );
  });
});
