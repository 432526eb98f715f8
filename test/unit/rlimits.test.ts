import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_NOFILE_SOFT, defaultNofile, hardLimit } from '../../src/process/rlimits.js';

// /proc/self/limits as a container shows it (columns padded with spaces).
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             96365                96366                processes 
Max open files            1048576              1048576              files     
Max locked memory         8388608              16777216             bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       96365                96365                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`;

// The same table with the open files line replaced.
const withNofile = (soft: string, hard: string): string =>
  LIMITS.replace(/^Max open files.*$/m, `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `);

describe('hardLimit', () => {
  test('hardLimit: reads the hard column of each limit corral knows', () => {
    assert.equal(hardLimit('nofile', LIMITS), 1_048_576);
    assert.equal(hardLimit('nproc', LIMITS), 96_366, 'the hard column, not the soft one');
    assert.equal(hardLimit('core', LIMITS), 'unlimited');
    assert.equal(hardLimit('memlock', LIMITS), 16_777_216);
    assert.equal(hardLimit('stack', LIMITS), 'unlimited');
    assert.equal(hardLimit('as', LIMITS), 'unlimited');
  });

  test('hardLimit: "Max file size" and "Max file locks" are not mistaken for a limit corral sets', () => {
    const only =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax file size             1                    2                    bytes     \n';
    assert.equal(hardLimit('nofile', only), undefined);
    assert.equal(hardLimit('core', only), undefined);
  });

  test('hardLimit: a limit missing from the text is undefined', () => {
    assert.equal(hardLimit('nofile', LIMITS.replace(/^Max open files.*\n/m, '')), undefined);
    assert.equal(hardLimit('nofile', ''), undefined);
  });

  test('hardLimit: a line with only one value is undefined', () => {
    assert.equal(hardLimit('nofile', 'Max open files            1024\n'), undefined);
  });

  test('hardLimit: reads the real /proc/self/limits', () => {
    const real = readFileSync('/proc/self/limits', 'utf8');
    const hard = hardLimit('nofile', real);
    assert.ok(hard === 'unlimited' || (Number.isInteger(hard) && hard! > 0), `got ${String(hard)}`);
  });
});

describe('defaultNofile', () => {
  test('defaultNofile: a high hard limit gives soft 1024, hard unchanged', () => {
    assert.equal(DEFAULT_NOFILE_SOFT, 1024);
    assert.deepEqual(defaultNofile(LIMITS), { soft: 1024, hard: 1_048_576 });
  });

  test('defaultNofile: the soft limit of corral itself is not what the service gets', () => {
    assert.deepEqual(defaultNofile(withNofile('1048576', '2097152')), { soft: 1024, hard: 2_097_152 });
    assert.deepEqual(defaultNofile(withNofile('256', '4096')), { soft: 1024, hard: 4096 });
  });

  test('defaultNofile: a hard limit of exactly 1024 gives 1024:1024', () => {
    assert.deepEqual(defaultNofile(withNofile('1024', '1024')), { soft: 1024, hard: 1024 });
  });

  test('defaultNofile: a hard limit below 1024 gives soft = hard', () => {
    assert.deepEqual(defaultNofile(withNofile('512', '512')), { soft: 512, hard: 512 });
    assert.deepEqual(defaultNofile(withNofile('64', '1023')), { soft: 1023, hard: 1023 });
  });

  test('defaultNofile: an unlimited hard limit gives soft 1024, hard unlimited', () => {
    assert.deepEqual(defaultNofile(withNofile('unlimited', 'unlimited')), { soft: 1024, hard: 'unlimited' });
  });

  test('defaultNofile: no open files line gives 1024:1024', () => {
    assert.deepEqual(defaultNofile(LIMITS.replace(/^Max open files.*\n/m, '')), { soft: 1024, hard: 1024 });
    assert.deepEqual(defaultNofile(''), { soft: 1024, hard: 1024 });
  });

  test('defaultNofile: without an argument, reads /proc/self/limits; soft never exceeds hard', () => {
    const { soft, hard } = defaultNofile();
    assert.ok(typeof soft === 'number' && soft <= DEFAULT_NOFILE_SOFT);
    assert.ok(hard === 'unlimited' || soft <= hard);
    assert.deepEqual(defaultNofile(), defaultNofile(readFileSync('/proc/self/limits', 'utf8')));
  });
});
