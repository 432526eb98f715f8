// examples/sidecar built FROM the base image and run as its README says: only SETUID,
// SETGID and KILL, no new privileges, a read-only root with a tmpfs on /run and a volume
// for redis's data. Both services come up, the container is healthy, it stops exporter
// first, and redis's last snapshot is there at the next start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { buildExample, run } from '../helpers/container-engine.js';
import { Container, stopInOrder } from '../helpers/container.js';
import { corralImage, IMAGE_TEST_TIMEOUT_MS } from '../helpers/image-under-test.js';

const IMAGE = 'localhost/corral-test/example-redis';

test(
  'examples/sidecar under its documented capabilities and read-only root: ready, healthy, stops in order, keeps its data',
  { timeout: IMAGE_TEST_TIMEOUT_MS },
  async (t) => {
    const built = await corralImage(t);
    if (!built) return;
    const { engine } = built;
    await buildExample(engine, 'sidecar', IMAGE);
    const volume = `corral-test-redis-${randomBytes(4).toString('hex')}`;
    t.after(() => run(engine, ['volume', 'rm', '-f', volume], 60_000).then(() => undefined));
    const readOnly = engine.name === 'podman' ? ['--read-only', '--read-only-tmpfs=false'] : ['--read-only'];
    const flags = [
      '--cap-drop=all',
      '--cap-add=SETUID,SETGID,KILL',
      '--security-opt',
      'no-new-privileges',
      ...readOnly,
      '--tmpfs',
      '/run',
      '-v',
      `${volume}:/var/lib/redis`,
    ];

    const first = await Container.start(t, engine, flags, IMAGE);
    await first.waitForLine(/redis-exporter is ready/, 60_000);
    const caps = await first.exec(['grep', '^CapEff:', '/proc/1/status']);
    assert.match(caps.stdout, /^CapEff:\s+0+e0$/m, 'KILL, SETGID and SETUID, and nothing else');
    assert.equal((await first.exec(['redis-cli', 'incr', 'hits'])).stdout.trim(), '1');
    assert.equal((await first.exec(['corral', 'health'])).exitCode, 0);
    const status = await first.exec(['corral', 'status']);
    for (const name of ['redis', 'redis-exporter']) assert.match(status.stdout, new RegExp(`^${name} +running `, 'm'), status.stdout);
    await stopInOrder(first, 10, ['redis-exporter', 'redis']);
    assert.ok(
      first.lines.some((line) => /^redis +\| .*DB saved on disk$/.test(line)),
      'redis saved its snapshot at SIGTERM',
    );

    const second = await Container.start(t, engine, flags, IMAGE);
    await second.waitForLine(/redis is ready/, 60_000);
    assert.equal((await second.exec(['redis-cli', 'get', 'hits'])).stdout.trim(), '1');
  },
);
