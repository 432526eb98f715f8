// The image tests' access to a real container engine: finds podman or docker, builds the
// base image (FROM a local stand-in for node:*-bookworm-slim, since no registry is
// reachable here) and the examples, and runs containers that are removed when the test
// ends. Every call has a deadline.
import { execa, execaSync } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const localBaseScript = fileURLToPath(new URL('../image/local-base.sh', import.meta.url));
const containersConf = fileURLToPath(new URL('../image/containers.conf', import.meta.url));
// The CA bundle this machine trusts, for npm inside the build (a TLS-intercepting proxy
// sits between these machines and the npm registry).
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export const CORRAL_IMAGE = 'localhost/corral:test';

export interface Engine {
  name: 'podman' | 'docker';
  env: Record<string, string>;
}

export interface EngineResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Looked for once per test process; `engine` stays undefined when there is none.
let search: { engine?: Engine } | undefined;

// With reject: false a missing command is a result with no exit code, not a throw.
function works(command: string, args: string[], env: Record<string, string>): boolean {
  return execaSync(command, args, { env, reject: false, timeout: 30_000 }).exitCode === 0;
}

// podman, else docker with a reachable daemon (the docker client alone is not enough), or
// CORRAL_TEST_ENGINE when set.
export function findEngine(): Engine | undefined {
  if (search) return search.engine;
  search = {};
  const candidates = process.env.CORRAL_TEST_ENGINE ? [process.env.CORRAL_TEST_ENGINE] : ['podman', 'docker'];
  for (const name of candidates) {
    if (name !== 'podman' && name !== 'docker') throw new Error(`CORRAL_TEST_ENGINE must be podman or docker, not ${JSON.stringify(name)}`);
    // This sandbox's Podman needs runc, lowered ulimits and no network (see
    // container-lab.md); a CONTAINERS_CONF of the caller's own wins.
    const env: Record<string, string> = name === 'podman' && !process.env.CONTAINERS_CONF ? { CONTAINERS_CONF: containersConf } : {};
    if (works(name, name === 'podman' ? ['version'] : ['info'], env)) {
      search.engine = { name, env };
      break;
    }
  }
  return search.engine;
}

// The engine, or undefined after skipping the test loudly; with CI=true a missing engine
// is a failure, since .ci/run installs Podman.
export function engineOrSkip(t: TestContext): Engine | undefined {
  const engine = findEngine();
  if (engine) return engine;
  const message = 'no container engine (podman, or docker with a running daemon): the image tests did NOT run; apt-get install podman runc';
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
  process.stderr.write(`\n*** ${message} ***\n\n`);
  t.skip(message);
  return undefined;
}

export async function run(engine: Engine, args: string[], timeoutMs: number): Promise<EngineResult> {
  const result = await execa(engine.name, args, { reject: false, timeout: timeoutMs, env: engine.env });
  if (result.timedOut) throw new Error(`${engine.name} ${args.join(' ')} did not finish within ${timeoutMs}ms`);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

// Like run, but a non-zero exit is an error carrying the engine's output.
export async function must(engine: Engine, args: string[], timeoutMs: number): Promise<string> {
  const result = await run(engine, args, timeoutMs);
  if (result.exitCode !== 0) {
    throw new Error(`${engine.name} ${args.join(' ')} exited with ${result.exitCode}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  }
  return result.stdout;
}

// Options every build needs: the registries (npm, Debian) are reached through the host's
// network, the npm CA as a secret, and Docker's image format, which keeps HEALTHCHECK
// (Podman's default OCI format drops it).
function buildOptions(engine: Engine): string[] {
  const options = ['--network', 'host'];
  if (existsSync(HOST_CA_BUNDLE)) options.push('--secret', `id=npm_ca,src=${HOST_CA_BUNDLE}`);
  if (engine.name === 'podman') options.push('--format', 'docker');
  return options;
}

const BUILD_TIMEOUT_MS = 15 * 60_000;

// The image to build corral FROM: CORRAL_TEST_BASE (e.g. node:22-bookworm-slim where a
// registry is reachable), else the local stand-in.
export async function baseImage(engine: Engine): Promise<string> {
  if (process.env.CORRAL_TEST_BASE) return process.env.CORRAL_TEST_BASE;
  const output = await execa('bash', [localBaseScript, engine.name], { env: engine.env, timeout: BUILD_TIMEOUT_MS, reject: false });
  if (output.exitCode !== 0) throw new Error(`test/image/local-base.sh failed (${output.exitCode}):\n${output.stderr.slice(-4000)}`);
  return output.stdout.trim();
}

/** Builds image/Dockerfile FROM `base` as CORRAL_IMAGE. */
export async function buildCorralImage(engine: Engine, base: string): Promise<void> {
  await must(
    engine,
    ['build', ...buildOptions(engine), '--build-arg', `BASE=${base}`, '-f', 'image/Dockerfile', '-t', CORRAL_IMAGE, repoRoot],
    BUILD_TIMEOUT_MS,
  );
}

/** Builds examples/NAME FROM the base image as `tag`. */
export async function buildExample(engine: Engine, name: string, tag: string): Promise<void> {
  const dir = `${repoRoot}examples/${name}`;
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`no example ${dir}`);
  await must(engine, ['build', ...buildOptions(engine), '--build-arg', `CORRAL_IMAGE=${CORRAL_IMAGE}`, '-t', tag, dir], BUILD_TIMEOUT_MS);
}

export async function imageSize(engine: Engine, image: string): Promise<number> {
  return Number((await must(engine, ['image', 'inspect', '--format', '{{.Size}}', image], 30_000)).trim());
}
