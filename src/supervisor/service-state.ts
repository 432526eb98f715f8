// A service's state, changed only through transition(), which refuses an edge that
// TRANSITIONS does not allow.
import { canTransition, type ServiceState } from './states.js';

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(service: string, from: ServiceState, to: ServiceState) {
    super(`${service}: ${from} -> ${to} is not allowed`);
  }
}

export type TransitionListener = (from: ServiceState, to: ServiceState) => void;

export class ServiceStateHolder {
  private current: ServiceState = 'stopped';

  constructor(
    readonly service: string,
    private readonly onChange: TransitionListener = () => undefined,
  ) {}

  get state(): ServiceState {
    return this.current;
  }

  transition(to: ServiceState): void {
    if (!canTransition(this.current, to)) throw new IllegalTransitionError(this.service, this.current, to);
    const from = this.current;
    this.current = to;
    this.onChange(from, to);
  }
}
