// A fake kernel for the simulation: processes with pids and groups, exits with codes and
// signals, processes that ignore SIGTERM or never die (D state), leftovers in a group,
// and spawns that fail (EAGAIN, ENOMEM at the fork; ENOENT at the exec; a throw from the
// spawn path itself). Every change happens on the virtual clock.
import type { ServiceConfig } from '../../src/config/service-config.js';
import type { ExitOutcome } from '../../src/process/exit-outcome.js';
import type { Kernel, Leftovers, StartedRun } from '../../src/supervisor/kernel.js';
import type { LaunchOptions } from '../../src/supervisor/launch.js';
import type { VirtualClock } from './virtual-clock.js';

/** How one service's runs behave. */
export interface Behaviour {
  /** How long a run lives before exiting by itself; undefined: until signalled. */
  runMs?: number;
  exitCode: number;
  /** The main process ignores its stop signal (only SIGKILL ends it). */
  ignoresTerm: boolean;
  /** Handles SIGTERM by exiting with 0 (else it is killed by the signal). */
  exitsCleanlyOnTerm: boolean;
  /** Survives even SIGKILL: uninterruptible sleep. */
  unkillable: boolean;
  /** Processes the main one leaves in its group; they ignore SIGTERM when ignoresTerm. */
  leftovers: number;
  /** The next spawns fail this way, one each. */
  spawnFailures: ('EAGAIN' | 'ENOMEM' | 'ENOENT' | 'throw')[];
}

export interface FakeProcess {
  pid: number;
  pgid: number;
  service: string;
  main: boolean;
  alive: boolean;
  ignoresTerm: boolean;
  unkillable: boolean;
  startedAt: number;
  endedAt?: number;
  /** How it ended, once it has. */
  outcome?: ExitOutcome;
  onDeath?: (outcome: ExitOutcome) => void;
}

export interface SignalEvent {
  at: number;
  pgid: number;
  service: string;
  signal: NodeJS.Signals | 0;
  /** The group's main process was alive when the signal was sent. */
  mainAlive: boolean;
}

export class FakeKernel implements Kernel {
  private nextPid = 100;
  readonly processes = new Map<number, FakeProcess>();
  readonly signals: SignalEvent[] = [];
  readonly spawns: { at: number; service: string; pid: number | undefined; outcome?: ExitOutcome }[] = [];
  /** Every StartedRun handed out, weakly: the simulation counts those still alive. */
  readonly runs = new FinalizationRegistry<string>(() => (this.liveRuns -= 1));
  liveRuns = 0;

  constructor(
    private readonly clock: VirtualClock,
    readonly behaviours: Map<string, Behaviour>,
    /** How long a signalled process takes to die, and an exit to be seen. */
    private readonly latencyMs: number,
  ) {}

  launch(config: ServiceConfig, options: LaunchOptions): StartedRun {
    const behaviour = this.behaviours.get(config.name) ?? defaultBehaviour;
    const failure = behaviour.spawnFailures.shift();
    if (failure === 'throw') {
      this.spawns.push({
        at: this.clock.now(),
        service: config.name,
        pid: undefined,
        outcome: { kind: 'spawn-failed', errno: 'EINTERNAL', message: 'simulated fault' },
      });
      throw new Error(`simulated fault in the spawn path of ${config.name}`);
    }
    const run =
      failure === 'EAGAIN' || failure === 'ENOMEM'
        ? this.failedFork(config.name, failure)
        : this.start(config.name, behaviour, failure === 'ENOENT', options.onExec);
    this.liveRuns += 1;
    this.runs.register(run, config.name);
    return run;
  }

  private failedFork(service: string, errno: string): StartedRun {
    const outcome: ExitOutcome = { kind: 'spawn-failed', errno, message: `${service}: ${errno}` };
    this.spawns.push({ at: this.clock.now(), service, pid: undefined, outcome });
    const exited = new Promise<ExitOutcome>((resolve) => this.clock.setTimer(() => resolve(outcome), this.latencyMs));
    return { pid: undefined, exited, outputClosed: Promise.resolve(), drainOutput: () => Promise.resolve() };
  }

