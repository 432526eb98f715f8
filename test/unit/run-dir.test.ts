// Where the control and notify sockets go (src/control/run-dir.ts): each choice in turn,
// on real directories in a scratch tree standing in for /run and /tmp, and the private
// fallbacks refusing what someone else could have put there first.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findControlSocket, prepareRunDir, runDirAt, type RunDirOptions } from '../../src/control/run-dir.js';
import { scratchDir } from '../helpers/scratch.js';

const uid = process.getuid!();

// A scratch stand-in for the machine: run/ (for /run), tmp/ (sticky, world-writable, as
// /tmp is) and xdg/ (a user's XDG_RUNTIME_DIR).
function machine(t: TestContext): {
  root: string;
  run: string;
  tmp: string;
  xdg: string;
  options: (env?: Record<string, string>, as?: number) => RunDirOptions;
} {
  const root = scratchDir(t);
  const [run, tmp, xdg] = ['run', 'tmp', 'xdg'].map((name) => join(root, name)) as [string, string, string];
  mkdirSync(run);
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);
  mkdirSync(xdg, { mode: 0o700 });
  return { root, run, tmp, xdg, options: (env = {}, as = uid) => ({ env, uid: as, sharedDir: join(run, 'corral'), tmpDir: tmp }) };
}

const modeOf = (path: string): number => lstatSync(path).mode & 0o7777;

// Makes `path` unusable as a parent: a file stands where /run would be.
function blockShared(run: string): void {
  writeFileSync(join(run, 'corral'), 'not a directory');
}

describe('prepareRunDir: the choice corral makes', () => {
  test('CORRAL_RUN_DIR is used as it is: nothing is made or tried', (t) => {
    const m = machine(t);
    const given = join(m.root, 'mine', 'run');
    const choice = prepareRunDir(m.options({ CORRAL_RUN_DIR: given, XDG_RUNTIME_DIR: m.xdg }));
    assert.deepEqual(choice, { runDir: runDirAt(given), passedOver: [] });
    assert.equal(statSync(join(m.root, 'mine'), { throwIfNoEntry: false }), undefined);
    assert.equal(statSync(join(m.run, 'corral'), { throwIfNoEntry: false }), undefined);
  });

  test('/run/corral when it can be made: 0700, with its notify directory beside it, 0711', (t) => {
    const m = machine(t);
    const choice = prepareRunDir(m.options({ XDG_RUNTIME_DIR: m.xdg }));
    assert.deepEqual(choice, {
      runDir: { dir: join(m.run, 'corral'), controlSocket: join(m.run, 'corral', 'control.sock'), notifyDir: join(m.run, 'corral-notify') },
      passedOver: [],
    });
    assert.equal(modeOf(join(m.run, 'corral')), 0o700);
    assert.equal(modeOf(join(m.run, 'corral-notify')), 0o711);
  });

  test('an existing /run/corral that is writable is used as the image made it (group 0, setgid: OpenShift)', (t) => {
    const m = machine(t);
    for (const name of ['corral', 'corral-notify']) {
      mkdirSync(join(m.run, name));
      chmodSync(join(m.run, name), 0o2770);
    }
    assert.equal(prepareRunDir(m.options()).runDir?.dir, join(m.run, 'corral'));
    assert.equal(modeOf(join(m.run, 'corral')), 0o2770, 'not chmodded: that would need CAP_FOWNER when corral is not its owner');
    assert.equal(modeOf(join(m.run, 'corral-notify')), 0o2770);
  });

  test('when /run/corral cannot be used: $XDG_RUNTIME_DIR/corral, 0700, and the reason /run/corral was passed over', (t) => {
    const m = machine(t);
    blockShared(m.run);
    const choice = prepareRunDir(m.options({ XDG_RUNTIME_DIR: m.xdg }));
    assert.equal(choice.runDir?.dir, join(m.xdg, 'corral'));
    assert.equal(choice.runDir?.notifyDir, join(m.xdg, 'corral-notify'));
    assert.equal(modeOf(join(m.xdg, 'corral')), 0o700);
    assert.equal(modeOf(join(m.xdg, 'corral-notify')), 0o711);
    assert.deepEqual(choice.passedOver, [`${join(m.run, 'corral')}: not a directory`]);
  });

  test('when /run/corral cannot be used and there is no XDG_RUNTIME_DIR (or a relative one): /tmp/corral-UID, 0700', (t) => {
    for (const env of [{}, { XDG_RUNTIME_DIR: 'relative/dir' }] as Record<string, string>[]) {
      const m = machine(t);
      blockShared(m.run);
      const choice = prepareRunDir(m.options(env));
      assert.equal(choice.runDir?.dir, join(m.tmp, `corral-${uid}`));
      assert.equal(choice.runDir?.notifyDir, join(m.tmp, `corral-${uid}-notify`));
      assert.equal(modeOf(join(m.tmp, `corral-${uid}`)), 0o700);
      assert.equal(modeOf(join(m.tmp, `corral-${uid}-notify`)), 0o711);
    }
  });

  test('/tmp/corral-UID made by an earlier run of the same user is used again', (t) => {
    const m = machine(t);
    blockShared(m.run);
    assert.equal(prepareRunDir(m.options()).runDir?.dir, join(m.tmp, `corral-${uid}`));
    assert.equal(prepareRunDir(m.options()).runDir?.dir, join(m.tmp, `corral-${uid}`));
  });

  test('a hostile /tmp/corral-UID symbolic link is refused, and what it points to is left alone', (t) => {
    const m = machine(t);
    blockShared(m.run);
    const target = join(m.root, 'victim');
    mkdirSync(target, { mode: 0o755 });
    symlinkSync(target, join(m.tmp, `corral-${uid}`));
    const choice = prepareRunDir(m.options());
    assert.equal(choice.runDir, undefined);
    assert.match(choice.passedOver.at(-1)!, /corral-\d+: is a symbolic link; remove it$/);
    assert.equal(modeOf(target), 0o755);
    assert.equal(readlinkSync(join(m.tmp, `corral-${uid}`)), target);
  });

  test('a /tmp/corral-UID that belongs to another user is refused', (t) => {
    const m = machine(t);
    blockShared(m.run);
    // Made by this process's uid, so it is someone else's to a corral running as uid + 1.
    const other = uid + 1;
    mkdirSync(join(m.tmp, `corral-${other}`), { mode: 0o700 });
    const choice = prepareRunDir(m.options({}, other));
    assert.equal(choice.runDir, undefined);
    assert.match(choice.passedOver.at(-1)!, new RegExp(`corral-${other}: belongs to uid ${uid}, not to uid ${other}; remove it$`));
  });

  test('a /tmp/corral-UID of ours that others can open is refused', (t) => {
    const m = machine(t);
    blockShared(m.run);
    mkdirSync(join(m.tmp, `corral-${uid}`));
    chmodSync(join(m.tmp, `corral-${uid}`), 0o777);
    const choice = prepareRunDir(m.options());
    assert.equal(choice.runDir, undefined);
    assert.match(choice.passedOver.at(-1)!, /has mode 0777, open to other users; remove it$/);
  });

  test('a hostile notify directory beside a good one is refused too', (t) => {
    const m = machine(t);
    blockShared(m.run);
    symlinkSync(join(m.root), join(m.tmp, `corral-${uid}-notify`));
    const choice = prepareRunDir(m.options());
    assert.equal(choice.runDir, undefined);
    assert.match(choice.passedOver.at(-1)!, new RegExp(`corral-${uid}: ${m.tmp}/corral-${uid}-notify: is a symbolic link`));
  });

  test('a refused $XDG_RUNTIME_DIR/corral falls through to /tmp/corral-UID; every reason is kept', (t) => {
    const m = machine(t);
    blockShared(m.run);
    symlinkSync(m.root, join(m.xdg, 'corral'));
    const choice = prepareRunDir(m.options({ XDG_RUNTIME_DIR: m.xdg }));
    assert.equal(choice.runDir?.dir, join(m.tmp, `corral-${uid}`));
    assert.deepEqual(
      choice.passedOver.map((line) => line.split(':')[0]),
      [join(m.run, 'corral'), join(m.xdg, 'corral')],
    );
  });
});

