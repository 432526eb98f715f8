// peerCredentials (SO_PEERCRED) on a real unix socket server: the control socket trusts
// the kernel's word for who connected, so check it for this process and for another uid.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { loadNativeAddon, NativeAddonError, type PeerCredentials } from '../../src/native/addon.js';
import { scratchDir } from '../helpers/scratch.js';

const addon = loadNativeAddon();
const deadlineMs = 10_000;

// Rejects if `promise` has not settled within deadlineMs.
async function withinDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  const timeout = setTimeout(deadlineMs, undefined, { ref: false }).then(() => {
    throw new Error(`timed out after ${deadlineMs}ms waiting for ${what}`);
  });
  return Promise.race([promise, timeout]);
}

// A listening unix socket anyone may connect to, and the credentials of its first client.
async function listen(t: TestContext): Promise<{ path: string; firstPeer: Promise<PeerCredentials> }> {
  const dir = scratchDir(t);
  chmodSync(dir, 0o777);
  const path = join(dir, 'control.sock');
  let server: Server | undefined;
  const firstPeer = new Promise<PeerCredentials>((resolve, reject) => {
    server = createServer((socket: Socket) => {
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
      try {
        assert.ok(typeof fd === 'number' && fd >= 0, `no fd on the accepted socket: ${fd}`);
        resolve(addon.peerCredentials(fd));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      // Closing tells the client it may exit.
      socket.end();
    });
  });
  const listening = server;
  assert.ok(listening);
  t.after(() => listening.close());
  await withinDeadline(new Promise<void>((resolve, reject) => listening.once('error', reject).listen(path, resolve)), 'the server to listen');
  chmodSync(path, 0o666);
  return { path, firstPeer };
}

test('peerCredentials: a client in this process is this process', async (t) => {
  const { path, firstPeer } = await listen(t);
  const client = createConnection(path);
  t.after(() => client.destroy());
  client.on('error', () => {}); // the server's end() may race the test's own cleanup
  const peer = await withinDeadline(firstPeer, 'the connection');
  assert.deepEqual(peer, { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
});

test('peerCredentials: a client running as uid 65534 is reported as 65534', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to run a client as another uid');
    return;
  }
  const { path, firstPeer } = await listen(t);
  // Connects, then waits for the server to close the connection.
  const script = "require('net').connect(process.argv[1]).on('end', () => process.exit(0)).on('error', () => process.exit(2))";
  const client = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script, path], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => client.kill('SIGKILL'));
  let stderr = '';
  client.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<never>((_resolve, reject) =>
    client.on('exit', (code) => reject(new Error(`the client exited (${code}) before connecting: ${stderr}`))),
  );
  const peer = await withinDeadline(Promise.race([firstPeer, exited]), 'the uid 65534 client');
  // setpriv execs node, so the client's pid is the one that connected.
  assert.deepEqual(peer, { pid: client.pid, uid: 65534, gid: 65534 });
});

test('peerCredentials: a pipe is not a socket (ENOTSOCK)', (t) => {
  const [readFd, writeFd] = addon.pipe();
  t.after(() => {
    closeSync(readFd);
    closeSync(writeFd);
  });
  assert.throws(
    () => addon.peerCredentials(readFd),
    (error: unknown) => error instanceof NativeAddonError && error.code === 'ENOTSOCK' && /SO_PEERCRED/.test(error.message),
  );
});

test('peerCredentials: an fd that is not open fails with EBADF', () => {
  assert.throws(
    () => addon.peerCredentials(-1),
    (error: unknown) => error instanceof NativeAddonError && error.code === 'EBADF',
  );
});
