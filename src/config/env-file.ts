// KEY=VALUE files for env_file, read as docker compose reads them:
//   # a comment            (whole lines; also " # ..." after an unquoted value)
//   export KEY=value       (export is optional, so the file can be sourced by a shell too)
//   KEY="a \"quoted\"\nvalue"   (double quotes: \n, \t, \\ and \" are escapes)
//   KEY='literal $value'   (single quotes: taken as written)
// Values are not ${VAR}-expanded: an env file holds values, not templates.
import type { ConfigProblem } from './config-error.js';
import { VARIABLE_NAME } from './expand-variables.js';
import { RESERVED_NAME, RESERVED_NAME_MESSAGE } from './value-schemas.js';

const ASSIGNMENT = /^(?:export\s+)?([^=\s]*)\s*=\s*(.*)$/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', $: '$' };

export type EnvFileResult = { values: Record<string, string> } | { problems: ConfigProblem[] };

export function parseEnvFile(text: string, file: string): EnvFileResult {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // Without the line itself: an env file holds secrets, and a problem may end up in a
    // build log. Its line and column say where to look.
    const problem = (message: string, col = raw.length - raw.trimStart().length + 1): void => {
      problems.push({ file, line: index + 1, col, message });
    };
    const match = ASSIGNMENT.exec(line);
    if (!match) return problem('expected NAME=value (or a # comment)');
    const [, name = '', rest = ''] = match;
    if (!VARIABLE_NAME.test(name)) return problem(`"${name}" is not a variable name; use letters, digits and _, not starting with a digit`);
    if (name === RESERVED_NAME) return problem(RESERVED_NAME_MESSAGE);
    const value = parseValue(rest);
    if (value === undefined)
      return problem(`the value of ${name} opens a ${rest[0] === '"' ? 'double' : 'single'} quote that is not closed on this line`, raw.indexOf(rest) + 1);
    // Node's spawn throws on a NUL in the environment: refused here, where it is written.
    if (value.includes('\0')) return problem(`the value of ${name} holds a NUL byte (\\0), which ends a string for the kernel`, raw.indexOf('\0') + 1);
    values[name] = value;
  });
  return problems.length > 0 ? { problems } : { values };
}

// The value after '=', or undefined when a quote is not closed.
function parseValue(rest: string): string | undefined {
  const quote = rest[0];
  if (quote === "'") {
    const end = rest.indexOf("'", 1);
    return end === -1 ? undefined : rest.slice(1, end);
  }
  if (quote === '"') {
    let value = '';
    for (let i = 1; i < rest.length; i++) {
      const char = rest[i]!;
      if (char === '"') return value;
      if (char === '\\' && i + 1 < rest.length) {
        const next = rest[++i]!;
        value += ESCAPES[next] ?? `\\${next}`;
      } else {
        value += char;
      }
    }
    return undefined;
  }
  const comment = rest.search(/\s#/);
  return (comment === -1 ? rest : rest.slice(0, comment)).trim();
}
