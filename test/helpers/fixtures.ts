// Builds the C test fixtures once per test run (forking from perl or sh is too slow on
// small VMs to make thousands of orphans quickly).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = new Map<string, string>();

// The path of the compiled fixture test/fixtures/NAME.c.
export function cFixture(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const source = fileURLToPath(new URL(`../fixtures/${name}.c`, import.meta.url));
  const dir = join(tmpdir(), `corral-fixtures-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, name);
  if (!existsSync(binary)) {
    const result = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`cannot compile ${source}: ${result.error?.message ?? result.stderr}`);
  }
  built.set(name, binary);
  return binary;
}
