// npm run test:sim [-- --runs N] [-- --seed S --path P]: the lifecycle simulation
// (test/sim), with more scenarios than npm test runs, or replaying one failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' } } });
const env = { ...process.env };
if (values.runs) env.SIM_RUNS = values.runs;
if (values.seed) env.SIM_SEED = values.seed;
if (values.path) env.SIM_PATH = values.path;
const files = readdirSync('test/sim')
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `test/sim/${name}`);
// --expose-gc: the memory invariant counts the run objects still alive after a collection.
const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
