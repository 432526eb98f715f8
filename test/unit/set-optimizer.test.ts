// addon.setOptimizer (addon/src/optimizer.cc): with it off, V8 leaves a hot function
// unoptimized; once it is on again, the function is optimized as usual. Watched in a
// node of its own through V8's --trace-opt, with compilation on the main thread so that
// the trace comes in order with the program's own lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { defaultAddonPath } from '../../src/native/addon.js';

const program = `
const addon = { exports: {} };
process.dlopen(addon, ${JSON.stringify(defaultAddonPath)});
function hot(x) { let sum = 0; for (let i = 0; i < 50; i++) sum += (x ^ i) & 7; return sum; }
function run() { let total = 0; for (let i = 0; i < 300000; i++) total += hot(i); return total; }
addon.exports.setOptimizer(false);
run();
console.log('-- turned on');
addon.exports.setOptimizer(true);
run();
console.log('-- done');
`;

test('setOptimizer(false) keeps a hot function unoptimized; setOptimizer(true) lets V8 optimize it', () => {
  const output = execFileSync(process.execPath, ['--trace-opt', '--no-concurrent-recompilation', '-e', program], { encoding: 'utf8', timeout: 60_000 });
  const lines = output.split('\n');
  const on = lines.indexOf('-- turned on');
  const done = lines.indexOf('-- done');
  assert.ok(on >= 0 && done > on, output);
  const optimizingHot = (line: string): boolean => /compiling .*<JSFunction hot\b.*TURBOFAN/.test(line);
  assert.deepEqual(lines.slice(0, on).filter(optimizingHot), [], 'not optimized while off');
  assert.ok(lines.slice(on, done).some(optimizingHot), `optimized once on:\n${output}`);
});
