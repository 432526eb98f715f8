// Timers a test fires by hand, for the classes that take setTimer/clearTimer (health
// monitor, watchdog): no waiting, and the test sees every delay that was asked for.
import assert from 'node:assert/strict';

export function fakeTimers() {
  let nextId = 1;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  return {
    pending,
    setTimer: (callback: () => void, ms: number): unknown => {
      const id = nextId++;
      pending.set(id, { callback, ms });
      return id;
    },
    clearTimer: (timer: unknown): void => {
      pending.delete(timer as number);
    },
    /** The delays of the pending timers. */
    delays: (): number[] => [...pending.values()].map((timer) => timer.ms),
    // Fires the one pending timer: its time has passed.
    fire: (): void => {
      assert.equal(pending.size, 1, 'exactly one timer is pending');
      const [id, timer] = [...pending][0]!;
      pending.delete(id);
      timer.callback();
    },
  };
}
