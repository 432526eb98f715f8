// What a reload changes: services added, removed, changed (any setting differs) and
// unchanged, by name. Pure, so it is tested without processes.
import type { ServiceConfig } from '../config/service-config.js';

export interface ServiceDiff {
  added: ServiceConfig[];
  removed: ServiceConfig[];
  changed: ServiceConfig[];
  unchanged: ServiceConfig[];
}

export function diffServices(current: readonly ServiceConfig[], next: readonly ServiceConfig[]): ServiceDiff {
  const before = new Map(current.map((config) => [config.name, config]));
  const after = new Set(next.map((config) => config.name));
  const diff: ServiceDiff = { added: [], removed: current.filter((config) => !after.has(config.name)), changed: [], unchanged: [] };
  for (const config of next) {
    const old = before.get(config.name);
    if (old === undefined) diff.added.push(config);
    else if (fingerprint(old) === fingerprint(config)) diff.unchanged.push(config);
    else diff.changed.push(config);
  }
  return diff;
}

// Every setting that affects how the service runs; not the file it came from (a rename
// from .yml to .yaml changes nothing), nor the order keys are written in (environment),
// nor, for an instance of a service with replicas, how many instances there are: a reload
// from 3 to 5 starts worker-3 and worker-4 and leaves worker-0..2 running, with the
// CORRAL_REPLICAS they started with. A value that ${CORRAL_REPLICAS} made differs, and so
// restarts the instance.
export function fingerprint(config: ServiceConfig): string {
  const { file: _file, ...settings } = withoutCount(config);
  return JSON.stringify(settings, (_key, value: unknown) => {
    if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

function withoutCount(config: ServiceConfig): ServiceConfig {
  const { replica } = config;
  if (replica === undefined) return config;
  const { CORRAL_REPLICAS: _count, ...environment } = config.environment;
  return { ...config, environment, replica: { ...replica, count: 0 } };
}

// "1 added, 0 removed, 1 changed, 2 unchanged (api, web)": the services named are those
// the reload starts or stops.
export function summarizeDiff(diff: ServiceDiff): string {
  const counts = [`${diff.added.length} added`, `${diff.removed.length} removed`, `${diff.changed.length} changed`, `${diff.unchanged.length} unchanged`];
  const touched = [...diff.added, ...diff.removed, ...diff.changed].map((config) => config.name);
  return `${counts.join(', ')}${touched.length > 0 ? ` (${touched.join(', ')})` : ''}`;
}
