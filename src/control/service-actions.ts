// `corral start|stop|restart|signal`: checks the names and the request against the
// supervisor's services, works out which dependents and dependencies come along
// (operator-plan.ts), acts, and says in words what it did. The name of a service with
// replicas stands for all of its instances; restarting it is a rolling restart.
import { closest } from '../config/suggest.js';
import { normalizeSignal } from '../process/signal-names.js';
import { constants } from 'node:os';
import { withDependencies, withDependents } from '../supervisor/operator-plan.js';
import { isActive, isDone } from '../supervisor/states.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ScheduledRunner } from '../supervisor/scheduled-runner.js';
import { ControlError } from './protocol.js';
import { expandNames } from '../supervisor/replica-groups.js';
import { rollingRestart } from './rolling-restart.js';

// Throws unless corral is running normally and every name is a service.
export function checkNames(supervisor: Supervisor, names: readonly string[]): void {
  if (supervisor.phase !== 'running')
    throw new ControlError('shutting-down', 'corral is shutting down; services can no longer be started, stopped or signalled');
  checkKnown(supervisor, names);
}

// Throws for the first name that is not a service (or a service with replicas), with the
// closest one suggested.
export function checkKnown(supervisor: Supervisor, names: readonly string[]): void {
  const known = [...supervisor.services.map((runner) => runner.name), ...supervisor.groups().keys()];
  for (const name of names) {
    if (known.includes(name)) continue;
    const suggestion = closest(name, known);
    const hint = suggestion ? `did you mean "${suggestion}"?` : `the services are: ${known.join(', ') || 'none'}`;
    throw new ControlError('unknown-service', `no service is named "${name}"; ${hint}`);
  }
}

// The services `names` stand for, each once: a service with replicas' name its instances.
export function resolveNames(supervisor: Supervisor, names: readonly string[]): string[] {
  return [...new Set(expandNames(names, supervisor.groups()))];
}

// Throws unless `name` is one service: `corral logs` shows one service's lines.
export function checkOneService(supervisor: Supervisor, name: string): void {
  checkKnown(supervisor, [name]);
  const instances = supervisor.groups().get(name);
  if (instances === undefined || supervisor.runner(name) !== undefined) return;
  throw new ControlError('unknown-service', `${name} runs as ${instances.length} instances (replicas); name one of them: ${instances.join(', ')}`);
}

// What `stop` takes down: `names` and their dependents, dependents first, each unless it is
// already stopped or is a oneshot that has done its work. A failed or blocked service is
// included: stopping it marks it as wanted down, so the probes stop counting it.
function toStop(supervisor: Supervisor, names: readonly string[]): string[] {
  const nodes = supervisor.planNodes();
  const byName = new Map(nodes.map((node) => [node.name, node]));
  return withDependents(names, nodes).filter((name) => {
    const { state, type } = byName.get(name)!;
    return state !== 'stopped' && !isDone(type, state);
  });
}

function refuseMain(supervisor: Supervisor, names: readonly string[], requested: readonly string[]): void {
  const main = names.find((name) => supervisor.runner(name)?.config.main);
  if (main === undefined) return;
  const how = requested.includes(main) ? '' : ` (it depends on ${requested.join(', ')})`;
  throw new ControlError(
    'refused',
    `${main} is the main service${how}: when it stops, the container stops. Use "corral restart" to restart it, or stop the container itself (docker stop)`,
  );
}

