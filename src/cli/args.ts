// The command line, parsed strictly: a misspelt option is an error that says so.
import { parseArgs } from 'node:util';
import { closest } from '../config/suggest.js';
import { DEFAULT_SERVICES_DIR } from './usage.js';

export type CliCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; servicesDir: string };

export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'USAGE';
}

const OPTIONS = {
  services: { type: 'string', short: 's' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(explain((error as Error).message), { cause: error });
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.services === '') throw new UsageError('--services needs a directory (see corral --help)');
  // An empty CORRAL_SERVICES_DIR counts as unset.
  return { kind: 'run', servicesDir: values.services ?? (env.CORRAL_SERVICES_DIR || DEFAULT_SERVICES_DIR) };
}

// Node's messages, plus the likely intended option.
function explain(message: string): string {
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
  const hint = unknown?.[2] ? closest(unknown[2], Object.keys(OPTIONS)) : undefined;
  const suggestion = hint ? `; did you mean --${hint}?` : '';
  return `${message.split('\n')[0]?.replace(/\.$/, '')}${suggestion} (see corral --help)`;
}
