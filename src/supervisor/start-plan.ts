// Which waiting services to start now, and which can never start: a pure function of every
// service's state, so dependency gating is tested without processes.
import type { ServiceType } from '../config/service-config.js';
import { hasFailed, isSatisfied, type ServiceState } from './states.js';

export interface ServiceView {
  name: string;
  type: ServiceType;
  depends_on: readonly string[];
  state: ServiceState;
  /** For a blocked service: the dependency chain down to the one that failed. */
  blockedBy?: readonly string[];
}

export type StartAction =
  | { kind: 'start'; name: string }
  /** chain: the dependency that stands in the way, then its own blocking chain. */
  | { kind: 'block'; name: string; chain: string[] };

export function startActions(views: ReadonlyMap<string, ServiceView>): StartAction[] {
  const actions: StartAction[] = [];
  for (const view of views.values()) {
    if (view.state !== 'waiting') continue;
    const dependencies = view.depends_on.map((name) => views.get(name)).filter((dep): dep is ServiceView => dep !== undefined);
    const failed = dependencies.find((dep) => hasFailed(dep.type, dep.state));
    if (failed) {
      actions.push({ kind: 'block', name: view.name, chain: [failed.name, ...(failed.blockedBy ?? [])] });
    } else if (dependencies.every((dep) => isSatisfied(dep.type, dep.state))) {
      actions.push({ kind: 'start', name: view.name });
    }
  }
  return actions;
}
