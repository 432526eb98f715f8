// The services as a graph, for the supervisor: what the start plan sees of each, the words
// for a chain of dependencies, and stopping in dependency order.
import { dependentsOf } from '../config/dependency-graph.js';
import type { ServiceRunner } from './service-runner.js';
import type { ServiceView } from './start-plan.js';
import { expandNames, groupsOf } from './replica-groups.js';

// A dependency on a service with replicas is one on each of its instances: it is ready
// when all of them are, and at shutdown its dependents stop before any of them.
export function viewsOf(runners: readonly ServiceRunner[]): Map<string, ServiceView> {
  const names = runners.map((runner) => runner.name);
  const groups = groupsOf(runners.map((runner) => runner.config));
  return new Map(
    runners.map((runner) => [
      runner.name,
      {
        name: runner.name,
        type: runner.config.type,
        // The command after `--` waits for every other service.
        depends_on: runner.config.after_all ? names.filter((name) => name !== runner.name) : expandNames(runner.config.depends_on, groups),
        state: runner.state.state,
        blockedBy: runner.blockedBy,
      },
    ]),
  );
}

// "it needs api, which needs migrate, which failed: exited with code 2"
export function describeChain(runners: ReadonlyMap<string, ServiceRunner>, chain: readonly string[]): string {
  const failed = runners.get(chain[chain.length - 1] ?? '');
  const why = failed?.failure ?? (failed ? `is ${failed.state.state}` : 'is missing');
  return `${chain.map((name, index) => `${index === 0 ? 'it needs' : ', which needs'} ${name}`).join('')}, which ${why}`;
}

// Stops `names`, each only after those of its dependents that are stopping too:
// dependents first, independent services in parallel.
export function stopInOrder(
  runners: ReadonlyMap<string, ServiceRunner>,
  names: readonly string[],
  stop: (runner: ServiceRunner) => Promise<void>,
): Promise<void> {
  const dependents = dependentsOf([...viewsOf([...runners.values()]).values()]);
  const stopping = new Set(names);
  const done = new Map<string, Promise<void>>();
  const stopOne = (name: string): Promise<void> => {
    const known = done.get(name);
    if (known) return known;
    const first = (dependents.get(name) ?? []).filter((dependent) => stopping.has(dependent));
    const promise = Promise.all(first.map(stopOne)).then(() => {
      const runner = runners.get(name);
      return runner ? stop(runner) : undefined;
    });
    done.set(name, promise);
    return promise;
  };
  return Promise.all(names.map(stopOne)).then(() => undefined);
}
