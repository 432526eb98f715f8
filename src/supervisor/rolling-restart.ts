// A rolling restart (`corral restart NAME` for a service with replicas) restarts the
// instances one at a time, each once the one before is ready again, so all but one keep
// serving throughout. The decisions are pure, so they are tested without processes:
// which instance goes first, when one counts as back, and how long it may take.
import type { ServiceConfig, ServiceType } from '../config/service-config.js';
import { hasFailed, isSatisfied, type ServiceState } from './states.js';

export interface InstanceView {
  name: string;
  type: ServiceType;
  state: ServiceState;
}

/** How long an instance may take to be ready when its file gives no time: ready.timeout's default. */
export const DEFAULT_READY_BOUND_MS = 60_000;

// Instances that are not ready go first, in index order: restarting them takes nothing
// away, and the ready ones keep serving as long as possible.
export function rollingOrder(instances: readonly InstanceView[]): string[] {
  const ready = instances.filter((instance) => isSatisfied(instance.type, instance.state));
  const others = instances.filter((instance) => !ready.includes(instance));
  return [...others, ...ready].map((instance) => instance.name);
}

export type Readiness = 'ready' | 'failed' | 'pending';

// An instance just restarted is back once ready (a longrun running, a oneshot that
// succeeded), and will not be back without someone acting once failed or stopped.
export function readinessOf(type: ServiceType, state: ServiceState): Readiness {
  if (isSatisfied(type, state)) return 'ready';
  if (hasFailed(type, state) || state === 'stopped') return 'failed';
  return 'pending';
}

// How long the rolling restart waits for an instance: its own limit on becoming ready
// (ready.timeout, a oneshot's timeout), else ready.timeout's default. The runner goes on
// trying past it (restart policy); the rolling restart does not wait for that.
export function readyBoundMs(config: Pick<ServiceConfig, 'type' | 'ready' | 'timeoutMs'>): number {
  if (config.type === 'oneshot') return config.timeoutMs ?? DEFAULT_READY_BOUND_MS;
  return config.ready?.timeoutMs ?? DEFAULT_READY_BOUND_MS;
}
