// yaml's parse errors, said the way a person fixes them: an unclosed bracket or quote is
// reported where it opens (yaml notices it lines later), a key indented too far is
// reported at that key, and a duplicate key is named.
import type { YAMLError } from 'yaml';

export interface YamlProblem {
  /** Byte offset in the file, for the line, column and caret. */
  offset: number;
  message: string;
}

export function describeYamlErrors(errors: readonly YAMLError[], text: string): YamlProblem[] {
  const problems: YamlProblem[] = [];
  for (const error of errors) {
    const problem = describe(error, text);
    // yaml can report one mistake twice (a key indented too far is two errors).
    if (!problems.some((seen) => seen.offset === problem.offset)) problems.push(problem);
  }
  return problems;
}

function describe(error: YAMLError, text: string): YamlProblem {
  const at = error.pos[0];
  const first = error.message.split('\n')[0] ?? error.message;
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\n]*)/.exec(text.slice(at))?.[1]?.trim();
      return { offset: at, message: `the key "${key}" appears twice in this mapping; keep one of them` };
    }
    case 'MULTIPLE_DOCS':
      return { offset: at, message: 'the file holds more than one YAML document (---); put each service in its own file' };
    case 'TAB_AS_INDENT':
      return { offset: at, message: 'YAML syntax error: a tab is used to indent; YAML indents with spaces only' };
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      // "initial: 1s\n   max: 30s": yaml sees "1s max" as a key; the mistake is the next line.
      const next = firstNonSpace(text, text.indexOf('\n', at) + 1);
      return { offset: next, message: 'YAML syntax error: this key is indented more than the key above it; start the keys of one mapping at the same column' };
    }
    case 'BAD_INDENT': {
      const opener = unclosedOpener(text, at);
      if (/end with a [\]}]/.test(first) && opener !== undefined) {
        const [open, close, what] = text[opener] === '[' ? ['[', ']', 'list'] : ['{', '}', 'mapping'];
        return { offset: opener, message: `YAML syntax error: this ${open} is not closed; end the ${what} with ${close}` };
      }
      if (/must start at the same column/.test(first)) {
        return {
          offset: firstNonSpace(text, at),
          message: 'YAML syntax error: this key is not indented like the keys above it; start the keys of one mapping at the same column',
        };
      }
      break;
    }
    case 'MISSING_CHAR': {
      const quote = /closing (["'])quote/.exec(first)?.[1];
      const opener = quote === undefined ? undefined : unclosedQuote(text, at, quote);
      if (quote !== undefined && opener !== undefined) {
        return { offset: opener, message: `YAML syntax error: this ${quote} is not closed; end the string with ${quote}` };
      }
      break;
    }
    default:
      // yaml's own words: clear enough for the rarer mistakes (anchors, tags, directives).
      break;
  }
  return { offset: at, message: `YAML syntax error: ${first}` };
}

function firstNonSpace(text: string, from: number): number {
  let at = from;
  while (text[at] === ' ') at++;
  return at;
}

// The last [ or { before `end` that is not closed, skipping quoted strings and comments.
function unclosedOpener(text: string, end: number): number | undefined {
  const open: number[] = [];
  for (let i = 0; i < end; i++) {
    const char = text[i];
    if (char === '"' || char === "'") i = closingQuote(text, i, end);
    else if (char === '#' && (i === 0 || /\s/.test(text[i - 1]!))) i = lineEnd(text, i);
    else if (char === '[' || char === '{') open.push(i);
    else if (char === ']' || char === '}') open.pop();
  }
  return open.at(-1);
}

// Where the unclosed `quote` before `end` opens: the last one that is not closed.
function unclosedQuote(text: string, end: number, quote: string): number | undefined {
  let opened: number | undefined;
  for (let i = 0; i < end; i++) {
    const char = text[i];
    if (char === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      i = lineEnd(text, i);
    } else if (char === '"' || char === "'") {
      const close = closingQuote(text, i, end);
      if (close >= end && char === quote) opened = i;
      i = close;
    }
  }
  return opened;
}

// The index of the quote closing the one at `start`, or `end` when there is none.
function closingQuote(text: string, start: number, end: number): number {
  const quote = text[start];
  for (let i = start + 1; i < end; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'")
        i++; // '' is an escaped ' in single quotes
      else return i;
    }
  }
  return end;
}

function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? text.length : newline;
}
