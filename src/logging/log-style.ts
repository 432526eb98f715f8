// How corral writes lines, chosen once at start from its environment:
//   CORRAL_LOG_FORMAT      text (default) or json
//   CORRAL_LOG_TIMESTAMPS  1/true/yes or 0/false/no (default): an RFC 3339 time on text lines
//   NO_COLOR               set and not empty: never colour (https://no-color.org)
// Colour is used only on a stream that is a terminal, so `docker logs` and log shippers
// never see escape codes unless the container was started with -t.
import { ConfigError } from '../config/config-error.js';
import { closest } from '../config/suggest.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogStyle {
  format: LogFormat;
  /** Text lines start with the time they were read. JSON lines always carry it. */
  timestamps: boolean;
  /** Per output stream: colour the labels (text format only). */
  colour: { stdout: boolean; stderr: boolean };
}

export const PLAIN_STYLE: LogStyle = { format: 'text', timestamps: false, colour: { stdout: false, stderr: false } };

interface Terminal {
  isTTY?: boolean;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['', '0', 'false', 'no', 'off'];

export function logStyleFrom(env: NodeJS.ProcessEnv, streams: { stdout: Terminal; stderr: Terminal }): LogStyle {
  const problems: string[] = [];
  const format = parseFormat(env.CORRAL_LOG_FORMAT, problems);
  const timestamps = parseSwitch('CORRAL_LOG_TIMESTAMPS', env.CORRAL_LOG_TIMESTAMPS, problems);
  if (problems.length > 0) throw new ConfigError(problems.map((message) => ({ file: 'environment', message })));
  const colourAllowed = format === 'text' && (env.NO_COLOR ?? '') === '';
  return {
    format,
    timestamps,
    colour: { stdout: colourAllowed && streams.stdout.isTTY === true, stderr: colourAllowed && streams.stderr.isTTY === true },
  };
}

function parseFormat(value: string | undefined, problems: string[]): LogFormat {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '') return 'text';
  if ((LOG_FORMATS as readonly string[]).includes(text)) return text as LogFormat;
  const guess = closest(text, LOG_FORMATS);
  problems.push(
    `CORRAL_LOG_FORMAT=${JSON.stringify(value)} is not a log format${guess ? ` (did you mean "${guess}"?)` : ''}; set it to text or json, or unset it`,
  );
  return 'text';
}

function parseSwitch(name: string, value: string | undefined, problems: string[]): boolean {
  const text = (value ?? '').trim().toLowerCase();
  if (TRUE_WORDS.includes(text)) return true;
  if (FALSE_WORDS.includes(text)) return false;
  problems.push(`${name}=${JSON.stringify(value)} is neither on nor off; set it to 1 or 0 (also true/false, yes/no)`);
  return false;
}
