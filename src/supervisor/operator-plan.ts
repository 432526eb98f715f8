// What `corral start|stop|restart NAME...` touches besides the named services, as pure
// functions of the dependency graph and the states: stopping a service first stops what
// depends on it (it would fail without it), and starting one starts what it needs.
// The graph is the explicit depends_on: the main service's "after every other service"
// orders its start only, so restarting a sidekick does not restart the main command.
// A dependency on a service with replicas is one on all of its instances.
import { isActive, isDone, type ServiceState } from './states.js';
import { dependentsOf } from '../config/dependency-graph.js';
import type { ServiceType } from '../config/service-config.js';
import { expandNames, groupsOf, type Groupable } from './replica-groups.js';

export interface PlanNode extends Groupable {
  name: string;
  type: ServiceType;
  /** As written: a service with replicas by its own name. */
  depends_on: readonly string[];
  state: ServiceState;
}

// `names` and everything that depends on them, directly or not, dependents first. What
// depends on a service with replicas comes along only once all of its instances do: while
// one instance restarts, the others still serve it (a rolling restart).
export function withDependents(names: readonly string[], nodes: readonly PlanNode[]): string[] {
  const groups = groupsOf(nodes);
  const taken = new Set(names);
  const gone = (dependency: string): boolean => expandNames([dependency], groups).every((name) => taken.has(name));
  for (let grew = true; grew;) {
    grew = false;
    for (const node of nodes) {
      if (taken.has(node.name) || !node.depends_on.some(gone)) continue;
      taken.add(node.name);
      grew = true;
    }
  }
  const dependents = dependentsOf(nodes.map((node) => ({ name: node.name, depends_on: expandNames(node.depends_on, groups) })));
  return closure(names, (name) => (dependents.get(name) ?? []).filter((dependent) => taken.has(dependent)));
}

// `names` and what they need that is neither ready nor on its way (a stopped database, a
// failed oneshot), dependencies first. A oneshot that already succeeded is not run again.
export function withDependencies(names: readonly string[], nodes: readonly PlanNode[]): string[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const groups = groupsOf(nodes);
  const needed = (name: string): string[] =>
    expandNames(byName.get(name)?.depends_on ?? [], groups).filter((dependency) => {
      const node = byName.get(dependency);
      return node !== undefined && !isActive(node.state) && !isDone(node.type, node.state);
    });
  return closure(names, needed);
}

// Depth-first: each name after everything `next` leads to from it, each once.
function closure(names: readonly string[], next: (name: string) => readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const other of next(name)) visit(other);
    order.push(name);
  };
  for (const name of names) visit(name);
  return order;
}
