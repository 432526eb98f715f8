// Everything wrong with a services directory, collected so all of it is reported at once
// and nothing starts. Each problem names the file, line, column and key path, says what
// was expected and what was found, and shows the line with a caret.

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
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  const head = `${where}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
  if (problem.source === undefined || problem.col === undefined) return head;
  const gutter = `${problem.line} | `;
  const caret = `${' '.repeat(gutter.length + problem.col - 1)}^`;
  return `${head}\n  ${gutter}${problem.source}\n  ${caret}`;
}
