// The examples in examples/: every services.d passes corral's own loader, the accounts the
// service files name are ones their image creates, and the Kubernetes manifest's probes and
// grace period fit corral.
//
// Accounts: the loader resolves `user:` and `group:` in this machine's /etc/passwd and
// /etc/group (src/config/accounts.ts), and has no option to read other files. The examples'
// users (app, redis, prometheus) exist in their images, not here. So each services.d is
// loaded twice: as written, where the only problems allowed are those unknown accounts; and
// with each user and group name replaced by a number (which the loader accepts without a
// passwd entry), where it must load without any problem, through every other check: the
// schema, ${VAR} expansion, env files, dependencies. That the names exist in the image is
// checked here against the example's Dockerfile (useradd, and the accounts the Debian
// packages it installs create), and for real by `RUN corral check` when the image is built.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { loadServices } from '../../src/config/load-services.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseDuration } from '../../src/config/duration.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import { scratchDir } from '../helpers/scratch.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const withServices = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(EXAMPLES, entry.name, 'services.d')))
  .map((entry) => entry.name)
  .sort();

const SERVICE_FILE = /\.ya?ml$/;

// Accounts in every Debian image (base-passwd), and those the official node images add.
const BASE_ACCOUNTS = [
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'nobody',
  'nogroup',
  'adm',
  'staff',
  'users',
  'node',
];
// Accounts (a user and its group) that Debian packages create when they are installed.
const PACKAGE_ACCOUNTS: Record<string, readonly string[]> = {
  'redis-server': ['redis'],
  'redis-tools': ['redis'],
  'prometheus-redis-exporter': ['prometheus'],
};

// The user and group names an example's Dockerfile gives its image: the base accounts,
// `useradd ... NAME` (with --user-group, also the group NAME) and `groupadd NAME`, and the
// accounts of the packages it installs with apt-get.
function accountsOfImage(dockerfile: string): Set<string> {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const accounts = new Set(BASE_ACCOUNTS);
  for (const match of text.matchAll(/\b(?:useradd|groupadd)\b([^;&|\n]*)/g)) {
    const name = match[1]!.trim().split(/\s+/).at(-1);
    if (name) accounts.add(name);
  }
  for (const match of text.matchAll(/\bapt-get install\b([^;&|\n]*)/g)) {
    for (const word of match[1]!.trim().split(/\s+/)) for (const account of PACKAGE_ACCOUNTS[word] ?? []) accounts.add(account);
  }
  return accounts;
}

interface NamedAccount {
  file: string;
  key: 'user' | 'group';
  name: string;
}

// The user: and group: names (not numbers) in the service files of `dir`.
function namedAccounts(dir: string): NamedAccount[] {
  return readdirSync(dir)
    .filter((name) => SERVICE_FILE.test(name))
    .flatMap((file) => {
      const raw = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      return (['user', 'group'] as const).flatMap((key) => {
        const value = raw[key];
        return typeof value === 'string' && !/^\d+$/.test(value) ? [{ file, key, name: value }] : [];
      });
    });
}

// A copy of `dir` in which every user and group name is a number, 60000 and up, one per
// name; other files (env files) are copied as they are.
function withNumericAccounts(dir: string, into: string): void {
  const ids = new Map<string, number>();
  for (const file of readdirSync(dir, { withFileTypes: true })) {
    if (!file.isFile()) continue;
    if (!SERVICE_FILE.test(file.name)) {
      copyFileSync(join(dir, file.name), join(into, file.name));
      continue;
    }
    const doc = parseDocument(readFileSync(join(dir, file.name), 'utf8'));
    for (const key of ['user', 'group']) {
      const value: unknown = doc.get(key);
      if (typeof value !== 'string' || /^\d+$/.test(value)) continue;
      if (!ids.has(value)) ids.set(value, 60000 + ids.size);
      doc.set(key, ids.get(value));
    }
    writeFileSync(join(into, file.name), doc.toString());
  }
}

