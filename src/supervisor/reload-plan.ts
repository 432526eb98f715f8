// What a reload does beyond the diff: the services that depend on a changed one, directly
// or not, were started against its old instance, so they are stopped before it and started
// again after it is ready, as systemd's PartOf= and s6-rc do. Pure, so it is tested without
// processes; the supervisor acts on it. The graph is the explicit depends_on, as for
// `corral restart` (operator-plan.ts): the main service's "after every other service"
// orders its start only.
import { isDone } from './states.js';
import { summarizeDiff, type ServiceDiff } from './reload-diff.js';
import { withDependents, type PlanNode } from './operator-plan.js';
import { expandNames, groupsOf } from './replica-groups.js';

export interface ReloadNode extends PlanNode {
  main: boolean;
}

/** An unchanged service restarted, and the changed services it depends on, directly or not. */
export interface DependentRestart {
  name: string;
  dependsOn: string[];
}

/** An unchanged service that depends on a changed one and is left as it is, and why. */
export interface DependentKept {
  name: string;
  dependsOn: string[];
  /**
   * main: the main service is never restarted by a reload (the container would stop with it);
   * stopped: stopped on purpose (`corral stop`), so it stays stopped;
   * done: a oneshot that succeeded: its work is done, and running it again is the operator's call.
   */
  why: 'main' | 'stopped' | 'done';
}

export interface ReloadPlan {
  /** Dependents first: the order they are stopped in. */
  restart: DependentRestart[];
  kept: DependentKept[];
}

// `nodes` are the services as they run now (states included); `diff` compares their
// configurations with the new ones. Only unchanged services are planned here: the diff
// already restarts changed ones, and an unchanged service's depends_on is the same in the
// old and new files, so the current graph is the right one to walk.
export function planReload(diff: ServiceDiff, nodes: readonly ReloadNode[]): ReloadPlan {
  // A removed instance is as gone for its dependents as a changed one: a count lowered
  // with another change, or replicas written or taken out (which renames the instances),
  // replaces every instance a dependent of the group was started against.
  const leaving = [...diff.changed, ...diff.removed].map((config) => config.name);
  const unchanged = new Set(diff.unchanged.map((config) => config.name));
  const byName = new Map(nodes.map((node) => [node.name, node]));
  // An unchanged main service keeps running, so the walk does not go on through it: what
  // depends on it (and on nothing else that restarts) has no reason to restart.
  const held = new Set(nodes.filter((node) => node.main && unchanged.has(node.name)).map((node) => node.name));
  const groups = groupsOf(nodes);
  const isHeld = (dependency: string): boolean => expandNames([dependency], groups).every((name) => held.has(name));
  const walked = nodes.map((node) => ({ ...node, depends_on: node.depends_on.filter((dependency) => !isHeld(dependency)) }));
  // What each leaving service, or each group all of whose instances leave, takes along:
  // one instance alone takes no dependent of its group, and a group is named as written.
  const seeds = leavingUnits(leaving, groups);
  const reach = new Map([...seeds].map(([unit, names]) => [unit, new Set(withDependents(names, walked))]));
  const plan: ReloadPlan = { restart: [], kept: [] };
  for (const name of withDependents(leaving, walked)) {
    if (!unchanged.has(name)) continue;
    const dependsOn = [...seeds.keys()].filter((unit) => reach.get(unit)!.has(name));
    const why = held.has(name) ? 'main' : keptBecause(byName.get(name)!);
    if (why === undefined) plan.restart.push({ name, dependsOn });
    else plan.kept.push({ name, dependsOn, why });
  }
  return plan;
}

// The leaving services by what a message names: a group whose instances all leave by its
// own name, every other service by its name.
function leavingUnits(leaving: readonly string[], groups: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const units = new Map<string, string[]>();
  const inWholeGroup = new Set<string>();
  for (const [group, instances] of groups) {
    if (!instances.every((name) => leaving.includes(name))) continue;
    units.set(group, [...instances]);
    for (const name of instances) inWholeGroup.add(name);
  }
  for (const name of leaving) if (!inWholeGroup.has(name)) units.set(name, [name]);
  return units;
}

function keptBecause(node: ReloadNode): DependentKept['why'] | undefined {
  if (node.state === 'stopped') return 'stopped';
  if (isDone(node.type, node.state)) return 'done';
  // Anything else restarts, failed and blocked services included: a fixed dependency is
  // their chance to run again, as with `corral restart`.
  return undefined;
}

// "restarting web, worker (they depend on db)"; empty when no dependent restarts.
export function describeRestarts(plan: ReloadPlan): string {
  const groups = new Map<string, string[]>();
  for (const entry of plan.restart) {
    const key = entry.dependsOn.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), entry.name]);
  }
  return [...groups]
    .map(([dependsOn, names]) => `restarting ${names.join(', ')} (${names.length === 1 ? 'it depends' : 'they depend'} on ${dependsOn})`)
    .join('; ');
}

/** What a reload did: the supervisor's answer, for the log and `corral reload`. */
export interface ReloadResult {
  diff: ServiceDiff;
  plan: ReloadPlan;
}

// "0 added, 0 removed, 1 changed, 2 unchanged (db); restarting web, worker (they depend on db)"
export function summarizeReload({ diff, plan }: ReloadResult): string {
  const restarts = describeRestarts(plan);
  return restarts === '' ? summarizeDiff(diff) : `${summarizeDiff(diff)}; ${restarts}`;
}

export interface ReloadNote {
  level: 'info' | 'warn';
  text: string;
}

// One line per dependent left alone. The main service's is a warning: it now runs against
// a restarted dependency, which it may not survive, and only the operator can restart it.
export function describeKept(plan: ReloadPlan): ReloadNote[] {
  return plan.kept.map(({ name, dependsOn, why }) => {
    const on = `it depends on ${dependsOn.join(', ')}`;
    switch (why) {
      case 'main':
        return { level: 'warn', text: `${name} was not restarted, though ${on}: a reload never restarts the main service (corral restart ${name} does)` };
      case 'stopped':
        return { level: 'info', text: `${name} stays stopped, though ${on} (corral start ${name} starts it)` };
      case 'done':
        return { level: 'info', text: `${name} is not run again, though ${on}: it is a oneshot that succeeded (corral restart ${name} runs it again)` };
    }
  });
}
