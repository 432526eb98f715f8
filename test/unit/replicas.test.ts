// replicas: N (issue 19, item 3) as the loader sees it: instances named NAME-0 ... with
// their variables, the count from the environment, its range and the other limits just
// past, the combinations refused, depends_on on the service and on one instance, and the
// names an instance may not share.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { scratchFiles } from '../helpers/scratch.js';
import { loadServices } from '../../src/config/load-services.js';
import { withCommandService } from '../../src/config/command-service.js';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';
import { LIMITS } from '../../src/config/limits.js';
import { problemsOf } from './config-bounds-helpers.js';

const servicesDir = scratchFiles;

// "file line:col path: message", the file relative to `dir`.
function seen(dir: string, p: ConfigProblem): string {
  const file = p.file === dir ? '.' : p.file.slice(dir.length + 1);
  return `${file}${p.line === undefined ? '' : ` ${p.line}:${p.col}`}${p.path === undefined ? '' : ` ${p.path}`}: ${p.message}`;
}

function messages(dir: string, env: Record<string, string> = {}): string[] {
  return problemsOf(dir, env).map((problem) => seen(dir, problem));
}

const WORKER = 'command: \'echo "worker $CORRAL_REPLICA of $CORRAL_REPLICAS up"\'\n';

describe('replicas: instances', () => {
  test('replicas: 3 gives worker-0, worker-1, worker-2, each with its index, the count, and its own log prefix', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 3\n` });
    const services = loadServices(dir, { env: {} });
    assert.deepEqual(
      services.map((service) => [service.name, service.log.prefix, service.environment, service.replica]),
      [0, 1, 2].map((index) => [
        `worker-${index}`,
        `worker-${index}`,
        { CORRAL_REPLICA: String(index), CORRAL_REPLICAS: '3' },
        { of: 'worker', index, count: 3 },
      ]),
    );
  });

  test('${CORRAL_REPLICA} and ${CORRAL_REPLICAS} are expanded per instance in command, environment and ready', (t) => {
    const dir = servicesDir(t, {
      'worker.yaml':
        'command: ["worker", "--shard", "${CORRAL_REPLICA}/${CORRAL_REPLICAS}"]\nreplicas: 2\nenvironment: {PORT: "80${CORRAL_REPLICA}"}\nready: {tcp: "90${CORRAL_REPLICA}"}\n',
    });
    const services = loadServices(dir, { env: {} });
    assert.deepEqual(
      services.map((service) => [service.argv, service.environment.PORT, service.ready?.spec]),
      [
        [['worker', '--shard', '0/2'], '800', { kind: 'tcp', host: '127.0.0.1', port: 900 }],
        [['worker', '--shard', '1/2'], '801', { kind: 'tcp', host: '127.0.0.1', port: 901 }],
      ],
    );
  });

  test("the count may come from corral's environment, with a default", (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: \${WORKERS:-2}\n` });
    assert.equal(loadServices(dir, { env: {} }).length, 2);
    assert.equal(loadServices(dir, { env: { WORKERS: '5' } }).length, 5);
    assert.equal(loadServices(dir, { env: { WORKERS: ' 4 ' } }).length, 4);
  });

  test('without the key the service keeps its plain name; with replicas: 1 it is worker-0, so a change of count only adds instances', (t) => {
    const plain = servicesDir(t, { 'worker.yaml': WORKER });
    assert.deepEqual(
      loadServices(plain, { env: {} }).map((service) => [service.name, service.replica, service.environment]),
      [['worker', undefined, {}]],
    );
    const one = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 1\n` });
    assert.deepEqual(
      loadServices(one, { env: {} }).map((service) => service.name),
      ['worker-0'],
    );
  });

  test('replicas: 0 runs no instance', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 0\n`, 'web.yaml': 'command: web\n' });
    assert.deepEqual(
      loadServices(dir, { env: {} }).map((service) => service.name),
      ['web'],
    );
  });

  test(`${LIMITS.replicas} instances, the most one service may have, load`, (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: ${LIMITS.replicas}\n` });
    assert.equal(loadServices(dir, { env: {} }).length, LIMITS.replicas);
  });

  test('a oneshot may have replicas', (t) => {
    const dir = servicesDir(t, { 'seed.yaml': 'command: seed\ntype: oneshot\nreplicas: 2\n' });
    assert.deepEqual(
      loadServices(dir, { env: {} }).map((service) => [service.name, service.type]),
      [
        ['seed-0', 'oneshot'],
        ['seed-1', 'oneshot'],
      ],
    );
  });

  test('a log.prefix gets the index too', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 2\nlog: {prefix: w}\n` });
    assert.deepEqual(
      loadServices(dir, { env: {} }).map((service) => service.log.prefix),
      ['w-0', 'w-1'],
    );
  });

  test('CORRAL_DISABLE names the service, and switches off every instance', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 3\n`, 'web.yaml': 'command: web\n' });
    assert.deepEqual(
      loadServices(dir, { env: { CORRAL_DISABLE: 'worker' } }).map((service) => service.name),
      ['web'],
    );
  });
});

describe('replicas: values refused', () => {
  for (const [written, env, shown] of [
    ['${N}', { N: 'abc' }, '"abc"'],
    ['${N}', { N: '2.5' }, '"2.5"'],
    ['-1', {}, '-1'],
    ['2.5', {}, '2.5'],
    [String(LIMITS.replicas + 1), {}, String(LIMITS.replicas + 1)],
    ['${N}', { N: String(LIMITS.replicas + 1) }, `"${LIMITS.replicas + 1}"`],
    ['many', {}, '"many"'],
    ['true', {}, 'true'],
  ] as const) {
    test(`replicas: ${written}${'N' in env ? ` with N=${env.N}` : ''} is an error naming the place, the key, the value and the range`, (t) => {
      const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: ${written}\n` });
      assert.deepEqual(messages(dir, env), [`worker.yaml 2:11 replicas: expected a whole number from 0 to ${LIMITS.replicas}, got ${shown}`]);
    });
  }

  test('an unset ${VAR} is the usual expansion error, not a second one about the range', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: \${N}\n` });
    assert.equal(messages(dir).length, 1);
    assert.match(messages(dir)[0]!, /^worker\.yaml 2:11 replicas: \$\{N\} is not set in corral's environment/);
  });

  test('more than one instance of the main service, or none, or more than one of a scheduled one, is refused with the reason; one is not', (t) => {
    const dir = servicesDir(t, {
      'app.yaml': 'command: app\nmain: true\nreplicas: 2\n',
      'report.yaml': 'command: report\nschedule: "0 * * * *"\nreplicas: 2\n',
    });
    assert.deepEqual(messages(dir), [
      'app.yaml 3:11 replicas: the main service is one process: the container stops when it exits, and 2 instances would each stop it; remove main, or set replicas to 1',
      'report.yaml 3:11 replicas: a scheduled service runs once at each due time, and 2 instances would run each time 2 times over; remove replicas, or give each run its own file',
    ]);
    const none = servicesDir(t, { 'app.yaml': 'command: app\nmain: true\nreplicas: 0\n' });
    assert.deepEqual(messages(none), [
      'app.yaml 3:11 replicas: the main service is one process, and with replicas: 0 the container would run without it; remove replicas, or main',
    ]);
    const one = servicesDir(t, {
      'app.yaml': 'command: app\nmain: true\nreplicas: 1\n',
      'report.yaml': 'command: report\nschedule: "0 * * * *"\nreplicas: 1\n',
    });
    assert.deepEqual(
      loadServices(one, { env: {} }).map((service) => service.name),
      ['app-0', 'report-0'],
    );
  });

  test('the environment may not set CORRAL_REPLICA or CORRAL_REPLICAS', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 2\nenvironment: {CORRAL_REPLICA: "9"}\n` });
    assert.deepEqual(messages(dir), [
      'worker.yaml 3:31 environment.CORRAL_REPLICA: corral sets CORRAL_REPLICA for each instance of a service with replicas; remove it',
    ]);
  });

  test('a value valid for some instances only is refused for the first that it is not, named', (t) => {
    // 6553x is a port up to 65535: instance 6 would listen on 65536.
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 8\nready: {tcp: "6553\${CORRAL_REPLICA}"}\n` });
    const [problem, ...rest] = messages(dir);
    assert.deepEqual(rest, []);
    assert.match(problem!, /^worker\.yaml 3:14 ready\.tcp: for worker-7 \(CORRAL_REPLICA=7\): .*65537/);
    const fine = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 6\nready: {tcp: "6553\${CORRAL_REPLICA}"}\n` });
    assert.equal(loadServices(fine, { env: {} }).length, 6);
  });
});

