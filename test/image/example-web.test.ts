// examples/nginx-node built FROM the base image and run detached, the way its README says:
// its log, corral status inside it, a zombie storm, a HUP reload and podman/docker stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildExample, must } from '../helpers/container-engine.js';
import { Container, stopInOrder, untilNoZombies } from '../helpers/container.js';
import { corralImage, IMAGE_TEST_TIMEOUT_MS } from '../helpers/image-under-test.js';

const EXAMPLE_IMAGE = 'localhost/corral-test/example-web';
const SERVICES = ['app', 'job', 'migrate', 'nginx'];

test('examples/nginx-node: logs, status, zombies, HUP, stop in order', { timeout: IMAGE_TEST_TIMEOUT_MS }, async (t) => {
  const built = await corralImage(t);
  if (!built) return;
  await buildExample(built.engine, 'nginx-node', EXAMPLE_IMAGE);
  const container = await Container.start(t, built.engine, ['-e', 'JOB_SCHEDULE=*/1 * * * * *'], EXAMPLE_IMAGE);

  // Every service's lines, each with its prefix, in the container's log.
  await container.waitForLine(/^migrate +\| migrate: .*schema/, 60_000);
  await container.waitForLine(/^app +\| listening on http:\/\/127\.0\.0\.1:3000$/, 60_000);
  await container.waitForLine(/^job +\| job: run 2: /, 60_000);
  await container.waitForLine(/nginx is ready/, 60_000);
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
});
