// The init directory (CORRAL_INIT_DIR): its executables run as PID 1's children, one at
// a time, in byte order, before any service; a failure or a SIGTERM ends corral with no
// service started.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { childrenOf, pollFor, skipUnlessPid1, startCorral, type CorralProcess, type StartOptions } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const sh = (body: string): string => `#!/bin/sh\n${body}\n`;

// A service that records that it started, and stops on TERM.
const webService = (markers: string): string =>
  `command: "echo web >> ${markers}; trap 'exit 0' TERM; echo web up; while :; do sleep 1 & wait $!; done"\nready: {log: "web up"}\n`;

// corral as PID 1 with the init scripts `scripts` makes for a fresh markers file, and
// webService unless `options` says otherwise; disposed when the test ends.
async function startWithInit(
  t: TestContext,
  scripts: (markers: string) => StartOptions['initScripts'],
  options: Partial<StartOptions> = {},
): Promise<{ corral: CorralProcess; markers: string }> {
  const markers = join(scratchDir(t), 'markers');
  const corral = await startCorral({ pid1: true, initScripts: scripts(markers), services: { 'web.yaml': webService(markers) }, ...options });
  t.after(() => corral.dispose());
  return { corral, markers };
}

function readMarkers(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

test('init scripts run one at a time in byte order, with corral environment, in /, each its own process group, before the first service', async (t) => {
  if (skipUnlessPid1(t)) return;
  // "10" < "2" < "B" < "a" in byte order; a locale sort would put "a" before "B".
  const { corral, markers } = await startWithInit(
    t,
    (markers) => {
      const script = (name: string): string =>
        sh(
          `echo "start ${name}" >> ${markers}; set -- $(cut -d')' -f2 /proc/$$/stat); echo "${name} FOO=$FOO pwd=$(pwd) pid=$$ pgid=$3 sid=$4"; sleep 0.1; echo "end ${name}" >> ${markers}`,
        );
      return { 'a-fourth': script('a-fourth'), '2-second': script('2-second'), 'B-third': script('B-third'), '10-first': script('10-first') };
    },
    { env: { FOO: 'from docker run -e' } },
  );
  await corral.waitForLine(/^web +\| web up$/, 10_000);
  const order = ['10-first', '2-second', 'B-third', 'a-fourth'];
  // Not overlapping: each ends before the next starts; the service only after the last.
  assert.deepEqual(readMarkers(markers), [...order.flatMap((name) => [`start ${name}`, `end ${name}`]), 'web']);
  const stdout = corral.texts('stdout');
  for (const name of order) {
    const line = stdout.find((text) => text.startsWith(`init:${name} `));
    assert.ok(line, corral.tail());
    // The label column is as wide as the longest init label while they run.
    const match = new RegExp(`^init:${name} +\\| ${name} FOO=from docker run -e pwd=/ pid=(\\d+) pgid=(\\d+) sid=(\\d+)$`).exec(line);
    assert.ok(match, line);
    assert.equal(line.indexOf('|'), 'init:a-fourth '.length, line);
    assert.equal(match[2], match[1], `${name} leads its own process group`);
    assert.equal(match[3], match[1], `${name} leads its own session`);
  }
  // Every script line comes before the service's first line, and the column is back to
  // the services' width afterwards ("corral" is the widest).
  assert.equal(
    stdout.findIndex((text) => text.startsWith('web')),
    order.length,
    corral.tail(),
  );
  assert.ok(stdout.includes('web    | web up'), corral.tail());
  const events = corral.events();
  for (const name of order) {
    assert.ok(events.includes(`init: running ${name}`), corral.tail());
    assert.ok(
      events.some((text) => new RegExp(`^init: ${name} exited with code 0 after \\d+ms$`).test(text)),
      corral.tail(),
    );
  }
  const lastInit = events.findIndex((text) => text.startsWith('init: a-fourth exited'));
  assert.ok(lastInit !== -1 && lastInit < events.findIndex((text) => text.startsWith('web started')), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('a failing init script (exit 3): corral exits 3, runs no later script and starts no service', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, markers } = await startWithInit(t, (markers) => ({
    '10-setup': sh(`echo setup >> ${markers}`),
    '20-migrate': sh('echo "migration failed" >&2; exit 3'),
    '30-after': sh(`echo after >> ${markers}`),
  }));
  assert.deepEqual(await corral.waitExit(10_000), { code: 3, signal: null });
  assert.deepEqual(readMarkers(markers), ['setup']);
  const path = join(corral.dir, 'init.d', '20-migrate');
  const events = corral.events();
  assert.ok(
    events.some((text) => new RegExp(`^error: init script ${path} exited with code 3 after \\d+ms; no service was started$`).test(text)),
    corral.tail(),
  );
  assert.ok(corral.texts('stderr').includes('init:20-migrate | migration failed'), corral.tail());
  assert.ok(!events.includes('init: running 30-after'), corral.tail());
  assert.ok(!events.some((text) => /web started|starting \d+ service/.test(text)), corral.tail());
  assert.equal(events.at(-1), 'exiting with code 3');
});

test('an init script killed by a signal: corral exits 128+n; one that cannot be executed: exit 1, in words', async (t) => {
  if (skipUnlessPid1(t)) return;
  const killed = await startCorral({ pid1: true, initScripts: { '10-crash': sh('kill -KILL $$') }, services: {} });
  t.after(() => killed.dispose());
  assert.deepEqual(await killed.waitExit(10_000), { code: 137, signal: null });
  assert.ok(
    killed.events().some((text) => /^error: init script \S+\/10-crash was killed by SIGKILL after \d+ms; no service was started$/.test(text)),
    killed.tail(),
  );

  const broken = await startCorral({ pid1: true, initScripts: { '10-broken': '#!/no/such/interpreter\n' }, services: {} });
  t.after(() => broken.dispose());
  assert.deepEqual(await broken.waitExit(10_000), { code: 1, signal: null });
  const path = join(broken.dir, 'init.d', '10-broken');
  assert.ok(
    broken
      .events()
      .includes(
        `error: init script ${path} could not be started: ${path} or the interpreter on its #! line was not found (ENOENT); check its first line; no service was started`,
      ),
    broken.tail(),
  );
  assert.ok(!broken.texts().some((text) => /code 127/.test(text)), broken.tail());
});

test('a file that is not executable is skipped with a warning that says chmod +x; the others run', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, markers } = await startWithInit(t, (markers) => ({
    '10-setup': sh(`echo setup >> ${markers}`),
    '15-notes': { text: sh(`echo notes >> ${markers}`), mode: 0o644 },
    '.20-hidden': sh(`echo hidden >> ${markers}`),
    '30-last~': sh(`echo backup >> ${markers}`),
  }));
  await corral.waitForLine(/^web +\| web up$/, 10_000);
  assert.deepEqual(readMarkers(markers), ['setup', 'web']);
  const path = join(corral.dir, 'init.d', '15-notes');
  assert.ok(corral.events().includes(`warning: init: skipping ${path}: not executable; chmod +x ${path} to run it, or remove it`), corral.tail());
  // Dotfiles and backups are skipped without a word at the default level.
  assert.ok(!corral.texts().some((text) => /hidden|30-last/.test(text)), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});

test('a malformed service file exits 100 before any init script runs', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, markers } = await startWithInit(t, (markers) => ({ '10-setup': sh(`echo setup >> ${markers}`) }), {
    services: { 'web.yaml': 'command: "true"\nrestrat: always\n' },
  });
  assert.deepEqual(await corral.waitExit(10_000), { code: 100, signal: null });
  assert.deepEqual(readMarkers(markers), []);
  assert.ok(!corral.events().some((text) => text.startsWith('init:')), corral.tail());
});

