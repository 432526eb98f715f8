import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOWED_EDGES, STATES } from '../helpers/transition-spec.js';
import { canTransition, TRANSITIONS, type ServiceState } from '../../src/supervisor/states.js';


// The spec: row = from, column = to; x = allowed, . = not allowed.
const GRID = `
            stopped waiting blocked starting running backoff stopping exited fatal
  stopped      .       x       .       x        .       .       .       .      .
  waiting      x       .       x       x        .       .       .       .      .
  blocked      x       x       .       .        .       .       .       .      .
  starting     .       .       .       .        x       x       x       x      x
  running      .       .       .       .        .       x       x       x      x
  backoff      x       .       .       x        .       .       .       .      .
  stopping     x       .       .       .        .       x       .       .      x
  exited       x       x       .       x        .       .       .       .      .
  fatal        x       x       .       x        .       .       .       .      .
`;

function parseGrid(grid: string): Map<ServiceState, Set<ServiceState>> {
  const [header, ...rows] = grid.trim().split('\n');
  const columns = header!.trim().split(/\s+/) as ServiceState[];
  assert.deepEqual(columns, STATES, 'the grid has a column for every state, in order');
  const allowed = new Map<ServiceState, Set<ServiceState>>();
  for (const row of rows) {
    const [from, ...cells] = row.trim().split(/\s+/) as [ServiceState, ...string[]];
    assert.equal(cells.length, STATES.length, `row ${from} has a cell for every state`);
    allowed.set(from, new Set(columns.filter((_, i) => cells[i] === 'x')));
  }
  assert.deepEqual([...allowed.keys()], STATES, 'the grid has a row for every state, in order');
  return allowed;
}

const ALLOWED = parseGrid(GRID);
const EDGES = STATES.flatMap((from) => STATES.map((to) => [from, to, ALLOWED.get(from)!.has(to)] as const));

describe('TRANSITIONS', () => {
  test('TRANSITIONS has an entry for exactly the nine states', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...STATES].sort());
  });

  test('TRANSITIONS is the state machine in the grid', () => {
    for (const from of STATES) {
      assert.deepEqual([...TRANSITIONS[from]].sort(), [...ALLOWED.get(from)!].sort(), `edges from ${from}`);
    }
  });

  test('TRANSITIONS, written out', () => {
    assert.deepEqual(TRANSITIONS, ALLOWED_EDGES);
  });

  test('the grid has 27 allowed edges and 54 disallowed ones', () => {
    assert.equal(EDGES.filter(([, , allowed]) => allowed).length, 27);
    assert.equal(EDGES.filter(([, , allowed]) => !allowed).length, 54);
  });

  test('TRANSITIONS only names known states and lists no edge twice', () => {
    for (const [from, targets] of Object.entries(TRANSITIONS)) {
      const list: readonly string[] = targets;
      assert.equal(new Set(list).size, list.length, `${from} lists an edge twice`);
      for (const to of list) assert.ok((STATES as readonly string[]).includes(to), `${from} -> ${to}: unknown state`);
    }
  });

  test('every state can be reached from stopped, and stopped from every state', () => {
    const reachable = (from: ServiceState): Set<ServiceState> => {
      const seen = new Set<ServiceState>([from]);
      const queue = [from];
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        for (const next of TRANSITIONS[s]) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      return seen;
    };
    assert.deepEqual([...reachable('stopped')].sort(), [...STATES].sort());
    for (const s of STATES) assert.ok(reachable(s).has('stopped'), `stopped is not reachable from ${s}`);
  });
});

describe('canTransition', () => {
  for (const [from, to, allowed] of EDGES) {
    test(`transition: ${from} -> ${to} is ${allowed ? 'allowed' : 'not allowed'}`, () => {
      assert.equal(canTransition(from, to), allowed);
    });
  }

  test('transition: no state may go to itself', () => {
    for (const s of STATES) assert.equal(canTransition(s, s), false, s);
  });

  test('transition: a few edges that must never exist', () => {
    assert.equal(canTransition('stopped', 'running'), false, 'running without starting');
    assert.equal(canTransition('waiting', 'running'), false, 'running without starting');
    assert.equal(canTransition('blocked', 'starting'), false, 'a blocked service waits for its dependencies again first');
    assert.equal(canTransition('stopping', 'starting'), false, 'a stopping service is not started while still alive');
    assert.equal(canTransition('stopping', 'running'), false, 'a stopping service does not become ready');
    assert.equal(canTransition('backoff', 'running'), false, 'a backoff ends in a new start');
    assert.equal(canTransition('exited', 'running'), false, 'an exited service starts again before it runs');
  });
});
