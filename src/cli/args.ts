// The command line, parsed strictly: a misspelt option is an error that says so.
import { parseArgs } from 'node:util';
import { closest } from '../config/suggest.js';
import { DEFAULT_SERVICES_DIR } from './usage.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  /** command: what follows `--`, run as the main service. */
  | { kind: 'run'; servicesDir: string; command?: [string, ...string[]] }
  /** Validate the directory without starting anything. */
  | { kind: 'check'; servicesDir: string }
  /** Print the effective configuration, every default filled in. */
  | { kind: 'print'; servicesDir: string }
  /** Print the JSON Schema of a service file. */
  | { kind: 'schema' };

// check and print take an optional DIR; schema takes nothing.
const SUBCOMMANDS = ['check', 'print', 'schema'] as const;

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
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UsageError(explain((error as Error).message), { cause: error });
  }
  const { values, tokens } = parsed;
  const terminator = tokens.find((token) => token.kind === 'option-terminator')?.index;
  const positionals = tokens.flatMap((token) => (token.kind === 'positional' && (terminator === undefined || token.index < terminator) ? [token.value] : []));
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [first, ...rest] = positionals;
  if (first !== undefined && (SUBCOMMANDS as readonly string[]).includes(first)) {
    return subcommand(first as (typeof SUBCOMMANDS)[number], rest, terminator !== undefined, values.services, env);
  }
  const stray = tokens.find((token) => token.kind === 'positional' && (terminator === undefined || token.index < terminator));
  if (stray?.kind === 'positional' && terminator !== undefined) {
    throw new UsageError(`unexpected argument "${stray.value}" before --; only options go there, the command goes after -- (see corral --help)`);
  }
  if (stray?.kind === 'positional') {
    const command = closest(stray.value, SUBCOMMANDS);
    const hint = command ? `did you mean "corral ${command}"? To` : 'to';
    throw new UsageError(`unexpected argument "${stray.value}"; ${hint} run a command as the main service, put it after --: corral -- ${stray.value} ... (see corral --help)`);
  }
  const command = terminator === undefined ? undefined : argv.slice(terminator + 1);
  if (command !== undefined && (command[0] ?? '') === '') throw new UsageError('-- needs a command after it, e.g. corral -- my-app --port 8080');
  const servicesDir = servicesDirOf(values.services, env);
  return command === undefined ? { kind: 'run', servicesDir } : { kind: 'run', servicesDir, command: command as [string, ...string[]] };
}

function subcommand(
  name: (typeof SUBCOMMANDS)[number],
  rest: string[],
  hasTerminator: boolean,
  servicesOption: string | undefined,
  env: NodeJS.ProcessEnv,
): CliCommand {
  if (hasTerminator) throw new UsageError(`corral ${name} takes no command after --; to run one, leave out "${name}" (see corral --help)`);
  if (name === 'schema') {
    if (rest.length > 0 || servicesOption !== undefined) throw new UsageError('corral schema takes no arguments; it prints the JSON Schema of a service file');
    return { kind: 'schema' };
  }
  if (rest.length > 1) throw new UsageError(`corral ${name} takes one directory, got ${rest.length}: ${rest.join(' ')}`);
  if (rest.length === 1 && servicesOption !== undefined) throw new UsageError(`give the directory once: corral ${name} DIR, or corral ${name} --services DIR`);
  return { kind: name, servicesDir: servicesDirOf(rest[0] ?? servicesOption, env) };
}

function servicesDirOf(given: string | undefined, env: NodeJS.ProcessEnv): string {
  if (given === '') throw new UsageError('--services needs a directory (see corral --help)');
  // An empty CORRAL_SERVICES_DIR counts as unset.
  return given ?? (env.CORRAL_SERVICES_DIR || DEFAULT_SERVICES_DIR);
}

// Node's messages, plus the likely intended option.
function explain(message: string): string {
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
  const hint = unknown?.[2] ? closest(unknown[2], Object.keys(OPTIONS)) : undefined;
  const suggestion = hint ? `; did you mean --${hint}?` : '';
  // Node goes on about positionals after '--'; its first sentence is the point.
  const first = (message.split('\n')[0] ?? message).split('. ')[0]?.replace(/\.$/, '');
  return `${first}${suggestion} (see corral --help)`;
}
