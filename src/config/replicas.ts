// replicas: N runs N instances of one service, NAME-0 ... NAME-(N-1), as supervisord's
// numprocs and Compose's deploy.replicas do. To the rest of corral each instance is an
// ordinary service; its `replica` field says which group it belongs to, and its
// CORRAL_REPLICA and CORRAL_REPLICAS variables, which ${...} in its file may use too,
// tell it which one it is.
import { z } from 'zod';
import { mapExpandable } from './expand-in-config.js';
import { expandVariables, ExpansionError } from './expand-variables.js';
import { LIMITS } from './limits.js';
import type { ServiceConfig } from './service-config.js';

export const REPLICA_VARIABLES = ['CORRAL_REPLICA', 'CORRAL_REPLICAS'] as const;
export const REPLICAS_EXPECTED = `expected a whole number from 0 to ${LIMITS.replicas}`;

/** Which instance of which group a service is. */
export interface ReplicaOf {
  /** The group's name: the service's name in its file. */
  of: string;
  index: number;
  /** The count it was started with: a reload that changes only the count leaves it running. */
  count: number;
}

// A number, or the text a ${VAR} expanded to: `replicas: ${WORKERS:-3}`.
export const replicasValue = z.union([z.number(), z.string()], { error: REPLICAS_EXPECTED }).transform((value, ctx) => {
  const count = countOf(value);
  if (count !== undefined) return count;
  ctx.issues.push({ code: 'custom', input: value, message: REPLICAS_EXPECTED });
  return z.NEVER;
});

function countOf(value: number | string): number | undefined {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= 0 && number <= LIMITS.replicas ? number : undefined;
}

// What the file's replicas key asks for, read before the rest of the file, whose
// variables depend on it: written or not, and the count when it is a valid one (the
// schema reports an invalid one, with the rest of the file's problems).
export function readReplicas(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): { written: boolean; count?: number } {
  if (!Object.hasOwn(raw, 'replicas')) return { written: false };
  let value = raw.replicas;
  if (typeof value === 'string') {
    try {
      value = expandVariables(value, env);
    } catch (error) {
      if (error instanceof ExpansionError) return { written: true };
      throw error;
    }
  }
  const parsed = replicasValue.safeParse(value);
  return parsed.success ? { written: true, count: parsed.data } : { written: true };
}

export function instanceName(group: string, index: number): string {
  return `${group}-${index}`;
}

export function instanceNames(group: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => instanceName(group, index));
}

export function replicaVariables(index: number, count: number): Record<(typeof REPLICA_VARIABLES)[number], string> {
  return { CORRAL_REPLICA: String(index), CORRAL_REPLICAS: String(count) };
}

// Whether the file's expanded values use an instance's variables: then each instance is
// checked on its own, since a value such as ready.tcp: "80${CORRAL_REPLICA}" may be valid
// for one and not another.
export function refersToReplica(raw: Record<string, unknown>): boolean {
  let found = false;
  mapExpandable(raw, (text) => {
    found ||= /\$\{CORRAL_REPLICAS?(?![A-Za-z0-9_])/.test(text);
    return text;
  });
  return found;
}

// Instance `index` of the group `service` (validated with that instance's variables): its
// own name and log prefix, which one it is, and its two variables, which win over the
// file's environment and env_file, as corral sets them.
export function instanceOf(service: ServiceConfig, index: number, count: number): ServiceConfig {
  return {
    ...service,
    name: instanceName(service.name, index),
    log: { ...service.log, prefix: instanceName(service.log.prefix, index) },
    environment: { ...service.environment, ...replicaVariables(index, count) },
    replica: { of: service.name, index, count },
  };
}
