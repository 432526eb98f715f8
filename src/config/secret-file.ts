// The values of a service's {file: PATH} environment entries (Docker and Kubernetes
// secrets), read each time the service is launched, so a start, a restart and a reload
// all see the file as it is then. The read is bounded like every other (bounded-read.ts):
// only a regular file is opened, without blocking, and at most LIMITS.secretFileBytes of
// it. One trailing line break is taken off, as `$(cat file)` would take them all: a file
// written by `echo` or an editor ends with one that is not part of the secret.
//
// What is read is never put into a message: a problem names the variable and the path,
// and says what is wrong with the file, not what it holds.
import { isUtf8 } from 'node:buffer';
import { describeReadFailure, readBoundedFile } from './bounded-read.js';
import { LIMITS } from './limits.js';

export type SecretRead = { value: string } | { errno: string; problem: string };

// The value of the secret file at `path`, or why it cannot be one; `problem` starts
// after the path ("/run/secrets/db does not exist ...").
export function readSecretFile(path: string): SecretRead {
  const read = readBoundedFile(path, LIMITS.secretFileBytes);
  if ('failure' in read) {
    const { failure } = read;
    switch (failure.kind) {
      case 'missing':
        return {
          errno: 'ENOENT',
          problem: `${failure.dangling ? 'is a symbolic link to a file that does not exist' : 'does not exist'} (ENOENT); mount the secret there or fix the path`,
        };
      case 'not-regular':
        return { errno: failure.what === 'a directory' ? 'EISDIR' : 'EINVAL', problem: describeReadFailure(failure, 'a secret file') };
      case 'too-large':
      case 'over-budget':
        return { errno: 'EFBIG', problem: describeReadFailure(failure, 'a secret file') };
      case 'error':
        return { errno: failure.code, problem: describeReadFailure(failure, 'a secret file') };
    }
  }
  const { bytes } = read;
  // Node would refuse the environment (and its error would show the value), and the
  // kernel would cut the value there anyway.
  if (bytes.includes(0)) {
    return { errno: 'EINVAL', problem: 'holds a NUL byte (\\0), which an environment variable cannot hold; store the value without it' };
  }
  // Other bytes would reach the service as U+FFFD: a value that is not what the file says.
  if (!isUtf8(bytes)) {
    return { errno: 'EILSEQ', problem: 'is not valid UTF-8 text, which an environment variable passes on; store the value as text (base64 for binary data)' };
  }
  return { value: trimLineBreak(bytes.toString('utf8')) };
}

// One trailing "\n" (or "\r\n") off; any before it are part of the value.
export function trimLineBreak(text: string): string {
  if (!text.endsWith('\n')) return text;
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.slice(0, -1);
}

export type SecretsRead = { values: Record<string, string> } | { failure: { errno: string; message: string } };

// Every secret of a service, or the first that cannot be read, in words that name the
// variable and the path: "environment.DB_PASSWORD: /run/secrets/db does not exist ...".
// `readOne` reads one file: a reload passes one that reads each path once (cachedSecretReader).
export function readSecrets(secretFiles: Readonly<Record<string, string>>, readOne: (path: string) => SecretRead = readSecretFile): SecretsRead {
  const values: Record<string, string> = {};
  for (const [name, path] of Object.entries(secretFiles)) {
    const read = readOne(path);
    if ('problem' in read) return { failure: { errno: read.errno, message: `environment.${name}: ${path} ${read.problem}` } };
    values[name] = read.value;
  }
  return { values };
}

// A reader that reads each path once, then gives what it read: for one reload, where
// 200 replicas sharing a file would otherwise read it 200 times, synchronously. Its
// values live as long as the reload's check; a launch reads afresh (readSecrets' default).
export function cachedSecretReader(read: (path: string) => SecretRead = readSecretFile): (path: string) => SecretRead {
  const cache = new Map<string, SecretRead>();
  return (path) => {
    let result = cache.get(path);
    if (result === undefined) {
      result = read(path);
      cache.set(path, result);
    }
    return result;
  };
}

// What a reload compares to tell whether a secret changed since the run was launched: a
// digest, so the values themselves are kept nowhere but in the run's environment.
export function secretsDigest(values: Readonly<Record<string, string>>): string {
  // node:crypto is loaded on the first digest, not at start: with it come OpenSSL's
  // start-up and some 30 of Node's modules, about 1 MiB a corral without secrets never
  // needed (issue 20).
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256');
  for (const name of Object.keys(values).sort()) hash.update(`${name}\0${values[name]}\0`);
  return hash.digest('hex');
}
