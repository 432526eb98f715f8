// Liveness (`health:`): runs a check every interval once the service is ready and reports
// it unhealthy after `retries` failures in a row. A monitor serves one run of a service:
// after reporting it stops for good, since the service is restarted with a new monitor.
import type { ProbeResult } from './probe-result.js';
import { clearUnrefTimeout, setUnrefTimeout } from '../shared/unref-timer.js';

export interface HealthMonitorOptions {
  /** One attempt; it must end by its own timeout. A throw counts as a failure. */
  check: () => Promise<ProbeResult>;
  /** From the end of one check to the start of the next, so checks never overlap. */
  intervalMs: number;
  /** Consecutive failures that make the service unhealthy (at least 1). */
  retries: number;
  /** Called once, with the last failure's detail; the monitor has already stopped. */
  onUnhealthy: (detail: string, failures: number) => void;
  /** A check passed after `failures` failed ones (fewer than retries). */
  onRecovered?: (failures: number, detail: string) => void;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

type MonitorState = 'idle' | 'running' | 'stopped';

// Checks one run of a service until it is unhealthy or stop() is called.
export class HealthMonitor {
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private state: MonitorState = 'idle';
  private timer: unknown;
  private failuresInARow = 0;

  constructor(private readonly options: HealthMonitorOptions) {
    this.setTimer = options.setTimer ?? setUnrefTimeout;
    this.clearTimer = options.clearTimer ?? clearUnrefTimeout;
  }

  /** Failed checks since the last passing one. */
  get failures(): number {
    return this.failuresInARow;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  // The first check runs one interval from now: the service has only just become ready.
  start(): void {
    if (this.state === 'running') return;
    if (this.state === 'stopped') throw new Error('HealthMonitor: start() after stop(); make a new monitor for the new run');
    this.state = 'running';
    this.schedule();
  }

  // Idempotent. A check in flight still finishes (by its own timeout), but its result is ignored.
  stop(): void {
    this.state = 'stopped';
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      void this.checkOnce();
    }, this.options.intervalMs);
  }

  private async checkOnce(): Promise<void> {
    const result = await this.attempt();
    if (this.state !== 'running') return;
    if (result.ok) {
      const failures = this.failuresInARow;
      this.failuresInARow = 0;
      if (failures > 0) this.options.onRecovered?.(failures, result.detail);
    } else {
      this.failuresInARow += 1;
      if (this.failuresInARow >= Math.max(1, this.options.retries)) {
        this.stop();
        this.options.onUnhealthy(result.detail, this.failuresInARow);
        return;
      }
    }
    this.schedule();
  }

  private async attempt(): Promise<ProbeResult> {
    try {
      return await this.options.check();
    } catch (error) {
      return { ok: false, detail: `check failed: ${(error as Error).message}` };
    }
  }
}
