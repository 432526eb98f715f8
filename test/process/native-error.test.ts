// EMFILE from the addon, for real: a child node whose RLIMIT_NOFILE is lowered (prlimit,
// soft and hard, since node raises the soft limit to the hard one) makes pipes until
// pipe2 fails, and reports the error it got through the loader.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { test } from 'node:test';

const loader = new URL('../../src/native/addon.ts', import.meta.url).href;

const script = `
const { loadNativeAddon, NativeSyscallError } = await import(${JSON.stringify(loader)});
const addon = loadNativeAddon();
try {
  for (;;) addon.pipe();
} catch (error) {
  const { name, code, errno, syscall, message } = error;
  console.log(JSON.stringify({ isSyscallError: error instanceof NativeSyscallError, name, code, errno, syscall, message }));
}
`;

test('pipe() past RLIMIT_NOFILE: code EMFILE, errno -24, syscall pipe2', (t) => {
  const probe = spawnSync('prlimit', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('prlimit (util-linux) is not installed');
    return;
  }
  const child = spawnSync('prlimit', ['--nofile=64:64', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.status, 0, `the child failed: ${child.error?.message ?? child.stderr}`);
  assert.deepEqual(JSON.parse(child.stdout), {
    isSyscallError: true,
    name: 'NativeSyscallError',
    code: 'EMFILE',
    errno: -constants.errno.EMFILE,
    syscall: 'pipe2',
    message: 'EMFILE: too many open files, pipe2',
  });
});

// reapOrphans with a libuv zombie at the head of the kernel's queue lists this process's
// children from /proc/self/task; with no fd left, opendir fails. The loop is held (synchronous code) from the child's exit to
// the call, so libuv cannot reap its zombie first; no timing is involved.
const reapScript = `
const { loadNativeAddon, NativeSyscallError } = await import(${JSON.stringify(loader)});
const { spawn } = await import('node:child_process');
const { openSync, readFileSync } = await import('node:fs');
const addon = loadNativeAddon();
const child = spawn('/bin/true', { stdio: 'ignore' });
const state = () => { const stat = readFileSync('/proc/' + child.pid + '/stat', 'utf8'); return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3); };
const deadline = Date.now() + 20000;
while (state() !== 'Z') if (Date.now() > deadline) throw new Error('the child never became a zombie');
try { for (;;) addon.pipe(); } catch {}
try { for (;;) openSync('/dev/null', 'r'); } catch {}
const { retry, failure } = addon.reapOrphans();
const { code, errno, syscall, message } = failure ?? {};
console.log(JSON.stringify({ retry, isSyscallError: failure instanceof NativeSyscallError, code, errno, syscall, message }));
process.exit(0);
`;

test('reapOrphans out of fds: the result carries the failure with its errno, opendir EMFILE', (t) => {
  const probe = spawnSync('prlimit', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('prlimit (util-linux) is not installed');
    return;
  }
  const child = spawnSync('prlimit', ['--nofile=64:64', process.execPath, '--import', 'tsx', '--input-type=module', '-e', reapScript], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.status, 0, `the child failed: ${child.error?.message ?? child.stderr}`);
  assert.deepEqual(JSON.parse(child.stdout), {
    retry: true,
    isSyscallError: true,
    code: 'EMFILE',
    errno: -constants.errno.EMFILE,
    syscall: 'opendir',
    message: 'EMFILE: too many open files, opendir(/proc/self/task)',
  });
});