function byName(services: readonly ServiceConfig[]): Map<string, ServiceConfig> {
  return new Map(services.map((service) => [service.name, service]));
}

describe('examples: every services.d passes corral check', () => {
  test('there are at least two examples with a services.d', () => {
    assert.ok(withServices.length >= 2, `only ${withServices.join(', ')}`);
  });

  for (const example of withServices) {
    const dir = join(EXAMPLES, example, 'services.d');
    const dockerfile = readFileSync(join(EXAMPLES, example, 'Dockerfile'), 'utf8');

    test(`${example}: as written, the only problems are users and groups this machine lacks`, () => {
      const named = namedAccounts(dir).map((account) => account.name);
      try {
        loadServices(dir, { env: {} });
      } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        for (const problem of error.problems) {
          const match = /^no (?:user|group) "([^"]+)" in \/etc\/(?:passwd|group);/.exec(problem.message);
          assert.ok(match && named.includes(match[1]!), `${problem.file}:${problem.line}: ${problem.message}`);
        }
      }
    });

    test(`${example}: with numeric ids for the accounts, it loads without a problem`, (t) => {
      const copy = scratchDir(t);
      withNumericAccounts(dir, copy);
      const services = loadServices(copy, { env: {} });
      assert.ok(services.length >= 2, `only ${services.length} service(s)`);
    });

    test(`${example}: every user and group it names is created in its image`, () => {
      const accounts = accountsOfImage(dockerfile);
      for (const { file, key, name } of namedAccounts(dir)) {
        assert.ok(accounts.has(name), `services.d/${file}: ${key}: ${name} is not created by ${example}/Dockerfile`);
      }
    });

    test(`${example}: the Dockerfile builds on the corral base image and installs services.d`, () => {
      assert.match(dockerfile, /^ARG CORRAL_IMAGE=localhost\/corral:latest$/m);
      assert.match(dockerfile, /^FROM \$\{CORRAL_IMAGE\}$/m);
      assert.match(dockerfile, /^COPY services\.d\/ \/etc\/corral\/services\.d\/$/m);
      assert.match(dockerfile, /^RUN corral check \/etc\/corral\/services\.d\b/m);
      assert.ok(existsSync(join(EXAMPLES, example, 'README.md')), `${example}/README.md is missing`);
    });

    test(`${example}: its init.d scripts, if any, are executable and installed`, () => {
      const initDir = join(EXAMPLES, example, 'init.d');
      if (!existsSync(initDir)) return;
      assert.match(dockerfile, /^COPY init\.d\/ \/etc\/corral\/init\.d\/$/m);
      for (const name of readdirSync(initDir)) {
        assert.ok((statSync(join(initDir, name)).mode & 0o111) !== 0, `${example}/init.d/${name} is not executable: corral would skip it`);
      }
    });
  }
});

