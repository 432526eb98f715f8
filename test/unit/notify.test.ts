// sd_notify: message parsing, the events corral acts on, and NotifyListener over a fake addon.
import assert from 'node:assert/strict';
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { MAX_BATCHES_PER_POLL, NotifyListener, notifyEvents, parseNotifyMessage, type NotifyAddon } from '../../src/readiness/notify.js';
import { DatagramSocketError } from '../../src/native/datagram-listener.js';

const deadline = { timeout: 5000 };

describe('parseNotifyMessage', () => {
  test('parse: newline-separated KEY=VALUE pairs', () => {
    assert.deepEqual(
      [...parseNotifyMessage('READY=1\nSTATUS=listening on :80\nMAINPID=42')],
      [
        ['READY', '1'],
        ['STATUS', 'listening on :80'],
        ['MAINPID', '42'],
      ],
    );
  });

  test('parse: empty lines, lines without "=" and lines without a key are ignored', () => {
    assert.deepEqual([...parseNotifyMessage('\nREADY=1\n\njunk\n=nokey\n')], [['READY', '1']]);
    assert.equal(parseNotifyMessage('').size, 0);
  });

  test('parse: the value is everything after the first "=", and may be empty', () => {
    assert.deepEqual(
      [...parseNotifyMessage('STATUS=a=b c\nERRNO=')],
      [
        ['STATUS', 'a=b c'],
        ['ERRNO', ''],
      ],
    );
  });

  test('parse: a repeated key keeps the last value', () => {
    assert.equal(parseNotifyMessage('STATUS=one\nSTATUS=two').get('STATUS'), 'two');
  });
});

describe('notifyEvents', () => {
  const events = (text: string) => notifyEvents(parseNotifyMessage(text));
  const none = { ready: false, stopping: false, reloading: false, watchdog: false, watchdogTrigger: false };

  test('events: READY=1 with a status', () => {
    assert.deepEqual(events('READY=1\nSTATUS=accepting connections'), { ...none, ready: true, status: 'accepting connections' });
  });

  test('events: only the value 1 turns a flag on', () => {
    assert.deepEqual(events('READY=0\nSTOPPING=yes\nWATCHDOG=2'), none);
    assert.deepEqual(events('STOPPING=1\nRELOADING=1\nWATCHDOG=1'), { ...none, stopping: true, reloading: true, watchdog: true });
  });

  test('events: MAINPID and ERRNO are parsed; malformed ones are left out', () => {
    assert.deepEqual(events('MAINPID=1234\nERRNO=2'), { ...none, mainPid: 1234, errno: 2 });
    assert.deepEqual(events('MAINPID=0\nERRNO=-1'), none);
    assert.deepEqual(events('MAINPID=12ab\nERRNO=1e3'), none);
    assert.deepEqual(events('MAINPID=99999999999'), none);
  });

  test('events: WATCHDOG=trigger is a trigger, not a ping', () => {
    assert.deepEqual(events('WATCHDOG=trigger'), { ...none, watchdogTrigger: true });
    assert.deepEqual(events('WATCHDOG=TRIGGER'), none);
  });

  test('events: WATCHDOG_USEC is parsed past 32 bits; malformed ones are left out', () => {
    assert.deepEqual(events('WATCHDOG_USEC=30000000'), { ...none, watchdogUsec: 30_000_000 });
    assert.deepEqual(events('WATCHDOG_USEC=0'), { ...none, watchdogUsec: 0 });
    // An hour: more than a 31-bit number holds.
    assert.deepEqual(events('WATCHDOG_USEC=3600000000'), { ...none, watchdogUsec: 3_600_000_000 });
    assert.deepEqual(events('WATCHDOG_USEC=-1'), none);
    assert.deepEqual(events('WATCHDOG_USEC=5s'), none);
    assert.deepEqual(events('WATCHDOG_USEC=99999999999999999'), none);
  });

  test('events: an empty STATUS is kept (it clears the status)', () => {
    assert.deepEqual(events('STATUS='), { ...none, status: '' });
  });

  test('events: unknown fields are ignored', () => {
    assert.deepEqual(events('FDSTORE=1\nEXTEND_TIMEOUT_USEC=5000000\nX_CUSTOM=1'), none);
  });
});

