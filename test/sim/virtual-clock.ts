// A clock whose time moves only when the simulation says so: timers fire in order of
// their due time (then of their setting), and time jumps to each.
import type { Clock, Timer } from '../../src/supervisor/clock.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  readonly now = (): number => this.time;

  readonly setTimer = (callback: () => void, ms: number): Timer => {
    const seq = ++this.seq;
    this.pending.set(seq, { at: this.time + Math.max(0, Number.isFinite(ms) ? ms : 0), seq, callback });
    return { cancel: () => void this.pending.delete(seq) };
  };

  /** When the next timer is due, if any. */
  nextAt(): number | undefined {
    let next: Pending | undefined;
    for (const timer of this.pending.values()) if (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
    return next?.at;
  }

  /** Fires every timer due at the earliest due time not after `limit`; false if none. */
  fireNext(limit = Infinity): boolean {
    const at = this.nextAt();
    if (at === undefined || at > limit) return false;
    this.time = Math.max(this.time, at);
    const due = [...this.pending.values()].filter((timer) => timer.at === at).sort((a, b) => a.seq - b.seq);
    const first = due[0]!;
    this.pending.delete(first.seq);
    first.callback();
    return true;
  }

  advanceTo(time: number): void {
    this.time = Math.max(this.time, time);
  }

  get timerCount(): number {
    return this.pending.size;
  }
}