describe('replicas: limits just past', () => {
  test(`instance names of ${LIMITS.nameLength} characters load; one more is refused at replicas`, (t) => {
    // A name of nameLength - 2 characters: "-9" fits, "-10" does not.
    const name = 'w'.repeat(LIMITS.nameLength - 2);
    const fits = servicesDir(t, { [`${name}.yaml`]: `${WORKER}replicas: 10\n` });
    assert.equal(loadServices(fits, { env: {} }).at(-1)!.name.length, LIMITS.nameLength);
    const past = servicesDir(t, { [`${name}.yaml`]: `${WORKER}replicas: 11\n` });
    assert.deepEqual(messages(past), [
      `${name}.yaml 2:11 replicas: the instances are named ${name}-0 to ${name}-10, longer than ${LIMITS.nameLength} characters; shorten the service's name`,
    ]);
  });

  test(`${LIMITS.services} services with every instance counted load; one more is refused, naming the largest`, (t) => {
    const groups = LIMITS.services / LIMITS.replicas;
    const files = Object.fromEntries(Array.from({ length: groups }, (_, index) => [`pool${index}.yaml`, `${WORKER}replicas: ${LIMITS.replicas}\n`]));
    const fits = servicesDir(t, files);
    assert.equal(loadServices(fits, { env: {} }).length, LIMITS.services);
    const past = servicesDir(t, { ...files, 'one.yaml': 'command: one\n' });
    const [problem, ...rest] = messages(past);
    assert.deepEqual(rest, []);
    assert.match(
      problem!,
      new RegExp(
        `^\\.: the services directory runs ${LIMITS.services + 1} services once the instances of replicas are counted, more than the ${LIMITS.services} corral runs; lower replicas \\(pool0: ${LIMITS.replicas} in .*pool0\\.yaml, `,
      ),
    );
  });

  test('a file checked once per instance counts its YAML tokens once per instance against the load', (t) => {
    // Some 1,000 tokens, checked 200 times, is past the 100,000 of a load; without
    // ${CORRAL_REPLICA} it is checked once.
    const environment = Array.from({ length: 120 }, (_, index) => `  V${index}: "x${index}"`).join('\n');
    const perInstance = servicesDir(t, {
      'worker.yaml': `${WORKER}replicas: ${LIMITS.replicas}\nenvironment:\n  PORT: "\${CORRAL_REPLICA}"\n${environment}\n`,
    });
    const [problem, ...rest] = messages(perInstance);
    assert.deepEqual(rest, []);
    assert.match(
      problem!,
      new RegExp(
        `^worker\\.yaml 2:11 replicas: this file uses \\$\\{CORRAL_REPLICA\\} or \\$\\{CORRAL_REPLICAS\\}, so each of its ${LIMITS.replicas} instances is checked on its own`,
      ),
    );
    assert.match(problem!, new RegExp(`past the ${LIMITS.loadYamlTokens} of one load`));
    const once = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: ${LIMITS.replicas}\nenvironment:\n  PORT: "$$CORRAL_REPLICA"\n${environment}\n` });
    assert.equal(loadServices(once, { env: {} }).length, LIMITS.replicas);
    const fewer = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 20\nenvironment:\n  PORT: "\${CORRAL_REPLICA}"\n${environment}\n` });
    assert.equal(loadServices(fewer, { env: {} }).length, 20);
  });
});

