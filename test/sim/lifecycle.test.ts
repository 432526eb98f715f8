// The lifecycle core proven by simulation: generated service graphs and interleavings run
// against the real Supervisor and ServiceRunner on a fake kernel and a virtual clock, with
// the invariants of world.ts checked after every step. A failure prints the seed and path
// that reproduce it: SIM_SEED=<seed> SIM_PATH=<path> npm run test:sim. More scenarios:
// npm run test:sim -- --runs 20000.
import { test } from 'node:test';
import fc from 'fast-check';
import { scenarios } from './scenarios.js';
import { simulate } from './world.js';

const runs = Number(process.env.SIM_RUNS ?? 2000);
const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const path = process.env.SIM_PATH;

test(`${runs} generated scenarios: no illegal state, no unbounded wait, no process left behind`, async (t) => {
  let count = 0;
  await fc.assert(
    fc.asyncProperty(scenarios, async (scenario) => {
      count += 1;
      await simulate(scenario);
    }),
    { numRuns: runs, seed, path, endOnFailure: true },
  );
  t.diagnostic(`${count} scenarios simulated`);
});
