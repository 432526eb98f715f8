// A wait that something else can cut short: the benchmarks' readers wait for their next
// event with a deadline, and wake up as soon as one comes in.
export class Wakeup {
  private waker: (() => void) | undefined;

  /** Resolves after ms, or at once when wake() is called meanwhile. */
  async wait(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waker = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.waker = undefined;
  }

  wake(): void {
    this.waker?.();
  }
}