// A fake addon: notifySocket makes a plain file at the path and returns an fd to
// /dev/null; readDatagrams hands out queued batches.
function fakeAddon(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'corral-notify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = {
    path: join(dir, 'web.sock'),
    fd: -1,
    batches: [] as Array<Array<{ text: string; pid: number }>>,
    reads: 0,
    sockets: [] as string[],
    failRead: undefined as Error | undefined,
  };
  const addon: NotifyAddon = {
    notifySocket(path) {
      state.sockets.push(path);
      writeFileSync(path, '');
      state.fd = openSync('/dev/null', 'r');
      return state.fd;
    },
    readDatagrams(fd) {
      assert.equal(fd, state.fd);
      state.reads += 1;
      if (state.failRead) throw state.failRead;
      return state.batches.shift() ?? [];
    },
  };
  const listeners: NotifyListener[] = [];
  // node:test runs after-hooks in the order they were added, so this one closes the
  // test's listeners itself before checking that the fd was closed.
  t.after(() => {
    for (const listener of listeners) listener.close();
    if (state.fd >= 0 && fdOpen(state.fd)) throw new Error(`fd ${state.fd} left open`);
  });
  const own = (listener: NotifyListener): NotifyListener => {
    listeners.push(listener);
    return listener;
  };
  return { addon, state, own };
}

function fdOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

