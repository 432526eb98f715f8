import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../src/cli/args.js';
import { usageErrorOf } from '../helpers/usage-error.js';
import { DEFAULT_SERVICES_DIR } from '../../src/cli/usage.js';

describe('parseCommandLine', () => {
  test('--help and -h ask for help', () => {
    assert.deepEqual(parseCommandLine(['--help'], {}), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-h'], {}), { kind: 'help' });
  });

  test('--version and -V ask for the version', () => {
    assert.deepEqual(parseCommandLine(['--version'], {}), { kind: 'version' });
    assert.deepEqual(parseCommandLine(['-V'], {}), { kind: 'version' });
  });

  test('--help wins over --version and --services', () => {
    assert.deepEqual(parseCommandLine(['--services', 'x', '--version', '--help'], {}), { kind: 'help' });
  });

  test('--services DIR, -s DIR and --services=DIR choose the services directory', () => {
    assert.deepEqual(parseCommandLine(['--services', '/srv/a'], {}), { kind: 'run', servicesDir: '/srv/a' });
    assert.deepEqual(parseCommandLine(['-s', '/srv/b'], {}), { kind: 'run', servicesDir: '/srv/b' });
    assert.deepEqual(parseCommandLine(['--services=/srv/c'], {}), { kind: 'run', servicesDir: '/srv/c' });
  });

  test('without --services, CORRAL_SERVICES_DIR is the default', () => {
    assert.deepEqual(parseCommandLine([], { CORRAL_SERVICES_DIR: '/from/env' }), { kind: 'run', servicesDir: '/from/env' });
  });

  test('--services wins over CORRAL_SERVICES_DIR', () => {
    assert.deepEqual(parseCommandLine(['-s', '/from/cli'], { CORRAL_SERVICES_DIR: '/from/env' }), {
      kind: 'run',
      servicesDir: '/from/cli',
    });
  });

  test('with neither, the services directory is /etc/corral/services.d', () => {
    assert.equal(DEFAULT_SERVICES_DIR, '/etc/corral/services.d');
    assert.deepEqual(parseCommandLine([], {}), { kind: 'run', servicesDir: '/etc/corral/services.d' });
  });

  test('the real process environment is not consulted, only the env argument', () => {
    const saved = process.env.CORRAL_SERVICES_DIR;
    process.env.CORRAL_SERVICES_DIR = '/from/process/env';
    try {
      assert.deepEqual(parseCommandLine([], {}), { kind: 'run', servicesDir: DEFAULT_SERVICES_DIR });
    } finally {
      if (saved === undefined) delete process.env.CORRAL_SERVICES_DIR;
      else process.env.CORRAL_SERVICES_DIR = saved;
    }
  });

  test('unknown option --servcies throws a UsageError suggesting --services', () => {
    const error = usageErrorOf(['--servcies', '/srv']);
    assert.match(error.message, /'--servcies'/);
    assert.match(error.message, /; did you mean --services\? \(see corral --help\)$/);
  });

  test('unknown option --hlep suggests --help', () => {
    assert.match(usageErrorOf(['--hlep']).message, /did you mean --help\?/);
  });

  test('an unknown option far from any real one gets no suggestion', () => {
    const error = usageErrorOf(['--frobnicate']);
    assert.match(error.message, /'--frobnicate'/);
    assert.doesNotMatch(error.message, /did you mean/);
    assert.match(error.message, /\(see corral --help\)$/);
  });

  test('a positional argument throws a UsageError naming it and pointing at --', () => {
    assert.equal(
      usageErrorOf(['services.d']).message,
      'unexpected argument "services.d"; to run a command as the main service, put it after --: corral -- services.d ... (see corral --help)',
    );
  });

  test('--services without a value throws a UsageError', () => {
    const error = usageErrorOf(['--services']);
    assert.match(error.message, /--services/);
  });

  test('a UsageError message is one line and keeps the parser error as its cause', () => {
    const error = usageErrorOf(['--servcies', 'x']);
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(error.cause instanceof Error);
  });
});

describe('parseCommandLine: -- CMD ARGS', () => {
  test('-- CMD ARGS runs CMD ARGS as the main service, with the default services directory', () => {
    assert.deepEqual(parseCommandLine(['--', 'my-app', '--port', '8080'], {}), {
      kind: 'run',
      servicesDir: DEFAULT_SERVICES_DIR,
      command: ['my-app', '--port', '8080'],
    });
  });

  test('-- CMD alone: a command of one word', () => {
    assert.deepEqual(parseCommandLine(['--', 'nginx'], {}), { kind: 'run', servicesDir: DEFAULT_SERVICES_DIR, command: ['nginx'] });
  });

  test('options before -- still apply: --services, -s, and CORRAL_SERVICES_DIR', () => {
    assert.deepEqual(parseCommandLine(['--services', '/srv', '--', 'app'], {}), { kind: 'run', servicesDir: '/srv', command: ['app'] });
    assert.deepEqual(parseCommandLine(['-s', '/srv', '--', 'app'], {}), { kind: 'run', servicesDir: '/srv', command: ['app'] });
    assert.deepEqual(parseCommandLine(['--', 'app'], { CORRAL_SERVICES_DIR: '/env' }), { kind: 'run', servicesDir: '/env', command: ['app'] });
  });

  test('after --, options belong to the command, not to corral', () => {
    assert.deepEqual(parseCommandLine(['--', 'node', '--help', '-V', '--services', 'x'], {}), {
      kind: 'run',
      servicesDir: DEFAULT_SERVICES_DIR,
      command: ['node', '--help', '-V', '--services', 'x'],
    });
  });

  test('after --, an unknown option is not an error', () => {
    assert.deepEqual(parseCommandLine(['--', 'app', '--frobnicate'], {}).kind, 'run');
  });

  test('a second -- is part of the command', () => {
    assert.deepEqual(parseCommandLine(['--', 'sh', '-c', 'exec "$@"', '--', 'x'], {}), {
      kind: 'run',
      servicesDir: DEFAULT_SERVICES_DIR,
      command: ['sh', '-c', 'exec "$@"', '--', 'x'],
    });
  });

  test('arguments after -- are kept exactly, spaces and empty strings included', () => {
    const command = parseCommandLine(['--', 'echo', 'a b', '', '  '], {});
    assert.deepEqual(command.kind === 'run' && command.command, ['echo', 'a b', '', '  ']);
  });

  test('without --, there is no command', () => {
    const command = parseCommandLine(['-s', '/srv'], {});
    assert.deepEqual(command, { kind: 'run', servicesDir: '/srv' });
    assert.ok(!('command' in command));
  });

  test('-- with nothing after it is a UsageError with an example', () => {
    assert.equal(usageErrorOf(['--']).message, '-- needs a command after it, e.g. corral -- my-app --port 8080');
    assert.equal(usageErrorOf(['-s', '/srv', '--']).message, '-- needs a command after it, e.g. corral -- my-app --port 8080');
    assert.equal(usageErrorOf(['--', '']).message, '-- needs a command after it, e.g. corral -- my-app --port 8080');
  });

  test('a positional before -- is a UsageError naming it', () => {
    const error = usageErrorOf(['web', '--', 'my-app']);
    assert.equal(error.message, 'unexpected argument "web" before --; only options go there, the command goes after -- (see corral --help)');
    assert.match(error.message, /\(see corral --help\)$/);
  });

  test('a positional between options before -- is a UsageError naming the first one', () => {
    assert.match(usageErrorOf(['-s', '/srv', 'extra', 'more', '--', 'app']).message, /^unexpected argument "extra" before --; /);
    assert.match(usageErrorOf(['web']).message, /^unexpected argument "web"; to run a command as the main service, put it after --: corral -- web/);
  });

  test('--help and --version before -- still win', () => {
    assert.deepEqual(parseCommandLine(['--help', '--', 'app'], {}), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-V', '--', 'app'], {}), { kind: 'version' });
  });

  test('--services with -- as its value is a UsageError, not a directory named --', () => {
    const error = usageErrorOf(['--services', '--', 'app']);
    assert.match(error.message, /'--services'/);
    assert.doesNotMatch(error.message, /\n/);
  });
});

describe('parseCommandLine: check, print and schema', () => {
  test('check and print take DIR, --services DIR, or the default', () => {
    assert.deepEqual(parseCommandLine(['check', '/srv/s'], {}), { kind: 'check', servicesDir: '/srv/s' });
    assert.deepEqual(parseCommandLine(['print', '--services', '/srv/p'], {}), { kind: 'print', servicesDir: '/srv/p' });
    assert.deepEqual(parseCommandLine(['check'], { CORRAL_SERVICES_DIR: '/env' }), { kind: 'check', servicesDir: '/env' });
    assert.deepEqual(parseCommandLine(['print'], {}), { kind: 'print', servicesDir: DEFAULT_SERVICES_DIR });
  });

  test('schema takes nothing', () => {
    assert.deepEqual(parseCommandLine(['schema'], {}), { kind: 'schema' });
    assert.equal(usageErrorOf(['schema', 'x']).message, 'corral schema takes no arguments; it prints the JSON Schema of a service file');
  });

  test('two directories, or a directory given twice, are refused', () => {
    assert.equal(usageErrorOf(['check', 'a', 'b']).message, 'corral check takes one directory, got 2: a b');
    assert.equal(usageErrorOf(['check', 'a', '-s', 'b']).message, 'give the directory once: corral check DIR, or corral check --services DIR');
  });

  test('a command after -- makes no sense for them', () => {
    assert.equal(usageErrorOf(['check', '--', 'app']).message, 'corral check takes no command after --; to run one, leave out "check" (see corral --help)');
  });

  test('a misspelt subcommand is named', () => {
    assert.equal(
      usageErrorOf(['chek']).message,
      'unexpected argument "chek"; did you mean "corral check"? To run a command as the main service, put it after --: corral -- chek ... (see corral --help)',
    );
  });

  test('-- check runs a program called check', () => {
    assert.deepEqual(parseCommandLine(['--', 'check'], {}), { kind: 'run', servicesDir: DEFAULT_SERVICES_DIR, command: ['check'] });
  });
});
