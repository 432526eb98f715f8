// A temporary directory for files that services write (markers), removed after the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-scratch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A scratch directory holding `files` (name -> text), e.g. a services directory.
export function scratchFiles(t: TestContext, files: Record<string, string>): string {
  const dir = scratchDir(t);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
