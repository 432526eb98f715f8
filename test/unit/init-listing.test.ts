import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { describeInitOutcome } from '../../src/cli/init-phase.js';
import { planInitScripts, readInitDir, type InitDirEntry } from '../../src/supervisor/init-listing.js';
import { initLabel, initScriptConfig } from '../../src/supervisor/init-runner.js';
import { oneshotSettings } from '../../src/config/oneshot-settings.js';
import { serviceSchema } from '../../src/config/schema.js';
import { scratchDir } from '../helpers/scratch.js';

const DIR = '/etc/corral/init.d';

function script(name: string | Buffer, overrides: Partial<InitDirEntry> = {}): InitDirEntry {
  return { name: typeof name === 'string' ? Buffer.from(name) : name, kind: 'file', executable: true, ...overrides };
}

function names(entries: InitDirEntry[]): string[] {
  return planInitScripts(DIR, entries).scripts.map((entry) => entry.name);
}

describe('planInitScripts: order', () => {
  test('byte order of the names, as LC_ALL=C ls: digits, upper case, "_", lower case, then non-ASCII', () => {
    const given = ['b-last', '_under', '20-b', 'Zed', '10-a', '9-nine', 'a', '100', 'é-accent', 'A'];
    assert.deepEqual(names(given.map((name) => script(name))), ['10-a', '100', '20-b', '9-nine', 'A', 'Zed', '_under', 'a', 'b-last', 'é-accent']);
  });

  test('byte order, not UTF-16 order: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80)', () => {
    // JavaScript's default sort puts the emoji (a surrogate pair, 0xD83D...) first.
    assert.deepEqual(names([script('\u{1F600}'), script('\uFF21')]), ['\uFF21', '\u{1F600}']);
  });

  test('each script has its full path in the directory', () => {
    assert.deepEqual(planInitScripts('/srv/init', [script('10-setup.sh')]).scripts, [{ name: '10-setup.sh', path: '/srv/init/10-setup.sh' }]);
  });

  test('names with dots and other characters run too, unlike Debian run-parts', () => {
    assert.deepEqual(names([script('10-setup.sh'), script('20 with space'), script('30.py')]), ['10-setup.sh', '20 with space', '30.py']);
  });
});

describe('planInitScripts: what does not run', () => {
  test('dotfiles and backups are skipped at debug level', () => {
    const skippedNames = [
      '.hidden',
      '.10-setup.swp',
      '10-setup~',
      '#10-setup#',
      '10-setup.dpkg-old',
      '10-setup.dpkg-dist',
      '10-setup.ucf-new',
      '10-setup.rpmsave',
      '10-setup.rpmnew',
      '10-setup.rpmorig',
    ];
    const plan = planInitScripts(DIR, [...skippedNames.map((name) => script(name)), script('10-setup')]);
    assert.deepEqual(
      plan.scripts.map((entry) => entry.name),
      ['10-setup'],
    );
    assert.equal(plan.skipped.length, skippedNames.length);
    assert.ok(plan.skipped.every((entry) => entry.level === 'debug'));
    assert.deepEqual(
      plan.skipped.find((entry) => entry.name === '.hidden'),
      { name: '.hidden', level: 'debug', reason: `skipping ${DIR}/.hidden: its name starts with a dot` },
    );
    assert.match(plan.skipped.find((entry) => entry.name === '10-setup~')!.reason, /: a backup file/);
  });

  test('"~" or a package suffix inside a name is no backup', () => {
    assert.deepEqual(names([script('10-a~b'), script('20-dpkg-old'), script('30-x.rpmsaver')]), ['10-a~b', '20-dpkg-old', '30-x.rpmsaver']);
  });

  test('a regular file that is not executable: a warning that names it and says chmod +x', () => {
    const plan = planInitScripts(DIR, [script('15-notes', { executable: false }), script('10-setup')]);
    assert.deepEqual(
      plan.scripts.map((entry) => entry.name),
      ['10-setup'],
    );
    assert.deepEqual(plan.skipped, [
      { name: '15-notes', level: 'warn', reason: `skipping ${DIR}/15-notes: not executable; chmod +x ${DIR}/15-notes to run it, or remove it` },
    ]);
  });

  test('directories are ignored (debug), even when executable; so are sockets and fifos', () => {
    const plan = planInitScripts(DIR, [script('sub', { kind: 'directory' }), script('fifo', { kind: 'other' })]);
    assert.deepEqual(plan.scripts, []);
    assert.deepEqual(
      plan.skipped.map(({ name, level }) => [name, level]),
      [
        ['fifo', 'debug'],
        ['sub', 'debug'],
      ],
    );
    assert.match(plan.skipped[1]!.reason, /a directory/);
  });

  test('a broken symbolic link: a warning with the errno', () => {
    const plan = planInitScripts(DIR, [script('20-link', { kind: 'broken-link', executable: false, problem: 'ENOENT' })]);
    assert.deepEqual(plan.skipped, [
      { name: '20-link', level: 'warn', reason: `skipping ${DIR}/20-link: a symbolic link to nothing that can be reached (ENOENT)` },
    ]);
  });

  test('a name that is not valid UTF-8: a warning, not a mangled path', () => {
    const plan = planInitScripts(DIR, [script(Buffer.from([0x31, 0x30, 0xff, 0x2d, 0x78]))]);
    assert.deepEqual(plan.scripts, []);
    assert.equal(plan.skipped.length, 1);
    assert.equal(plan.skipped[0]!.level, 'warn');
    assert.match(plan.skipped[0]!.reason, /^skipping "10\uFFFD-x" in \/etc\/corral\/init\.d: its name is not valid UTF-8; rename it$/);
  });
});

