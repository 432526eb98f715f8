// `corral ready` and `corral health`, for a Dockerfile HEALTHCHECK and Kubernetes exec
// probes: what stands in the way of each, in words, from one snapshot. Pure.
// - ready (readiness): every service is ready: a longrun running, a oneshot succeeded, a
//   scheduled service with its schedule armed.
// - health (liveness): nothing has failed: no service is fatal, blocked, exited when it
//   should run, or in backoff (crashed, waiting to be restarted). A service still starting
//   is not a failure: that is what readiness and a startupProbe are for.
// A service stopped with `corral stop` counts for neither: the operator wanted it so.
import type { ServiceSnapshot, SupervisorSnapshot } from './snapshot.js';

export function readyProblems(snapshot: SupervisorSnapshot): string[] {
  return [
    ...phaseProblems(snapshot),
    ...counted(snapshot)
      .filter((service) => !service.ready)
      .map(notReady),
  ];
}

export function healthProblems(snapshot: SupervisorSnapshot): string[] {
  return [...phaseProblems(snapshot), ...counted(snapshot).flatMap(failure)];
}

function phaseProblems(snapshot: SupervisorSnapshot): string[] {
  return snapshot.phase === 'running' ? [] : ['corral is shutting down'];
}

function counted(snapshot: SupervisorSnapshot): ServiceSnapshot[] {
  return snapshot.services.filter((service) => !service.stoppedByOperator);
}

function notReady(service: ServiceSnapshot): string {
  return `${service.name} is not ready: ${whyNotReady(service)}`;
}

function whyNotReady(service: ServiceSnapshot): string {
  const exit = service.lastExit?.description;
  switch (service.state) {
    case 'waiting':
      return 'it is waiting for its dependencies';
    case 'starting':
      return 'it is starting (not ready yet)';
    case 'backoff':
      return `it is in backoff${exit ? ` (it ${exit})` : ''}`;
    case 'blocked':
    case 'fatal':
      return `it is ${service.state}${(service.problem ?? exit) ? ` (${service.problem ?? exit})` : ''}`;
    case 'exited':
      return `it has exited${exit ? ` (${exit})` : ''}`;
    case 'stopped':
    case 'stopping':
    case 'running':
    case 'scheduled':
      return `it is ${service.state}`;
  }
}

function failure(service: ServiceSnapshot): string[] {
  switch (service.state) {
    case 'fatal':
    case 'blocked':
      return [`${service.name} is ${service.state}: ${service.problem ?? service.lastExit?.description ?? 'failed'}`];
    case 'backoff':
      return [`${service.name} is in backoff: it ${service.lastExit?.description ?? 'ended'} and is waiting to be restarted`];
    case 'exited':
      return service.type === 'longrun'
        ? [`${service.name} has exited (${service.lastExit?.description ?? 'no exit recorded'}) and will not be restarted`]
        : [];
    case 'stopped':
    case 'waiting':
    case 'starting':
    case 'running':
    case 'stopping':
    case 'scheduled':
      // A failed scheduled run is logged and counted, and fails nothing (with on_failure:
      // shutdown it stops the container).
      return [];
  }
}
