// The addon's errors have the shape of Node's: a real failed syscall gives code = the
// errno's name, errno = its negated number, syscall = the call, and Node's message form.
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { test } from 'node:test';
import { getSystemErrorName } from 'node:util';
import { loadNativeAddon, NativeAddonError, NativeSyscallError } from '../../src/native/addon.js';

const addon = loadNativeAddon();

// What Node's own errors look like for the same errno, for comparison.
function nodeError(fn: () => void): NodeJS.ErrnoException {
  try {
    fn();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  assert.fail('expected a throw');
}

function nativeError(fn: () => unknown): NativeSyscallError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NativeSyscallError, `not a NativeSyscallError: ${String(error)}`);
    assert.ok(error instanceof NativeAddonError);
    return error;
  }
  assert.fail('expected a throw');
}

test('a closed fd (EBADF): code, negated errno and syscall as Node gives them', () => {
  const [readFd, writeFd] = addon.pipe();
  closeSync(readFd);
  closeSync(writeFd);
  const error = nativeError(() => addon.peerCredentials(readFd));
  assert.equal(error.code, 'EBADF');
  assert.equal(error.errno, -constants.errno.EBADF);
  assert.equal(error.syscall, 'getsockopt');
  assert.equal(error.message, 'EBADF: bad file descriptor, getsockopt(SO_PEERCRED)');
  assert.equal(getSystemErrorName(error.errno), error.code);
  const node = nodeError(() => closeSync(readFd));
  assert.deepEqual([error.code, error.errno], [node.code, node.errno]);
  assert.match(node.message, /^EBADF: bad file descriptor, close$/);
});

test('a pipe is not a socket (ENOTSOCK)', (t) => {
  const [readFd, writeFd] = addon.pipe();
  t.after(() => [readFd, writeFd].forEach((fd) => closeSync(fd)));
  const error = nativeError(() => addon.peerCredentials(readFd));
  assert.deepEqual({ code: error.code, errno: error.errno, syscall: error.syscall }, { code: 'ENOTSOCK', errno: -constants.errno.ENOTSOCK, syscall: 'getsockopt' });
  assert.equal(error.message, 'ENOTSOCK: socket operation on non-socket, getsockopt(SO_PEERCRED)');
});

test('growPipe on a file that is not a pipe (EBADF from fcntl)', (t) => {
  const fd = openSync('/dev/null', 'r');
  t.after(() => closeSync(fd));
  const error = nativeError(() => addon.growPipe(fd, 65536));
  assert.deepEqual({ code: error.code, errno: error.errno, syscall: error.syscall }, { code: 'EBADF', errno: -constants.errno.EBADF, syscall: 'fcntl' });
  assert.equal(error.message, 'EBADF: bad file descriptor, fcntl(F_SETPIPE_SZ)');
});

test("the addon's own error is the cause, with the same fields", () => {
  const error = nativeError(() => addon.readDatagrams(-1));
  const cause = error.cause as NodeJS.ErrnoException;
  assert.ok(cause instanceof Error);
  assert.deepEqual({ code: cause.code, errno: cause.errno, syscall: cause.syscall, message: cause.message }, { code: error.code, errno: error.errno, syscall: 'recvmsg', message: error.message });
});

test('a load failure is a NativeAddonError with code ADDON_NOT_LOADED', () => {
  assert.throws(
    () => loadNativeAddon('/nonexistent/corral_native.node'),
    (error: unknown) => error instanceof NativeAddonError && !(error instanceof NativeSyscallError) && error.code === 'ADDON_NOT_LOADED',
  );
});
