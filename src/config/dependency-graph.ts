// The services' depends_on edges, checked as a whole: every dependency exists and is
// enabled, there is no cycle, and at most one service is the main one. Pure: the caller
// says where each depends_on entry is written, for the messages. A service with replicas
// is one node: a dependency on it (all its instances) or on one of its instances is an
// edge to it, as every instance has the same depends_on.
import { dirname, join } from 'node:path';
import type { ConfigProblem } from './config-error.js';
import { closest } from './suggest.js';

export interface GraphNode {
  name: string;
  file: string;
  depends_on: readonly string[];
  enabled: boolean;
  /** Disabled by CORRAL_DISABLE rather than by its file (enable-overrides.ts). */
  disabledBy?: string;
  main: boolean;
  /** A scheduled service's schedule (anything set): nothing may depend on it. */
  schedule?: unknown;
  /** With replicas: its instances' names (none for replicas: 0). */
  instances?: readonly string[];
  /** With replicas whose count could not be read (the file has problems of its own). */
  countUnknown?: boolean;
}

/** Where entry `index` of a service's depends_on (or the key itself) is written. */
export type Locate = (service: GraphNode, path: (string | number)[], message: string) => ConfigProblem;

export function checkDependencies(nodes: readonly GraphNode[], at: Locate): ConfigProblem[] {
  const byName = nodesByName(nodes);
  const problems: ConfigProblem[] = [];
  for (const node of nodes) {
    if (!node.enabled) continue;
    node.depends_on.forEach((dependency, index) => {
      const target = byName.get(dependency);
      if (target === node) {
        const what = dependency === node.name ? 'itself' : `its own instance ${dependency}`;
        problems.push(at(node, ['depends_on', index], `${node.name} cannot depend on ${what}; remove "${dependency}"`));
      } else if (target === undefined && nodes.some((other) => other.countUnknown && isInstanceName(dependency, other.name))) {
        // An instance of a service whose replicas has a problem of its own, said there.
      } else if (target === undefined) {
        const suggestion = closest(dependency, [...byName.keys()]);
        const hint = suggestion ? `did you mean "${suggestion}"?` : `add ${join(dirname(node.file), `${dependency}.yaml`)} or remove the dependency`;
        problems.push(at(node, ['depends_on', index], `no service is named "${dependency}"; ${hint}`));
      } else if (!target.enabled) {
        problems.push(
          at(
            node,
            ['depends_on', index],
            `"${dependency}" is disabled (${target.disabledBy ?? `enabled: false in ${target.file}`}); enable it or remove the dependency`,
          ),
        );
      } else if (target.instances?.length === 0) {
        problems.push(
          at(
            node,
            ['depends_on', index],
            `"${dependency}" has replicas: 0 (in ${target.file}), so no instance of it runs and there is nothing to wait for; set replicas to 1 or more, or remove the dependency`,
          ),
        );
      } else if (target.schedule !== undefined) {
        // A scheduled service is neither ready nor done between its runs: there is nothing
        // to wait for. It may depend on others itself.
        problems.push(
          at(
            node,
            ['depends_on', index],
            `"${dependency}" is a scheduled service (schedule: in ${target.file}): it runs on its schedule, so there is nothing to wait for; remove the dependency`,
          ),
        );
      }
    });
  }
  problems.push(...findCycles(nodes, byName, at));
  const mains = nodes.filter((node) => node.enabled && node.main);
  for (const extra of mains.slice(1)) {
    problems.push(
      at(extra, ['main'], `only one service can be the main one, and ${mains[0]!.name} (${mains[0]!.file}) already is; remove main from one of them`),
    );
  }
  return problems;
}

// Every node by its name, and a service with replicas by each of its instances' names too.
function nodesByName(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  const byName = new Map<string, GraphNode>();
  for (const node of nodes) for (const instance of node.instances ?? []) byName.set(instance, node);
  for (const node of nodes) byName.set(node.name, node);
  return byName;
}

function isInstanceName(name: string, group: string): boolean {
  return name.startsWith(`${group}-`) && /^\d+$/.test(name.slice(group.length + 1));
}

// Each cycle once, reported at the depends_on entry that closes it.
function findCycles(nodes: readonly GraphNode[], byName: Map<string, GraphNode>, at: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: GraphNode): void => {
    onPath.push(node.name);
    node.depends_on.forEach((dependency, index) => {
      const target = byName.get(dependency);
      if (target === undefined || !target.enabled || target === node || done.has(target.name)) return;
      const loopStart = onPath.indexOf(target.name);
      if (loopStart !== -1) {
        const cycle = [...onPath.slice(loopStart), dependency].join(' -> ');
        problems.push(at(node, ['depends_on', index], `dependency cycle: ${cycle}; remove one of these dependencies`));
        return;
      }
      visit(target);
    });
    onPath.pop();
    done.add(node.name);
  };
  for (const node of nodes) if (node.enabled && !done.has(node.name)) visit(node);
  return problems;
}

// Reverse edges: for each service, the services that depend on it.
export function dependentsOf(nodes: readonly Pick<GraphNode, 'name' | 'depends_on'>[]): Map<string, string[]> {
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const node of nodes) for (const dependency of node.depends_on) dependents.get(dependency)?.push(node.name);
  return dependents;
}
