// A temporary directory for files that services write (markers), removed after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-scratch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