describe('NotifyListener', () => {
  test('listener: start binds the socket through the addon', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {} }));
    listener.start();
    listener.start();
    assert.deepEqual(state.sockets, [state.path], 'bound once');
  });

  test('listener: pollNow parses every waiting message and passes the sender pid', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const seen: Array<[string, number]> = [];
    const listener = own(
      new NotifyListener({
        path: state.path,
        addon,
        pollMs: 1000,
        onMessage: (fields, pid) => seen.push([fields.get('READY') ?? fields.get('STATUS') ?? '?', pid]),
      }),
    );
    listener.start();
    assert.equal(listener.pollNow(), 0);
    state.batches.push([{ text: 'STATUS=starting', pid: 41 }], [{ text: 'READY=1', pid: 42 }]);
    assert.equal(listener.pollNow(), 2, 'reads batches until none are left');
    assert.deepEqual(seen, [
      ['starting', 41],
      ['1', 42],
    ]);
  });

  test('listener: polls on its own every pollMs', deadline, async (t) => {
    const { addon, state, own } = fakeAddon(t);
    let gotReady!: () => void;
    const ready = new Promise<void>((resolve) => (gotReady = resolve));
    const polling = own(
      new NotifyListener({
        path: state.path,
        addon,
        pollMs: 5,
        onMessage: (fields) => {
          if (notifyEvents(fields).ready) gotReady();
        },
      }),
    );
    polling.start();
    state.batches.push([{ text: 'READY=1', pid: 7 }]);
    await ready;
  });

  test('listener: close stops polling, closes the fd and removes the socket file', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {} }));
    listener.start();
    assert.ok(existsSync(state.path));
    const fd = state.fd;
    listener.close();
    assert.equal(fdOpen(fd), false, 'fd is closed');
    assert.equal(existsSync(state.path), false, 'socket file is removed');
    const reads = state.reads;
    state.batches.push([{ text: 'READY=1', pid: 1 }]);
    assert.equal(listener.pollNow(), 0);
    assert.equal(state.reads, reads, 'no read after close');
    listener.close();
    assert.throws(() => listener.start(), /start\(\) after close\(\)/);
  });

  test('listener: close leaves a socket file that a newer listener bound', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {} }));
    listener.start();
    // A new file put in place while the old one still exists, so it has another inode.
    writeFileSync(`${state.path}.new`, 'newer');
    renameSync(`${state.path}.new`, state.path);
    listener.close();
    assert.ok(existsSync(state.path));
  });

  test('listener: close before start does nothing', deadline, (t) => {
    const { addon, state } = fakeAddon(t);
    new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {} }).close();
    assert.deepEqual(state.sockets, []);
  });

  test('listener: a failing read is reported and closes the listener', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const errors: unknown[] = [];
    const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {}, onError: (error) => errors.push(error) }));
    listener.start();
    state.failRead = new Error('recvmsg failed: EBADF');
    assert.equal(listener.pollNow(), 0);
    assert.equal(errors.length, 1);
    assert.match((errors[0] as Error).message, /EBADF/);
    assert.equal(existsSync(state.path), false, 'closed itself');
    assert.equal(listener.pollNow(), 0);
    assert.equal(errors.length, 1, 'reported once');
  });

  test('listener: a throwing onMessage is reported and listening goes on', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const errors: unknown[] = [];
    const seen: string[] = [];
    const listener = own(
      new NotifyListener({
        path: state.path,
        addon,
        pollMs: 1000,
        onMessage: (fields) => {
          if (fields.has('BAD')) throw new Error('handler bug');
          seen.push([...fields.keys()].join());
        },
        onError: (error) => errors.push(error),
      }),
    );
    listener.start();
    state.batches.push([
      { text: 'BAD=1', pid: 1 },
      { text: 'READY=1', pid: 1 },
    ]);
    assert.equal(listener.pollNow(), 2);
    assert.deepEqual(seen, ['READY']);
    assert.equal(errors.length, 1);
  });

  test('listener: a socket file that cannot be removed is reported, and close does not throw', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    // A directory at the path: unlink fails (EISDIR), as it would with EROFS or EACCES.
    const bindDirectory: NotifyAddon = { ...addon, notifySocket: (path) => (mkdirSync(path), addon.notifySocket(`${path}.fd`)) };
    const errors: unknown[] = [];
    const listener = own(
      new NotifyListener({ path: state.path, addon: bindDirectory, pollMs: 1000, onMessage: () => {}, onError: (error) => errors.push(error) }),
    );
    listener.start();
    const fd = state.fd;
    assert.doesNotThrow(() => listener.close());
    assert.equal(fdOpen(fd), false, 'the fd is closed all the same');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof DatagramSocketError);
    assert.equal(errors[0].code, 'SOCKET_CLEANUP_FAILED');
    assert.match(errors[0].message, /^cannot remove it, so it stays behind: .*\(EISDIR\)$/);
    listener.close();
    assert.equal(errors.length, 1, 'a second close does nothing');
  });

  test('listener: an fd that cannot be closed is reported; the file is still removed', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    // The fake's own fd is closed at once; the listener gets a number that is no fd.
    const badFd: NotifyAddon = { ...addon, notifySocket: (path) => (closeSync(addon.notifySocket(path)), 1_000_000) };
    const errors: unknown[] = [];
    const listener = own(new NotifyListener({ path: state.path, addon: badFd, pollMs: 1000, onMessage: () => {}, onError: (error) => errors.push(error) }));
    listener.start();
    assert.doesNotThrow(() => listener.close());
    assert.match((errors[0] as Error).message, /^cannot close it: bad file descriptor \(EBADF\)$/);
    assert.equal(existsSync(state.path), false);
  });

  test('listener: a reporter that throws does not make close or pollNow throw', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const bindDirectory: NotifyAddon = { ...addon, notifySocket: (path) => (mkdirSync(path), addon.notifySocket(`${path}.fd`)) };
    const onError = (): never => {
      throw new Error('the logger is broken too');
    };
    const listener = own(new NotifyListener({ path: state.path, addon: bindDirectory, pollMs: 1000, onMessage: () => {}, onError }));
    listener.start();
    state.failRead = new Error('recvmsg failed: EIO');
    assert.equal(listener.pollNow(), 0);
    assert.doesNotThrow(() => listener.close());
  });

  test('listener: an answer from the addon it cannot read is reported and closes the listener; pollNow never throws', deadline, (t) => {
    const { addon, state, own } = fakeAddon(t);
    const errors: unknown[] = [];
    const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {}, onError: (error) => errors.push(error) }));
    listener.start();
    state.batches.push([null as unknown as { text: string; pid: number }]);
    assert.equal(listener.pollNow(), 0);
    assert.ok(errors[0] instanceof DatagramSocketError);
    assert.equal(errors[0].code, 'SOCKET_POLL_FAILED');
    assert.match(errors[0].message, /^polling failed, no longer listening: /);
    assert.equal(existsSync(state.path), false, 'closed itself');
  });

  test(
    `listener: a flood is bounded per poll (${MAX_BATCHES_PER_POLL} reads of up to 64 datagrams); one message past the bound waits for the next poll`,
    deadline,
    (t) => {
      const { addon, state, own } = fakeAddon(t);
      const perPoll = MAX_BATCHES_PER_POLL * 64;
      let seen = 0;
      const listener = own(new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => (seen += 1) }));
      listener.start();
      for (let batch = 0; batch < MAX_BATCHES_PER_POLL; batch++) state.batches.push(Array.from({ length: 64 }, () => ({ text: 'STOPPING=1', pid: 9 })));
      state.batches.push([{ text: 'STOPPING=1', pid: 9 }]);
      assert.equal(listener.pollNow(), perPoll, `${perPoll + 1} waiting: ${perPoll} handled in one poll`);
      assert.equal(state.reads, MAX_BATCHES_PER_POLL, 'no read past the bound');
      assert.equal(listener.pollNow(), 1, 'the one past the bound comes with the next poll');
      assert.equal(seen, perPoll + 1);
    },
  );

  test('listener: an addon failure to bind is thrown by start', deadline, (t) => {
    const { state } = fakeAddon(t);
    const addon: NotifyAddon = {
      notifySocket: () => {
        throw new Error('bind failed: ENAMETOOLONG');
      },
      readDatagrams: () => [],
    };
    const listener = new NotifyListener({ path: state.path, addon, pollMs: 1000, onMessage: () => {} });
    assert.throws(() => listener.start(), /ENAMETOOLONG/);
    listener.close();
  });
});
