// The base image's syslog (issue 18): CORRAL_SYSLOG=/dev/log is set, so /dev/log is
// corral's socket, and what a service sends with logger (as root and as another user)
// reaches podman logs as a line of its program; an err goes to stderr.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Container } from '../helpers/container.js';
import { corralImage, IMAGE_TEST_TIMEOUT_MS, mountDir } from '../helpers/image-under-test.js';

const SERVICE = [
  'command: ["sh", "-c", "test -S /dev/log && echo \\"socket $(stat -c %a /dev/log)\\"; logger -t myapp hello from logger; logger -p user.err -t myapp it broke; echo sent"]',
  'type: oneshot',
  'user: node',
  '',
].join('\n');

test("the base image: /dev/log is corral's socket, and a service's logger line reaches the container's log", { timeout: IMAGE_TEST_TIMEOUT_MS }, async (t) => {
  const built = await corralImage(t);
  if (!built) return;
  const services = mountDir(t, { 'app.yaml': SERVICE });
  const container = await Container.start(t, built.engine, ['-v', `${services}:/etc/corral/services.d:ro`], built.image);
  await container.waitForLine(/^app +\| socket 666$/, 60_000);
  await container.waitForLine(/^myapp +\| hello from logger$/, 60_000);
  await container.waitForLine(/^myapp +\| it broke$/, 60_000);
  const env = await container.exec(['sh', '-c', 'echo "$CORRAL_SYSLOG"']);
  assert.equal(env.stdout.trim(), '/dev/log');
});
