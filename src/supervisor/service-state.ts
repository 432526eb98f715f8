// A service's status, changed only through set(), which refuses an edge that TRANSITIONS
// does not allow. Facts of the same state (a run that became known) go through update().
import { canTransition, type RunFacts, type ServiceState, type ServiceStatus } from './states.js';

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(service: string, from: ServiceState, to: ServiceState) {
    super(`${service}: ${from} -> ${to} is not allowed`);
  }
}

export type TransitionListener = (from: ServiceState, to: ServiceState) => void;

export class ServiceStateHolder<Run extends RunFacts = RunFacts> {
  private current: ServiceStatus<Run> = { state: 'stopped', byOperator: false };

  constructor(
    readonly service: string,
    private readonly onChange: TransitionListener = () => undefined,
  ) {}

  get status(): ServiceStatus<Run> {
    return this.current;
  }

  get state(): ServiceState {
    return this.current.state;
  }

  set(next: ServiceStatus<Run>): void {
    const from = this.current.state;
    if (!canTransition(from, next.state)) throw new IllegalTransitionError(this.service, from, next.state);
    this.current = next;
    this.onChange(from, next.state);
  }

  // The same state with other facts: no transition, nobody told.
  update(next: ServiceStatus<Run>): void {
    if (next.state !== this.current.state) throw new IllegalTransitionError(this.service, this.current.state, next.state);
    this.current = next;
  }
}
