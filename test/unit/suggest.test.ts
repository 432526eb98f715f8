import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { closest } from '../../src/config/suggest.js';
import { keysAt } from '../../src/config/schema.js';

const serviceKeys = keysAt['']!;

const KEYS = ['command', 'restart', 'backoff', 'reset_after', 'stop_signal', 'stop_timeout'];

describe('closest', () => {
  test('closest: a transposition "restrat" suggests "restart"', () => {
    assert.equal(closest('restrat', KEYS), 'restart');
  });

  test('closest: a missing letter "comand" suggests "command"', () => {
    assert.equal(closest('comand', KEYS), 'command');
  });

  test('closest: "stop_timout" suggests "stop_timeout", not "stop_signal"', () => {
    assert.equal(closest('stop_timout', KEYS), 'stop_timeout');
  });

  test('closest: "reset-after" suggests "reset_after"', () => {
    assert.equal(closest('reset-after', KEYS), 'reset_after');
  });

  test('closest: case is ignored but the candidate is returned as spelt', () => {
    assert.equal(closest('RESTART', KEYS), 'restart');
    assert.equal(closest('restart', ['Restart']), 'Restart');
  });

  test('closest: something far off ("xyzzy") gets no suggestion', () => {
    assert.equal(closest('xyzzy', KEYS), undefined);
  });

  test('closest: a short word three edits away gets no suggestion', () => {
    assert.equal(closest('abc', ['xyz']), undefined);
    assert.equal(closest('abc', ['abxy']), 'abxy', 'two edits away is close enough');
  });

  test('closest: longer words tolerate more edits (a third of their length)', () => {
    // 12 letters: up to 4 edits are accepted, 5 are not.
    assert.equal(closest('abcdefghijkl', ['abcdefghWXYZ']), 'abcdefghWXYZ');
    assert.equal(closest('abcdefghijkl', ['abcdefgVWXYZ']), undefined);
  });

  test('closest: the nearest of several candidates wins, the first on a tie', () => {
    assert.equal(closest('help', ['helm', 'held', 'help']), 'help');
    assert.equal(closest('hexp', ['help', 'hemp']), 'help');
  });

  test('closest: no candidates, no suggestion', () => {
    assert.equal(closest('restart', []), undefined);
  });

  test('closest: works against the real service keys of the schema', () => {
    assert.deepEqual([...serviceKeys].sort(), [
      'backoff',
      'command',
      'depends_on',
      'description',
      'enabled',
      'env_file',
      'environment',
      'group',
      'health',
      'inherit_env',
      'limits',
      'log',
      'main',
      'max_restarts',
      'name',
      'on_failure',
      'ready',
      'reload_signal',
      'replicas',
      'reset_after',
      'restart',
      'schedule',
      'stop_signal',
      'stop_timeout',
      'timeout',
      'type',
      'umask',
      'user',
      'watchdog',
      'working_dir',
    ]);
    assert.equal(closest('restrat', serviceKeys), 'restart');
    assert.equal(closest('stopsignal', serviceKeys), 'stop_signal');
    assert.equal(closest('depend_on', serviceKeys), 'depends_on');
    assert.equal(closest('workingdir', serviceKeys), 'working_dir');
    assert.equal(closest('schedul', serviceKeys), 'schedule');
    assert.equal(closest('replica', serviceKeys), 'replicas');
    assert.equal(closest('env', serviceKeys), undefined, 'too far from environment to guess');
  });
});