test('SIGTERM during a long init script stops it, starts no service, and corral exits 143 promptly', async (t) => {
  if (skipUnlessPid1(t)) return;
  const { corral, markers } = await startWithInit(t, (markers) => ({
    '10-long': sh(`echo waiting; sleep 60; echo never >> ${markers}`),
    '20-next': sh(`echo next >> ${markers}`),
  }));
  await corral.waitForLine(/^init:10-long +\| waiting$/, 10_000);
  const sent = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 143, signal: null });
  const took = corral.exitedAt! - sent;
  assert.ok(took < 2000, `corral took ${took}ms to exit`);
  assert.deepEqual(readMarkers(markers), []);
  const events = corral.events();
  assert.ok(events.includes('received SIGTERM during init script 10-long: sending it SIGTERM (SIGKILL after 7.5s); no service will be started'), corral.tail());
  assert.ok(
    events.some((text) => /^received SIGTERM: init script 10-long was killed by SIGTERM; stopped in \d+ms; no service was started$/.test(text)),
    corral.tail(),
  );
  assert.ok(!events.includes('init: running 20-next'), corral.tail());
  assert.equal(events.at(-1), 'exiting with code 143');
});

test('an init script that ignores SIGTERM is killed after the shutdown budget; a second SIGTERM kills it at once', async (t) => {
  if (skipUnlessPid1(t)) return;
  const stubborn = sh("trap '' TERM; echo waiting; while :; do sleep 0.05; done");
  const budget = await startCorral({ pid1: true, env: { CORRAL_SHUTDOWN_TIMEOUT: '1s' }, initScripts: { '10-stubborn': stubborn }, services: {} });
  t.after(() => budget.dispose());
  await budget.waitForLine(/^init:10-stubborn +\| waiting$/, 10_000);
  let sent = Date.now();
  budget.signal('SIGTERM');
  assert.deepEqual(await budget.waitExit(5000), { code: 143, signal: null });
  let took = budget.exitedAt! - sent;
  assert.ok(took >= 750 && took < 3000, `with a 1s budget, corral took ${took}ms to exit`);
  assert.ok(
    budget.events().some((line) => /^warning: init script 10-stubborn: did not stop within [78]\d\dms of SIGTERM; sending SIGKILL$/.test(line)),
    budget.tail(),
  );

  const twice = await startCorral({ pid1: true, initScripts: { '10-stubborn': stubborn }, services: {} });
  t.after(() => twice.dispose());
  await twice.waitForLine(/^init:10-stubborn +\| waiting$/, 10_000);
  twice.signal('SIGTERM');
  await twice.waitForLine(/received SIGTERM during init script 10-stubborn/);
  sent = Date.now();
  twice.signal('SIGTERM');
  assert.deepEqual(await twice.waitExit(5000), { code: 143, signal: null });
  took = twice.exitedAt! - sent;
  assert.ok(took < 2000, `after a second SIGTERM corral took ${took}ms to exit`);
  assert.ok(twice.events().includes('warning: init script 10-stubborn: a second shutdown signal came; sending SIGKILL'), twice.tail());
});

test('an orphan left by an init script is reaped while the next one runs', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_LEVEL: 'debug' },
    initScripts: {
      '10-daemon': sh('sleep 0.2 >/dev/null 2>&1 & echo "orphan $!"'),
      '20-wait': sh('echo waiting; sleep 2'),
    },
    services: {},
  });
  t.after(() => corral.dispose());
  const orphan = /orphan (\d+)$/.exec(await corral.waitForLine(/^init:10-daemon +\| orphan \d+$/, 10_000))![1];
  await corral.waitForLine(new RegExp(`reaped orphan pid ${orphan}, exit code 0$`), 3000);
  await pollFor('no zombie child of corral', 1000, () => (childrenOf(corral.hostPid).some((child) => child.state === 'Z') ? undefined : true));
  // It was reaped during init, not by the shutdown afterwards.
  assert.ok(!corral.events().some((text) => text.startsWith('init: 20-wait exited')), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 143, signal: null });
});
