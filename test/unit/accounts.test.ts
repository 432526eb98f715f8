import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupGroup, lookupUser, parseGroup, parsePasswd, readGroupFile, readPasswdFile, supplementaryGroups } from '../../src/config/accounts.js';

const passwd = [
  '# users of the test image',
  'root:x:0:0:root:/root:/bin/bash',
  '',
  '   ',
  'app:x:1000:1000:App,,,:/srv/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'broken:x:notanumber:1:::',
  'short:x:5',
  '+nisuser::::::',
  'web:x:1001:33::/var/www:/usr/sbin/nologin',
].join('\n');

const group = [
  'root:x:0:',
  '# comment',
  'www-data:x:33:',
  'app:x:1000:',
  'audio:x:29:app, web',
  'ssl-cert:x:103:postgres,app',
  'bad:x:-4:app',
  '',
  'nogroup:x:65534:',
].join('\n');

describe('parsePasswd', () => {
  test('parsePasswd: skips comments, blank, malformed and NIS lines', () => {
    assert.deepEqual(
      parsePasswd(passwd).map((user) => user.name),
      ['root', 'app', 'nobody', 'web'],
    );
  });

  test('parsePasswd: reads every field', () => {
    assert.deepEqual(parsePasswd(passwd)[1], { name: 'app', uid: 1000, gid: 1000, home: '/srv/app', shell: '/bin/sh' });
  });

  test('parsePasswd: CRLF line ends and an empty file', () => {
    assert.deepEqual(
      parsePasswd('root:x:0:0:root:/root:/bin/sh\r\n').map((user) => user.shell),
      ['/bin/sh'],
    );
    assert.deepEqual(parsePasswd(''), []);
  });
});

describe('parseGroup', () => {
  test('parseGroup: members are split and trimmed; bad gids are skipped', () => {
    const groups = parseGroup(group);
    assert.deepEqual(
      groups.map((entry) => entry.name),
      ['root', 'www-data', 'app', 'audio', 'ssl-cert', 'nogroup'],
    );
    assert.deepEqual(
      groups.find((entry) => entry.name === 'audio'),
      { name: 'audio', gid: 29, members: ['app', 'web'] },
    );
    assert.deepEqual(groups[0]?.members, []);
  });
});

describe('lookupUser', () => {
  test('lookupUser: by name', () => {
    assert.deepEqual(lookupUser('web', passwd), { name: 'web', uid: 1001, gid: 33, home: '/var/www', shell: '/usr/sbin/nologin' });
  });

  test('lookupUser: by numeric id, as a number or as digits', () => {
    assert.equal(lookupUser(1000, passwd)?.name, 'app');
    assert.equal(lookupUser('65534', passwd)?.name, 'nobody');
    assert.equal(lookupUser(0, passwd)?.home, '/root');
  });

  test('lookupUser: a numeric uid the file does not list gets gid = uid and no name', () => {
    assert.deepEqual(lookupUser(4242, passwd), { name: undefined, uid: 4242, gid: 4242, home: '/', shell: '/bin/sh' });
    assert.deepEqual(lookupUser('4242', ''), { name: undefined, uid: 4242, gid: 4242, home: '/', shell: '/bin/sh' });
  });

  test('lookupUser: unknown names and ids out of range are undefined', () => {
    assert.equal(lookupUser('ghost', passwd), undefined);
    assert.equal(lookupUser('broken', passwd), undefined);
    assert.equal(lookupUser(-1, passwd), undefined);
    assert.equal(lookupUser(1.5, passwd), undefined);
    assert.equal(lookupUser('4294967295', passwd), undefined);
    assert.equal(lookupUser('', passwd), undefined);
  });

  test('lookupUser: a listed name made of digits wins over the uid of the same number', () => {
    const text = 'owner:x:1234:1234::/:/bin/sh\n1234:x:5000:5000::/home/n:/bin/sh\n';
    assert.equal(lookupUser('1234', text)?.uid, 5000);
    assert.equal(lookupUser(1234, text)?.name, 'owner');
  });
});

describe('lookupGroup', () => {
  test('lookupGroup: by name and by id', () => {
    assert.equal(lookupGroup('www-data', group)?.gid, 33);
    assert.equal(lookupGroup(29, group)?.name, 'audio');
    assert.equal(lookupGroup('103', group)?.name, 'ssl-cert');
  });

  test('lookupGroup: an unlisted numeric gid is valid with no name; an unknown name is undefined', () => {
    assert.deepEqual(lookupGroup(777, group), { name: undefined, gid: 777, members: [] });
    assert.equal(lookupGroup('ghost', group), undefined);
  });
});

describe('supplementaryGroups', () => {
  test('supplementaryGroups: primary gid first, then the groups listing the user', () => {
    assert.deepEqual(supplementaryGroups('app', 1000, group), [1000, 29, 103]);
    assert.deepEqual(supplementaryGroups('web', 33, group), [33, 29]);
  });

  test('supplementaryGroups: a user in no group gets only the primary gid, once', () => {
    assert.deepEqual(supplementaryGroups('nobody', 65534, group), [65534]);
    assert.deepEqual(supplementaryGroups('app', 29, group), [29, 103]);
  });
});

describe('readPasswdFile / readGroupFile', () => {
  test('readPasswdFile: reads the file; a missing file is empty text', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-accounts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'passwd'), passwd);
    assert.equal(readPasswdFile(join(dir, 'passwd')), passwd);
    assert.equal(readPasswdFile(join(dir, 'missing')), '');
    assert.equal(readGroupFile(join(dir, 'missing')), '');
    // Anything else is a typed error that says what is wrong, for a problem at user: or group:.
    assert.throws(() => readGroupFile(dir), {
      name: 'AccountFileError',
      message: `${dir} is a directory, not a regular file; corral reads only regular files (or symbolic links to them)`,
    });
  });

  test("readPasswdFile: the defaults read this machine's files", () => {
    assert.equal(lookupUser('root', readPasswdFile())?.uid, 0);
    assert.equal(lookupGroup('root', readGroupFile())?.gid, 0);
  });
});