describe('examples: what each example is made of', () => {
  function load(example: string, t: Parameters<typeof scratchDir>[0]): Map<string, ServiceConfig> {
    const copy = scratchDir(t);
    withNumericAccounts(join(EXAMPLES, example, 'services.d'), copy);
    return byName(loadServices(copy, { env: {} }));
  }
  const userOf = (example: string) =>
    new Map(
      namedAccounts(join(EXAMPLES, example, 'services.d'))
        .filter((a) => a.key === 'user')
        .map((a) => [a.file.replace(SERVICE_FILE, ''), a.name]),
    );

  test('nginx-node: migrate is a oneshot that app and job wait for; nginx waits for app; app, job and migrate run as app', (t) => {
    const services = load('nginx-node', t);
    assert.deepEqual([...services.keys()].sort(), ['app', 'job', 'migrate', 'nginx']);
    assert.equal(services.get('migrate')?.type, 'oneshot');
    assert.deepEqual(services.get('app')?.depends_on, ['migrate']);
    assert.deepEqual(services.get('job')?.depends_on, ['migrate']);
    assert.equal(services.get('job')?.type, 'scheduled');
    assert.deepEqual(services.get('job')?.schedule, {
      spec: { kind: 'cron', expression: '* * * * *', timezone: 'UTC' },
      overlap: 'skip',
      runOnStart: true,
      timeoutMs: 300_000,
    });
    assert.deepEqual(services.get('nginx')?.depends_on, ['app']);
    for (const name of ['app', 'nginx']) {
      assert.equal(services.get(name)?.ready?.spec.kind, 'http', `${name} ready`);
      assert.equal(services.get(name)?.health?.spec.kind, 'http', `${name} health`);
    }
    const users = userOf('nginx-node');
    assert.deepEqual(
      ['app', 'job', 'migrate'].map((name) => users.get(name)),
      ['app', 'app', 'app'],
    );
  });

  test('sidecar: the exporter waits for redis to be ready; both are checked and run as their own users', (t) => {
    const services = load('sidecar', t);
    assert.deepEqual([...services.keys()].sort(), ['redis', 'redis-exporter']);
    assert.deepEqual(services.get('redis-exporter')?.depends_on, ['redis']);
    for (const service of services.values()) {
      assert.ok(service.ready, `${service.name} ready`);
      assert.ok(service.health, `${service.name} health`);
    }
    const users = userOf('sidecar');
    assert.deepEqual([users.get('redis'), users.get('redis-exporter')], ['redis', 'prometheus']);
  });
});

interface Container {
  name?: string;
  env?: { name: string; value?: string }[];
  livenessProbe?: { exec?: { command?: string[] } };
  readinessProbe?: { exec?: { command?: string[] } };
  securityContext?: { readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Deployment {
  kind: string;
  spec: { template: { spec: { terminationGracePeriodSeconds?: number; containers: Container[] } } };
}

describe('examples/kubernetes: the Deployment', () => {
  const manifest = readFileSync(join(EXAMPLES, 'kubernetes', 'deployment.yaml'), 'utf8');
  const docs = parseAllDocuments(manifest);
  const deployment = docs.map((doc) => doc.toJS() as Deployment).find((doc) => doc.kind === 'Deployment');
  const pod = deployment?.spec.template.spec;
  const container = pod?.containers[0];

  test('parses, and holds a Deployment with one container', () => {
    for (const doc of docs) assert.deepEqual(doc.errors, []);
    assert.ok(deployment, 'no Deployment');
    assert.equal(pod?.containers.length, 1);
  });

  test('liveness is corral health, readiness corral ready', () => {
    assert.deepEqual(container?.livenessProbe?.exec?.command, ['corral', 'health']);
    assert.deepEqual(container?.readinessProbe?.exec?.command, ['corral', 'ready']);
  });

  test('terminationGracePeriodSeconds is longer than CORRAL_SHUTDOWN_TIMEOUT', () => {
    const text = container?.env?.find((entry) => entry.name === 'CORRAL_SHUTDOWN_TIMEOUT')?.value;
    assert.ok(text !== undefined, 'CORRAL_SHUTDOWN_TIMEOUT is not set');
    // As corral reads it: a bare number of seconds, or a duration.
    const budgetMs = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text);
    assert.ok(budgetMs !== undefined, `CORRAL_SHUTDOWN_TIMEOUT=${text} is not a duration`);
    const grace = pod?.terminationGracePeriodSeconds;
    assert.ok(typeof grace === 'number', 'terminationGracePeriodSeconds is not set (the default, 30 s, is not in the file)');
    assert.ok(grace * 1000 > budgetMs, `terminationGracePeriodSeconds ${grace} s is not longer than CORRAL_SHUTDOWN_TIMEOUT ${text}`);
  });

  test("with a read-only root file system, /run (corral's control socket) is writable", () => {
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    const mounts = (container?.volumeMounts ?? []).map((mount) => mount.mountPath);
    assert.ok(mounts.includes('/run') || mounts.includes('/run/corral'), `mounts: ${mounts.join(', ')}`);
  });
});
