// environment: {NAME: {file: PATH}}: how the service file says it, how the file is read at
// each start (bounded, one line break trimmed, never echoed), and how corral print shows
// it (the path, never the value).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';
import { fileFormOf } from '../../src/config/file-form.js';
import { LIMITS } from '../../src/config/limits.js';
import { loadServices } from '../../src/config/load-services.js';
import { readSecretFile, readSecrets, trimLineBreak } from '../../src/config/secret-file.js';
import { serviceEnvironment } from '../../src/config/service-env.js';
import { scratchDir, scratchFiles } from '../helpers/scratch.js';

function problemsOf(dir: string): string[] {
  try {
    loadServices(dir, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((p: ConfigProblem) => `${p.file.slice(dir.length + 1)} ${p.line}:${p.col} ${p.path}: ${p.message}`);
  }
  assert.fail('the directory loaded');
}

describe('environment: {NAME: {file: PATH}} in a service file', () => {
  test('an absolute path is kept, a relative one is relative to the file, ${VAR} is expanded; the value is not read at load', (t) => {
    const dir = scratchFiles(t, {
      'web.yaml': [
        'command: x',
        'environment:',
        '  PLAIN: text',
        '  DB_PASSWORD: {file: /run/secrets/db_password}',
        '  API_KEY: {file: secrets/api_key}',
        '  TOKEN: {file: "${SECRETS}/token"}',
        '',
      ].join('\n'),
    });
    const [web] = loadServices(dir, { env: { SECRETS: '/var/run/secrets' } });
    assert.deepEqual(web?.environment, { PLAIN: 'text' });
    assert.deepEqual(web?.secret_files, {
      DB_PASSWORD: '/run/secrets/db_password',
      API_KEY: join(dir, 'secrets/api_key'),
      TOKEN: '/var/run/secrets/token',
    });
  });

  test('bad forms are reported at file:line:col with the key, each in its own words', (t) => {
    const dir = scratchFiles(t, {
      'web.yaml': [
        'command: x',
        'environment:',
        '  A: {file: ""}',
        '  B: {file: 1}',
        '  C: {file: x, other: y}',
        '  D: {}',
        '  E: {fil: x}',
        '  F: {file: "a\\0b"}',
        '  G: [1]',
        '  H: {path: /run/secrets/h}',
        '',
      ].join('\n'),
    });
    assert.deepEqual(problemsOf(dir), [
      'web.yaml 3:13 environment.A.file: expected a path, e.g. {file: /run/secrets/db_password}',
      'web.yaml 4:13 environment.B.file: expected a path, got 1',
      'web.yaml 5:16 environment.C.other: unknown key "other"; remove it',
      'web.yaml 6:3 environment.D.file: the required key "file" is missing; add it',
      'web.yaml 7:7 environment.E.fil: unknown key "fil"; did you mean "file"?',
      'web.yaml 8:13 environment.F.file: a path cannot hold a NUL byte (\\0), got "a\\u0000b"',
      'web.yaml 9:6 environment.G: expected a string, number or boolean, or {file: PATH} to read the value from a file, got a list',
      'web.yaml 10:7 environment.H.path: unknown key "path"; did you mean "file"?',
    ]);
  });

  test('corral print shows {file: PATH}, never the value, and reads back as the same service', (t) => {
    const dir = scratchFiles(t, { 'web.yaml': 'command: x\nenvironment:\n  A: plain\n  DB_PASSWORD: {file: db_password}\n', db_password: 's3cr3t-value\n' });
    const [web] = loadServices(dir, { env: {} });
    const printed = stringify(fileFormOf(web!), { lineWidth: 0 });
    assert.doesNotMatch(printed, /s3cr3t-value/);
    assert.deepEqual((parse(printed) as { environment: unknown }).environment, { A: 'plain', DB_PASSWORD: { file: join(dir, 'db_password') } });
    const again = scratchFiles(t, { 'web.yaml': printed });
    const [reread] = loadServices(again, { env: {} });
    assert.deepEqual(reread?.secret_files, web?.secret_files);
    assert.deepEqual(reread?.environment, web?.environment);
  });

  test('a secret overrides what env_file and the inherited environment say of the same name', () => {
    const env = serviceEnvironment(
      { inherit_env: true, identity: undefined, env_from_files: { DB_PASSWORD: 'from-env-file' }, environment: {} },
      { DB_PASSWORD: 'inherited' },
      { DB_PASSWORD: 'from-secret' },
    );
    assert.equal(env.DB_PASSWORD, 'from-secret');
  });
});

describe('readSecretFile', () => {
  test('one trailing line break is trimmed ("\\n" or "\\r\\n"), and only one', () => {
    assert.equal(trimLineBreak('a\n'), 'a');
    assert.equal(trimLineBreak('a\n\n'), 'a\n');
    assert.equal(trimLineBreak('a'), 'a');
    assert.equal(trimLineBreak('a\r\n'), 'a');
    assert.equal(trimLineBreak('a\r'), 'a\r');
    assert.equal(trimLineBreak('\n'), '');
    assert.equal(trimLineBreak(''), '');
  });

  test('a file is read and trimmed; an empty file is an empty value', (t) => {
    const dir = scratchFiles(t, { one: 'hunter2\n', two: 'line 1\nline 2\n\n', empty: '' });
    assert.deepEqual(readSecretFile(join(dir, 'one')), { value: 'hunter2' });
    assert.deepEqual(readSecretFile(join(dir, 'two')), { value: 'line 1\nline 2\n' });
    assert.deepEqual(readSecretFile(join(dir, 'empty')), { value: '' });
  });

  test('exactly at the limit is read; one byte past it is refused, its value unread', (t) => {
    const dir = scratchDir(t);
    writeFileSync(join(dir, 'at'), 'x'.repeat(LIMITS.secretFileBytes));
    writeFileSync(join(dir, 'past'), 'x'.repeat(LIMITS.secretFileBytes + 1));
    const at = readSecretFile(join(dir, 'at'));
    assert.ok('value' in at && at.value.length === LIMITS.secretFileBytes);
    assert.deepEqual(readSecretFile(join(dir, 'past')), {
      errno: 'EFBIG',
      problem: `is ${LIMITS.secretFileBytes + 1} bytes, over the limit of 64KiB (65536 bytes) for a secret file`,
    });
  });

  test('missing, a dangling link, a directory, a FIFO (not opened: no writer would block it), a NUL, not UTF-8: each in words without the value', (t) => {
    const dir = scratchDir(t);
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    mkdirSync(join(dir, 'directory'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0);
    writeFileSync(join(dir, 'nul'), 'pass\0word-VALUE');
    writeFileSync(join(dir, 'latin1'), Buffer.from([0x70, 0xe9, 0x56, 0x41, 0x4c, 0x55, 0x45]));
    const problems = ['missing', 'dangling', 'directory', 'fifo', 'nul', 'latin1'].map((name) => readSecretFile(join(dir, name)));
    assert.deepEqual(problems, [
      { errno: 'ENOENT', problem: 'does not exist (ENOENT); mount the secret there or fix the path' },
      { errno: 'ENOENT', problem: 'is a symbolic link to a file that does not exist (ENOENT); mount the secret there or fix the path' },
      { errno: 'EISDIR', problem: 'is a directory, not a regular file; corral reads only regular files (or symbolic links to them)' },
      { errno: 'EINVAL', problem: 'is a FIFO (named pipe), not a regular file; corral reads only regular files (or symbolic links to them)' },
      { errno: 'EINVAL', problem: 'holds a NUL byte (\\0), which an environment variable cannot hold; store the value without it' },
      { errno: 'EILSEQ', problem: 'is not valid UTF-8 text, which an environment variable passes on; store the value as text (base64 for binary data)' },
    ]);
    assert.doesNotMatch(JSON.stringify(problems), /VALUE/);
  });

  test('readSecrets: every value, or the first failure naming the variable and the path', (t) => {
    const dir = scratchFiles(t, { a: 'alpha\n', b: 'beta' });
    assert.deepEqual(readSecrets({ A: join(dir, 'a'), B: join(dir, 'b') }), { values: { A: 'alpha', B: 'beta' } });
    assert.deepEqual(readSecrets({ A: join(dir, 'a'), DB_PASSWORD: '/nonexistent/db_password' }), {
      failure: {
        errno: 'ENOENT',
        message: 'environment.DB_PASSWORD: /nonexistent/db_password does not exist (ENOENT); mount the secret there or fix the path',
      },
    });
  });
});
