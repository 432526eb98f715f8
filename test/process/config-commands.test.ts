// corral check, print and schema through the built binary: exit codes, output, and that
// nothing is started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileServiceSchema } from '../helpers/json-schema.js';
import { parseAllDocuments, parse } from 'yaml';
import { corralMain } from '../helpers/corral-process.js';
import { scratchDir, scratchFiles } from '../helpers/scratch.js';

function corral(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [corralMain, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...env } });
}

const servicesDir = scratchFiles;

test("check: the repository's services.d is valid", () => {
  const result = corral(['check', 'services.d']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'corral check: services.d is valid: 3 enabled service(s): hello, ticker, web\n');
});

test('check: every problem, exit 100, and nothing runs', (t) => {
  const marker = join(scratchDir(t), 'ran');
  const dir = servicesDir(t, {
    'a.yaml': `command: touch ${marker}\nrestart: alway\n`,
    'b.yaml': `command: touch ${marker}\ndepends_on: [c]\nstop_timeout: 5\n`,
  });
  const result = corral(['check', dir]);
  assert.equal(result.status, 100);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((line) => line.startsWith(dir));
  assert.deepEqual(lines, [
    `${dir}/a.yaml:2:10: restart: expected one of always, on-failure, never, got "alway"; did you mean "always"?`,
    `${dir}/b.yaml:3:15: stop_timeout: expected a duration like "10s" or "500ms", got 5`,
    `${dir}/b.yaml:2:14: depends_on.0: no service is named "c"; did you mean "a"?`,
  ]);
  assert.match(result.stderr, new RegExp(`^corral check: ${dir} has 3 problems; nothing would start:\n`));
  assert.equal(existsSync(marker), false);
});

test('check: a secret file under NODE_DEBUG=child_process, which would print it, is a problem (exit 100)', (t) => {
  const dir = servicesDir(t, { 'web.yaml': 'command: sleep 1\nenvironment:\n  DB_PASSWORD: {file: /run/secrets/db_password}\n' });
  const result = corral(['check', dir], { NODE_DEBUG: 'net,child_process' });
  assert.equal(result.status, 100, result.stderr);
  assert.equal(
    result.stderr,
    `corral check: ${dir} has 1 problem; nothing would start:\n` +
      "environment: NODE_DEBUG=net,child_process makes Node print each service's environment, secrets read from files included, to corral's log; unset NODE_DEBUG or leave child_process out of it\n",
  );
  assert.equal(corral(['check', dir], { NODE_DEBUG: 'net' }).status, 0);
});

test('check: ${VAR} is taken from the environment check runs in', (t) => {
  const dir = servicesDir(t, { 'web.yaml': 'command: ["server", "--port", "${PORT}"]\n' });
  const unset = corral(['check', dir], { PORT: '' });
  assert.equal(unset.status, 0, 'an empty PORT is set');
  const env = { ...process.env };
  delete env.PORT;
  const missing = spawnSync(process.execPath, [corralMain, 'check', dir], { encoding: 'utf8', timeout: 10_000, env });
  assert.equal(missing.status, 100);
  assert.match(missing.stderr, /web\.yaml:1:31: command\.2: \$\{PORT\} is not set in corral's environment/);
});

test('print: every default filled in, and the output reads back as the same services', (t) => {
  const dir = servicesDir(t, {
    'db.yaml': 'command: postgres\nready:\n  tcp: 5432\nuser: root\nlimits: {nofile: "1024:4096"}\n',
    'web.yaml': 'command: [node, server.js]\ndepends_on: [db]\nbackoff: {initial: 1500ms}\numask: "0027"\nlog: {prefix: WEB}\n',
  });
  const printed = corral(['print', dir]);
  assert.equal(printed.status, 0, printed.stderr);
  const documents = parseAllDocuments(printed.stdout).map((doc) => doc.toJS() as Record<string, unknown>);
  assert.deepEqual(
    documents.map((doc) => doc.name),
    ['db', 'web'],
  );
  const [db, web] = documents;
  assert.deepEqual(db?.ready, { tcp: '127.0.0.1:5432', interval: '200ms', timeout: '1m' });
  assert.equal(db?.stop_signal, 'SIGTERM');
  assert.equal(db?.restart, 'always');
  assert.deepEqual(db?.limits, { nofile: '1024:4096' });
  assert.deepEqual(web?.backoff, { initial: '1500ms', max: '30s', factor: 2, jitter: 0.1 });
  assert.equal(web?.umask, '0027');
  assert.deepEqual(web?.log, { prefix: 'WEB', stdout: 'stdout', stderr: 'stderr', max_line: '16KiB', mode: 'block', buffer: '1MiB' });

  const again = servicesDir(t, Object.fromEntries(printed.stdout.split(/^---\n/m).map((text, index) => [`${index}.yaml`, text])));
  const reprinted = corral(['print', again]);
  assert.equal(reprinted.status, 0, reprinted.stderr);
  const strip = (text: string) => text.replace(/^# .*\n/gm, '');
  assert.equal(strip(reprinted.stdout), strip(printed.stdout));
});

test('print: a service with replicas is one document per instance, with its name, its variables and which one it is', (t) => {
  const dir = servicesDir(t, { 'worker.yaml': 'command: ["worker", "--port", "80${CORRAL_REPLICA}"]\nreplicas: ${WORKERS:-2}\n' });
  const printed = corral(['print', dir], { WORKERS: '3' });
  assert.equal(printed.status, 0, printed.stderr);
  assert.deepEqual(
    printed.stdout.split('\n').filter((line) => line.startsWith('# ')),
    [0, 1, 2].map((index) => `# ${dir}/worker.yaml, instance ${index} of worker (replicas: 3)`),
  );
  const documents = parseAllDocuments(printed.stdout).map((doc) => doc.toJS() as Record<string, unknown>);
  assert.deepEqual(
    documents.map((doc) => [doc.name, doc.command, doc.environment]),
    [0, 1, 2].map((index) => [`worker-${index}`, ['worker', '--port', `80${index}`], { CORRAL_REPLICA: String(index), CORRAL_REPLICAS: '3' }]),
  );
  const check = corral(['check', dir], { WORKERS: '3' });
  assert.equal(check.stdout, `corral check: ${dir} is valid: 3 enabled service(s): worker-0, worker-1, worker-2\n`);
});

test('schema: JSON Schema that accepts the example services and rejects an unknown key', () => {
  const result = corral(['schema']);
  assert.equal(result.status, 0, result.stderr);
  const schema = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const validate = compileServiceSchema(schema);
  for (const name of ['hello', 'ticker', 'web']) {
    const text = spawnSync('cat', [`services.d/${name}.yaml`], { encoding: 'utf8' }).stdout;
    assert.equal(validate(parse(text)), true, `${name}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ command: 'x', restrat: 'always' }), false);
  assert.equal(validate({ command: 'x', stop_timeout: 5 }), false);
  assert.equal(validate({ restart: 'always' }), false, 'command is required');
});
