import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expandVariables, ExpansionError } from '../../src/config/expand-variables.js';
import { expandInConfig } from '../../src/config/expand-in-config.js';

const env = { PORT: '9000', EMPTY: '', HOST: 'db' };

describe('expandVariables', () => {
  const cases: [string, string][] = [
    ['--port=${PORT}', '--port=9000'],
    ['${HOST}:${PORT}', 'db:9000'],
    ['${MISSING:-8080}', '8080'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${PORT:-8080}', '9000'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a-b}', 'a-b'],
    ['no variables', 'no variables'],
    ["$PORT and $1 are the shell's", "$PORT and $1 are the shell's"],
    ['$${PORT} is written as is', '${PORT} is written as is'],
    ['cost: $5', 'cost: $5'],
    ['${#list} ${x%y} ${a.b}', '${#list} ${x%y} ${a.b}'],
    ['trailing $', 'trailing $'],
    ['${PORT:?needed}', '9000'],
    ['${EMPTY?needed}', ''],
    ['${PORT?needed}', '9000'],
    ["${HOST:+set} is the shell's", "${HOST:+set} is the shell's"],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} -> ${JSON.stringify(expected)}`, () => assert.equal(expandVariables(text, env), expected));
  }

  test('an unset variable without a default is an error naming it and the ways out', () => {
    assert.throws(
      () => expandVariables('--port=${NOPE}', env),
      (error: unknown) =>
        error instanceof ExpansionError &&
        error.variable === 'NOPE' &&
        error.message ===
          "${NOPE} is not set in corral's environment; set it (docker run -e NOPE=...), give a default (${NOPE:-value}), or write $${NOPE} to leave it to the service",
    );
  });

  test('${NAME:?message}: unset or empty is an error carrying the message; ${NAME?message}: unset only', () => {
    const message = (text: string): string | undefined => {
      try {
        expandVariables(text, env);
        return undefined;
      } catch (error) {
        return (error as ExpansionError).message;
      }
    };
    assert.equal(
      message('--db=${DB_HOST:?the database host, e.g. db:5432}'),
      "${DB_HOST} is not set in corral's environment: the database host, e.g. db:5432 (${DB_HOST:?...}); set it, e.g. docker run -e DB_HOST=...",
    );
    assert.equal(message('${EMPTY:?needed}'), "${EMPTY} is empty in corral's environment: needed (${EMPTY:?...}); set it, e.g. docker run -e EMPTY=...");
    assert.equal(message('${NOPE?}'), "${NOPE} is not set in corral's environment (${NOPE?...}); set it, e.g. docker run -e NOPE=...");
    assert.match(message('${NOPE:?${PORT}}')!, /a message cannot hold another \$\{\.\.\.\}/);
  });

  test('an unclosed ${ is an error saying where', () => {
    assert.throws(() => expandVariables('ab ${PORT', env), /^ExpansionError: "\$\{" at character 4 is not closed with "\}"; write \$\$\{ for a literal \$\{$/);
  });
});

describe('expandInConfig', () => {
  test('expands command, working_dir, environment, env_file and probe targets; leaves the rest', () => {
    const input = {
      command: ['server', '--port', '${PORT}'],
      working_dir: '/srv/${HOST}',
      environment: { URL: 'http://${HOST}:${PORT}', N: 3 },
      env_file: [{ path: '${HOST}.env', required: false }],
      ready: { tcp: '${PORT}', interval: '1s' },
      health: { http: 'http://127.0.0.1:${PORT}/', log: '${PORT}' },
      description: 'serves ${PORT}',
    };
    const { value, problems } = expandInConfig(input, env);
    assert.deepEqual(problems, []);
    assert.deepEqual(value, {
      command: ['server', '--port', '9000'],
      working_dir: '/srv/db',
      environment: { URL: 'http://db:9000', N: 3 },
      env_file: [{ path: 'db.env', required: false }],
      ready: { tcp: '9000', interval: '1s' },
      health: { http: 'http://127.0.0.1:9000/', log: '${PORT}' },
      description: 'serves ${PORT}',
    });
    assert.equal(input.command[2], '${PORT}', 'the input is not changed');
  });

  test('each failure is reported at its key path, and the value is kept as written', () => {
    const { value, problems } = expandInConfig({ command: 'echo ${A}', environment: { X: '${B}' } }, {});
    assert.deepEqual(
      problems.map((problem) => problem.path),
      [['command'], ['environment', 'X']],
    );
    assert.equal(value.command, 'echo ${A}');
  });

  test('values of the wrong type are left for the schema to report', () => {
    const { value, problems } = expandInConfig({ command: 42, ready: 'none', health: null }, {});
    assert.deepEqual(problems, []);
    assert.deepEqual(value, { command: 42, ready: 'none', health: null });
  });
});

describe('expandVariables: what is refused', () => {
  test('a default holding another reference', () => {
    assert.throws(
      () => expandVariables('${A:-${B}}', {}),
      /^ExpansionError: "\$\{A:-\$\{B\}\}": a default cannot hold another \$\{\.\.\.\}; set A or write the default out$/,
    );
  });
});
