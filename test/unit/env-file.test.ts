import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile } from '../../src/config/env-file.js';
import { formatProblem } from '../../src/config/config-error.js';

describe('parseEnvFile', () => {
  test('names, export, comments, blank lines, quotes and escapes', () => {
    const text = [
      '# database',
      'DB_HOST=db',
      'export DB_PORT = 5432',
      '',
      '  PASSWORD="s3cr3t \\"x\\"\\n2"',
      "LITERAL='$HOME ${X} \\n'",
      'EMPTY=',
      'TRAILING=value # a comment',
      'HASH=a#b',
      'URL=http://x/?a=b=c',
      'CRLF=yes\r',
    ].join('\n');
    assert.deepEqual(parseEnvFile(text, '/srv/app.env'), {
      values: {
        DB_HOST: 'db',
        DB_PORT: '5432',
        PASSWORD: 's3cr3t "x"\n2',
        LITERAL: '$HOME ${X} \\n',
        EMPTY: '',
        TRAILING: 'value',
        HASH: 'a#b',
        URL: 'http://x/?a=b=c',
        CRLF: 'yes',
      },
    });
  });

  test('a later line overrides an earlier one', () => {
    assert.deepEqual(parseEnvFile('A=1\nA=2\n', 'f'), { values: { A: '2' } });
  });

  test('every bad line is reported with its line and column, never its text: an env file holds secrets', () => {
    const result = parseEnvFile('GOOD=1\nno equals here\n1BAD=x\nQ="open-SECRET\nP=a\0SECRET\n', '/srv/app.env');
    assert.ok('problems' in result);
    assert.deepEqual(result.problems.map(formatProblem), [
      '/srv/app.env:2:1: expected NAME=value (or a # comment)',
      '/srv/app.env:3:1: "1BAD" is not a variable name; use letters, digits and _, not starting with a digit',
      '/srv/app.env:4:3: the value of Q opens a double quote that is not closed on this line',
      '/srv/app.env:5:4: the value of P holds a NUL byte (\\0), which ends a string for the kernel',
    ]);
  });
});
