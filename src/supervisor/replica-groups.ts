// A service with replicas runs as its instances, NAME-0, NAME-1, ...; its own name stands
// for all of them in depends_on and in corral's commands. The groups are read from the
// services that run now, so after a reload that changed the count they are the instances
// of the new count.

export interface Groupable {
  name: string;
  replica?: { of: string; index: number };
}

// Each group's instances, in index order.
export function groupsOf(services: readonly Groupable[]): Map<string, string[]> {
  const indexed = new Map<string, { name: string; index: number }[]>();
  for (const { name, replica } of services) {
    if (replica === undefined) continue;
    indexed.set(replica.of, [...(indexed.get(replica.of) ?? []), { name, index: replica.index }]);
  }
  return new Map([...indexed].map(([group, instances]) => [group, instances.sort((a, b) => a.index - b.index).map((instance) => instance.name)]));
}

// The services `names` stand for: a group's name its instances, any other name itself.
export function expandNames(names: readonly string[], groups: ReadonlyMap<string, readonly string[]>): string[] {
  return names.flatMap((name) => groups.get(name) ?? [name]);
}
