import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { logStyleFrom } from '../../src/logging/log-style.js';

const tty = { stdout: { isTTY: true }, stderr: { isTTY: true } };
const pipes = { stdout: {}, stderr: {} };

describe('logStyleFrom', () => {
  test('default: text, no timestamps, no colour on pipes', () => {
    assert.deepEqual(logStyleFrom({}, pipes), { format: 'text', timestamps: false, colour: { stdout: false, stderr: false } });
  });

  test('colour only on a terminal, per stream', () => {
    assert.deepEqual(logStyleFrom({}, tty).colour, { stdout: true, stderr: true });
    assert.deepEqual(logStyleFrom({}, { stdout: { isTTY: true }, stderr: {} }).colour, { stdout: true, stderr: false });
  });

  test('NO_COLOR set and not empty turns colour off; empty NO_COLOR does not', () => {
    assert.deepEqual(logStyleFrom({ NO_COLOR: '1' }, tty).colour, { stdout: false, stderr: false });
    assert.deepEqual(logStyleFrom({ NO_COLOR: '' }, tty).colour, { stdout: true, stderr: true });
  });

  test('json: never colour, even on a terminal', () => {
    const style = logStyleFrom({ CORRAL_LOG_FORMAT: 'JSON' }, tty);
    assert.equal(style.format, 'json');
    assert.deepEqual(style.colour, { stdout: false, stderr: false });
  });

  for (const [value, expected] of [
    ['1', true],
    ['true', true],
    ['yes', true],
    ['0', false],
    ['', false],
    ['off', false],
  ] as const) {
    test(`CORRAL_LOG_TIMESTAMPS=${JSON.stringify(value)} is ${expected ? 'on' : 'off'}`, () => {
      assert.equal(logStyleFrom({ CORRAL_LOG_TIMESTAMPS: value }, pipes).timestamps, expected);
    });
  }

  test('a misspelt format and a bad switch are both reported, with what to write instead', () => {
    assert.throws(
      () => logStyleFrom({ CORRAL_LOG_FORMAT: 'jsno', CORRAL_LOG_TIMESTAMPS: 'maybe' }, pipes),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          [
            'environment: CORRAL_LOG_FORMAT="jsno" is not a log format (did you mean "json"?); set it to text or json, or unset it',
            'environment: CORRAL_LOG_TIMESTAMPS="maybe" is neither on nor off; set it to 1 or 0 (also true/false, yes/no)',
          ].join('\n'),
        );
        return true;
      },
    );
  });
});