describe('readInitDir', () => {
  test('a directory that does not exist holds nothing to run', (t) => {
    assert.deepEqual(readInitDir(join(scratchDir(t), 'missing')), []);
  });

  test('a file in place of the directory is a configuration error', (t) => {
    const file = join(scratchDir(t), 'init.d');
    writeFileSync(file, '');
    assert.throws(
      () => readInitDir(file),
      (error: unknown) => error instanceof ConfigError && error.message === `${file}: the init directory (CORRAL_INIT_DIR) is not a directory`,
    );
  });

  test('kinds and execute bits as stat sees them, through symbolic links', (t) => {
    const dir = scratchDir(t);
    const write = (name: string, mode: number): void => {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), mode);
    };
    write('10-exec', 0o755);
    write('20-plain', 0o644);
    write('30-group-only', 0o610);
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, '10-exec'), join(dir, '40-link'));
    symlinkSync(join(dir, 'nowhere'), join(dir, '50-dangling'));
    const entries = readInitDir(dir)
      .map(({ name, ...rest }) => ({ name: name.toString(), ...rest }))
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(entries, [
      { name: '10-exec', kind: 'file', executable: true },
      { name: '20-plain', kind: 'file', executable: false },
      { name: '30-group-only', kind: 'file', executable: true },
      { name: '40-link', kind: 'file', executable: true },
      { name: '50-dangling', kind: 'broken-link', executable: false, problem: 'ENOENT' },
      { name: 'sub', kind: 'directory', executable: true },
    ]);
    assert.deepEqual(
      planInitScripts(dir, readInitDir(dir)).scripts.map((entry) => entry.name),
      ['10-exec', '30-group-only', '40-link'],
    );
  });
});

describe('how a script is run', () => {
  test('as a oneshot with every default, in /, labelled init:NAME', () => {
    const config = initScriptConfig({ name: '10-setup.sh', path: '/etc/corral/init.d/10-setup.sh' });
    assert.deepEqual(config.argv, ['/etc/corral/init.d/10-setup.sh']);
    assert.equal(config.working_dir, '/');
    assert.equal(config.type, 'oneshot');
    assert.equal(config.restart, 'never');
    assert.equal(config.user, undefined);
    assert.equal(config.inherit_env, true);
    assert.deepEqual(config.limits, {});
    assert.deepEqual(
      [config.name, config.log.prefix, config.log.stdout, config.log.stderr, config.log.mode],
      ['init:10-setup.sh', 'init:10-setup.sh', 'stdout', 'stderr', 'block'],
    );
  });

  test('its settings, written out so the running corral needs no zod, are what the schema gives', () => {
    const path = '/etc/corral/init.d/10-setup.sh';
    assert.deepEqual(oneshotSettings([path], '/'), serviceSchema.parse({ command: [path], type: 'oneshot', working_dir: '/' }));
  });

  test('a label never holds what would break a log line', () => {
    assert.equal(initLabel('10-a|b\nc\u007f'), 'init:10-a?b?c?');
  });

  test('"not found" for a listed script is about its #! line; other outcomes in the usual words', () => {
    const script = { name: '10-x', path: '/i/10-x' };
    assert.equal(
      describeInitOutcome(script, { kind: 'spawn-failed', errno: 'ENOENT', message: 'x' }),
      'could not be started: /i/10-x or the interpreter on its #! line was not found (ENOENT); check its first line',
    );
    assert.equal(describeInitOutcome(script, { kind: 'exited', code: 3 }), 'exited with code 3');
    assert.equal(
      describeInitOutcome(script, { kind: 'spawn-failed', errno: 'EACCES', message: 'exec x: permission denied' }),
      'could not be started: exec x: permission denied',
    );
  });
});
