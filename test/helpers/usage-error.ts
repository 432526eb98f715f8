// The UsageError that parsing `argv` must throw, for the command-line tests.
import assert from 'node:assert/strict';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';

export function usageErrorOf(argv: string[]): UsageError {
  let caught: unknown;
  try {
    parseCommandLine(argv, {});
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError for ${argv.join(' ')}, got ${String(caught)}`);
  assert.equal(caught.name, 'UsageError');
  assert.equal(caught.code, 'USAGE');
  return caught;
}
