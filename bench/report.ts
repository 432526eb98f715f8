// Writes one benchmark's figures into docs/benchmarks.md, between markers named after it,
// so each benchmark updates its own section and leaves the others alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPORT = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const HEADER = '# Benchmarks\n\nFigures written by the scripts in bench/; rerun them to update their sections.\n';

export function writeBenchmarkSection(name: string, lines: string[]): void {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${begin}\n${lines.join('\n')}\n${end}`;
  const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const at = text.indexOf(begin);
  const updated = at === -1 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}${section}${text.slice(text.indexOf(end) + end.length)}`;
  writeFileSync(REPORT, updated);
  console.log(`written to ${REPORT}`);
}
