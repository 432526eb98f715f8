import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkDependencies, dependentsOf, type GraphNode, type Locate } from '../../src/config/dependency-graph.js';

type Call = [service: string, path: (string | number)[], message: string];

// A Locate that records each call and returns a problem naming the service's file.
function recorder(): { at: Locate; calls: Call[] } {
  const calls: Call[] = [];
  const at: Locate = (service, path, message) => {
    calls.push([service.name, path, message]);
    return { file: service.file, path: path.join('.'), message };
  };
  return { at, calls };
}

function node(name: string, depends_on: string[] = [], extra: Partial<GraphNode> = {}): GraphNode {
  return { name, file: `services.d/${name}.yaml`, depends_on, enabled: true, main: false, ...extra };
}

function check(nodes: GraphNode[]): Call[] {
  const { at, calls } = recorder();
  const problems = checkDependencies(nodes, at);
  assert.equal(problems.length, calls.length, 'one problem per Locate call');
  assert.deepEqual(
    problems.map((p) => p.message),
    calls.map(([, , message]) => message),
    'the problems are what Locate returned, in order',
  );
  return calls;
}

describe('checkDependencies', () => {
  test('checkDependencies: a valid graph has no problems', () => {
    assert.deepEqual(check([node('web', ['db', 'cache']), node('db'), node('cache', ['db']), node('main', ['web'], { main: true })]), []);
  });

  test('checkDependencies: no services, no problems', () => {
    assert.deepEqual(check([]), []);
  });

  test('checkDependencies: a missing dependency close to a real name: did you mean', () => {
    assert.deepEqual(check([node('web', ['postgress']), node('postgres')]), [
      ['web', ['depends_on', 0], 'no service is named "postgress"; did you mean "postgres"?'],
    ]);
  });

  test('checkDependencies: a missing dependency far from every name says how to add it', () => {
    assert.deepEqual(check([node('web', ['db', 'redis']), node('db')]), [
      ['web', ['depends_on', 1], 'no service is named "redis"; add services.d/redis.yaml or remove the dependency'],
    ]);
  });

  test('checkDependencies: each missing entry is located at its own index', () => {
    assert.deepEqual(
      check([node('web', ['x1', 'db', 'x2']), node('db')]).map(([service, path]) => [service, path]),
      [
        ['web', ['depends_on', 0]],
        ['web', ['depends_on', 2]],
      ],
    );
  });

  test('checkDependencies: a service that depends on itself', () => {
    assert.deepEqual(check([node('web', ['web'])]), [['web', ['depends_on', 0], 'web cannot depend on itself; remove "web"']]);
  });

  test('checkDependencies: a self dependency is not also reported as a cycle', () => {
    assert.equal(check([node('web', ['db', 'web']), node('db')]).length, 1);
  });

  test('checkDependencies: a disabled dependency names its file', () => {
    assert.deepEqual(check([node('web', ['db']), node('db', [], { enabled: false })]), [
      ['web', ['depends_on', 0], '"db" is disabled (enabled: false in services.d/db.yaml); enable it or remove the dependency'],
    ]);
  });

  test('checkDependencies: the dependencies of a disabled service are not checked', () => {
    assert.deepEqual(check([node('old', ['gone', 'old'], { enabled: false })]), []);
  });

  test('checkDependencies: a cycle of length 2 is named in order, at the entry that closes it', () => {
    assert.deepEqual(check([node('a', ['b']), node('b', ['a'])]), [
      ['b', ['depends_on', 0], 'dependency cycle: a -> b -> a; remove one of these dependencies'],
    ]);
  });

  test('checkDependencies: a cycle of length 3 is named in order', () => {
    assert.deepEqual(check([node('a', ['b']), node('b', ['c']), node('c', ['a'])]), [
      ['c', ['depends_on', 0], 'dependency cycle: a -> b -> c -> a; remove one of these dependencies'],
    ]);
  });

  test('checkDependencies: a cycle is named from where the search entered it, whatever the file order', () => {
    assert.deepEqual(check([node('c', ['a']), node('a', ['b']), node('b', ['c'])]), [
      ['b', ['depends_on', 0], 'dependency cycle: c -> a -> b -> c; remove one of these dependencies'],
    ]);
  });

  test('checkDependencies: a service leading into a cycle is not part of its name', () => {
    assert.deepEqual(check([node('x', ['a']), node('a', ['b']), node('b', ['a'])]), [
      ['b', ['depends_on', 0], 'dependency cycle: a -> b -> a; remove one of these dependencies'],
    ]);
  });

  test('checkDependencies: a cycle reached from several services is reported once', () => {
    const calls = check([node('x', ['a']), node('y', ['b']), node('a', ['b']), node('b', ['a']), node('z', ['a', 'b'])]);
    assert.deepEqual(calls, [['b', ['depends_on', 0], 'dependency cycle: a -> b -> a; remove one of these dependencies']]);
  });

  test('checkDependencies: two separate cycles are each reported once', () => {
    const calls = check([node('a', ['b']), node('b', ['a']), node('p', ['q']), node('q', ['r']), node('r', ['p'])]);
    assert.deepEqual(
      calls.map(([, , message]) => message),
      ['dependency cycle: a -> b -> a; remove one of these dependencies', 'dependency cycle: p -> q -> r -> p; remove one of these dependencies'],
    );
  });

  test('checkDependencies: two cycles sharing a service are both reported', () => {
    const calls = check([node('a', ['b']), node('b', ['a', 'c']), node('c', ['b'])]);
    assert.deepEqual(
      calls.map(([service, path, message]) => [service, path, message]),
      [
        ['b', ['depends_on', 0], 'dependency cycle: a -> b -> a; remove one of these dependencies'],
        ['c', ['depends_on', 0], 'dependency cycle: b -> c -> b; remove one of these dependencies'],
      ],
    );
  });

  test('checkDependencies: a disabled service breaks a cycle (its absence is reported instead)', () => {
    assert.deepEqual(check([node('a', ['b']), node('b', ['a'], { enabled: false })]), [
      ['a', ['depends_on', 0], '"b" is disabled (enabled: false in services.d/b.yaml); enable it or remove the dependency'],
    ]);
  });

  test('checkDependencies: a diamond is not a cycle', () => {
    assert.deepEqual(check([node('app', ['left', 'right']), node('left', ['base']), node('right', ['base']), node('base')]), []);
  });

  test('checkDependencies: two mains: the second is reported at main, naming the first', () => {
    assert.deepEqual(check([node('api', [], { main: true }), node('web', [], { main: true })]), [
      ['web', ['main'], 'only one service can be the main one, and api (services.d/api.yaml) already is; remove main from one of them'],
    ]);
  });

  test('checkDependencies: three mains: the second and third are reported', () => {
    const calls = check([node('a', [], { main: true }), node('b', [], { main: true }), node('c', [], { main: true })]);
    assert.deepEqual(
      calls.map(([service, path]) => [service, path]),
      [
        ['b', ['main']],
        ['c', ['main']],
      ],
    );
  });

  test('checkDependencies: a disabled main does not count', () => {
    assert.deepEqual(check([node('a', [], { main: true, enabled: false }), node('b', [], { main: true })]), []);
  });

  test('checkDependencies: every kind of problem at once, dependencies first, then cycles, then mains', () => {
    const calls = check([
      node('a', ['b', 'a', 'ghost']),
      node('b', ['a', 'off']),
      node('off', [], { enabled: false }),
      node('m1', [], { main: true }),
      node('m2', [], { main: true }),
    ]);
    assert.deepEqual(
      calls.map(([service, path]) => `${service} ${path.join('.')}`),
      ['a depends_on.1', 'a depends_on.2', 'b depends_on.1', 'b depends_on.0', 'm2 main'],
    );
  });
});

describe('dependentsOf', () => {
  test('dependentsOf: reverses the edges, in service order', () => {
    const dependents = dependentsOf([node('web', ['db', 'cache']), node('worker', ['db']), node('db'), node('cache')]);
    assert.deepEqual(Object.fromEntries(dependents), { web: [], worker: [], db: ['web', 'worker'], cache: ['web'] });
  });

  test('dependentsOf: a dependency on an unknown service is ignored', () => {
    assert.deepEqual(Object.fromEntries(dependentsOf([node('web', ['ghost'])])), { web: [] });
  });

  test('dependentsOf: no services, an empty map', () => {
    assert.equal(dependentsOf([]).size, 0);
  });
});
