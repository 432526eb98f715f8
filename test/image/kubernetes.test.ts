// examples/kubernetes/deployment.yaml on a real engine: podman kube play, with the
// manifest's own securityContext (capabilities, read-only root, no new privileges),
// probes, environment, volumes and grace period. What Podman 4.3 does differently from
// Kubernetes, and what the test does about it:
// - It publishes each containerPort on the host, so a second replica cannot start
//   (address in use), and it makes each emptyDir one named volume shared by every
//   replica (two corrals would share one /run/corral). So the test runs one replica,
//   without the port (and with no network: this sandbox has none to speak of).
// - Volume and pod names are global on the machine: the copy gets its own.
// - It runs the liveness probe (as the container's healthcheck), not the readiness probe:
//   `corral ready` is run with podman exec.
// - `kube down` kills the pod at once (SIGKILL, exit 137; containers/podman#22397, fixed
//   in a later release), and the stop timeout stays 10 s whatever
//   terminationGracePeriodSeconds says. So the pod is stopped as Kubernetes would stop it,
//   `pod stop -t GRACE`, and `kube down` then removes it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { must, repoRoot, run, type Engine } from '../helpers/container-engine.js';
import { Container, stopInOrder } from '../helpers/container.js';
import { exampleWebImage, IMAGE_TEST_TIMEOUT_MS } from '../helpers/image-under-test.js';
import { scratchDir } from '../helpers/scratch.js';

const MANIFEST = join(repoRoot, 'examples', 'kubernetes', 'deployment.yaml');

interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas: number;
    template: {
      spec: {
        terminationGracePeriodSeconds: number;
        containers: { image: string; ports?: unknown; volumeMounts: { name: string }[] }[];
        volumes: { name: string }[];
      };
    };
  };
}

// The manifest, changed only as the header says; its Deployment's name and grace period.
function podmanCopy(image: string, suffix: string): { text: string; name: string; graceSeconds: number } {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((doc) => doc.toJS() as Deployment);
  const deployment = docs.find((doc) => doc.kind === 'Deployment')!;
  assert.equal(deployment.spec.replicas, 2, 'the manifest runs two replicas');
  deployment.metadata.name = `${deployment.metadata.name}-${suffix}`;
  deployment.spec.replicas = 1;
  const pod = deployment.spec.template.spec;
  for (const container of pod.containers) {
    container.image = image;
    delete container.ports;
    for (const mount of container.volumeMounts) mount.name = `${mount.name}-${suffix}`;
  }
  for (const volume of pod.volumes) volume.name = `${volume.name}-${suffix}`;
  return { text: docs.map((doc) => stringify(doc)).join('---\n'), name: deployment.metadata.name, graceSeconds: pod.terminationGracePeriodSeconds };
}

async function exists(engine: Engine, kind: 'pod' | 'container' | 'volume', name: string): Promise<boolean> {
  return (await run(engine, [kind, 'exists', name], 30_000)).exitCode === 0;
}

test(
  'examples/kubernetes under podman kube play: starts under its securityContext, liveness and readiness pass, stops in order, leaves nothing',
  { timeout: IMAGE_TEST_TIMEOUT_MS },
  async (t) => {
    const built = await exampleWebImage(t);
    if (!built) return;
    const { engine } = built;
    if (engine.name !== 'podman') {
      t.skip('needs podman kube play; docker has no equivalent');
      return;
    }
    const suffix = randomBytes(3).toString('hex');
    const copy = podmanCopy(built.image, suffix);
    const file = join(scratchDir(t), 'deployment.yaml');
    writeFileSync(file, copy.text);
    t.after(() => run(engine, ['kube', 'down', file], 120_000).then(() => undefined));
    await must(engine, ['kube', 'play', '--network', 'none', file], 120_000);
    const pod = `${copy.name}-pod-0`;
    const container = Container.attach(t, engine, `${pod}-web`);
    await container.waitForLine(/^init:10-data-dir +\| \/var\/lib\/app (is app's already|handed to app)$/, 60_000);
    await container.waitForLine(/nginx is ready/, 60_000);

    // The securityContext, as the engine applied it.
    const proc = (await container.exec(['grep', '-E', '^(CapEff|NoNewPrivs):', '/proc/1/status'])).stdout;
    assert.match(proc, /^CapEff:\s+0+e1$/m, 'CHOWN, KILL, SETGID and SETUID, and nothing else');
    assert.match(proc, /^NoNewPrivs:\s+1$/m);
    assert.notEqual((await container.exec(['touch', '/etc/corral/x'])).exitCode, 0, 'the root file system is read-only');

    // The liveness probe is the container's healthcheck: it runs corral health, which passes,
    // and fails when it cannot reach corral.
    const probe = await must(engine, ['inspect', '--format', '{{json .Config.Healthcheck.Test}}', container.name], 30_000);
    assert.match(probe, /"corral","health"/);
    const healthcheck = (): Promise<number> => run(engine, ['healthcheck', 'run', container.name], 60_000).then((result) => result.exitCode);
    assert.equal(await healthcheck(), 0);
    await must(engine, ['exec', container.name, 'mv', '/run/corral/control.sock', '/run/corral/moved.sock'], 30_000);
    assert.notEqual(await healthcheck(), 0, 'the probe really asks corral');
    await must(engine, ['exec', container.name, 'mv', '/run/corral/moved.sock', '/run/corral/control.sock'], 30_000);
    assert.equal(await healthcheck(), 0);
    // The readiness probe, which Podman 4.3 does not run.
    const ready = await container.exec(['corral', 'ready']);
    assert.equal(ready.exitCode, 0, ready.stderr);
    const status = await container.exec(['corral', 'status']);
    for (const name of ['app', 'nginx']) assert.match(status.stdout, new RegExp(`^${name} +running `, 'm'), status.stdout);
    // The job runs on its schedule (JOB_SCHEDULE, every 5 minutes): between runs it waits.
    assert.match(status.stdout, /^job +(scheduled|running) /m, status.stdout);

    // As Kubernetes stops a pod: SIGTERM, up to terminationGracePeriodSeconds.
    await stopInOrder(container, copy.graceSeconds, ['nginx', 'app'], ['pod', 'stop', '-t', String(copy.graceSeconds), pod]);
    assert.ok(
      container.lines.some((line) => /stopping 4 service\(s\), dependents first \(budget 20s\)/.test(line)),
      'CORRAL_SHUTDOWN_TIMEOUT from the manifest',
    );
    await must(engine, ['kube', 'down', file], 120_000);
    const left: [kind: 'pod' | 'container' | 'volume', name: string][] = [
      ['pod', pod],
      ['container', container.name],
      ...['run', 'tmp', 'data'].map((volume): ['volume', string] => ['volume', `${volume}-${suffix}`]),
    ];
    for (const [kind, name] of left) assert.equal(await exists(engine, kind, name), false, `${kind} ${name} is left after kube down`);
  },
);
