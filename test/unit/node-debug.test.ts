// NODE_DEBUG=child_process would make Node print each spawn's environment, secrets read
// from files included: which values of NODE_DEBUG enable it, and that loading services
// with a secret file under one is a configuration problem.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { loadServices } from '../../src/config/load-services.js';
import { nodeDebugEnables } from '../../src/config/node-debug.js';
import { dirWith, problemsOf } from './config-bounds-helpers.js';

describe('nodeDebugEnables: the test of Node debuglog', () => {
  for (const value of ['child_process', 'CHILD_PROCESS', 'Child_Process', 'child*', '*', 'net,child_process', 'child_process,net', '*process', 'c*_p*'])
    test(`${value} enables child_process`, () => assert.equal(nodeDebugEnables(value, 'child_process'), true));

  // ' child_process' is not enabled by Node either: it matches each name whole, spaces included.
  for (const value of [undefined, '', 'http', 'childish', 'child', 'child_processes', 'net, child_process', 'child.process', 'child?process'])
    test(`${String(value)} does not enable child_process`, () => assert.equal(nodeDebugEnables(value, 'child_process'), false));

  test("agrees with Node's own debuglog", () => {
    for (const value of ['child*', 'net, child_process', 'CHILD_PROCESS', 'childish', 'child.process'])
      assert.equal(nodeDebugEnables(value, 'child_process'), nodeDebugEnablesInNode(value), value);
  });
});

describe('NODE_DEBUG and secret files', () => {
  const secret = 'command: sleep 1\nenvironment:\n  DB_PASSWORD: {file: /run/secrets/db_password}\n';
  const message =
    "NODE_DEBUG=child* makes Node print each service's environment, secrets read from files included, to corral's log; unset NODE_DEBUG or leave child_process out of it";

  test('a service with a secret file under NODE_DEBUG=child* is refused, as a problem of the environment', (t) => {
    const dir = dirWith(t, { 'web.yaml': secret, 'other.yaml': 'command: sleep 1\n' });
    assert.deepEqual(problemsOf(dir, { NODE_DEBUG: 'child*' }), [{ file: 'environment', message }]);
  });

  test('without a secret file, or with NODE_DEBUG naming other parts, the services load', (t) => {
    const plain = dirWith(t, { 'web.yaml': 'command: sleep 1\n' });
    assert.equal(loadServices(plain, { env: { NODE_DEBUG: 'child_process' } }).length, 1);
    const withSecret = dirWith(t, { 'web.yaml': secret });
    assert.equal(loadServices(withSecret, { env: { NODE_DEBUG: 'http,net' } }).length, 1);
  });

  test('a disabled service with a secret file is not run, so it is no problem', (t) => {
    const dir = dirWith(t, { 'web.yaml': `${secret}enabled: false\n`, 'other.yaml': 'command: sleep 1\n' });
    assert.equal(loadServices(dir, { env: { NODE_DEBUG: 'child_process' } }).length, 1);
  });
});

// Whether a Node started with NODE_DEBUG=value prints its spawns' environments.
function nodeDebugEnablesInNode(value: string): boolean {
  const script = "require('node:child_process').spawnSync(process.execPath, ['-e', ''], { env: { MARKER_X: 'marked' } })";
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: value } });
  return result.stderr.includes('marked');
}
