// Keeps docs/services.md, the valid examples in test/fixtures/services-valid and the JSON
// Schema honest against the loader:
//   - every complete service file in the docs loads, and the JSON Schema accepts it;
//   - every key of the schema is documented as a "- `path`: type (default): meaning" line,
//     no documented key is invented, and the documented defaults are the real ones;
//   - the fixtures use every key and every alternative form, load, and pass the JSON Schema;
//   - `corral print`'s form of each valid example reads back as the same service.
//
// A code block of docs/services.md is a complete service file when its first line is
// exactly "# services.d/NAME.yaml" (or .yml). A block whose first line is
// "# services.d/NAME" with another extension (an env file) is written next to every
// example. Each example is loaded on its own, with a stub for each service it depends on.
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { parseDuration } from '../../src/config/duration.js';
import { expandInConfig } from '../../src/config/expand-in-config.js';
import { fileFormOf } from '../../src/config/file-form.js';
import { compileServiceSchema } from '../helpers/json-schema.js';
import { loadServices } from '../../src/config/load-services.js';
import { keysAt, serviceSchema } from '../../src/config/schema.js';
import { serviceConfigOf, type ServiceConfig } from '../../src/config/service-config.js';
import { scratchDir } from '../helpers/scratch.js';

const DOC = fileURLToPath(new URL('../../docs/services.md', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/services-valid', import.meta.url));

// corral's environment as the examples assume it, for ${VAR} expansion.
const DOC_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root', PORT: '8080', DATABASE_URL: 'postgres://app@db:5432/app' };
const FIXTURE_ENV = { PATH: '/usr/bin:/bin', PORT: '8080', APP_DIR: '/srv/app', GREETING: 'hello', EMPTY: '' };

const validateJson = compileServiceSchema();

function assertSchemaAccepts(data: unknown, what: string): void {
  const valid = validateJson(data);
  const errors = (validateJson.errors ?? []).map((error) => `  ${error.instancePath || '/'}: ${error.message ?? error.keyword}`).join('\n');
  assert.ok(valid, `the JSON Schema rejects ${what}:\n${errors}`);
}

// What is compared in a round trip: the settings, not where they came from. A key set to
// undefined is left out: `ready: none` reads back as ready: undefined, which means what
// no ready key means. An instance of a service with replicas prints as the service it
// is, with its own name and variables; which group it is one of is in print's comment.
function settingsOf(service: ServiceConfig): Omit<ServiceConfig, 'file' | 'identity' | 'env_from_files' | 'replica'> {
  const { file: _file, identity: _identity, env_from_files: _fromFiles, replica: _replica, ...settings } = service;
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as typeof settings;
}

// `corral print`'s form of `service` is accepted by the JSON Schema and reads back as the
// same service.
function assertRoundTrip(service: ServiceConfig): void {
  const printed = stringify(fileFormOf(service), { lineWidth: 0 });
  const form: unknown = parse(printed);
  assertSchemaAccepts(form, `the printed form of ${service.name}:\n${printed}`);
  // Loading expands ${VAR}; print writes a literal ${ as $${, so this gives it back.
  const expanded = expandInConfig(form as Record<string, unknown>, {});
  assert.deepEqual(expanded.problems, [], `the printed form of ${service.name} refers to variables:\n${printed}`);
  const reparsed = serviceSchema.safeParse(expanded.value);
  assert.ok(reparsed.success, `the printed form of ${service.name} does not parse again:\n${printed}\n${reparsed.error?.message}`);
  const again = serviceConfigOf(reparsed.data, { name: service.name, file: service.file });
  assert.deepEqual(settingsOf(again), settingsOf(service), `the printed form of ${service.name} reads back differently:\n${printed}`);
}

function loadOrExplain(dir: string, env: Record<string, string>): ServiceConfig[] {
  try {
    return loadServices(dir, { env });
  } catch (error) {
    if (error instanceof ConfigError) assert.fail(`does not load:\n${error.message}`);
    throw error;
  }
}

type Data = Record<string, unknown>;
const mapping = (value: unknown): Data | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : undefined);

// ---- docs/services.md ------------------------------------------------------------------

interface FileBlock {
  file: string;
  text: string;
}

const docText = readFileSync(DOC, 'utf8');
const blocks = [...docText.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
const fileBlocks: FileBlock[] = blocks.flatMap((text) => {
  const file = /^# services\.d\/([A-Za-z0-9._-]+)\n/.exec(text)?.[1];
  return file === undefined ? [] : [{ file, text }];
});
const serviceBlocks = fileBlocks.filter((block) => /\.ya?ml$/.test(block.file));
const otherFiles = fileBlocks.filter((block) => !/\.ya?ml$/.test(block.file));

// A scratch services directory with `block`, the doc's other files, and a stub for each
// service it depends on.
function exampleDir(t: TestContext, block: FileBlock): string {
  const dir = scratchDir(t);
  writeFileSync(join(dir, block.file), block.text);
  for (const other of otherFiles) writeFileSync(join(dir, other.file), other.text);
  const data = parse(block.text) as { depends_on?: unknown };
  const dependencies = Array.isArray(data.depends_on) ? data.depends_on.map(String) : [];
  for (const name of dependencies) writeFileSync(join(dir, `${name}.yaml`), 'command: ["sleep", "infinity"]\n');
  return dir;
}

// "- `path`: rest" lines: the documented keys.
const keyLines = new Map([...docText.matchAll(/^- `([a-z_.]+)`: (.*)$/gm)].map((match) => [match[1]!, match[2]!]));

function schemaPaths(): string[] {
  return Object.entries(keysAt).flatMap(([parent, keys]) => keys.map((key) => (parent === '' ? key : `${parent}.${key}`)));
}

// The printed defaults, by key path, of minimal services: `command` alone, and one with
// each optional mapping given its one required key. A list of mappings (env_file) gives
// the keys of its entry.
function printedDefaults(): Map<string, unknown> {
  const minimal = [
    'command: x',
    'command: x\nready: {log: x}',
    'command: x\nhealth: {exec: x}',
    'command: x\nmax_restarts: {count: 1}',
    'command: x\nenv_file: {path: x}',
    'command: x\nwatchdog: {timeout: 1s}',
    'command: x\nschedule: {every: 1m}',
  ];
  const defaults = new Map<string, unknown>();
  for (const text of minimal) {
    const service = serviceConfigOf(serviceSchema.parse(parse(text)), { name: 'x', file: 'x.yaml' });
    for (const [key, value] of Object.entries(fileFormOf(service))) {
      if (text === 'command: x') defaults.set(key, value);
      for (const [inner, innerValue] of Object.entries(mapping(Array.isArray(value) ? value[0] : value) ?? {})) defaults.set(`${key}.${inner}`, innerValue);
    }
  }
  return defaults;
}

// A default as the docs write it and as corral prints it are the same value: "60s" is "1m".
function sameDefault(documented: string, printed: string): boolean {
  const ms = [parseDuration(documented), parseDuration(printed)];
  return ms[0] !== undefined && ms[1] !== undefined ? ms[0] === ms[1] : documented === printed;
}

describe('docs/services.md', () => {
  test('has complete service files to check', () => {
    assert.ok(serviceBlocks.length >= 10, `only ${serviceBlocks.length} blocks start with "# services.d/NAME.yaml"`);
  });

  for (const block of serviceBlocks) {
    test(`the example services.d/${block.file} loads and the JSON Schema accepts it`, (t) => {
      const services = loadOrExplain(exampleDir(t, block), DOC_ENV);
      assert.ok(services.length > 0);
      assertSchemaAccepts(parse(block.text), `services.d/${block.file}`);
    });
  }

  test('documents every key of the schema as a "- `key`: type (default): meaning" line', () => {
    const missing = schemaPaths().filter((path) => !keyLines.has(path));
    assert.deepEqual(missing, [], `keys without a line in docs/services.md: ${missing.join(', ')}`);
  });

  test('documents no key that the schema does not have', () => {
    const known = new Set(schemaPaths());
    const invented = [...keyLines.keys()].filter((path) => !known.has(path));
    assert.deepEqual(invented, [], `documented keys the schema does not know: ${invented.join(', ')}`);
  });

  test('the documented defaults are what corral fills in', () => {
    const defaults = printedDefaults();
    const wrong: string[] = [];
    for (const [path, rest] of keyLines) {
      // "type (`default`...): meaning" or "type (not set...): meaning"
      const given = /^[^(]*\((.*?)\): /.exec(rest)?.[1];
      if (given === undefined) continue;
      const literal = /^`([^`]*)`/.exec(given)?.[1];
      const actual = defaults.get(path);
      const shown = typeof actual === 'string' ? actual : JSON.stringify(actual);
      if (literal !== undefined && (actual === undefined || !sameDefault(literal, shown))) {
        wrong.push(`${path}: documented \`${literal}\`, corral fills in ${actual === undefined ? 'nothing' : `\`${shown}\``}`);
      }
      const alwaysPrinted = !path.includes('.') || /^(backoff|log|limits)\./.test(path);
      if (given.startsWith('not set') && alwaysPrinted && actual !== undefined) {
        wrong.push(`${path}: documented as not set, corral fills in \`${shown}\``);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('every complete example reads back from its printed form (corral print)', (t) => {
    for (const block of serviceBlocks) {
      for (const service of loadOrExplain(exampleDir(t, block), DOC_ENV)) assertRoundTrip(service);
    }
  });
});

// ---- test/fixtures/services-valid ------------------------------------------------------

const fixtureFiles = readdirSync(FIXTURES)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
const fixtureData = new Map(fixtureFiles.map((name) => [name, parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>]));
const all = [...fixtureData.values()];

const someData = (check: (data: Data) => boolean): boolean => all.some(check);
const probes = (key: 'ready' | 'health'): Data[] =>
  all.flatMap((data): Data[] => {
    const probe = mapping(data[key]);
    return probe ? [probe] : [];
  });
const limitValues = all.flatMap((data) => Object.values(mapping(data.limits) ?? {}));
const envFiles = all.map((data) => data.env_file).filter((value) => value !== undefined);

// The forms the language allows, each of which some fixture must use.
const FORMS: Record<string, () => boolean> = {
  'command as a string': () => someData((data) => typeof data.command === 'string'),
  'command as a list': () => someData((data) => Array.isArray(data.command)),
  'name: differing from the file name': () => [...fixtureData].some(([file, data]) => typeof data.name === 'string' && !file.startsWith(`${data.name}.`)),
  'a .yml file': () => fixtureFiles.some((file) => file.endsWith('.yml')),
  'ready: none': () => someData((data) => data.ready === 'none'),
  ...Object.fromEntries(['exec', 'tcp', 'http', 'log', 'notify'].map((kind) => [`ready.${kind}`, () => probes('ready').some((probe) => kind in probe)])),
  ...Object.fromEntries(['exec', 'tcp', 'http'].map((kind) => [`health.${kind}`, () => probes('health').some((probe) => kind in probe)])),
  'exec as a string': () => [...probes('ready'), ...probes('health')].some((probe) => typeof probe.exec === 'string'),
  'exec as a list': () => [...probes('ready'), ...probes('health')].some((probe) => Array.isArray(probe.exec)),
  'tcp as a port number': () => [...probes('ready'), ...probes('health')].some((probe) => typeof probe.tcp === 'number'),
  'tcp as "host:port"': () => [...probes('ready'), ...probes('health')].some((probe) => /^[a-z0-9.-]+:\d+$/.test(String(probe.tcp))),
  'tcp as "[::1]:port"': () => [...probes('ready'), ...probes('health')].some((probe) => /^\[[0-9a-f:]+\]:\d+$/.test(String(probe.tcp))),
  'tcp as "${PORT}"': () => [...probes('ready'), ...probes('health')].some((probe) => probe.tcp === '${PORT}'),
  'a limit as a number': () => limitValues.some((value) => typeof value === 'number'),
  'a limit as "soft:hard"': () => limitValues.some((value) => typeof value === 'string' && value.includes(':')),
  'a limit as unlimited': () => limitValues.includes('unlimited'),
  'env_file as a path': () => envFiles.some((value) => typeof value === 'string'),
  'env_file as a list': () => envFiles.some((value) => Array.isArray(value)),
  'env_file as {path, required: false}': () =>
    envFiles.flatMap((value): unknown[] => (Array.isArray(value) ? value : [value])).some((value) => mapping(value)?.required === false),
  'environment value as {file: PATH}': () =>
    someData((data) => Object.values(mapping(data.environment) ?? {}).some((value) => mapping(value)?.file !== undefined)),
  'user by name': () => someData((data) => typeof data.user === 'string'),
  'user by number': () => someData((data) => typeof data.user === 'number'),
  'group by name': () => someData((data) => typeof data.group === 'string'),
  'group by number': () => someData((data) => typeof data.group === 'number'),
  'log.stdout: stderr': () => someData((data) => mapping(data.log)?.stdout === 'stderr'),
  'log output discarded': () => someData((data) => Object.values(mapping(data.log) ?? {}).includes('discard')),
  'max_line as a number': () => someData((data) => typeof mapping(data.log)?.max_line === 'number'),
  'max_line with a unit': () => someData((data) => typeof mapping(data.log)?.max_line === 'string'),
  'watchdog as a duration': () => someData((data) => typeof data.watchdog === 'string'),
  'watchdog as {timeout, signal}': () => someData((data) => mapping(data.watchdog)?.timeout !== undefined && mapping(data.watchdog)?.signal !== undefined),
  'a signal without SIG, in lower case': () => someData((data) => /^[a-z]+$/.test(String(data.stop_signal))),
  '${NAME}, ${NAME:-default}, ${NAME-default}, $${ and $VAR': () =>
    someData((data) => ['${PORT}', ':-', '${EMPTY-', '$${', '$HOME'].every((form) => JSON.stringify(data).includes(form))),
  'type: oneshot': () => someData((data) => data.type === 'oneshot'),
  'schedule as a 5-field cron string': () => someData((data) => typeof data.schedule === 'string' && data.schedule.trim().split(/\s+/).length === 5),
  'schedule as a cron string with seconds': () => someData((data) => typeof data.schedule === 'string' && data.schedule.trim().split(/\s+/).length === 6),
  'schedule as a @nickname': () => someData((data) => typeof data.schedule === 'string' && data.schedule.startsWith('@')),
  'schedule: {cron, timezone}': () => someData((data) => mapping(data.schedule)?.cron !== undefined && mapping(data.schedule)?.timezone !== undefined),
  'schedule: {every}': () => someData((data) => mapping(data.schedule)?.every !== undefined),
  ...Object.fromEntries(
    ['skip', 'queue', 'replace'].map((overlap) => [`schedule.overlap: ${overlap}`, () => someData((data) => mapping(data.schedule)?.overlap === overlap)]),
  ),
  'main: true': () => someData((data) => data.main === true),
  'enabled: false': () => someData((data) => data.enabled === false),
  'replicas as a ${VAR}, with ${CORRAL_REPLICA}': () =>
    someData((data) => typeof data.replicas === 'string' && data.replicas.includes('${') && JSON.stringify(data).includes('${CORRAL_REPLICA}')),
};

describe('test/fixtures/services-valid', () => {
  test('the directory loads with a fixed environment', () => {
    const services = loadOrExplain(FIXTURES, FIXTURE_ENV);
    // A file with replicas runs that many services (${VAR} in it at its default).
    const instances = (data: Data): number => (data.replicas === undefined ? 1 : Number(expandInConfig(data, FIXTURE_ENV).value.replicas));
    const enabled = [...fixtureData.values()].filter((data) => data.enabled !== false).reduce((sum, data) => sum + instances(data), 0);
    assert.equal(services.length, enabled);
  });

  test('the files together use every key of the schema', () => {
    const used = new Set<string>();
    for (const data of all) {
      for (const [key, value] of Object.entries(data)) {
        used.add(key);
        for (const inner of Object.keys(mapping(value) ?? {})) used.add(`${key}.${inner}`);
      }
    }
    const unused = schemaPaths().filter((path) => !used.has(path));
    assert.deepEqual(unused, [], `no fixture uses: ${unused.join(', ')}`);
  });

  test('the files together use every alternative form', () => {
    const unused = Object.entries(FORMS)
      .filter(([, used]) => !used())
      .map(([form]) => form);
    assert.deepEqual(unused, [], `no fixture uses: ${unused.join('; ')}`);
  });

  for (const file of fixtureFiles) {
    test(`the JSON Schema accepts ${file}`, () => {
      assertSchemaAccepts(fixtureData.get(file), file);
    });
  }

  // A directory that does not load is the first test's failure; here it has no services.
  let fixtureServices: ServiceConfig[] = [];
  try {
    fixtureServices = loadServices(FIXTURES, { env: FIXTURE_ENV });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  for (const service of fixtureServices) {
    test(`${service.name} reads back from its printed form (corral print)`, () => {
      assertRoundTrip(service);
    });
  }

  test('a service named with more than 40 characters is refused, or reads back from its printed form', (t) => {
    const dir = scratchDir(t);
    writeFileSync(join(dir, `${'a'.repeat(41)}.yaml`), 'command: x\n');
    let services: ServiceConfig[];
    try {
      services = loadServices(dir, { env: {} });
    } catch (error) {
      if (error instanceof ConfigError) return;
      throw error;
    }
    for (const service of services) assertRoundTrip(service);
  });
});
