// ${VAR} in service files, taken from corral's environment when the files are loaded, so
// one image can be configured with `docker run -e PORT=9000`. Only the braced form with a
// variable name in it is expanded: `$VAR`, `$1` and `${#x}` are left for the /bin/sh that
// runs a string command (and `${a.b}` for an inline JavaScript template), and `$${` writes
// a literal `${`.
//
//   ${NAME}            the value; an error when NAME is unset
//   ${NAME:-default}   default when NAME is unset or empty
//   ${NAME-default}    default when NAME is unset

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
  const operator = /:-|-/.exec(body);
  const name = operator ? body.slice(0, operator.index) : body;
  // Not a reference we expand (${#x}, ${x%y}, ${a.b}): the text stays as written.
  if (!VARIABLE_NAME.test(name)) return `\${${body}}`;
  const value = env[name];
  if (operator) {
    const fallback = body.slice(operator.index + operator[0].length);
    // "${A:-${B}}": the first } ends the reference, so the default would be "${B" and a
    // stray } would follow. Refuse it rather than expand it wrongly.
    if (fallback.includes('${')) {
      throw new ExpansionError(`"\${${body}}}": a default cannot hold another \${...}; set ${name} or write the default out`);
    }
    const useFallback = operator[0] === ':-' ? value === undefined || value === '' : value === undefined;
    return useFallback ? fallback : value!;
  }
  if (value === undefined) {
    throw new ExpansionError(
      `\${${name}} is not set in corral's environment; set it (docker run -e ${name}=...), give a default (\${${name}:-value}), or write $\${${name}} to leave it to the service`,
      name,
    );
  }
  return value;
}
