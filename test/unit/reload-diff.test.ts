import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { diffServices, fingerprint } from '../../src/supervisor/reload-diff.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import { DEFAULT_LOG, serviceConfig } from '../helpers/service-config.js';

const service = serviceConfig;

const names = (list: readonly ServiceConfig[]): string[] => list.map((config) => config.name);

function diffNames(current: ServiceConfig[], next: ServiceConfig[]) {
  const diff = diffServices(current, next);
  return { added: names(diff.added), removed: names(diff.removed), changed: names(diff.changed), unchanged: names(diff.unchanged) };
}

describe('diffServices', () => {
  test('diffServices: the same services are all unchanged', () => {
    assert.deepEqual(diffNames([service('a'), service('b')], [service('a'), service('b')]), {
      added: [],
      removed: [],
      changed: [],
      unchanged: ['a', 'b'],
    });
  });

  test('diffServices: a new name is added, a missing one removed', () => {
    assert.deepEqual(diffNames([service('a'), service('old')], [service('a'), service('new')]), {
      added: ['new'],
      removed: ['old'],
      changed: [],
      unchanged: ['a'],
    });
  });

  test('diffServices: added, removed, changed and unchanged at once', () => {
    const current = [service('keep'), service('edit'), service('gone')];
    const next = [service('edit', { argv: ['edit', '--verbose'] }), service('keep'), service('fresh')];
    assert.deepEqual(diffNames(current, next), { added: ['fresh'], removed: ['gone'], changed: ['edit'], unchanged: ['keep'] });
  });

  test('diffServices: from nothing everything is added; to nothing everything is removed', () => {
    assert.deepEqual(diffNames([], [service('a'), service('b')]), { added: ['a', 'b'], removed: [], changed: [], unchanged: [] });
    assert.deepEqual(diffNames([service('a'), service('b')], []), { added: [], removed: ['a', 'b'], changed: [], unchanged: [] });
  });

  test('diffServices: changed and unchanged hold the new configs, removed the old ones', () => {
    const oldEdit = service('edit');
    const newEdit = service('edit', { stop_timeoutMs: 1000 });
    const oldKeep = service('keep');
    const newKeep = service('keep');
    const gone = service('gone');
    const diff = diffServices([oldEdit, oldKeep, gone], [newEdit, newKeep]);
    assert.equal(diff.changed[0], newEdit);
    assert.equal(diff.unchanged[0], newKeep);
    assert.equal(diff.removed[0], gone);
  });

  // Each setting, changed alone, makes the service changed.
  const edits: [string, Partial<ServiceConfig>][] = [
    ['argv', { argv: ['a', '--flag'] }],
    ['enabled', { enabled: false }],
    ['type', { type: 'oneshot', restart: 'always' }],
    ['main', { main: true }],
    ['depends_on', { depends_on: ['db'] }],
    ['restart', { restart: 'on-failure' }],
    ['backoff.jitter', { backoff: { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 } }],
    ['reset_after', { reset_afterMs: 1 }],
    ['max_restarts', { max_restarts: { count: 3, windowMs: 60_000 } }],
    ['on_failure', { on_failure: 'shutdown' }],
    ['stop_signal', { stop_signal: 'SIGINT' }],
    ['stop_timeout', { stop_timeoutMs: 6000 }],
    ['user', { user: 'app' }],
    ['umask', { umask: 0o027 }],
    ['working_dir', { working_dir: '/srv' }],
    ['environment', { environment: { PORT: '8080' } }],
    ['the contents of an env_file', { env_from_files: { PORT: '8080' } }],
    ['inherit_env', { inherit_env: false }],
    ['reload_signal', { reload_signal: 'SIGHUP' }],
    ['log.prefix', { log: { ...DEFAULT_LOG, prefix: 'A' } }],
    ['log.max_line', { log: { ...DEFAULT_LOG, prefix: 'a', max_line: 1024 } }],
    ['log.mode', { log: { ...DEFAULT_LOG, prefix: 'a', mode: 'drop' } }],
    ['log.buffer', { log: { ...DEFAULT_LOG, prefix: 'a', buffer: 4096 } }],
    ['limits', { limits: { nofile: { soft: 1024, hard: 4096 } } }],
    ['description', { description: 'the web server' }],
    ['ready', { ready: { spec: { kind: 'tcp', host: '127.0.0.1', port: 80 }, intervalMs: 200, timeoutMs: 60_000 } }],
    ['health', { health: { spec: { kind: 'http', url: 'http://127.0.0.1/' }, intervalMs: 10_000, timeoutMs: 2000, retries: 3 } }],
  ];
  for (const [label, edit] of edits) {
    test(`diffServices: a different ${label} is a change`, () => {
      assert.deepEqual(diffNames([service('a')], [service('a', edit)]).changed, ['a']);
    });
  }

  test('diffServices: a file renamed from .yaml to .yml is not a change', () => {
    const before = service('web', { file: '/etc/corral/services.d/web.yaml' });
    const after = service('web', { file: '/etc/corral/services.d/web.yml' });
    assert.deepEqual(diffNames([before], [after]), { added: [], removed: [], changed: [], unchanged: ['web'] });
  });

  test('diffServices: a renamed service (new file stem) is one removed and one added', () => {
    assert.deepEqual(diffNames([service('web')], [service('www')]), { added: ['www'], removed: ['web'], changed: [], unchanged: [] });
  });
});

