// ${VAR} in service files, taken from corral's environment when the files are loaded, so
// one image can be configured with `docker run -e PORT=9000`. Only the braced form with a
// variable name in it is expanded: `$VAR`, `$1` and `${#x}` are left for the /bin/sh that
// runs a string command (and `${a.b}` for an inline JavaScript template), and `$${` writes
// a literal `${`.
//
//   ${NAME}            the value; an error when NAME is unset
//   ${NAME:-default}   default when NAME is unset or empty
//   ${NAME-default}    default when NAME is unset
//   ${NAME:?message}   an error carrying message when NAME is unset or empty (as in the
//   ${NAME?message}    shell and Compose); without the colon, only when it is unset

export class ExpansionError extends Error {
  override name = 'ExpansionError';

  constructor(
    message: string,
    /** The variable that was missing, when that was the problem. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

// An environment variable's name, as the shell takes one: also what env_file and
// environment: accept.
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// The text with every ${...} replaced; throws ExpansionError naming the first problem.
export function expandVariables(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf('$', at);
    if (start === -1) return out + text.slice(at);
    out += text.slice(at, start);
    if (text.startsWith('$${', start)) {
      out += '${';
      at = start + 3;
      continue;
    }
    if (text[start + 1] !== '{') {
      out += '$';
      at = start + 1;
      continue;
    }
    const end = text.indexOf('}', start);
    if (end === -1) throw new ExpansionError(`"\${" at character ${start + 1} is not closed with "}"; write $\${ for a literal \${`);
    out += substitute(text.slice(start + 2, end), env);
    at = end + 1;
  }
}

function substitute(body: string, env: Readonly<Record<string, string | undefined>>): string {
  const operator = /:-|:\?|-|\?/.exec(body);
  const name = operator ? body.slice(0, operator.index) : body;
  // Not a reference we expand (${#x}, ${x%y}, ${a.b}): the text stays as written.
  if (!VARIABLE_NAME.test(name)) return `\${${body}}`;
  const value = env[name];
  if (operator) {
    const fallback = body.slice(operator.index + operator[0].length);
    const required = operator[0].endsWith('?');
    // "${A:-${B}}": the first } ends the reference, so the default would be "${B" and a
    // stray } would follow. Refuse it rather than expand it wrongly.
    if (fallback.includes('${')) {
      const what = required ? 'a message' : 'a default';
      throw new ExpansionError(`"\${${body}}}": ${what} cannot hold another \${...}; set ${name} or write the ${required ? 'message' : 'default'} out`);
    }
    const missing = operator[0].startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (missing && required) throw requiredError(name, operator[0], fallback, value);
    return missing ? fallback : value!;
  }
  if (value === undefined) {
    throw new ExpansionError(
      `\${${name}} is not set in corral's environment; set it (docker run -e ${name}=...), give a default (\${${name}:-value}), or write $\${${name}} to leave it to the service`,
      name,
    );
  }
  return value;
}

// ${NAME:?message}: the file's own words first, then how to fix it.
function requiredError(name: string, operator: string, message: string, value: string | undefined): ExpansionError {
  const state = value === undefined ? 'is not set' : 'is empty';
  const said = message === '' ? '' : `: ${message}`;
  return new ExpansionError(`\${${name}} ${state} in corral's environment${said} (\${${name}${operator}...}); set it, e.g. docker run -e ${name}=...`, name);
}
