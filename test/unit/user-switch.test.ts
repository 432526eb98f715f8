// `user:` when corral is not root, or is root without CAP_SETUID/CAP_SETGID: corral's own
// user is no switch at all, and a switch corral cannot make is a configuration error
// (corral check, and the start), not a service that fails at every restart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsOf, effectiveCapabilities, type Credentials } from '../../src/process/credentials.js';
import { loadServices } from '../../src/config/load-services.js';
import { processAttributes } from '../../src/supervisor/process-attributes.js';
import type { RunnerContext } from '../../src/supervisor/runner-context.js';
import { ConfigError } from '../../src/config/config-error.js';
import { scratchFiles } from '../helpers/scratch.js';

// /proc/self/status lines: a root shell's full set, and docker run --cap-drop=ALL.
const FULL = 'Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n';
const NONE = 'Name:\tnode\nCapEff:\t0000000000000000\n';
// CHOWN, KILL, SETGID, SETUID: the Kubernetes example's set (bits 0, 5, 6, 7).
const K8S_SET = 'CapEff:\t00000000000000e1\n';

describe('credentials', () => {
  test('effectiveCapabilities reads CapEff, and nothing else', () => {
    assert.equal(effectiveCapabilities(FULL), 0x1ffffffffffn);
    assert.equal(effectiveCapabilities(NONE), 0n);
    assert.equal(effectiveCapabilities('CapBnd:\t000001ffffffffff\n'), undefined);
  });

  test('canSwitchUser needs both CAP_SETUID and CAP_SETGID in the effective set', () => {
    assert.equal(credentialsOf({ uid: 0, gid: 0 }, FULL).canSwitchUser, true);
    assert.equal(credentialsOf({ uid: 0, gid: 0 }, K8S_SET).canSwitchUser, true);
    assert.equal(credentialsOf({ uid: 0, gid: 0 }, NONE).canSwitchUser, false);
    assert.equal(credentialsOf({ uid: 0, gid: 0 }, 'CapEff:\t0000000000000080\n').canSwitchUser, false, 'SETUID alone');
    assert.equal(credentialsOf({ uid: 12345, gid: 0 }, NONE).canSwitchUser, false);
  });

  test('without /proc, root is taken to be able to switch, and no one else', () => {
    assert.equal(credentialsOf({ uid: 0, gid: 0 }, undefined).canSwitchUser, true);
    assert.equal(credentialsOf({ uid: 1000, gid: 1000 }, undefined).canSwitchUser, false);
  });
});

const NON_ROOT: Credentials = { uid: 12345, gid: 0, canSwitchUser: false };
const ROOT_NO_CAPS: Credentials = { uid: 0, gid: 0, canSwitchUser: false };
const ROOT: Credentials = { uid: 0, gid: 0, canSwitchUser: true };

function problemsOf(dir: string, self: Credentials): string[] {
  try {
    loadServices(dir, { env: {}, self });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

// The attributes the shim gets, for a context that only needs its nofile default.
const context = { defaultNofile: { soft: 1024, hard: 1024 } } as RunnerContext;

describe('user: and who corral runs as', () => {
  test("corral's own uid (not in /etc/passwd, as under OpenShift) is no switch: the shim is told no user", (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: 12345\n' });
    const [web] = loadServices(dir, { env: {}, self: NON_ROOT });
    assert.deepEqual(web?.identity, { userName: undefined, uid: 12345, gid: 0, home: '/', shell: '/bin/sh', asCorral: true });
    assert.equal(processAttributes(web, context).user, undefined);
  });

  test("root's own user root is no switch either, even without capabilities", (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: root\n' });
    const [web] = loadServices(dir, { env: {}, self: ROOT_NO_CAPS });
    assert.equal(web?.identity?.asCorral, true);
    assert.equal(processAttributes(web, context).user, undefined);
  });

  test('another user, for a corral that is not root: a configuration error at user:, in words', (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: root\n' });
    assert.deepEqual(problemsOf(dir, NON_ROOT), [
      "user: corral runs as uid 12345, gid 0, not as root, so it cannot start this service as user root (uid 0), gid 0; remove user: (and group:) to run it as corral's own user, or run corral as root",
    ]);
  });

  test('another user, for root without CAP_SETUID/CAP_SETGID: the error names the capabilities', (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: 54321\n' });
    const [problem] = problemsOf(dir, ROOT_NO_CAPS);
    assert.match(
      problem!,
      /^user: corral runs as root without CAP_SETUID and CAP_SETGID \(dropped capabilities\), so it cannot start this service as uid 54321, gid 54321; grant them/,
    );
  });

  test("corral's own user with another group: the error is at group:", (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: 12345\ngroup: 12345\n' });
    const [problem] = problemsOf(dir, NON_ROOT);
    assert.match(problem!, /^group: corral runs as uid 12345, gid 0, not as root, so it cannot start this service as uid 12345, gid 12345;/);
  });

  test('root that can switch: another user is a switch, as before', (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: [web]\nuser: 54321\n' });
    const [web] = loadServices(dir, { env: {}, self: ROOT });
    assert.equal(web?.identity?.asCorral, undefined);
    assert.deepEqual(processAttributes(web!, context).user, { name: undefined, uid: 54321, gid: 54321 });
  });
});
