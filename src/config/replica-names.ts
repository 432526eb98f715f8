// The checks across files that replicas adds: an instance's name (worker-0) is a service
// name like any other, so it may be no other service's, and the services, each instance
// counted, stay within what corral runs.
import type { ConfigProblem } from './config-error.js';
import { LIMITS } from './limits.js';
import type { ServiceConfig } from './service-config.js';

interface Named {
  name: string;
  file: string;
  instances?: readonly string[];
}

interface Claim {
  node: Named;
  /** An instance's index, or undefined for the service's own name. */
  index?: number;
}

// One problem per name claimed twice, in the file of the second claim; names that two
// files claim as their own are reported when the files are read.
export function checkInstanceNames(nodes: readonly Named[]): ConfigProblem[] {
  const claims = new Map<string, Claim>();
  for (const node of nodes) claims.set(node.name, { node });
  const problems: ConfigProblem[] = [];
  for (const node of nodes) {
    (node.instances ?? []).forEach((instance, index) => {
      const first = claims.get(instance);
      if (first === undefined) {
        claims.set(instance, { node, index });
        return;
      }
      problems.push({
        file: node.file,
        message: `the service name "${instance}" is ${describe(first)} and ${describe({ node, index })}; rename one of them (name: key or file name)`,
      });
    });
  }
  return problems;
}

function describe({ node, index }: Claim): string {
  if (index === undefined) return `the service of ${node.file}`;
  return `instance ${index} of ${node.name} (replicas: ${node.instances!.length} in ${node.file})`;
}

// The services directory as a whole runs too many services once replicas are counted.
export function tooManyServices(dir: string, services: readonly ServiceConfig[]): ConfigProblem {
  const groups = new Map<string, { count: number; file: string }>();
  for (const service of services) {
    if (service.replica === undefined) continue;
    groups.set(service.replica.of, { count: (groups.get(service.replica.of)?.count ?? 0) + 1, file: service.file });
  }
  const largest = [...groups]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, 5)
    .map(([name, { count, file }]) => `${name}: ${count} in ${file}`);
  return {
    file: dir,
    message: `the services directory runs ${services.length} services once the instances of replicas are counted, more than the ${LIMITS.services} corral runs; lower replicas (${largest.join(', ')})`,
  };
}
