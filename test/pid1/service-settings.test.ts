// Service-file settings seen from inside the services, with corral as PID 1: the
// environment (inherit_env, env_file, environment, ${VAR}), name:, the log settings
// (prefix, destinations, max_line), and reload_signal on SIGHUP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

test('environment: inherited < env_file < environment; inherit_env: false keeps only PATH; ${VAR} from corral', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { FROM_CORRAL: 'corral-value', PORT: '9000' },
    services: {
      '10-inherit.yaml': [
        'name: inherit',
        'command: ["sh", "-c", "echo \\"env $FROM_CORRAL $A $B port=$1\\"", "sh", "${PORT:-8080}"]',
        'env_file: app.env',
        'environment: {B: from-yaml}',
        'restart: never',
        '',
      ].join('\n'),
      'app.env': '# read when corral loads the files\nA=from-file\nB=from-file\n',
      '20-isolated.yaml': ['name: isolated', 'command: env', 'inherit_env: false', 'environment: {X: x}', 'depends_on: [inherit]', 'restart: never', ''].join(
        '\n',
      ),
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/inherit +\| env corral-value from-file from-yaml port=9000$/);
  await corral.waitForLine(/isolated exited with code 0/);
  // Its lines (stdout) and corral's (stderr) are two pipes whose order is not kept when one
  // reader lags: wait for its lines rather than read at once.
  const names = (): string[] =>
    corral
      .texts('stdout')
      .flatMap((line) => /^isolated +\| ([A-Z_]+)=/.exec(line)?.[1] ?? [])
      .sort();
  await pollFor('isolated to print PATH and X', 10_000, () => (names().includes('PATH') && names().includes('X') ? true : undefined));
  const isolated = names();
  // sh adds PWD (and dash nothing else); corral passed only PATH and X.
  assert.deepEqual(
    isolated.filter((name) => name !== 'PWD'),
    ['PATH', 'X'],
  );
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

test('log: prefix, stdout to stderr, discard (still seen by ready: log), and max_line', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'quiet.yaml': ['command: "echo secret-out; echo visible-err >&2; exec sleep 60"', 'log: {stdout: discard}', 'ready: {log: secret-out}', ''].join('\n'),
      'swapped.yaml': 'command: "echo swapped-line; exec sleep 60"\nlog: {prefix: SW, stdout: stderr}\ndepends_on: [quiet]\n',
      'long.yaml': `command: ["perl", "-e", "$| = 1; print 'y' x 2500, qq(\\n), qq(short\\n); sleep 60"]\nlog: {max_line: 1KiB}\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/quiet is ready \(log line matched/);
  await corral.waitForLine(/^SW +\| swapped-line$/);
  await corral.waitForLine(/^long +\| short$/);
  assert.ok(
    corral.texts('stderr').some((line) => /^SW +\| swapped-line$/.test(line)),
    'stdout: stderr sends it to stderr',
  );
  assert.ok(!corral.texts('stdout').some((line) => line.includes('swapped-line')), 'stdout: stderr sends it to stderr only');
  assert.ok(
    corral.texts('stderr').some((line) => /^quiet +\| visible-err$/.test(line)),
    'stderr is still relayed',
  );
  assert.ok(!corral.texts().some((line) => line.includes('secret-out')), 'discarded stdout never appears');
  const pieces = corral.texts('stdout').flatMap((line) => {
    const match = /^long +([|+]) (y*)$/.exec(line);
    return match ? [`${match[1]}${match[2]!.length}`] : [];
  });
  assert.deepEqual(pieces, ['|1024', '+1024', '+452']);
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
});

test('reload_signal: SIGHUP sends it to unchanged services that have one, and to no other', async (t) => {
  if (skipUnlessPid1(t)) return;
  const trapping = (name: string) =>
    `command: "trap 'echo ${name} got USR1' USR1; trap 'echo ${name} got HUP' HUP; echo ${name} up; while :; do sleep 1 & wait $!; done"\n`;
  const corral = await startCorral({
    pid1: true,
    services: {
      'nginx.yaml': `${trapping('nginx')}reload_signal: SIGUSR1\n`,
      'plain.yaml': trapping('plain'),
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/nginx +\| nginx up/);
  await corral.waitForLine(/plain +\| plain up/);
  corral.signal('SIGHUP');
  await corral.waitForLine(/corral +\| reload: sent reload_signal to nginx \(SIGUSR1\)/);
  await corral.waitForLine(/nginx +\| nginx got USR1/);
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(5000)).code, 0);
  assert.ok(!corral.texts().some((line) => /plain got|nginx got HUP/.test(line)), corral.tail());
});
