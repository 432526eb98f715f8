import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_COMMANDS, isClientCommand, parseCommandLine, type CliCommand } from '../../src/cli/args.js';
import { usageErrorOf } from '../helpers/usage-error.js';
import { COMMANDS } from '../../src/control/protocol.js';

describe('parseCommandLine: client commands', () => {
  // [argv, parsed command]
  const table: [string[], CliCommand][] = [
    [['status'], { kind: 'control', request: { command: 'status', services: [] }, json: false }],
    [['status', 'web', 'db', '--json'], { kind: 'control', request: { command: 'status', services: ['web', 'db'] }, json: true }],
    [['--json', 'status'], { kind: 'control', request: { command: 'status', services: [] }, json: true }],
    [['status', '--json', 'web'], { kind: 'control', request: { command: 'status', services: ['web'] }, json: true }],
    [['start', 'web'], { kind: 'control', request: { command: 'start', services: ['web'] }, json: false }],
    [['stop', 'web'], { kind: 'control', request: { command: 'stop', services: ['web'] }, json: false }],
    [['restart', 'a', 'b'], { kind: 'control', request: { command: 'restart', services: ['a', 'b'] }, json: false }],
    [['signal', 'web', 'HUP'], { kind: 'control', request: { command: 'signal', service: 'web', signal: 'HUP' }, json: false }],
    [['signal', 'web', 'SIGUSR2', '--json'], { kind: 'control', request: { command: 'signal', service: 'web', signal: 'SIGUSR2' }, json: true }],
    [['reload'], { kind: 'control', request: { command: 'reload' }, json: false }],
    [['ready'], { kind: 'control', request: { command: 'ready' }, json: false }],
    [['health'], { kind: 'control', request: { command: 'health' }, json: false }],
    [['health', '--json'], { kind: 'control', request: { command: 'health' }, json: true }],
    [['logs', 'web'], { kind: 'control', request: { command: 'logs', service: 'web', lines: 10, follow: false, streams: ['stdout', 'stderr'] }, json: false }],
    [
      ['logs', 'web', '-n', '5', '-f', '--stderr'],
      { kind: 'control', request: { command: 'logs', service: 'web', lines: 5, follow: true, streams: ['stderr'] }, json: false },
    ],
    [
      ['logs', '--lines=0', '--follow', '--stdout', 'web'],
      { kind: 'control', request: { command: 'logs', service: 'web', lines: 0, follow: true, streams: ['stdout'] }, json: false },
    ],
  ];

  for (const [argv, expected] of table) {
    test(`corral ${argv.join(' ')}`, () => {
      assert.deepEqual(parseCommandLine(argv, {}), expected);
    });
  }

  test('the CLI knows exactly the commands the protocol accepts', () => {
    assert.deepEqual([...CONTROL_COMMANDS], [...COMMANDS]);
  });

  test('--help still wins over a client command', () => {
    assert.deepEqual(parseCommandLine(['status', '--help'], {}), { kind: 'help' });
  });

  test('CORRAL_SERVICES_DIR does not matter to a client command', () => {
    assert.deepEqual(parseCommandLine(['ready'], { CORRAL_SERVICES_DIR: '/srv' }), { kind: 'control', request: { command: 'ready' }, json: false });
  });
});

