// examples/nginx-node built FROM the base image and run detached the way its README and
// examples/kubernetes say: only the capabilities CHOWN, KILL, SETGID and SETUID, no new
// privileges, a read-only root with /run, /tmp and /var/lib/app writable. Its log, corral
// status inside it, a zombie storm, a HUP reload and podman/docker stop; then a volume on
// /var/lib/app that is app's already (copied from the image) and a second start on it,
// which the init script must handle without CAP_FOWNER.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { must, run, type Engine } from '../helpers/container-engine.js';
import { Container, stopInOrder, untilNoZombies } from '../helpers/container.js';
import { exampleWebImage, IMAGE_TEST_TIMEOUT_MS } from '../helpers/image-under-test.js';

const SERVICES = ['app', 'job', 'migrate', 'nginx'];

// The securityContext of examples/kubernetes/deployment.yaml, as run flags.
function documentedFlags(engine: Engine, dataMount: string[]): string[] {
  // Podman adds tmpfs mounts of its own to a read-only container: off, so that only the
  // documented paths are writable.
  const readOnly = engine.name === 'podman' ? ['--read-only', '--read-only-tmpfs=false'] : ['--read-only'];
  return [
    '--cap-drop=all',
    '--cap-add=CHOWN,KILL,SETGID,SETUID',
    '--security-opt',
    'no-new-privileges',
    ...readOnly,
    '--tmpfs',
    '/run',
    '--tmpfs',
    '/tmp',
    ...dataMount,
  ];
}

test(
  'examples/nginx-node under its documented capabilities and read-only root: logs, status, zombies, HUP, stop in order',
  { timeout: IMAGE_TEST_TIMEOUT_MS },
  async (t) => {
    const built = await exampleWebImage(t);
    if (!built) return;
    // A tmpfs on /var/lib/app starts out root's, like a Kubernetes emptyDir.
    const container = await Container.start(
      t,
      built.engine,
      ['-e', 'JOB_SCHEDULE=*/1 * * * * *', ...documentedFlags(built.engine, ['--tmpfs', '/var/lib/app'])],
      built.image,
    );

    await container.waitForLine(/^init:10-data-dir +\| \/var\/lib\/app handed to app$/, 60_000);
    // Every service's lines, each with its prefix, in the container's log.
    await container.waitForLine(/^migrate +\| migrate: .*schema/, 60_000);
    await container.waitForLine(/^app +\| listening on http:\/\/127\.0\.0\.1:3000$/, 60_000);
    await container.waitForLine(/^job +\| job: run 2: /, 60_000);
    await container.waitForLine(/nginx is ready/, 60_000);
    const caps = await container.exec(['grep', '^CapEff:', '/proc/1/status']);
    assert.match(caps.stdout, /^CapEff:\s+0+e1$/m, 'CHOWN, KILL, SETGID and SETUID, and nothing else');
    const page = await container.exec(['node', '-e', "fetch('http://127.0.0.1:8080/').then(async (r) => console.log(r.status, await r.text()))"]);
    assert.match(page.stdout, /^200 /, page.stderr);
    await container.waitForLine(/^nginx +\| 127\.0\.0\.1 .*"GET \/ HTTP\/1\.1" 200 /, 30_000);

    const status = await container.exec(['corral', 'status']);
    assert.equal(status.exitCode, 0, status.stderr);
    for (const name of SERVICES) assert.match(status.stdout, new RegExp(`^${name} +(running|exited|scheduled) `, 'm'), status.stdout);
    assert.match(status.stdout, /^job: \*\/1 \* \* \* \* \* \(UTC\), next run /m, status.stdout);
    assert.match(status.stdout, /^migrate +exited .* code 0$/m);
    assert.equal((await container.exec(['corral', 'health'])).exitCode, 0);

    // 300 orphans re-parented to corral, as PID 1; none is left a zombie.
    const storm = await container.exec(['sh', '-c', 'i=0; while [ $i -lt 300 ]; do sh -c "sleep 0.2 &"; i=$((i+1)); done'], 120_000);
    assert.equal(storm.exitCode, 0, storm.stderr);
    await untilNoZombies(container, 20_000);

    // HUP: corral re-reads services.d (nothing changed) and passes the HUP to nginx.
    const beforeHup = container.lines.length;
    await must(built.engine, ['kill', '-s', 'HUP', container.name], 30_000);
    await container.waitForLine(/received SIGHUP: reloading \/etc\/corral\/services\.d/, 30_000, beforeHup);
    await container.waitForLine(/reload: 0 added, 0 removed, 0 changed, 4 unchanged/, 30_000, beforeHup);

    // stop -t 10: nginx before app (it depends on app), within the budget, exit code 0.
    await stopInOrder(container, 10, ['nginx', 'app']);
  },
);

test(
  "examples/nginx-node: a volume that is app's already, and a second start on it, with CHOWN as the only file capability",
  { timeout: IMAGE_TEST_TIMEOUT_MS },
  async (t) => {
    const built = await exampleWebImage(t);
    if (!built) return;
    const volume = `corral-test-data-${randomBytes(4).toString('hex')}`;
    t.after(() => run(built.engine, ['volume', 'rm', '-f', volume], 60_000).then(() => undefined));
    // A new volume gets the image's /var/lib/app copied in: app's, mode 0750.
    const flags = documentedFlags(built.engine, ['-v', `${volume}:/var/lib/app`]);
    for (const [round, migrated] of [
      ['first', /^migrate +\| migrate: \/var\/lib\/app\/db\.json upgraded from schema 0 to 2$/],
      ['second', /^migrate +\| migrate: \/var\/lib\/app\/db\.json is at schema 2; nothing to do$/],
    ] as const) {
      const container = await Container.start(t, built.engine, flags, built.image);
      await container.waitForLine(/^init:10-data-dir +\| \/var\/lib\/app is app's already$/, 60_000);
      await container.waitForLine(migrated, 60_000);
      await container.waitForLine(/nginx is ready/, 60_000);
      assert.equal((await container.exec(['corral', 'health'])).exitCode, 0, `${round} start`);
      await stopInOrder(container, 10, ['nginx', 'app']);
    }
  },
);
