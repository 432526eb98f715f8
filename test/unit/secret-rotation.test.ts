// A reload restarts a running service whose secret files changed since its run was
// launched, leaves one whose files cannot be read, and compares digests only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { secretsDigest } from '../../src/config/secret-file.js';
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

test('secretsDigest: the same values in any order give one digest; a value or a name moved gives another', () => {
  assert.equal(secretsDigest({ A: '1', B: '2' }), secretsDigest({ B: '2', A: '1' }));
  assert.notEqual(secretsDigest({ A: '1', B: '2' }), secretsDigest({ A: '2', B: '1' }));
  assert.notEqual(secretsDigest({ A: '1\u00002' }), secretsDigest({ A: '1', '2': '' }));
});