describe('parseCommandLine: client command errors', () => {
  // [argv, exact message]
  const table: [string[], string][] = [
    [['stop'], 'corral stop needs at least one service name, e.g. corral stop web (corral status lists them)'],
    [['start'], 'corral start needs at least one service name, e.g. corral start web (corral status lists them)'],
    [['restart', '--json'], 'corral restart needs at least one service name, e.g. corral restart web (corral status lists them)'],
    [['signal'], 'corral signal takes a service and a signal, e.g. corral signal web HUP; got 0 argument(s)'],
    [['signal', 'web'], 'corral signal takes a service and a signal, e.g. corral signal web HUP; got 1 argument(s)'],
    [['signal', 'a', 'b', 'c'], 'corral signal takes a service and a signal, e.g. corral signal web HUP; got 3 argument(s)'],
    [['ready', 'extra'], 'corral ready takes no arguments, got: extra'],
    [['health', 'web', 'db'], 'corral health takes no arguments, got: web db'],
    [['reload', 'now'], 'corral reload takes no arguments, got: now'],
    [['status', '--services', 'x'], 'corral status talks to the running corral and takes no --services (see corral --help)'],
    [['-s', '/srv', 'stop', 'web'], 'corral stop talks to the running corral and takes no --services (see corral --help)'],
    [['status', '--', 'x'], 'corral status takes no command after -- (see corral --help)'],
    [['stop', 'web', '--'], 'corral stop takes no command after -- (see corral --help)'],
    [['--json'], '--json goes with the commands that talk to a running corral, e.g. corral status --json'],
    [['--json', '--', 'my-app'], '--json goes with the commands that talk to a running corral, e.g. corral status --json'],
    [['check', '--json'], '--json goes with the commands that talk to a running corral, e.g. corral status --json'],
    [['print', 'dir', '--json'], '--json goes with the commands that talk to a running corral, e.g. corral status --json'],
    [['logs'], 'corral logs takes one service name, e.g. corral logs web -n 50 -f; got 0 argument(s)'],
    [['logs', 'a', 'b'], 'corral logs takes one service name, e.g. corral logs web -n 50 -f; got 2 argument(s)'],
    [['logs', 'web', '-n', '1.5'], '-n takes a number of lines from 0 to 100000, e.g. -n 50; got "1.5"'],
    [['logs', 'web', '-n', '1000001'], '-n takes a number of lines from 0 to 100000, e.g. -n 50; got "1000001"'],
    [['logs', 'web', '--stdout', '--stderr'], 'give --stdout or --stderr, not both; without either corral logs shows both'],
    [['logs', 'web', '--json'], 'corral logs prints the lines as the service wrote them and takes no --json'],
    [['status', '-f'], '--follow goes with corral logs only, not with corral status; e.g. corral logs web -n 50 -f'],
    [['-n', '5'], '--lines goes with corral logs only, not with running corral; e.g. corral logs web -n 50 -f'],
  ];

  for (const [argv, expected] of table) {
    test(`corral ${argv.join(' ')}: ${expected}`, () => {
      assert.equal(usageErrorOf(argv).message, expected);
    });
  }

  test('a misspelt client command suggests the right one', () => {
    assert.equal(
      usageErrorOf(['stauts']).message,
      'unexpected argument "stauts"; did you mean "corral status"? To run a command as the main service, put it after --: corral -- stauts ... (see corral --help)',
    );
    assert.match(usageErrorOf(['restrat', 'web']).message, /did you mean "corral restart"\?/);
    assert.match(usageErrorOf(['healht']).message, /did you mean "corral health"\?/);
  });

  test('a misspelt --json is an unknown option, with a suggestion', () => {
    assert.match(usageErrorOf(['status', '--jsno']).message, /'--jsno'.*; did you mean --json\? \(see corral --help\)$/);
  });

  test('--json takes no value', () => {
    assert.match(usageErrorOf(['status', '--json=yes']).message, /--json/);
  });
});

describe('isClientCommand', () => {
  // [argv, is a client command]
  const table: [string[], boolean][] = [
    [['status'], true],
    [['--json', 'status'], true],
    [['status', '--json'], true],
    [['stop', 'web'], true],
    [['signal', 'web', 'HUP'], true],
    [['ready'], true],
    [['health'], true],
    [['reload'], true],
    [['--', 'status'], false],
    [['--json', '--', 'status'], false],
    [['check'], false],
    [['print', 'status'], false],
    [['schema'], false],
    [['--help'], false],
    [['stauts'], false],
    [[], false],
  ];

  for (const [argv, expected] of table) {
    test(`[${argv.map((arg) => `'${arg}'`).join(', ')}] is ${expected ? '' : 'not '}a client command`, () => {
      assert.equal(isClientCommand(argv), expected);
    });
  }

  test('every control command is a client command', () => {
    for (const command of CONTROL_COMMANDS) assert.equal(isClientCommand([command]), true, command);
  });

  test('whenever parsing gives a client command, isClientCommand agrees', () => {
    for (const argv of [['status'], ['--json', 'ready'], ['stop', 'web', '--json'], ['signal', 'web', 'HUP']]) {
      assert.equal(parseCommandLine(argv, {}).kind, 'control');
      assert.equal(isClientCommand(argv), true, argv.join(' '));
    }
  });

  test('an option value that happens to be a command name does not make a client command', () => {
    for (const argv of [
      ['-s', 'status'],
      ['--services', 'ready'],
    ]) {
      assert.equal(parseCommandLine(argv, {}).kind, 'run', argv.join(' '));
      assert.equal(isClientCommand(argv), false, argv.join(' '));
    }
  });
});
