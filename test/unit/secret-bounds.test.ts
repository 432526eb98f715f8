// The bounds on secret files: how many one service may have (checked at load), and the
// size of the exec once their values are in the environment (checked at each launch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '../../src/config/limits.js';
import { loadServices } from '../../src/config/load-services.js';
import { secretsExecFailure } from '../../src/config/secret-bounds.js';
import { serviceConfig } from '../helpers/service-config.js';
import { dirWith, problemsOf } from './config-bounds-helpers.js';

// A service file with `count` {file: PATH} entries.
function withSecrets(count: number): string {
  const lines = Array.from({ length: count }, (_, i) => `  S${i}: {file: /run/secrets/s${i}}`);
  return `command: sleep 1\nenvironment:\n${lines.join('\n')}\n`;
}

test(`a service may have ${LIMITS.secretFiles} secret files, not one more`, (t) => {
  assert.equal(loadServices(dirWith(t, { 'web.yaml': withSecrets(LIMITS.secretFiles) }), { env: {} }).length, 1);
  const dir = dirWith(t, { 'web.yaml': withSecrets(LIMITS.secretFiles + 1) });
  assert.deepEqual(
    problemsOf(dir).map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`),
    [
      `3:3 environment: has ${LIMITS.secretFiles + 1} {file: PATH} entries, more than the ${LIMITS.secretFiles} corral reads at each start; put several values in one env_file, or pass the files to the program`,
    ],
  );
});

test('secrets that take the exec past the limit are named with their sizes, never their values', () => {
  const config = serviceConfig('web', { argv: ['/bin/app', '--serve'] });
  // 18 secrets of 60 KiB: 1080 KiB of values, past 1 MiB.
  const secrets = Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`CERT_${i}`, String.fromCharCode(97 + i).repeat(60 * 1024)]));
  secrets.SMALL = 'x'.repeat(100);
  const env = { PATH: '/usr/bin', ...secrets };
  const failure = secretsExecFailure(config, env, secrets);
  const total = ['/bin/app', '--serve', ...Object.entries(env).map(([name, value]) => `${name}=${value}`)].reduce(
    (sum, text) => sum + Buffer.byteLength(text) + 9,
    0,
  );
  const names = Array.from({ length: 18 }, (_, i) => `CERT_${i} 60 KiB`).join(', ');
  assert.deepEqual(failure, {
    errno: 'E2BIG',
    message: `environment: the secrets read from files (${names}, SMALL 100 bytes) make its arguments and environment ${(total / 1024).toFixed(1)} KiB, more than the 1024 KiB corral allows; make them smaller, or pass them as files (a path the program reads)`,
  });
  for (const value of Object.values(secrets)) assert.ok(!failure.message.includes(value.slice(0, 50)));
});

test('the same secrets within the limit, and a lower limit from limits.stack', () => {
  const secrets = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`CERT_${i}`, 'c'.repeat(60 * 1024)]));
  const env = { PATH: '/usr/bin', ...secrets };
  assert.equal(secretsExecFailure(serviceConfig('web'), env, secrets), undefined);
  // A quarter of a 2 MiB stack: 512 KiB.
  const small = serviceConfig('web', { limits: { stack: { soft: 2 * 1024 * 1024, hard: 2 * 1024 * 1024 } } });
  assert.match(secretsExecFailure(small, env, secrets)?.message ?? '', /more than the 512 KiB the kernel allows with limits\.stack at 2097152 bytes/);
});

test('an exec check with longer arguments than the command is what counts', () => {
  const secrets = { CERT: 'c'.repeat(60 * 1024) };
  const env = { ...secrets, PAD: 'p'.repeat(LIMITS.execTotalBytes - 62 * 1024) };
  const plain = serviceConfig('web', { argv: ['app'] });
  assert.equal(secretsExecFailure(plain, env, secrets), undefined);
  const checked = serviceConfig('web', {
    argv: ['app'],
    ready: { spec: { kind: 'exec', argv: ['check', 'x'.repeat(4096)] }, intervalMs: 1000, timeoutMs: 1000 },
  });
  assert.equal(secretsExecFailure(checked, env, secrets)?.errno, 'E2BIG');
});
