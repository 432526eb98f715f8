// `corral check` on the inputs of issue 15 that made it exit 111, abort out of memory
// (134) or hang: each is a problem of its file, exit 100, quickly. A plain process: check
// needs no PID namespace. The same inputs at a reload as PID 1 are in config-boundary.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { corralMain, corralNodeFlags } from '../helpers/corral-process.js';
import { aliasBombLines } from '../helpers/hostile-inputs.js';
import { scratchDir } from '../helpers/scratch.js';

// Long enough for a loaded machine; a hang (a FIFO read) is what it catches. SIGKILL: a
// corral blocked in a read never runs its SIGTERM handler, and spawnSync would wait for it.
const TIMEOUT_MS = 15_000;

function check(dir: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const result = spawnSync(process.execPath, [...corralNodeFlags, corralMain, 'check', dir], {
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    env: { ...process.env, CORRAL_LOG_LEVEL: 'info' },
  });
  return { status: result.status, signal: result.signal, stderr: result.stderr };
}

function dirWith(t: TestContext, files: Record<string, string>, extra?: (dir: string) => void): string {
  const dir = scratchDir(t);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  extra?.(dir);
  return dir;
}

const CASES: [string, Record<string, string>, ((dir: string) => void) | undefined, RegExp][] = [
  [
    'row 1: a "billion laughs" file (was 111)',
    { 'web.yaml': `command: x\n${aliasBombLines(9)}` },
    undefined,
    /web\.yaml:6:10: l4: the file holds more than 10000 YAML nodes/,
  ],
  [
    'row 1: an alias to no anchor (was 111)',
    { 'web.yaml': 'command: x\ndescription: *nope\n' },
    undefined,
    /web\.yaml:2:14: description: the alias \*nope refers to no anchor/,
  ],
  [
    'row 1: 60,000 nested brackets (a stack overflow in the composer)',
    { 'web.yaml': `command: x\nx: ${'['.repeat(60_000)}\n` },
    undefined,
    /web\.yaml:2:36: x: the file nests collections more than 32 deep/,
  ],
  [
    'row 5: a 5 MB service file (was 134)',
    { 'web.yaml': `command: x\n${'a: 1\n'.repeat(1024 * 1024)}` },
    undefined,
    /web\.yaml: is 5242891 bytes, over the limit of 64KiB/,
  ],
  [
    'row 5: a 5 MB env file (was 134)',
    { 'web.yaml': 'command: x\nenv_file: web.env\n', 'web.env': `${'A=1\n'.repeat(1310720)}` },
    undefined,
    /env_file: .*web\.env is 5242880 bytes, over the limit of 256KiB/,
  ],
  ['row 6: a symbolic link to /dev/zero', {}, (dir) => symlinkSync('/dev/zero', join(dir, 'zero.yaml')), /zero\.yaml: is a character device/],
  ['row 7: a FIFO named x.yaml (hung)', {}, (dir) => assert.equal(spawnSync('mkfifo', [join(dir, 'x.yaml')]).status, 0), /x\.yaml: is a FIFO \(named pipe\)/],
];

for (const [what, files, extra, problem] of CASES) {
  test(`corral check, ${what}: exit 100 and the problem`, (t) => {
    const result = check(dirWith(t, files, extra));
    assert.deepEqual([result.status, result.signal], [100, null], result.stderr.slice(0, 2000));
    assert.match(result.stderr, problem);
  });
}

test('corral check, also seen: escape sequences in a file are echoed escaped', (t) => {
  const result = check(dirWith(t, { 'web.yaml': 'command: x\n\x1b]0;owned\x07\x1b[2Jx: 1\n' }));
  assert.equal(result.status, 100);
  const raw = [...result.stderr].filter((char) => char !== '\n' && (char < ' ' || char === '\x7f'));
  assert.deepEqual(raw, [], `raw control bytes in: ${JSON.stringify(result.stderr)}`);
  assert.match(result.stderr, /\\x1b\]0;owned\\x07\\x1b\[2Jx: unknown key/);
});
