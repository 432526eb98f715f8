// The base image under a real container engine: what a user of baseimage-docker or
// s6-overlay expects from `FROM corral` plus a services.d, checked with podman (or docker)
// run, logs, exec, kill and stop, never by looking inside corral.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSize, must, run } from '../helpers/container-engine.js';
import { Container, stopInOrder, untilNoZombies } from '../helpers/container.js';
import { corralImage, IMAGE_TEST_TIMEOUT_MS, mountDir } from '../helpers/image-under-test.js';
import { announcer, twoServices, ZOMBIE_STORM } from '../helpers/image-services.js';

const options = { timeout: IMAGE_TEST_TIMEOUT_MS };

describe('the base image', () => {
  test('is small: what it adds to its base', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const [base, image] = await Promise.all([imageSize(built.engine, built.base), imageSize(built.engine, built.image)]);
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    t.diagnostic(`${built.base}: ${mib(base)}; ${built.image}: ${mib(image)}; corral adds ${mib(image - base)}`);
    // corral's bundle with the worker's code cache, the addon and svexec, and no
    // node_modules: 3.5 MiB on 2026-12-03 (12.5 MiB with node_modules, 2026-11-29).
    assert.ok(image - base < 8 * 2 ** 20, `corral adds ${mib(image - base)} to its base`);
  });

  test('run IMAGE -- CMD runs CMD as the main service and exits with its code', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const result = await run(built.engine, ['run', '--rm', built.image, '--', 'sh', '-c', 'echo main says hi; exit 7'], 60_000);
    assert.equal(result.exitCode, 7, result.stderr);
    assert.match(result.stdout, /^main +\| main says hi$/m);
    assert.match(result.stderr, /exiting with code 7/);
  });

  test('a malformed service file: the container exits 100 with the error in its log', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, { 'web.yaml': 'command: ["true"]\nrestrat: always\n' });
    const result = await run(built.engine, ['run', '--rm', '-v', `${services}:/etc/corral/services.d:ro`, built.image], 60_000);
    assert.equal(result.exitCode, 100, result.stderr);
    assert.match(result.stderr, /web\.yaml:2:1: restrat: unknown key "restrat"; did you mean "restart"\?/);
    assert.match(result.stderr, /nothing was started/);
  });

  test('detached: every line in the logs, prefixed; -e reaches every service; corral status and the HEALTHCHECK', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['-e', 'GREETING=hello', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/^one +\| hello from one$/, 30_000);
    await container.waitForLine(/^two +\| hello from two$/, 30_000);
    await container.waitForLine(/two is ready/, 30_000);
    const status = await container.exec(['corral', 'status']);
    assert.equal(status.exitCode, 0, status.stderr);
    assert.match(status.stdout, /^corral \S+ as PID 1, /m);
    assert.match(status.stdout, /^one +running +\d+ /m);
    assert.match(status.stdout, /^two +running +\d+ /m);
    const healthcheck = await must(built.engine, ['inspect', '--format', '{{json .Config.Healthcheck.Test}}', container.name], 30_000);
    assert.deepEqual(JSON.parse(healthcheck), ['CMD', 'corral', 'health']);
    if (built.engine.name === 'podman') {
      // The engine's own run of the image's HEALTHCHECK.
      const health = await run(built.engine, ['healthcheck', 'run', container.name], 60_000);
      assert.equal(health.exitCode, 0, `${health.stdout}${health.stderr}`);
    }
  });

  test('a zombie storm inside the container leaves no zombie', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/two is ready/, 30_000);
    const storm = await container.exec(['sh', '-c', ZOMBIE_STORM], 120_000);
    assert.equal(storm.exitCode, 0, storm.stderr);
    await untilNoZombies(container, 20_000);
    // corral reaped them, not the engine: it counts them.
    const status = await container.exec(['corral', 'status', '--json']);
    const reaped = (JSON.parse(status.stdout) as { corral: { orphansReaped: number } }).corral.orphansReaped;
    assert.ok(reaped >= 300, `corral reaped ${reaped} orphans, expected at least 300`);
  });

  test('kill -s HUP reloads: a service file added since the start is started', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['-e', 'GREETING=hi', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/two is ready/, 30_000);
    writeFileSync(join(services, 'three.yaml'), announcer('$GREETING from three'));
    await must(built.engine, ['kill', '-s', 'HUP', container.name], 30_000);
    await container.waitForLine(/received SIGHUP: reloading/, 30_000);
    await container.waitForLine(/^three +\| hi from three$/, 30_000);
    await container.waitForLine(/reload: 1 added, 0 removed, 0 changed, 2 unchanged \(three\)/, 30_000);
  });

  test('stop -t 10: dependents first, within the budget, exit code 0', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    const container = await Container.start(t, built.engine, ['-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/two is ready/, 30_000);
    // two depends on one, so it stops first.
    await stopInOrder(container, 10, ['two', 'one']);
  });

  test('/etc/corral/init.d: scripts run in name order before any service; a failure aborts with its code', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const script = (text: string): { text: string; mode: number } => ({ text: `#!/bin/sh\n${text}\n`, mode: 0o755 });
    const init = mountDir(t, { '20-second': script('echo "second sees $GREETING"'), '10-first': script('echo first') });
    const services = mountDir(t, twoServices);
    const mounts = ['-e', 'GREETING=hi', '-v', `${init}:/etc/corral/init.d:ro`, '-v', `${services}:/etc/corral/services.d:ro`];
    const good = await run(built.engine, ['run', '--rm', ...mounts, built.image, '--', 'echo', 'main ran'], 60_000);
    assert.equal(good.exitCode, 0, good.stderr);
    const order = ['init:10-first +\\| first', 'init:20-second +\\| second sees hi', 'one +\\| hi from one', 'main +\\| main ran'];
    const lines = good.stdout.split('\n');
    const at = order.map((pattern) => lines.findIndex((line) => new RegExp(`^${pattern}$`).test(line)));
    assert.ok(
      at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1]!)),
      `expected in this order: ${order.join(', ')}; got:\n${good.stdout}`,
    );

    writeFileSync(join(init, '15-fails'), '#!/bin/sh\necho cannot go on >&2\nexit 3\n', { mode: 0o755 });
    const bad = await run(built.engine, ['run', '--rm', ...mounts, built.image], 60_000);
    assert.equal(bad.exitCode, 3, bad.stderr);
    assert.match(bad.stderr, /init:15-fails +\| cannot go on/);
    assert.match(bad.stderr, /15-fails exited with code 3 after \S+; no service was started/);
    assert.doesNotMatch(bad.stdout, /second sees|from one/);
  });

  test('a service runs as a non-root user', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, { 'app.yaml': announcer('app as $(id -un) uid $(id -u) home $HOME', 'user: node') });
    const container = await Container.start(t, built.engine, ['-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/^app +\| app as node uid 1000 home \/home\/node$/, 30_000);
  });

  test('a read-only root filesystem with a tmpfs on /run (and, for a non-root user, on /tmp)', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, twoServices);
    // Podman adds tmpfs mounts of its own to a read-only container; turned off, so that
    // /run is the only writable place, as with docker run --read-only --tmpfs /run.
    const readOnly = built.engine.name === 'podman' ? ['--read-only', '--read-only-tmpfs=false'] : ['--read-only'];
    const container = await Container.start(t, built.engine, [...readOnly, '--tmpfs', '/run', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/two is ready/, 30_000);
    const write = await container.exec(['sh', '-c', 'touch /etc/corral/x']);
    assert.notEqual(write.exitCode, 0, 'the root filesystem is read-only');
    const ready = await container.exec(['corral', 'ready']);
    assert.equal(ready.exitCode, 0, ready.stderr);

    // As a non-root user, a root-owned tmpfs on /run is not enough: a writable /tmp is, as
    // docs/operation.md says.
    const nonRoot = await Container.start(
      t,
      built.engine,
      ['--user', '12345:0', ...readOnly, '--tmpfs', '/run', '--tmpfs', '/tmp', '-v', `${services}:/etc/corral/services.d:ro`],
      built.image,
    );
    await nonRoot.waitForLine(/run directory \/tmp\/corral-12345 \(passed over \/run\/corral: /, 30_000);
    await nonRoot.waitForLine(/two is ready/, 30_000);
    const nonRootReady = await nonRoot.exec(['corral', 'ready']);
    assert.equal(nonRootReady.exitCode, 0, nonRootReady.stderr);
  });

  test("under --init, corral is a subreaper and still reaps its services' orphans", options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const services = mountDir(t, {
      ...twoServices,
      'storm.yaml': `type: oneshot\ncommand: ${JSON.stringify(ZOMBIE_STORM)}\ndepends_on: [two]\n`,
    });
    const container = await Container.start(t, built.engine, ['--init', '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/storm exited with code 0/, 60_000);
    const status = await container.exec(['corral', 'status']);
    assert.match(status.stdout, /^corral \S+ as pid \d+, /m);
    await untilNoZombies(container, 20_000);
    const json = JSON.parse((await container.exec(['corral', 'status', '--json'])).stdout) as { corral: { orphansReaped: number } };
    assert.ok(json.corral.orphansReaped >= 300, `corral reaped ${json.corral.orphansReaped} orphans, expected at least 300`);
  });

  test('in a pod that shares one PID namespace (Kubernetes shareProcessNamespace), corral is a subreaper', options, async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    if (built.engine.name !== 'podman') {
      t.skip('needs podman pod; docker has no pods');
      return;
    }
    // The pod's infra container (catatonit) is PID 1 of the shared namespace, as the pause
    // container is in Kubernetes.
    const pod = `corral-test-pod-${process.pid}`;
    await must(built.engine, ['pod', 'create', '--name', pod, '--share', 'pid,ipc,uts'], 120_000);
    t.after(() => run(built.engine, ['pod', 'rm', '-f', '-t', '0', pod], 60_000).then(() => undefined));
    const services = mountDir(t, {
      ...twoServices,
      'storm.yaml': `type: oneshot\ncommand: ${JSON.stringify(ZOMBIE_STORM)}\ndepends_on: [two]\n`,
    });
    const container = await Container.start(t, built.engine, ['--pod', pod, '-v', `${services}:/etc/corral/services.d:ro`], built.image);
    await container.waitForLine(/as pid \d+ \(subreaper\)/, 30_000);
    await container.waitForLine(/storm exited with code 0/, 60_000);
    const pid1 = await container.exec(['cat', '/proc/1/comm']);
    assert.notEqual(pid1.stdout.trim(), 'node', 'something other than corral is PID 1');
    await untilNoZombies(container, 20_000);
    const json = JSON.parse((await container.exec(['corral', 'status', '--json'])).stdout) as { corral: { orphansReaped: number } };
    assert.ok(json.corral.orphansReaped >= 300, `corral reaped ${json.corral.orphansReaped} orphans, expected at least 300`);
    await must(built.engine, ['stop', '-t', '10', container.name], 60_000);
    assert.equal(await container.wait(30_000), 0);
  });
});
