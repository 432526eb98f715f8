// Compiles one of the benchmarks' C programs (bench/NAME.c) into dir; returns its path.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function compileBenchProgram(name: string, dir: string): string {
  const source = fileURLToPath(new URL(`./${name}.c`, import.meta.url));
  const binary = join(dir, name);
  const result = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`cannot run cc (apt-get install gcc): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`cc failed:\n${result.stderr}`);
  return binary;
}