  private start(service: string, behaviour: Behaviour, execFails: boolean, onExec?: () => void): StartedRun {
    const pgid = this.nextPid;
    const now = this.clock.now();
    const make = (main: boolean): FakeProcess => {
      const process: FakeProcess = {
        pid: this.nextPid++,
        pgid,
        service,
        main,
        alive: true,
        ignoresTerm: behaviour.ignoresTerm,
        unkillable: behaviour.unkillable,
        startedAt: now,
      };
      this.processes.set(process.pid, process);
      return process;
    };
    const main = make(true);
    this.spawns.push({ at: now, service, pid: main.pid });
    const members = [main, ...(execFails ? [] : Array.from({ length: behaviour.leftovers }, () => make(false)))];
    let closeOutput: () => void = () => undefined;
    const outputClosed = new Promise<void>((resolve) => (closeOutput = resolve));
    const checkOutput = (): void => {
      if (members.every((member) => !member.alive)) closeOutput();
    };
    for (const member of members) {
      const previous = member.onDeath;
      member.onDeath = (outcome) => {
        previous?.(outcome);
        checkOutput();
      };
    }
    const exited = new Promise<ExitOutcome>((resolve) => {
      const previous = main.onDeath;
      main.onDeath = (outcome) => {
        previous?.(outcome);
        // libuv sees the exit a moment later.
        this.clock.setTimer(() => resolve(outcome), this.latencyMs);
      };
    });
    if (execFails) {
      this.clock.setTimer(() => this.die(main, { kind: 'spawn-failed', errno: 'ENOENT', message: `${service}: command not found` }), this.latencyMs);
    } else {
      this.clock.setTimer(() => onExec?.(), this.latencyMs);
      // Cancelled when it dies sooner: a pending timer would keep this run's closures alive.
      const natural =
        behaviour.runMs === undefined ? undefined : this.clock.setTimer(() => this.die(main, { kind: 'exited', code: behaviour.exitCode }), behaviour.runMs);
      if (natural) main.onDeath = chain(main.onDeath, () => natural.cancel());
    }
    return { pid: main.pid, exited, outputClosed, drainOutput: () => outputClosed };
  }

  private die(process: FakeProcess, outcome: ExitOutcome): void {
    if (!process.alive) return;
    process.alive = false;
    process.endedAt = this.clock.now();
    process.outcome = outcome;
    // A dead process keeps nothing of its run, as the real kernel keeps nothing of it.
    const onDeath = process.onDeath;
    process.onDeath = undefined;
    onDeath?.(outcome);
  }

  private deliver(process: FakeProcess, signal: NodeJS.Signals | 0): void {
    if (signal === 0 || signal === 'SIGCONT' || !process.alive) return;
    if (signal === 'SIGKILL') {
      if (!process.unkillable) this.clock.setTimer(() => this.die(process, { kind: 'signalled', signal: 'SIGKILL' }), this.latencyMs);
      return;
    }
    if (['SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGHUP'].includes(signal)) return;
    if (process.ignoresTerm || process.unkillable) return;
    const behaviour = this.behaviours.get(process.service);
    const outcome: ExitOutcome = behaviour?.exitsCleanlyOnTerm ? { kind: 'exited', code: 0 } : { kind: 'signalled', signal: signal as 'SIGTERM' };
    this.clock.setTimer(() => this.die(process, outcome), this.latencyMs);
  }

  private membersOf(pgid: number): FakeProcess[] {
    return [...this.processes.values()].filter((process) => process.pgid === pgid && process.alive);
  }

  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
    const members = this.membersOf(pgid);
    if (members.length === 0) return false;
    if (signal !== 0) {
      const main = this.processes.get(pgid);
      this.signals.push({ at: this.clock.now(), pgid, service: members[0]!.service, signal, mainAlive: main?.alive === true });
    }
    for (const member of members) this.deliver(member, signal);
    return true;
  }

  // A crash: the main process of `service`'s current run dies with `code`.
  crash(service: string, code: number): void {
    const main = [...this.processes.values()].find((process) => process.service === service && process.main && process.alive && !process.unkillable);
    if (main) this.die(main, { kind: 'exited', code });
  }

  groupMembers(pgid: number): string[] {
    return this.membersOf(pgid).map(describe);
  }

  // The simulation is PID 1: every process left is its to sweep.
  leftovers(): Leftovers {
    const alive = (): FakeProcess[] => [...this.processes.values()].filter((process) => process.alive);
    return {
      signalAll: (signal) => {
        for (const process of alive()) this.deliver(process, signal);
      },
      anyLeft: () => alive().length > 0,
      describe: () => alive().map(describe),
      names: () => [...new Set(alive().map((process) => process.service))],
    };
  }

  reapNow(): void {}

  alive(): FakeProcess[] {
    return [...this.processes.values()].filter((process) => process.alive);
  }
}

export const defaultBehaviour: Behaviour = { exitCode: 0, ignoresTerm: false, exitsCleanlyOnTerm: true, unkillable: false, leftovers: 0, spawnFailures: [] };

function describe(process: FakeProcess): string {
  return `pid ${process.pid} (${process.service}), state ${process.unkillable ? 'D' : 'S'}`;
}

function chain(first: FakeProcess['onDeath'], then: () => void): FakeProcess['onDeath'] {
  return (outcome) => {
    first?.(outcome);
    then();
  };
}
