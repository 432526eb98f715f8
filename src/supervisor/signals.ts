// Signal listeners, installed before anything else runs. As PID 1 the kernel drops every
// signal that has no handler, and Node, as PID 1, would otherwise swallow SIGTERM (its
// default handler re-raises it, which PID 1 ignores). Listening to SIGUSR1 also stops Node
// from opening its inspector on it.

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
// HUP re-reads services.d; these go to the main service (or every service).
export const FORWARDED_SIGNALS = ['SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;
// Job-control stops make no sense for an init; catatonit ignores them too.
export const IGNORED_SIGNALS = ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const;

export interface SignalTarget {
  shutdown(signal: NodeJS.Signals): void;
  forward(signal: NodeJS.Signals): void;
  reload(): void;
}

export interface SignalRouter {
  /** Routes signals to `target` from now on. */
  attach(target: SignalTarget): void;
}

// Before a target is attached nothing has been started, so a shutdown signal just exits.
export function installSignalHandlers(exitEarly: (signal: NodeJS.Signals) => void): SignalRouter {
  let target: SignalTarget | undefined;
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => (target ? target.shutdown(signal) : exitEarly(signal)));
  }
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => target?.forward(signal));
  process.on('SIGHUP', () => target?.reload());
  for (const signal of IGNORED_SIGNALS) process.on(signal, () => undefined);
  return {
    attach(next) {
      target = next;
    },
  };
}
