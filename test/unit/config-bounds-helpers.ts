// Shared by the config-bounds tests: a services directory from files, and what loading it
// gives, with the assertion that nothing but a ConfigError is ever thrown.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';
import { loadServices } from '../../src/config/load-services.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import { scratchDir } from '../helpers/scratch.js';

export type Env = Record<string, string>;

// A fresh services directory holding `files` (name -> text or bytes).
export function dirWith(t: TestContext, files: Record<string, string | Buffer>): string {
  const dir = scratchDir(t);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

// What loading `dir` throws, which must be a ConfigError.
export function problemsOf(dir: string, env: Env = {}): readonly ConfigProblem[] {
  try {
    loadServices(dir, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${(error as Error).stack ?? String(error)}`);
    return error.problems;
  }
  assert.fail('the directory loaded without a ConfigError');
}

// The services of `dir`, which must load.
export function servicesOf(dir: string, env: Env = {}): ServiceConfig[] {
  try {
    return loadServices(dir, { env });
  } catch (error) {
    if (error instanceof ConfigError) assert.fail(`does not load:\n${error.message}`);
    throw error;
  }
}

// The one problem of a directory with one bad file, as a user reads it.
export function onlyProblem(dir: string, env: Env = {}): ConfigProblem {
  const problems = problemsOf(dir, env);
  assert.equal(problems.length, 1, `expected one problem, got:\n${new ConfigError(problems).message}`);
  return problems[0]!;
}

// The fields a user sees, for exact comparison; `file` relative to the directory.
export function seen(dir: string, problem: ConfigProblem): Omit<ConfigProblem, 'source'> {
  const { source: _source, ...fields } = problem;
  return { ...fields, file: fields.file.replace(`${dir}/`, '') };
}

// The one problem of a fresh services directory holding `files`, as a user sees it.
export function onlyProblemSeen(t: TestContext, files: Record<string, string | Buffer>, env: Env = {}): Omit<ConfigProblem, 'source'> {
  const dir = dirWith(t, files);
  return seen(dir, onlyProblem(dir, env));
}
