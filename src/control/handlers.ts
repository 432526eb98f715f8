// Answers each control request: the one place that maps a command to what carries it out.
import type { Supervisor } from '../supervisor/supervisor.js';
import { healthProblems, readyProblems } from './probe-verdicts.js';
import type { AnsweredRequest, ControlResponse, ServiceStatus, StatusReport } from './protocol.js';
import { checkKnown, checkNames, resolveNames, restartServices, signalService, startServices, stopServices } from './service-actions.js';
import type { SupervisorSnapshot } from './snapshot.js';
import type { UsageSampler } from './usage-sampler.js';

export interface ControlContext {
  supervisor: Supervisor;
  snapshot: () => SupervisorSnapshot;
  sampler: UsageSampler;
  /** Re-reads the services directory and applies it, as SIGHUP does; the lines say what changed. */
  reload: () => Promise<string[]>;
}

export function createHandler(ctx: ControlContext): (request: AnsweredRequest) => Promise<ControlResponse> {
  const { supervisor } = ctx;
  return async (request) => {
    switch (request.command) {
      case 'status':
        return { ok: true, command: 'status', status: await status(ctx, request.services) };
      case 'ready': {
        const problems = readyProblems(ctx.snapshot());
        return { ok: true, command: 'ready', passing: problems.length === 0, problems };
      }
      case 'health': {
        const problems = healthProblems(ctx.snapshot());
        return { ok: true, command: 'health', passing: problems.length === 0, problems };
      }
      case 'start':
        return { ok: true, command: 'start', messages: await supervisor.serialize(() => Promise.resolve(startServices(supervisor, request.services))) };
      case 'stop':
        return { ok: true, command: 'stop', messages: await supervisor.serialize(() => stopServices(supervisor, request.services)) };
      case 'restart':
        return { ok: true, command: 'restart', messages: await supervisor.serialize(() => restartServices(supervisor, request.services)) };
      case 'signal':
        return { ok: true, command: 'signal', messages: signalService(supervisor, request.service, request.signal) };
      case 'reload':
        // During a shutdown nothing is reloaded, and the client says so with exit code 1.
        checkNames(supervisor, []);
        return { ok: true, command: 'reload', messages: await ctx.reload() };
    }
  };
}

async function status(ctx: ControlContext, names: readonly string[]): Promise<StatusReport> {
  checkKnown(ctx.supervisor, names);
  const shown = resolveNames(ctx.supervisor, names);
  const pids = (): number[] => ctx.supervisor.services.flatMap((runner) => (runner.pid === undefined ? [] : [runner.pid]));
  const usage = await ctx.sampler.sample(pids);
  const snapshot = ctx.snapshot();
  const { services, ...corral } = snapshot;
  const rows: ServiceStatus[] = services
    .filter((service) => names.length === 0 || shown.includes(service.name))
    .map((service) => ({ ...service, usage: service.pid === null ? null : (usage.groups.get(service.pid) ?? null) }));
  return { corral: { ...corral, pid: process.pid }, container: usage.container, services: rows };
}
