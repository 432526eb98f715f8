// V8's optimizing compiler held back while corral starts (addon.setOptimizer,
// addon/src/optimizer.cc; issue 20). Start-up runs the same code once per service, so
// with hundreds of services V8 optimizes it just before it is never run again, and the
// first optimization is what brings the compiler's own code and zones into memory: some
// 5.5 MiB that corral then holds for the life of the container (500 idle services: RSS
// 58.8 MiB with it, 53.1 without). Work that goes on being hot is optimized all the same,
// only later: the compiler comes back on at the first of
// - start-up is over: once the services are started, none changed state for SETTLE_MS;
// - a reload begins (its worker thread would compile Node's own modules without their
//   code caches, which V8 takes only under the flags they were made with);
// - MAX_HOLD_MS after it was held, whatever happens (a service that crashes in a loop
//   changes state for ever; init scripts may take long).
// Until then the code runs in V8's interpreter and baseline tier, which is how most of
// start-up runs anyway: it is too short to get hot. Relaying does not bring it back on
// either: what relaying does per line is native code (frame.cc, ring-index.cc), and with
// 50 services writing at once, the compiler's work on the relay's few functions cost
// more CPU than it saved, and 8 MiB of peak RSS more (issue 20); a relay that goes on
// past start-up is optimized once start-up is over. The one cost: a module of Node's
// that corral loads only when a configuration needs it (node:http for http probes,
// node:crypto for secret files, the metrics server) is compiled without its code cache
// if it loads during the hold, some ms more.
import type { Logger } from '../shared/logger.js';
import { clearUnrefTimeout, setUnrefTimeout } from '../shared/unref-timer.js';
// Start-up is over when the memory trimmer takes it to be: quiet this long after the last
// service change.
import { SETTLE_MS } from './memory-trimmer.js';

export { SETTLE_MS };
/** Held at most this long. */
export const MAX_HOLD_MS = 10_000;

export interface OptimizerGateOptions {
  /** addon.setOptimizer. */
  setOptimizer: (on: boolean) => void;
  logger: Logger;
  now?: () => number;
  /** setTimeout, unref'd (a pending release never keeps corral up), and clearTimeout; tests give fakes. */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class OptimizerGate {
  private state: 'open' | 'held' | 'released' = 'open';
  private heldAt = 0;
  private settleTimer: unknown;
  private maxTimer: unknown;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: OptimizerGateOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? setUnrefTimeout;
    this.clearTimer = options.clearTimer ?? clearUnrefTimeout;
  }

  /** Turns the compiler off, until release(); once only, before start-up's work. */
  hold(): void {
    if (this.state !== 'open') return;
    this.state = 'held';
    this.heldAt = this.now();
    this.options.setOptimizer(false);
    this.maxTimer = this.setTimer(() => this.release(`held for ${MAX_HOLD_MS / 1000} s, the most it is`), MAX_HOLD_MS);
  }

  /** The services were started, or one changed state: start-up is over once none has for SETTLE_MS. */
  poke(): void {
    if (this.state !== 'held') return;
    if (this.settleTimer !== undefined) this.clearTimer(this.settleTimer);
    this.settleTimer = this.setTimer(() => this.release('start-up is over'), SETTLE_MS);
  }

  /** Turns the compiler back on, for good; what is held is released once. */
  release(why: string): void {
    if (this.state !== 'held') return;
    this.state = 'released';
    for (const timer of [this.settleTimer, this.maxTimer]) if (timer !== undefined) this.clearTimer(timer);
    this.settleTimer = this.maxTimer = undefined;
    this.options.setOptimizer(true);
    this.options.logger.debug(`optimizing compiler on: ${why}, ${this.now() - this.heldAt} ms after start`);
  }
}
