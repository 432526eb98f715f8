// The base image under the run flags people use in production: an arbitrary uid
// (OpenShift, --user), no capabilities, a pids limit with a fork bomb inside. (--read-only
// and --init are in base-image.test.ts.) Driven only from outside, as a user would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { must, run } from '../helpers/container-engine.js';
import { Container, stopInOrder } from '../helpers/container.js';
import { announcer, twoServices } from '../helpers/image-services.js';
import { corralImage, IMAGE_TEST_TIMEOUT_MS, mountDir } from '../helpers/image-under-test.js';

const options = { timeout: IMAGE_TEST_TIMEOUT_MS };

type Built = NonNullable<Awaited<ReturnType<typeof corralImage>>>;

// The image's HEALTHCHECK as the engine runs it (podman only: docker has no command for it).
async function assertHealthy(built: Built, container: Container): Promise<void> {
  const health =
    built.engine.name === 'podman' ? await run(built.engine, ['healthcheck', 'run', container.name], 60_000) : await container.exec(['corral', 'health']);
  assert.equal(health.exitCode, 0, `${health.stdout}${health.stderr}\n${container.lines.join('\n')}`);
}

async function assertStatusLists(container: Container, names: string[]): Promise<void> {
  const status = await container.exec(['corral', 'status']);
  assert.equal(status.exitCode, 0, status.stderr);
  for (const name of names) assert.match(status.stdout, new RegExp(`^${name} +running +\\d+ `, 'm'), status.stdout);
}

describe('run flags', () => {
  test("--user 12345:0 (OpenShift): the image's /run/corral serves it; healthy; corral status through exec", options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, { ...twoServices, 'one.yaml': announcer('one as $(id -u):$(id -g)') });
    const container = await Container.start(t, built.engine, ['--user', '12345:0', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/^one +\| one as 12345:0$/, 30_000);
    await container.waitForLine(/two is ready/, 30_000);
    // The image's CORRAL_SYSLOG=/dev/log needs root: /dev is the runtime's. Said once, with the way out.
    const warnings = container.lines.filter((line) => /run directory|warning/.test(line));
    assert.ok(
      warnings.every((line) => /syslog: cannot listen on \/dev\/log: .*CORRAL_SYSLOG to a path/.test(line)),
      `the first choice, /run/corral, worked:\n${container.lines.join('\n')}`,
    );
    const socket = await container.exec(['stat', '-c', '%U %a', '/run/corral/control.sock']);
    assert.equal(socket.stdout.trim(), '12345 600');
    await assertHealthy(built, container);
    await assertStatusLists(container, ['one', 'two']);
    await stopInOrder(container, 10, ['two', 'one']);
  });

  test('--user 12345:12345 (not in group 0): a private /tmp/corral-12345, said in the log; healthy; corral status', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['--user', '12345:12345', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/run directory \/tmp\/corral-12345 \(passed over \/run\/corral: permission denied \(EACCES\)\)/, 30_000);
    await container.waitForLine(/two is ready/, 30_000);
    await assertHealthy(built, container);
    await assertStatusLists(container, ['one', 'two']);
  });

  test('--user 12345:0 with a service that says user: node: a configuration error in words, exit 100, nothing started', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, { 'app.yaml': announcer('app ran', 'user: node') });
    const result = await run(built.engine, ['run', '--rm', '--user', '12345:0', '-v', `${services}:/etc/corral/services.d:ro`, built.image], 60_000);
    assert.equal(result.exitCode, 100, result.stderr);
    assert.match(
      result.stderr,
      /app\.yaml:3:7: user: corral runs as uid 12345, gid 0, not as root, so it cannot start this service as user node \(uid 1000\), gid 1000;/,
    );
    assert.doesNotMatch(result.stdout, /app ran/);
  });

  test('--cap-drop=ALL: services that need no other user run, healthy, and stop in order; user: node is refused in words', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['--cap-drop=ALL', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/two is ready/, 30_000);
    const caps = await container.exec(['grep', '^CapEff:', '/proc/1/status']);
    assert.match(caps.stdout, /^CapEff:\s+0+$/m, 'corral holds no capability at all');
    await assertHealthy(built, container);
    await assertStatusLists(container, ['one', 'two']);
    await stopInOrder(container, 10, ['two', 'one']);

    const switching = mountDir(t, { 'app.yaml': announcer('app ran', 'user: node') });
    const refused = await run(built.engine, ['run', '--rm', '--cap-drop=ALL', '-v', `${switching}:/etc/corral/services.d:ro`, built.image], 60_000);
    assert.equal(refused.exitCode, 100, refused.stderr);
    assert.match(
      refused.stderr,
      /user: corral runs as root without CAP_SETUID and CAP_SETGID \(dropped capabilities\), so it cannot start this service as user node/,
    );
  });

  test('--pids-limit 100 with a fork bomb in one service: corral and the other service go on, and it stops within its budget', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, {
      // Forks nothing once it runs, so the bomb cannot starve it.
      'ticker.yaml': `command: ["node", "-e", "let i = 0; setInterval(() => console.log('tick', ++i), 100); process.on('SIGTERM', () => process.exit(0))"]\nready: {log: "tick"}\n`,
      // Fills the container's pids, and stays: its main process sleeps.
      'bomb.yaml': 'command: ["sh", "-c", "bomb() { bomb | bomb & }; bomb; exec sleep 1000000"]\ndepends_on: [ticker]\n',
    });
    const container = await Container.start(t, built.engine, ['--pids-limit', '100', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    const full = await container.waitForLine(/^bomb +\| .*(Cannot fork|fork: .*Resource temporarily unavailable)/, 60_000);
    // The ticker goes on: 20 more ticks (2 s) after the container's pids ran out.
    const tickAt = (index: number): number => {
      const found = container.lines.slice(0, index + 1).findLast((line) => /^ticker +\| tick \d+$/.test(line));
      return Number(found?.split(' ').pop() ?? 0);
    };
    const before = tickAt(full.index);
    await container.waitForLine(new RegExp(`^ticker +\\| tick ${before + 20}$`), 30_000, full.index);
    const state = await must(built.engine, ['inspect', '--format', '{{.State.Running}}', container.name], 30_000);
    assert.equal(state.trim(), 'true', 'corral, PID 1, is still up');
    assert.ok(
      !container.lines.some((line) => /ticker (exited|was killed|could not)|internal error/.test(line)),
      container.lines.filter((line) => !/^(bomb|ticker) /.test(line)).join('\n'),
    );
    // The bomb first, as it depends on the ticker; TERM ends it, with no SIGKILL.
    await stopInOrder(container, 10, ['bomb', 'ticker']);
  });
});
