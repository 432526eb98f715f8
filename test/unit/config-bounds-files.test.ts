// The files corral reads: only regular ones, each within its size, all of one load within
// its budget, the directory within its count, UTF-8 text, and the names that are never
// read (issue 15, rows 5-7 and the "also seen" list). FIFOs and /dev/zero as PID 1 are
// in test/pid1/config-boundary.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountFileError, readPasswdFile } from '../../src/config/accounts.js';
import { readBoundedFile } from '../../src/config/bounded-read.js';
import { ConfigError } from '../../src/config/config-error.js';
import { LIMITS } from '../../src/config/limits.js';
import { planInitScripts, readInitDir } from '../../src/supervisor/init-listing.js';
import { scratchDir } from '../helpers/scratch.js';
import { dirWith, onlyProblem, onlyProblemSeen, problemsOf, seen, servicesOf } from './config-bounds-helpers.js';

const KiB = 1024;

// A service file of exactly `bytes` bytes: a command, then a comment to pad it.
function serviceOfSize(bytes: number): string {
  const head = 'command: x\n#';
  return `${head}${'p'.repeat(bytes - head.length - 1)}\n`;
}

// An env file of exactly `bytes` bytes: one variable, then comment lines.
function envOfSize(bytes: number): string {
  const lines = ['A=1'];
  let size = 4;
  while (size < bytes) {
    const line = `#${'c'.repeat(Math.min(99, bytes - size - 2))}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

describe('sizes', () => {
  test('row 5: a service file of 64 KiB loads; one byte more is refused, naming the file, its size and the limit', (t) => {
    assert.equal(serviceOfSize(LIMITS.serviceFileBytes).length, 64 * KiB);
    servicesOf(dirWith(t, { 'web.yaml': serviceOfSize(LIMITS.serviceFileBytes) }));
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': serviceOfSize(LIMITS.serviceFileBytes + 1) }), {
      file: 'web.yaml',
      message: 'is 65537 bytes, over the limit of 64KiB (65536 bytes) for a service file',
    });
  });

  test('row 5: a 5 MB service file is refused by its size, without parsing it', (t) => {
    const dir = dirWith(t, { 'web.yaml': `command: x\n${'a: 1\n'.repeat(1024 * 1024)}` });
    assert.match(onlyProblem(dir).message, /^is 5242891 bytes, over the limit of 64KiB \(65536 bytes\) for a service file$/);
  });

  test('row 5: an env_file of 256 KiB is read; one byte more is refused at its env_file entry', (t) => {
    assert.equal(envOfSize(LIMITS.envFileBytes).length, 256 * KiB);
    const ok = dirWith(t, { 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': envOfSize(LIMITS.envFileBytes) });
    assert.equal(servicesOf(ok)[0]?.env_from_files.A, '1');
    const dir = dirWith(t, { 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': envOfSize(LIMITS.envFileBytes + 1) });
    assert.deepEqual(seen(dir, onlyProblem(dir)), {
      file: 'web.yaml',
      line: 2,
      col: 11,
      path: 'env_file',
      message: `${dir}/web.env is 262145 bytes, over the limit of 256KiB (262144 bytes) for an env file`,
    });
  });

  test('one load reads at most 2 MiB in all: files that come to exactly that load, one byte more is refused', (t) => {
    // Eight env files of 256 KiB are the whole budget; the service file's bytes come off the last one.
    const names = Array.from({ length: 8 }, (_, i) => `e${i}.env`);
    const service = `command: x\nenv_file: [${names.join(', ')}]\n`;
    const left = LIMITS.envFileBytes - service.length;
    const files = (extra: number): Record<string, string> => ({
      'web.yaml': service,
      ...Object.fromEntries(names.map((name, i) => [name, envOfSize(i === 7 ? left + extra : LIMITS.envFileBytes)])),
    });
    servicesOf(dirWith(t, files(0)));
    const dir = dirWith(t, files(1));
    const problem = onlyProblem(dir);
    assert.equal(problem.path, 'env_file.7');
    assert.equal(
      problem.message,
      `${dir}/e7.env is ${left + 1} bytes, more than the ${left} bytes left of the 2MiB that corral reads in one load (service files and env files); use fewer or smaller files`,
    );
  });

  test('an env file that many services name is read once: twenty of them share 256 KiB', (t) => {
    const files: Record<string, string> = { 'shared.env': envOfSize(LIMITS.envFileBytes) };
    for (let i = 0; i < 20; i++) files[`s${i}.yaml`] = 'command: x\nenv_file: shared.env\n';
    assert.equal(servicesOf(dirWith(t, files)).length, 20);
  });

  test('/etc/passwd (or group) of 4 MiB is read; one byte more is a typed error', (t) => {
    const dir = scratchDir(t);
    const line = 'u:x:1:1::/:/bin/sh\n';
    const text = line.repeat(Math.floor(LIMITS.accountFileBytes / line.length));
    writeFileSync(join(dir, 'ok'), text + '#'.repeat(LIMITS.accountFileBytes - text.length - 1) + '\n');
    writeFileSync(join(dir, 'big'), text + '#'.repeat(LIMITS.accountFileBytes - text.length) + '\n');
    assert.equal(readPasswdFile(join(dir, 'ok')).length, LIMITS.accountFileBytes);
    assert.throws(
      () => readPasswdFile(join(dir, 'big')),
      (error: unknown) => error instanceof AccountFileError && /is 4194305 bytes, over the limit of 4MiB/.test(error.message),
    );
  });
});

describe('counts', () => {
  test('a services directory, or init.d, of 10,000 names is listed; 10,001 names are refused', (t) => {
    const dir = scratchDir(t);
    for (let i = 0; i < LIMITS.directoryEntries; i++) writeFileSync(join(dir, `n${i}`), '');
    assert.deepEqual(servicesOf(dir), []);
    assert.equal(readInitDir(dir).length, LIMITS.directoryEntries);
    writeFileSync(join(dir, 'one-more'), '');
    assert.deepEqual(seen(dir, onlyProblem(dir)), { file: dir, message: 'the services directory holds more than 10000 names; corral reads at most 10000' });
    assert.throws(
      () => readInitDir(dir),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message === `${dir}: the init directory (CORRAL_INIT_DIR) holds more than 10000 names; corral reads at most 10000`,
    );
  });

  test('1,000 service files are read; 1,001 are refused', (t) => {
    const dir = scratchDir(t);
    for (let i = 0; i < LIMITS.serviceFiles; i++) writeFileSync(join(dir, `s${i}.yaml`), 'command: x\n');
    assert.equal(servicesOf(dir).length, 1000);
    writeFileSync(join(dir, 'one-more.yaml'), 'command: x\n');
    assert.equal(onlyProblem(dir).message, 'the services directory holds 1001 service files; corral reads at most 1000');
  });
});

describe('kinds and names', () => {
  test('also seen: a symbolic link loop is reported as one, not as a permission problem', (t) => {
    const dir = scratchDir(t);
    symlinkSync('b.yaml', join(dir, 'a.yaml'));
    symlinkSync('a.yaml', join(dir, 'b.yaml'));
    const problems = problemsOf(dir).map((problem) => seen(dir, problem));
    const message = 'is a symbolic link loop (ELOOP): following its links never reaches a file; fix or remove the link';
    assert.deepEqual(problems, [
      { file: 'a.yaml', message },
      { file: 'b.yaml', message },
    ]);
  });

  test("also seen: an editor's lock file, backups and dotfiles in services.d are not read", (t) => {
    const dir = dirWith(t, {
      'web.yaml': 'command: x\n',
      'web.yaml~': 'x',
      '#web.yaml#': 'x',
      '.web.yaml.swp': 'x',
      '.hidden.yaml': 'restart: 1',
      'web.yaml.dpkg-old': 'x',
    });
    // What emacs leaves while web.yaml is edited: a symbolic link to nothing.
    symlinkSync('user@host.1234:1700000000', join(dir, '.#web.yaml'));
    assert.deepEqual(
      servicesOf(dir).map((service) => service.name),
      ['web'],
    );
  });

  test('also seen: bytes that are not UTF-8 are refused at the line and column of the first one', (t) => {
    const dir = dirWith(t, { 'web.yaml': Buffer.from('command: x\ndescription: caf\xe9 au lait\n', 'latin1') });
    const problem = onlyProblem(dir);
    assert.deepEqual(seen(dir, problem), {
      file: 'web.yaml',
      line: 2,
      col: 17,
      message: 'the file is not valid UTF-8: the byte 0xE9 here does not start or continue a character; save the file as UTF-8',
    });
    assert.equal(problem.source, 'description: caf\ufffd au lait');
  });

  test('an env file that is not UTF-8 is refused at its own line and column; overlong and surrogate forms too', (t) => {
    for (const bad of ['\xc0\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\xe2\x82']) {
      const dir = dirWith(t, { 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': Buffer.from(`A=1\nB=x${bad}y\n`, 'latin1') });
      assert.deepEqual(seen(dir, onlyProblem(dir)), {
        file: `${dir}/web.env`.replace(`${dir}/`, ''),
        line: 2,
        col: 4,
        message: `the file is not valid UTF-8: the byte 0x${bad.charCodeAt(0).toString(16).toUpperCase()} here does not start or continue a character; save the file as UTF-8`,
      });
    }
  });

  test('a file name that is not UTF-8 is reported, and the other files are read', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nrestart: sometimes\n' });
    writeFileSync(Buffer.from(`${dir}/caf\xe9.yaml`, 'latin1'), 'command: x\n');
    const problems = problemsOf(dir).map((problem) => problem.message);
    assert.deepEqual(problems.sort(), ['expected one of always, on-failure, never, got "sometimes"', 'its name is not valid UTF-8; rename it']);
  });

  test('a subdirectory named like a service file is still reported as one', (t) => {
    const dir = scratchDir(t);
    mkdirSync(join(dir, 'web.yaml'));
    assert.equal(onlyProblem(dir).message, 'is a directory, not a service file; rename it so its name does not end in .yaml or .yml');
  });
});

describe('init.d', () => {
  test('a name in init.d is echoed with its control characters escaped', () => {
    const plan = planInitScripts('/etc/corral/init.d', [{ name: Buffer.from('10-\x1b[2Jsetup'), kind: 'file', executable: false }]);
    assert.deepEqual(
      plan.skipped.map((entry) => entry.reason),
      ['skipping /etc/corral/init.d/10-\\x1b[2Jsetup: not executable; chmod +x /etc/corral/init.d/10-\\x1b[2Jsetup to run it, or remove it'],
    );
  });
});

describe('readBoundedFile', () => {
  test('a FIFO and a character device are refused without being opened; a regular file without a size (/proc) is read to its end', (t) => {
    const fifo = join(scratchDir(t), 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.deepEqual(readBoundedFile(fifo, 1024), { failure: { kind: 'not-regular', what: 'a FIFO (named pipe)' } });
    assert.deepEqual(readBoundedFile('/dev/zero', 1024), { failure: { kind: 'not-regular', what: 'a character device' } });
    const status = readBoundedFile('/proc/self/status', 64 * KiB);
    assert.ok('bytes' in status && status.bytes.toString().startsWith('Name:'));
    assert.deepEqual(readBoundedFile('/proc/self/status', 10), { failure: { kind: 'too-large', size: 11, limit: 10, atLeast: true } });
  });
});