// A listening unix socket at `path`, closed after the test.
async function socketAt(t: TestContext, path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

describe('findControlSocket: where the client looks', () => {
  test('CORRAL_RUN_DIR: its socket, whether or not it exists', (t) => {
    const m = machine(t);
    assert.deepEqual(findControlSocket(m.options({ CORRAL_RUN_DIR: join(m.root, 'x') })), { path: join(m.root, 'x', 'control.sock') });
  });

  test('the first place that has a socket, in the order corral chooses', async (t) => {
    const m = machine(t);
    blockShared(m.run);
    const chosen = prepareRunDir(m.options({ XDG_RUNTIME_DIR: m.xdg })).runDir!;
    await socketAt(t, chosen.controlSocket);
    assert.deepEqual(findControlSocket(m.options({ XDG_RUNTIME_DIR: m.xdg })), { path: join(m.xdg, 'corral', 'control.sock') });
  });

  test('finding none, it says every path it looked at', (t) => {
    const m = machine(t);
    const found = findControlSocket(m.options({ XDG_RUNTIME_DIR: m.xdg }));
    assert.deepEqual(found, {
      lookedIn: [join(m.run, 'corral', 'control.sock'), join(m.xdg, 'corral', 'control.sock'), join(m.tmp, `corral-${uid}`, 'control.sock')],
    });
  });

  test('a socket in a private directory it would not trust is not used, and it says why', async (t) => {
    const m = machine(t);
    const dir = join(m.tmp, `corral-${uid}`);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await socketAt(t, join(dir, 'control.sock'));
    const found = findControlSocket(m.options());
    assert.ok('lookedIn' in found);
    assert.match(found.lookedIn.at(-1)!, /control\.sock \(not used: has mode 0777, open to other users; remove it\)$/);
  });
});