describe('fingerprint', () => {
  const logReady = (pattern: RegExp) => service('web', { ready: { spec: { kind: 'log', pattern }, intervalMs: 200, timeoutMs: 60_000 } });

  test('fingerprint: two equal configs have the same fingerprint', () => {
    assert.equal(fingerprint(service('a')), fingerprint(service('a')));
  });

  test('fingerprint: leaves out the file', () => {
    assert.equal(fingerprint(service('a', { file: '/x/a.yaml' })), fingerprint(service('a', { file: '/y/a.yml' })));
    assert.doesNotMatch(fingerprint(service('a', { file: '/x/a.yaml' })), /a\.yaml/);
  });

  test('fingerprint: a RegExp in ready.spec.pattern compares by its source', () => {
    assert.equal(fingerprint(logReady(/listening on \d+/)), fingerprint(logReady(new RegExp('listening on \\d+'))));
    assert.notEqual(fingerprint(logReady(/listening/)), fingerprint(logReady(/ready/)));
    assert.deepEqual(diffNames([logReady(/listening/)], [logReady(/listening/)]).unchanged, ['web']);
    assert.deepEqual(diffNames([logReady(/listening/)], [logReady(/ready/)]).changed, ['web']);
  });

  test('fingerprint: a RegExp is not lost as {} (two different patterns differ)', () => {
    assert.match(fingerprint(logReady(/listening/)), /\/listening\//);
  });

  test('fingerprint: a RegExp with different flags differs', () => {
    assert.notEqual(fingerprint(logReady(/ready/)), fingerprint(logReady(/ready/i)));
  });

  test('fingerprint: the order of list entries matters (argv, depends_on)', () => {
    assert.notEqual(fingerprint(service('a', { depends_on: ['x', 'y'] })), fingerprint(service('a', { depends_on: ['y', 'x'] })));
    assert.notEqual(fingerprint(service('a', { argv: ['a', '-x', '-y'] })), fingerprint(service('a', { argv: ['a', '-y', '-x'] })));
  });

  test('fingerprint: the order environment variables are written in does not matter', () => {
    const before = service('a', { environment: { PORT: '8080', HOST: '0.0.0.0' } });
    const after = service('a', { environment: { HOST: '0.0.0.0', PORT: '8080' } });
    assert.equal(fingerprint(before), fingerprint(after));
    assert.deepEqual(diffNames([before], [after]).unchanged, ['a']);
  });

  test('fingerprint: the order of keys in any mapping does not matter', () => {
    const before = service('a', { limits: { nofile: { soft: 1, hard: 2 }, core: { soft: 0, hard: 0 } } });
    const after = service('a', { limits: { core: { hard: 0, soft: 0 }, nofile: { hard: 2, soft: 1 } } });
    assert.equal(fingerprint(before), fingerprint(after));
  });

  test('fingerprint: an undefined optional key is the same as an absent one', () => {
    assert.equal(fingerprint(service('a', { user: undefined, max_restarts: undefined })), fingerprint(service('a')));
  });
});
