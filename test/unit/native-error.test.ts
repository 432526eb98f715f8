// The addon's errors have the shape of Node's: a real failed syscall gives code = the
// errno's name, errno = its negated number, syscall = the call, and Node's message form.
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { test } from 'node:test';
import { getSystemErrorName } from 'node:util';
import { checkAddonIsCurrent, loadNativeAddon, NativeAddonError, NativeSyscallError, wrapSyscallErrors, type RawNativeAddon } from '../../src/native/addon.js';

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
  assert.deepEqual(
    { code: error.code, errno: error.errno, syscall: error.syscall },
    { code: 'ENOTSOCK', errno: -constants.errno.ENOTSOCK, syscall: 'getsockopt' },
  );
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
  assert.deepEqual(
    { code: cause.code, errno: cause.errno, syscall: cause.syscall, message: cause.message },
    { code: error.code, errno: error.errno, syscall: 'recvmsg', message: error.message },
  );
});

test('a load failure is a NativeAddonError with code ADDON_NOT_LOADED', () => {
  assert.throws(
    () => loadNativeAddon('/nonexistent/corral_native.node'),
    (error: unknown) => error instanceof NativeAddonError && !(error instanceof NativeSyscallError) && error.code === 'ADDON_NOT_LOADED',
  );
});

test('an addon older than corral, whose reapOrphans returns an array of objects, is refused with how to rebuild it', () => {
  const stale = '/opt/old/corral_native.node';
  const module = { reapOrphans: () => ({ reaped: [{ pid: 5, code: 0, signal: null }], retry: false }) };
  const loaded = wrapSyscallErrors(module as unknown as RawNativeAddon, stale);
  assert.throws(
    () => loaded.reapOrphans(),
    (error: unknown) =>
      error instanceof NativeAddonError &&
      error.code === 'ADDON_NOT_LOADED' &&
      error.message ===
        `corral's native addon at ${stale} is older than corral: its reapOrphans() returns no Int32Array.\n` +
          "  Rebuild it with 'npm rebuild corral' (or 'npm install' in a checkout).",
  );
});

for (const name of ['frameLines', 'setOptimizer'] as const) {
  test(`an addon older than corral, without ${name}, is refused at load with how to rebuild it`, () => {
    const stale = '/opt/old/corral_native.node';
    const { [name]: _, ...older } = loadNativeAddon();
    assert.throws(
      () => checkAddonIsCurrent(older, stale),
      (error: unknown) =>
        error instanceof NativeAddonError &&
        error.code === 'ADDON_NOT_LOADED' &&
        error.message ===
          `corral's native addon at ${stale} is older than corral: it has no ${name}().\n  Rebuild it with 'npm rebuild corral' (or 'npm install' in a checkout).`,
    );
    assert.doesNotThrow(() => checkAddonIsCurrent({ ...older, [name]: () => 0 }, stale));
  });
}

// A wrong argument is Node's TypeError (or RangeError), with Node's code and wording,
// whichever function it is given to; the loader passes it on as it is.
const badArguments: [string, () => unknown, typeof TypeError | typeof RangeError, string, string][] = [
  [
    'peerCredentials(fd: string)',
    () => addon.peerCredentials('3' as unknown as number),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "fd" argument must be of type number. Received type string ('3')`,
  ],
  [
    'setOptimizer(on: number)',
    () => addon.setOptimizer(1 as unknown as boolean),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "on" argument must be of type boolean. Received type number (1)',
  ],
  [
    'readDatagrams()',
    () => (addon.readDatagrams as () => unknown)(),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "fd" argument must be of type number. Received undefined',
  ],
  [
    'growPipe(fd, bytes: null)',
    () => addon.growPipe(1, null as unknown as number),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "bytes" argument must be of type number. Received null',
  ],
  [
    'growPipe(fd: 1.5, ...)',
    () => addon.growPipe(1.5, 4096),
    RangeError,
    'ERR_OUT_OF_RANGE',
    'The value of "fd" is out of range. It must be an integer. Received 1.5',
  ],
  [
    'notifySocket(path: number)',
    () => addon.notifySocket(5 as unknown as string),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "path" argument must be of type string. Received type number (5)',
  ],
  ['notifySocket(path: "")', () => addon.notifySocket(''), TypeError, 'ERR_INVALID_ARG_VALUE', "The argument 'path' must be a non-empty string. Received ''"],
  [
    'readDatagramBytes(fd, maxBytes: 0)',
    () => addon.readDatagramBytes(0, 0),
    RangeError,
    'ERR_OUT_OF_RANGE',
    'The value of "maxBytes" is out of range. It must be >= 1 && <= 65536. Received 0',
  ],
  [
    'readDatagramBytes(fd, maxBytes: 65537)',
    () => addon.readDatagramBytes(0, 65537),
    RangeError,
    'ERR_OUT_OF_RANGE',
    'The value of "maxBytes" is out of range. It must be >= 1 && <= 65536. Received 65537',
  ],
  [
    'watchReadable(fd, onReadable: string)',
    () => addon.watchReadable(0, 'x' as unknown as () => void),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "onReadable" argument must be of type function. Received type string ('x')`,
  ],
  [
    'unwatchReadable(watch: {})',
    () => addon.unwatchReadable({} as never),
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "watch" argument must be the value watchReadable returned. Received an instance of Object',
  ],
];

for (const [call, fn, type, code, message] of badArguments) {
  test(`a wrong argument: ${call} throws ${code}`, () => {
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof type, `not a ${type.name}: ${String(error)}`);
      assert.ok(!(error instanceof NativeAddonError));
      assert.equal((error as NodeJS.ErrnoException).code, code);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test("a wrong argument reads as Node's own for the same mistake", () => {
  const ours = nodeError(() => addon.peerCredentials('3' as unknown as number));
  const node = nodeError(() => closeSync('3' as unknown as number));
  assert.deepEqual([ours.name, ours.code, ours.message], [node.name, node.code, node.message]);
});
