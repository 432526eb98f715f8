import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEnvironment } from '../../src/config/service-env.js';

const inherited = { PATH: '/corral/bin', HOME: '/root', FROM_CORRAL: 'yes' };
const app = { userName: 'app', uid: 1000, gid: 1000, home: '/home/app', shell: '/bin/bash' };

describe('serviceEnvironment', () => {
  test('inherited, then the user, then env_file, then environment', () => {
    assert.deepEqual(
      serviceEnvironment(
        { inherit_env: true, identity: app, env_from_files: { A: 'file', SHELL: '/bin/dash' }, environment: { A: 'yaml', HOME: '/data' } },
        inherited,
      ),
      { PATH: '/corral/bin', HOME: '/data', FROM_CORRAL: 'yes', USER: 'app', LOGNAME: 'app', SHELL: '/bin/dash', A: 'yaml' },
    );
  });

  test('inherit_env: false keeps only PATH, or a default PATH', () => {
    assert.deepEqual(serviceEnvironment({ inherit_env: false, identity: undefined, env_from_files: {}, environment: { X: '1' } }, inherited), {
      PATH: '/corral/bin',
      X: '1',
    });
    assert.deepEqual(serviceEnvironment({ inherit_env: false, identity: undefined, env_from_files: {}, environment: {} }, {}), {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    });
  });

  test('a numeric uid without a passwd entry is USER and LOGNAME', () => {
    const env = serviceEnvironment(
      { inherit_env: false, identity: { uid: 4242, gid: 4242, home: '/', shell: '/bin/sh' }, env_from_files: {}, environment: {} },
      {},
    );
    assert.equal(env.USER, '4242');
    assert.equal(env.LOGNAME, '4242');
  });
});
