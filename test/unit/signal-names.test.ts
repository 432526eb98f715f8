import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSignal, signalName, signalNumber } from '../../src/process/signal-names.js';

describe('normalizeSignal', () => {
  const accepted: [string, string][] = [
    ['TERM', 'SIGTERM'],
    ['sigterm', 'SIGTERM'],
    ['SIGTERM', 'SIGTERM'],
    ['SIGHUP', 'SIGHUP'],
    [' hup ', 'SIGHUP'],
    ['Int', 'SIGINT'],
    ['usr1', 'SIGUSR1'],
    ['SIGKILL', 'SIGKILL'],
  ];
  for (const [text, name] of accepted) {
    test(`normalizeSignal: ${JSON.stringify(text)} is ${name}`, () => {
      assert.equal(normalizeSignal(text), name);
    });
  }

  for (const text of ['SIGTREM', 'FOO', 'SIGFOO', '', 'SIG', '9', '15', 'SIG TERM']) {
    test(`normalizeSignal: ${JSON.stringify(text)} is not a signal`, () => {
      assert.equal(normalizeSignal(text), undefined);
    });
  }
});

describe('signalName / signalNumber', () => {
  test('signalName: 9 is SIGKILL, 15 is SIGTERM, 1 is SIGHUP, 2 is SIGINT', () => {
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(1), 'SIGHUP');
    assert.equal(signalName(2), 'SIGINT');
  });

  test('signalName: an unknown number is described, not dropped', () => {
    assert.equal(signalName(999), 'signal 999');
  });

  test('signalNumber: SIGKILL is 9 and SIGTERM is 15', () => {
    assert.equal(signalNumber('SIGKILL'), 9);
    assert.equal(signalNumber('SIGTERM'), 15);
  });

  test('signalNumber and signalName are inverse for the common signals', () => {
    for (const name of ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCHLD'] as const) {
      assert.equal(signalName(signalNumber(name)), name);
    }
  });
});