// `named`: the request's names as written, a service with replicas by its own name.
function stopLines(supervisor: Supervisor, stopping: readonly string[], requested: readonly string[], named: readonly string[] = requested): string[] {
  return stopping.map((name) => {
    const state = supervisor.runner(name)!.state.state;
    const notes = [...(isActive(state) ? [] : [`it was ${state}`]), ...(requested.includes(name) ? [] : [`it depends on ${named.join(', ')}`])];
    return `stopped ${name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  });
}

export async function stopServices(supervisor: Supervisor, named: readonly string[]): Promise<string[]> {
  checkNames(supervisor, named);
  const requested = resolveNames(supervisor, named);
  const stopping = toStop(supervisor, requested);
  refuseMain(supervisor, stopping, requested);
  const idle = requested.filter((name) => !stopping.includes(name)).map((name) => `${name} was not running (${supervisor.runner(name)!.state.state})`);
  const lines = stopLines(supervisor, stopping, requested, named);
  await supervisor.stopServices(stopping);
  return [...idle, ...lines];
}

// Starts `requested` and what they need that is stopped or failed; returns at once: the
// services start as their dependencies become ready (see corral status).
// A scheduled service named runs now: at once when it waits for its next run, else once
// its dependencies are ready, and on schedule after that.
export function startServices(supervisor: Supervisor, named: readonly string[], extra: readonly string[] = []): string[] {
  checkNames(supervisor, named);
  const requested = resolveNames(supervisor, named);
  const nodes = supervisor.planNodes();
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const starting = withDependencies([...requested, ...extra], nodes).filter((name) => !isActive(byName.get(name)!.state));
  const already = requested.filter((name) => !starting.includes(name)).map((name) => alreadyActive(supervisor, name));
  supervisor.startServices(starting, requested);
  const lines = starting.map((name) => ([...requested, ...extra].includes(name) ? `starting ${name}` : `starting ${name} (needed by ${requested.join(', ')})`));
  return [...already, ...lines];
}

function alreadyActive(supervisor: Supervisor, name: string): string {
  const runner = supervisor.runner(name)!;
  if (runner instanceof ScheduledRunner && runner.runNow()) return `running ${name} now (a run besides its schedule)`;
  return `${name} is already ${runner.state.state}`;
}

// Stop (dependents first) and start again; the dependents that were stopped start again
// too, once the restarted services are ready. A service with replicas named restarts one
// instance at a time, after the others (rolling-restart.ts).
export async function restartServices(supervisor: Supervisor, named: readonly string[]): Promise<string[]> {
  checkNames(supervisor, named);
  const groups = supervisor.groups();
  const rolling = [...new Set(named.filter((name) => groups.has(name)))];
  // An instance named beside its group is restarted by the rolling restart, once.
  const rolled = new Set(rolling.flatMap((group) => groups.get(group)!));
  const others = named.filter((name) => !groups.has(name) && !rolled.has(name));
  const lines = others.length > 0 ? await restartNow(supervisor, others) : [];
  for (const group of rolling) lines.push(...(await rollingRestart(supervisor, group, lines, (names) => restartNow(supervisor, names))));
  return lines;
}

async function restartNow(supervisor: Supervisor, requested: readonly string[]): Promise<string[]> {
  checkNames(supervisor, requested);
  const stopping = toStop(supervisor, requested);
  const lines = stopLines(supervisor, stopping, requested);
  await supervisor.stopServices(stopping);
  checkNames(supervisor, requested);
  const dependents = stopping.filter((name) => !requested.includes(name));
  return [...lines, ...startServices(supervisor, requested, dependents)];
}

const SIGNAL_NAMES = Object.keys(constants.signals);

export function signalService(supervisor: Supervisor, name: string, signalText: string): string[] {
  checkNames(supervisor, [name]);
  const instances = supervisor.groups().get(name);
  const signal = normalizeSignal(signalText);
  if (signal === undefined) {
    const upper = signalText.trim().toUpperCase();
    const suggestion = closest(upper.startsWith('SIG') ? upper : `SIG${upper}`, SIGNAL_NAMES);
    const hint = suggestion ? `did you mean ${suggestion.slice(3)}?` : 'e.g. HUP, USR1, TERM (kill -l lists them)';
    throw new ControlError('unknown-signal', `no signal is named "${signalText}"; ${hint}`);
  }
  if (instances !== undefined && supervisor.runner(name) === undefined) return signalInstances(supervisor, name, instances, signal);
  const runner = supervisor.runner(name)!;
  const pid = runner.pid;
  if (pid === undefined || !runner.signal(signal)) {
    throw new ControlError('not-running', `${name} has no process to signal (it is ${runner.state.state})`);
  }
  return [`sent ${signal} to ${name} (process group ${pid})`];
}

// Every instance that has a process gets the signal; none having one is the refusal.
function signalInstances(supervisor: Supervisor, group: string, instances: readonly string[], signal: NodeJS.Signals): string[] {
  const lines = instances.map((name) => {
    const runner = supervisor.runner(name)!;
    const pid = runner.pid;
    return pid !== undefined && runner.signal(signal)
      ? `sent ${signal} to ${name} (process group ${pid})`
      : `${name} has no process to signal (it is ${runner.state.state})`;
  });
  if (lines.every((line) => !line.startsWith('sent '))) {
    throw new ControlError('not-running', `no instance of ${group} has a process to signal: ${lines.join('; ')}`);
  }
  return lines;
}
