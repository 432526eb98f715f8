// Everything wrong with a services directory, collected so all of it is reported at once
// and nothing starts. Each problem names the file, line, column and key path, says what
// was expected and what was found, and shows the line with a caret.
//
// What a problem echoes comes from files that may hold anything: control characters are
// escaped, a long line is shown around its column only, a long field is shortened, and
// at most LIMITS.problemsShown problems are listed, so the error stays readable and its
// size bounded whatever the files hold.
import { LIMITS } from './limits.js';
import { escapeControls } from './text-input.js';

export interface ConfigProblem {
  file: string;
  /** 1-based; undefined for problems of the whole file or directory. */
  line?: number;
  col?: number;
  /** Dotted key path, e.g. "backoff.initial". */
  path?: string;
  message: string;
  /** The source line, for the caret display. */
  source?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
  }

  // Any error of reading the configuration, as a ConfigError about `file`. A ConfigError
  // stays as it is; anything else is a bug of corral's, and still only a problem to
  // report: `corral check` exits 100 on it, a reload refuses it, and corral goes on.
  static from(error: unknown, file: string): ConfigError {
    return error instanceof ConfigError ? error : new ConfigError([internalErrorProblem(error, file)]);
  }
}

export function internalErrorProblem(error: unknown, file: string): ConfigProblem {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { file, message: `corral failed to read this (internal error: ${why}); please report it as a bug` };
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const shown = problems.slice(0, LIMITS.problemsShown).map(formatProblem);
  const more = problems.length - shown.length;
  if (more > 0) shown.push(`... and ${more} more problem${more === 1 ? '' : 's'}, not shown; fix these first`);
  return shown.join('\n');
}

// Characters of a long source line shown around the column.
const SOURCE_WINDOW = 120;
// A file name, key path or message longer than this is shortened in its middle.
const FIELD_MAX = 1000;

export function formatProblem(problem: ConfigProblem): string {
  const file = shown(problem.file);
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.col ?? 1}`;
  const head = `${where}: ${problem.path ? `${shown(problem.path)}: ` : ''}${shown(problem.message)}`;
  if (problem.source === undefined || problem.col === undefined) return head;
  const { text, col } = sourceWindow(problem.source, problem.col);
  const gutter = `${problem.line} | `;
  const caret = `${' '.repeat(gutter.length + col - 1)}^`;
  return `${head}\n  ${gutter}${text}\n  ${caret}`;
}

function shown(text: string): string {
  const escaped = escapeControls(text);
  if (escaped.length <= FIELD_MAX) return escaped;
  const left = escaped.length - 800;
  return `${escaped.slice(0, 600)}... (${left} characters left out) ...${escaped.slice(-200)}`;
}

// The escaped source line, or the part of it around `col` when it is long, and where the
// caret goes in what is shown. Tabs stay tabs: they are what a tab problem points at.
function sourceWindow(source: string, col: number): { text: string; col: number } {
  const before = escapeControls(source.slice(0, col - 1));
  const rest = escapeControls(source.slice(col - 1));
  if (before.length + rest.length <= SOURCE_WINDOW) return { text: before + rest, col: before.length + 1 };
  const start = Math.max(0, before.length - SOURCE_WINDOW / 2);
  const head = start > 0 ? '...' : '';
  const tail = rest.length > SOURCE_WINDOW / 2 ? '...' : '';
  const text = `${head}${before.slice(start)}${rest.slice(0, SOURCE_WINDOW / 2)}${tail}`;
  return { text, col: head.length + before.length - start + 1 };
}
