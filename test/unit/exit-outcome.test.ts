import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeOutcome, isSuccess, outcomeExitCode, type ExitOutcome } from '../../src/process/exit-outcome.js';

const exited0: ExitOutcome = { kind: 'exited', code: 0 };
const exited3: ExitOutcome = { kind: 'exited', code: 3 };
const killed: ExitOutcome = { kind: 'signalled', signal: 'SIGKILL' };
const terminated: ExitOutcome = { kind: 'signalled', signal: 'SIGTERM' };
const spawnFailed: ExitOutcome = { kind: 'spawn-failed', errno: 'ENOENT', message: 'spawn my-server ENOENT' };

describe('describeOutcome', () => {
  test('describeOutcome: exited names the code', () => {
    assert.equal(describeOutcome(exited3), 'exited with code 3');
    assert.equal(describeOutcome(exited0), 'exited with code 0');
  });

  test('describeOutcome: signalled names the signal', () => {
    assert.equal(describeOutcome(killed), 'was killed by SIGKILL');
  });

  test('describeOutcome: spawn-failed gives the error message', () => {
    assert.equal(describeOutcome(spawnFailed), 'could not be started: spawn my-server ENOENT');
  });
});

describe('outcomeExitCode', () => {
  test('outcomeExitCode: exited 3 -> 3, exited 0 -> 0', () => {
    assert.equal(outcomeExitCode(exited3), 3);
    assert.equal(outcomeExitCode(exited0), 0);
  });

  test('outcomeExitCode: signalled is 128 + the signal number (SIGKILL -> 137, SIGTERM -> 143)', () => {
    assert.equal(outcomeExitCode(killed), 137);
    assert.equal(outcomeExitCode(terminated), 143);
    assert.equal(outcomeExitCode({ kind: 'signalled', signal: 'SIGINT' }), 130);
  });

  test('outcomeExitCode: spawn-failed -> 1 (a required service failed)', () => {
    assert.equal(outcomeExitCode(spawnFailed), 1);
  });
});

describe('isSuccess', () => {
  test('isSuccess: only exit code 0 is a success', () => {
    assert.equal(isSuccess(exited0), true);
    assert.equal(isSuccess(exited3), false);
    assert.equal(isSuccess({ kind: 'exited', code: 1 }), false);
    assert.equal(isSuccess(killed), false);
    assert.equal(isSuccess(terminated), false);
    assert.equal(isSuccess(spawnFailed), false);
  });
});
