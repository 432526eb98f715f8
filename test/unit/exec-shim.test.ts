import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describeShimFailure, parseShimStatus, shimArgv, type ProcessAttributes } from '../../src/process/exec-shim.js';

const { EACCES, EINVAL, ENOENT, ENOEXEC, EPERM } = constants.errno;
const nobody: ProcessAttributes = { user: { name: 'nobody', uid: 65534, gid: 65534 }, limits: {} };

describe('shimArgv', () => {
  test('shimArgv: no attributes gives only the status fd and the command', () => {
    assert.deepEqual(shimArgv('/svexec', { limits: {} }, ['/bin/app', '--port', '80'], 3), ['/svexec', '--status-fd', '3', '--', '/bin/app', '--port', '80']);
  });

  test('shimArgv: every attribute, limits in a fixed order', () => {
    const attrs: ProcessAttributes = {
      user: { name: 'app', uid: 1000, gid: 1001 },
      groups: [1001, 27],
      umask: 0o027,
      workingDir: '/srv/app',
      limits: { core: { soft: 0, hard: 'unlimited' }, nofile: { soft: 1024, hard: 4096 } },
    };
    assert.deepEqual(shimArgv('/svexec', attrs, ['app'], 3), [
      '/svexec',
      '--status-fd',
      '3',
      '--user',
      'app',
      '--uid',
      '1000',
      '--gid',
      '1001',
      '--groups',
      '1001,27',
      '--umask',
      '0027',
      '--chdir',
      '/srv/app',
      '--rlimit',
      'nofile=1024:4096',
      '--rlimit',
      'core=0:unlimited',
      '--',
      'app',
    ]);
  });

  test('shimArgv: a user without a name passes only the ids (no initgroups)', () => {
    assert.deepEqual(shimArgv('/svexec', { user: { uid: 70000, gid: 70000 }, limits: {} }, ['app'], 5), [
      '/svexec',
      '--status-fd',
      '5',
      '--uid',
      '70000',
      '--gid',
      '70000',
      '--',
      'app',
    ]);
  });

  test('shimArgv: an empty group list is passed, so the shim drops all groups', () => {
    assert.deepEqual(shimArgv('/svexec', { groups: [], limits: {} }, ['app'], 3).slice(3, 5), ['--groups', '']);
  });

  test('shimArgv: umask 0 is written as 0000, not left out', () => {
    assert.deepEqual(shimArgv('/svexec', { umask: 0, limits: {} }, ['app'], 3).slice(3, 5), ['--umask', '0000']);
  });

  test('shimArgv: arguments that look like options stay after --', () => {
    assert.deepEqual(shimArgv('/svexec', { limits: {} }, ['--uid', '0'], 3).slice(3), ['--', '--uid', '0']);
  });

  test('shimArgv: values the shim would refuse throw RangeError', () => {
    const bad: ProcessAttributes[] = [
      { user: { uid: -1, gid: 0 }, limits: {} },
      { user: { uid: 0, gid: 0xffffffff }, limits: {} },
      { user: { uid: 1.5, gid: 0 }, limits: {} },
      { groups: [NaN], limits: {} },
      { umask: 0o1000, limits: {} },
      { limits: { nofile: { soft: -1, hard: 10 } } },
    ];
    for (const attrs of bad) assert.throws(() => shimArgv('/svexec', attrs, ['app'], 3), RangeError, JSON.stringify(attrs));
  });
});

describe('parseShimStatus', () => {
  test('parseShimStatus: EOF with no data means the exec succeeded', () => {
    assert.equal(parseShimStatus(''), undefined);
  });

  test('parseShimStatus: one "STEP ERRNO" line', () => {
    assert.deepEqual(parseShimStatus('exec 2\n'), { step: 'exec', errno: 2 });
    assert.deepEqual(parseShimStatus('usage 0\n'), { step: 'usage', errno: 0 });
    assert.deepEqual(parseShimStatus('setuid 1'), { step: 'setuid', errno: 1 });
  });

  test('parseShimStatus: anything else is a failure of unknown step, never a success', () => {
    assert.deepEqual(parseShimStatus('garbage'), { step: 'unknown', errno: 0 });
    assert.deepEqual(parseShimStatus('exec 2\nexec 2\n'), { step: 'unknown', errno: 0 });
  });
});

describe('describeShimFailure', () => {
  test('describeShimFailure: exec ENOENT says to check the command', () => {
    assert.equal(
      describeShimFailure({ step: 'exec', errno: ENOENT }, '/usr/bin/foo', { limits: {} }),
      "/usr/bin/foo: command not found (ENOENT); check the command's spelling and PATH",
    );
  });

  test('describeShimFailure: chdir EACCES names the directory and the uid', () => {
    const attrs: ProcessAttributes = { user: { uid: 1000, gid: 1000 }, workingDir: '/srv/app', limits: {} };
    assert.equal(
      describeShimFailure({ step: 'chdir', errno: EACCES }, 'app', attrs),
      'chdir /srv/app as uid 1000: permission denied (EACCES); uid 1000 needs search (x) permission on every directory in the path',
    );
  });

  test('describeShimFailure: setuid EPERM says corral must be root', () => {
    const attrs: ProcessAttributes = { user: { uid: 1000, gid: 1000 }, limits: {} };
    assert.equal(
      describeShimFailure({ step: 'setuid', errno: EPERM }, 'app', attrs),
      'setuid 1000: operation not permitted (EPERM); corral must run as root to switch users',
    );
  });

  test('describeShimFailure: initgroups and setgroups name the user and groups', () => {
    assert.match(
      describeShimFailure({ step: 'initgroups', errno: EPERM }, 'app', nobody),
      /^initgroups nobody \(gid 65534\): operation not permitted \(EPERM\); corral must run as root/,
    );
    assert.match(describeShimFailure({ step: 'groups', errno: EPERM }, 'app', { ...nobody, groups: [1, 2] }), /^setgroups 1,2: /);
  });

  test('describeShimFailure: rlimit EINVAL lists the limits and the rule', () => {
    const attrs: ProcessAttributes = { limits: { nofile: { soft: 9000, hard: 4096 } } };
    assert.equal(
      describeShimFailure({ step: 'rlimit', errno: EINVAL }, 'app', attrs),
      'setrlimit nofile=9000:4096: invalid argument (EINVAL); a soft limit may not exceed its hard limit',
    );
  });

  test('describeShimFailure: exec ENOEXEC is described although libuv has no words for it', () => {
    assert.match(
      describeShimFailure({ step: 'exec', errno: ENOEXEC }, './run.sh', { limits: {} }),
      /^exec \.\/run\.sh: exec format error \(ENOEXEC\); .*#! line/,
    );
  });

  test('describeShimFailure: usage is reported as a bug in corral', () => {
    assert.match(describeShimFailure({ step: 'usage', errno: 0 }, 'app', { limits: {} }), /bug in corral/);
  });

  test('describeShimFailure: an errno with no hint gets none', () => {
    assert.equal(
      describeShimFailure({ step: 'chdir', errno: constants.errno.ENOTDIR }, 'app', { workingDir: '/etc/passwd', limits: {} }),
      'chdir /etc/passwd: not a directory (ENOTDIR)',
    );
  });
});
