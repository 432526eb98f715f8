// The lifecycle core proven by simulation: generated service graphs and interleavings run
// against the real Supervisor and ServiceRunner on a fake kernel and a virtual clock, with
// the invariants of world.ts checked after every step. A failure prints the seed and path
// that reproduce it: SIM_SEED=<seed> SIM_PATH=<path> npm run test:sim. More scenarios:
// npm run test:sim -- --runs 20000.
import { test } from 'node:test';
import fc from 'fast-check';
import { scenarios } from './scenarios.js';
import { InvariantError, namesOf, simulate } from './world.js';
import type { FakeKernel } from './fake-kernel.js';

const runs = Number(process.env.SIM_RUNS ?? 2000);
const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const path = process.env.SIM_PATH;

test(`${runs} generated scenarios: no illegal state, no unbounded wait, no process left behind`, async (t) => {
  let count = 0;
  await fc.assert(
    fc.asyncProperty(scenarios, async (scenario) => {
      count += 1;
      // Each instance a service has had is a service of its own.
      const services = scenario.services.reduce((sum, spec) => sum + namesOf(spec).length, 0);
      await simulate(scenario, scenario.checkMemory ? { beforeShutdown: (kernel) => runsReleased(kernel, services) } : {});
    }),
    { numRuns: runs, seed, path, endOnFailure: true },
  );
  t.diagnostic(`${count} scenarios simulated`);
});

// After a collection, no more runs are alive than each service's current one and those
// whose processes SIGKILL could not end.
async function runsReleased(kernel: FakeKernel, services: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new InvariantError('run with --expose-gc (npm run test:sim does)');
  // A run whose process (main or left in its group) SIGKILL could not end still holds its
  // pipe, and so its run, as a real relay would.
  const allowed =
    services +
    new Set(
      kernel
        .alive()
        .filter((process) => process.unkillable)
        .map((process) => process.pgid),
    ).size;
  // Finalization callbacks run as tasks of their own, some turns after the collection.
  for (let i = 0; i < 10 && kernel.liveRuns > allowed; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (kernel.liveRuns > allowed) throw new InvariantError(`${kernel.liveRuns} runs alive, at most ${allowed} expected`);
}
