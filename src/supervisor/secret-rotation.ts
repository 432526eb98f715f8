// A reload re-reads the secret files of the services it would leave running. One whose
// secrets changed since its run was launched is restarted as a changed service, so a
// rotated secret reaches it at the reload, not only at its next restart. One whose file
// cannot be read now keeps running with what it got: a reload never costs a running
// service, and the operator is told. Only digests are compared (secret-file.ts).
import { cachedSecretReader, readSecretFile, readSecrets, secretsDigest, type SecretRead } from '../config/secret-file.js';
import type { ServiceDiff } from './reload-diff.js';

export interface RotationNote {
  level: 'info' | 'warn';
  text: string;
}

// `launched`: the digest of the secrets the service's current run got, undefined when it
// has no run (a stopped service stays stopped; one in backoff reads them at its retry).
// Each file is read once, however many services name it; `readFile` is for tests.
export function withRotatedSecrets(
  diff: ServiceDiff,
  launched: (name: string) => string | undefined,
  readFile: (path: string) => SecretRead = readSecretFile,
): { diff: ServiceDiff; notes: RotationNote[] } {
  const readOnce = cachedSecretReader(readFile);
  const changed = [...diff.changed];
  const unchanged: ServiceDiff['unchanged'] = [];
  const notes: RotationNote[] = [];
  for (const config of diff.unchanged) {
    const before = launched(config.name);
    if (before === undefined || Object.keys(config.secret_files).length === 0) {
      unchanged.push(config);
      continue;
    }
    const read = readSecrets(config.secret_files, readOnce);
    if ('failure' in read) {
      notes.push({ level: 'warn', text: `${config.name} keeps running with the secrets it started with: ${read.failure.message}` });
      unchanged.push(config);
    } else if (secretsDigest(read.values) === before) {
      unchanged.push(config);
    } else {
      notes.push({ level: 'info', text: `${config.name}: a secret file changed since it started; restarting it` });
      changed.push(config);
    }
  }
  return { diff: { ...diff, changed, unchanged }, notes };
}
