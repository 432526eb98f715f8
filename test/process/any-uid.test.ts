// corral run as a non-root user, as `docker run --user 12345:0` and OpenShift run it: its
// sockets go to a private run directory of its own, the client finds them there the same
// way, its own uid in `user:` is no switch, and a switch it cannot make is a configuration
// error, said once, with nothing started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { corralCli } from '../helpers/corral-cli.js';
import { corralMain, startCorral } from '../helpers/corral-process.js';
import { scratchDir, scratchFiles } from '../helpers/scratch.js';

// OpenShift's convention: an arbitrary uid, in group 0.
const UID = 12345;
const AS_USER = ['setpriv', `--reuid=${UID}`, '--regid=0', '--clear-groups'];

function skipUnlessRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return false;
  t.skip('needs root, to run corral as another user with setpriv');
  return true;
}

// An XDG_RUNTIME_DIR of the user's own, as a login would give it; nothing else of the
// test's (no CORRAL_RUN_DIR) tells corral or its client where to go.
function userEnv(t: TestContext): Record<string, string> {
  const xdg = join(scratchDir(t), 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  chownSync(xdg, UID, 0);
  chmodSync(join(xdg, '..'), 0o755);
  return { CORRAL_RUN_DIR: '', XDG_RUNTIME_DIR: xdg };
}

test('as uid 12345: a private run directory, found by the client; user: 12345 is no switch; ready: notify works', async (t) => {
  if (skipUnlessRoot(t)) return;
  const env = userEnv(t);
  const web = [
    `command: ["python3", "-c", "import os, socket, time\\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\\ns.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\\nprint('up as', os.getuid(), os.getgid(), flush=True)\\ntime.sleep(60)"]`,
    `user: ${UID}`,
    'ready: {notify: true, timeout: 10s}',
    '',
  ].join('\n');
  const corral = await startCorral({ pid1: false, wrapper: AS_USER, env, services: { 'web.yaml': web } });
  t.after(() => corral.dispose());
  // /run/corral is root's here, so corral says where it went instead, and why.
  const where = await corral.waitForLine(/run directory \S+ \(passed over \/run\/corral: /);
  assert.ok(where.includes(`run directory ${env.XDG_RUNTIME_DIR}/corral `), where);
  await corral.waitForLine(/web is ready \(READY=1/);
  await corral.waitForLine(new RegExp(`^web +\\| up as ${UID} 0$`));

  const status = await corralCli('', ['status'], { wrapper: AS_USER, env });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^web +running +\d+ /m);
  assert.equal((await corralCli('', ['health'], { wrapper: AS_USER, env })).code, 0);

  // Without the XDG_RUNTIME_DIR corral used, the client says where it looked.
  const lost = await corralCli('', ['status'], { wrapper: AS_USER, env: { CORRAL_RUN_DIR: '', XDG_RUNTIME_DIR: '' } });
  assert.equal(lost.code, 111);
  assert.match(
    lost.stderr,
    new RegExp(
      `^corral status: no control socket at /run/corral/control\\.sock( \\(.*\\))?, /tmp/corral-${UID}/control\\.sock: corral is not running here, or uses another run directory \\(set CORRAL_RUN_DIR to the one it uses\\)$`,
      'm',
    ),
  );
});

test('as uid 12345: user: root is a configuration error, at corral check and at the start; nothing is started', async (t) => {
  if (skipUnlessRoot(t)) return;
  const env = userEnv(t);
  const services = { 'web.yaml': 'command: ["sh", "-c", "echo web ran"]\nuser: root\n' };
  const message =
    /web\.yaml:2:7: user: corral runs as uid 12345, gid 0, not as root, so it cannot start this service as user root \(uid 0\), gid 0; remove user: \(and group:\) to run it as corral's own user, or run corral as root/;

  const dir = scratchFiles(t, services);
  chmodSync(dir, 0o755);
  const check = spawnSync(AS_USER[0]!, [...AS_USER.slice(1), process.execPath, corralMain, 'check', dir], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(check.status, 100, check.stderr);
  assert.match(check.stderr, message);

  const corral = await startCorral({ pid1: false, wrapper: AS_USER, env, services });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(10_000), { code: 100, signal: null });
  assert.match(corral.texts('stderr').join('\n'), message);
  assert.ok(!corral.texts().some((text) => /web ran|web started/.test(text)), corral.tail());
});
