// docs/services.md has one table of the limits on what corral reads ("Limits on what
// corral reads"); it must say what src/config/limits.ts holds, row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_ARG_MIN_BYTES, LIMITS } from '../../src/config/limits.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/services.md', import.meta.url)), 'utf8');
const section = /^## Limits on what corral reads\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? '';
const rows = [...section.matchAll(/^\| (.+?) \| (.+?) \| (.+?) \|$/gm)].slice(2).map((match) => ({ what: match[1]!, limit: match[2]!, why: match[3]! }));

// Each limit and the start of the row that documents it.
const ROWS: Record<keyof typeof LIMITS, string> = {
  directoryEntries: 'names in the services directory',
  serviceFiles: 'service files',
  replicas: 'instances of one service',
  services: 'services, each instance',
  serviceFileBytes: 'one service file',
  envFileBytes: 'one env file',
  secretFileBytes: 'one secret file',
  secretFiles: 'secret files (',
  accountFileBytes: '`/etc/passwd`',
  loadBytes: 'all files one load reads',
  yamlTokens: 'YAML tokens (words',
  loadYamlTokens: 'YAML tokens in all files',
  yamlDepth: 'nesting of YAML collections',
  yamlNodes: 'YAML nodes',
  execStringBytes: 'one argument of a service',
  execTotalBytes: "a service's arguments and environment",
  durationMs: 'a duration',
  rlimit: 'an rlimit value',
  accountId: 'a numeric `user`',
  nameLength: 'a service name',
  logPatternLength: 'a `ready.log` regular expression',
  problemsShown: 'problems listed',
};

// "64 KiB" -> 65536, "10,000" -> 10000, "2147483647ms" -> 2147483647, "131,071 bytes" -> 131071.
function valueOf(cell: string): number | undefined {
  const match = /^([\d,]+) ?(KiB|MiB|ms|bytes|characters|levels)?$/.exec(cell);
  if (!match) return undefined;
  const number = Number(match[1]!.replaceAll(',', ''));
  return number * ({ KiB: 1024, MiB: 1024 ** 2 } as Record<string, number>)[match[2] ?? '']! || number * 1;
}

test('docs/services.md has one limits table, and it says what limits.ts holds', () => {
  assert.equal(rows.length, Object.keys(LIMITS).length, `the table has ${rows.length} rows for ${Object.keys(LIMITS).length} limits`);
  const wrong: string[] = [];
  for (const [key, start] of Object.entries(ROWS) as [keyof typeof LIMITS, string][]) {
    const row = rows.filter((candidate) => candidate.what.startsWith(start));
    if (row.length !== 1) wrong.push(`${key}: ${row.length} rows start with "${start}"`);
    else if (valueOf(row[0]!.limit) !== LIMITS[key]) wrong.push(`${key}: the docs say ${row[0]!.limit}, limits.ts ${LIMITS[key]}`);
  }
  assert.deepEqual(wrong, []);
});

test("the kernel's floor for a small limits.stack is documented with its value", () => {
  const row = rows.find((candidate) => candidate.what.startsWith(ROWS.execTotalBytes));
  assert.match(row?.why ?? '', new RegExp(`at least ${KERNEL_ARG_MIN_BYTES / 1024} KiB`));
});
