// A reload restarts a running service whose secret files changed since its run was
// launched, leaves one whose files cannot be read, and compares digests only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSecretFile, secretsDigest } from '../../src/config/secret-file.js';
import { diffServices } from '../../src/supervisor/reload-diff.js';
import { withRotatedSecrets } from '../../src/supervisor/secret-rotation.js';
import { serviceConfig } from '../helpers/service-config.js';

test('withRotatedSecrets: changed secrets restart, the same ones, none, no run, or an unreadable file do not', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-rotation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const services = [
    serviceConfig('rotated', { secret_files: { TOKEN: file('rotated', 'new\n') } }),
    serviceConfig('same', { secret_files: { TOKEN: file('same', 'kept\n') } }),
    serviceConfig('plain'),
    serviceConfig('stopped', { secret_files: { TOKEN: file('stopped', 'new') } }),
    serviceConfig('gone', { secret_files: { TOKEN: join(dir, 'missing') } }),
  ];
  const launched: Record<string, string | undefined> = {
    rotated: secretsDigest({ TOKEN: 'old' }),
    same: secretsDigest({ TOKEN: 'kept' }),
    plain: undefined,
    stopped: undefined,
    gone: secretsDigest({ TOKEN: 'old' }),
  };
  const { diff, notes } = withRotatedSecrets(diffServices(services, services), (name) => launched[name]);
  assert.deepEqual(
    diff.changed.map((config) => config.name),
    ['rotated'],
  );
  assert.deepEqual(
    diff.unchanged.map((config) => config.name),
    ['same', 'plain', 'stopped', 'gone'],
  );
  assert.deepEqual(notes, [
    { level: 'info', text: 'rotated: a secret file changed since it started; restarting it' },
    {
      level: 'warn',
      text: `gone keeps running with the secrets it started with: environment.TOKEN: ${join(dir, 'missing')} does not exist (ENOENT); mount the secret there or fix the path`,
    },
  ]);
  assert.ok(!JSON.stringify(notes).includes('new'), 'a value is in a note');
});

test('withRotatedSecrets: a reload reads each secret file once, however many running services name it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-rotation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shared = join(dir, 'shared');
  const own = join(dir, 'own');
  const missing = join(dir, 'missing');
  writeFileSync(shared, 'same\n');
  writeFileSync(own, 'new\n');
  // 200 replicas with the shared file, one of which also has its own; two with a missing file.
  const services = [
    ...Array.from({ length: 200 }, (_, i) => serviceConfig(`worker-${i}`, { secret_files: { TOKEN: shared, ...(i === 7 ? { OWN: own } : {}) } })),
    serviceConfig('gone-1', { secret_files: { TOKEN: missing } }),
    serviceConfig('gone-2', { secret_files: { TOKEN: missing } }),
  ];
  const launched = (name: string): string =>
    secretsDigest(name.startsWith('gone') ? { TOKEN: 'old' } : { TOKEN: 'same', ...(name === 'worker-7' ? { OWN: 'old' } : {}) });
  const reads: string[] = [];
  const counting = (path: string) => {
    reads.push(path);
    return readSecretFile(path);
  };
  const { diff, notes } = withRotatedSecrets(diffServices(services, services), launched, counting);
  assert.deepEqual(reads.sort(), [missing, own, shared]);
  assert.deepEqual(
    diff.changed.map((config) => config.name),
    ['worker-7'],
  );
  assert.equal(diff.unchanged.length, 201);
  assert.deepEqual(
    notes.map((note) => note.text.split(':')[0]),
    ['worker-7', 'gone-1 keeps running with the secrets it started with', 'gone-2 keeps running with the secrets it started with'],
  );

  // The next reload reads them again: a file rotated since is seen.
  writeFileSync(shared, 'rotated\n');
  reads.length = 0;
  const next = withRotatedSecrets(diffServices(services, services), launched, counting);
  assert.deepEqual(reads.sort(), [missing, own, shared]);
  assert.equal(next.diff.changed.length, 200);
});

test('secretsDigest: the same values in any order give one digest; a value or a name moved gives another', () => {
  assert.equal(secretsDigest({ A: '1', B: '2' }), secretsDigest({ B: '2', A: '1' }));
  assert.notEqual(secretsDigest({ A: '1', B: '2' }), secretsDigest({ A: '2', B: '1' }));
  assert.notEqual(secretsDigest({ A: '1\u00002' }), secretsDigest({ A: '1', '2': '' }));
});