describe('replicas: names and dependencies', () => {
  test('an instance name that another file defines is refused, naming both files', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 3\n`, 'worker-0.yaml': 'command: other\n' });
    assert.deepEqual(messages(dir), [
      `worker.yaml: the service name "worker-0" is the service of ${dir}/worker-0.yaml and instance 0 of worker (replicas: 3 in ${dir}/worker.yaml); rename one of them (name: key or file name)`,
    ]);
  });

  test("a service with replicas named like another's instance is refused, naming both files", (t) => {
    const dir = servicesDir(t, { 'a.yaml': 'command: a\nreplicas: 2\n', 'a-1.yaml': 'command: b\nreplicas: 2\n' });
    assert.deepEqual(messages(dir), [
      `a.yaml: the service name "a-1" is the service of ${dir}/a-1.yaml and instance 1 of a (replicas: 2 in ${dir}/a.yaml); rename one of them (name: key or file name)`,
    ]);
  });

  test('depends_on names the service (every instance) or one instance, and keeps the name as written', (t) => {
    const dir = servicesDir(t, {
      'worker.yaml': `${WORKER}replicas: 3\n`,
      'web.yaml': 'command: web\ndepends_on: [worker]\n',
      'leader.yaml': 'command: l\ndepends_on: [worker-0]\n',
    });
    const byName = new Map(loadServices(dir, { env: {} }).map((service) => [service.name, service]));
    assert.deepEqual(byName.get('web')!.depends_on, ['worker']);
    assert.deepEqual(byName.get('leader')!.depends_on, ['worker-0']);
  });

  test('depends_on an instance that the count does not make is refused with a did-you-mean', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 3\n`, 'web.yaml': 'command: web\ndepends_on: [worker-3]\n' });
    assert.deepEqual(messages(dir), ['web.yaml 2:14 depends_on.0: no service is named "worker-3"; did you mean "worker-0"?']);
  });

  test('depends_on a service with replicas: 0 is refused like a disabled one', (t) => {
    const dir = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: \${WORKERS:-0}\n`, 'web.yaml': 'command: web\ndepends_on: [worker]\n' });
    assert.deepEqual(messages(dir), [
      `web.yaml 2:14 depends_on.0: "worker" has replicas: 0 (in ${dir}/worker.yaml), so no instance of it runs and there is nothing to wait for; set replicas to 1 or more, or remove the dependency`,
    ]);
    assert.equal(loadServices(dir, { env: { WORKERS: '1' } }).length, 2);
  });

  test('a service cannot depend on its own instance; a cycle through an instance is named', (t) => {
    const own = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 2\ndepends_on: [worker-1]\n` });
    assert.deepEqual(messages(own), ['worker.yaml 3:14 depends_on.0: worker cannot depend on its own instance worker-1; remove "worker-1"']);
    const cycle = servicesDir(t, { 'worker.yaml': `${WORKER}replicas: 2\ndepends_on: [web]\n`, 'web.yaml': 'command: web\ndepends_on: [worker-1]\n' });
    assert.deepEqual(messages(cycle), ['worker.yaml 3:14 depends_on.0: dependency cycle: web -> worker -> web; remove one of these dependencies']);
  });

  test('corral -- COMMAND refuses a service with replicas named main', (t) => {
    const dir = servicesDir(t, { 'main.yaml': 'command: m\nreplicas: 2\n' });
    assert.throws(
      () => withCommandService(loadServices(dir, { env: {} }), ['sh']),
      (error: unknown) => error instanceof ConfigError && /the name "main" is kept for the command after --/.test(error.message),
    );
  });
});
