// The notify socket's file, at the edge of what corral controls: /run turning read-only
// under a running `ready: notify` service. Removing the socket then fails (EROFS); that is
// a warning for the service, never a reason for PID 1 to exit (it exited 111 before).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

// Runs a shell command in corral's mount namespace (its own, made by unshare), so the
// mounts it makes vanish with corral and never touch the host.
function inCorralMounts(corral: CorralProcess, script: string): void {
  const result = spawnSync('nsenter', ['-t', String(corral.hostPid), '-m', 'sh', '-ec', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 0, `nsenter ${script}: ${result.error?.message ?? result.stderr}`);
}

test('ready: notify: a notify socket that cannot be removed (read-only /run) is a warning; corral restarts the service and exits 0 at SIGTERM', async (t) => {
  if (skipUnlessPid1(t)) return;
  const go = join(scratchDir(t), 'go');
  // READY=1, then wait for the test's go file, remove it (so the next run waits again) and exit.
  const web = [
    `command: ["python3", "-c", "import os, socket, time\\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\\ns.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\\nwhile not os.path.exists('${go}'): time.sleep(0.02)\\nos.remove('${go}')\\nprint('leaving', flush=True)"]`,
    'ready: {notify: true, timeout: 30s}',
    'restart: always',
    'backoff: {initial: 100ms, max: 500ms}',
    '',
  ].join('\n');
  const corral = await startCorral({ pid1: true, services: { 'web.yaml': web }, deadlineMs: 40_000 });
  t.after(() => corral.dispose());
  await corral.waitForLine(/web is ready \(READY=1/, 10_000);
  const notifyDir = join(corral.dir, 'run-notify');
  inCorralMounts(corral, `mount --bind ${notifyDir} ${notifyDir}; mount -o remount,bind,ro ${notifyDir}`);
  spawnSync('touch', [go]);
  const warning = await corral.waitForLine(/warning: web: notify socket .*web\.sock: cannot remove it/, 10_000);
  assert.match(warning, /cannot remove it, so it stays behind: read-only file system \(EROFS\)$/);
  // While /run stays read-only no new socket can be bound: the runs fail and are retried.
  await corral.waitForLine(/web could not be started: cannot create its notify socket .*: read-only file system \(EROFS\)/, 10_000);
  inCorralMounts(corral, `umount ${notifyDir}`);
  await pollFor('web to be ready again', 20_000, () => (corral.events().filter((line) => /^web is ready \(READY=1/.test(line)).length >= 2 ? true : undefined));
  corral.signal('SIGTERM');
  const exit = await corral.waitExit(10_000);
  assert.deepEqual(exit, { code: 0, signal: null }, corral.tail());
  assert.deepEqual(
    corral.texts().filter((line) => /internal error|uncaught|unhandled/i.test(line)),
    [],
  );
});
