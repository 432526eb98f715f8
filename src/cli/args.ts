// The command line, parsed strictly: a misspelt option is an error that says so.
import { parseArgs } from 'node:util';
import { closest } from '../config/suggest.js';
import type { ControlRequest } from '../control/protocol.js';
import { logsRequest, refuseLogsOptions } from './logs-args.js';
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
  | { kind: 'schema' }
  /** A request to the running corral on its control socket. */
  | { kind: 'control'; request: ControlRequest; json: boolean };

// check and print take an optional DIR; schema takes nothing.
const SUBCOMMANDS = ['check', 'print', 'schema'] as const;
// The client commands, which talk to a running corral.
export const CONTROL_COMMANDS = ['status', 'start', 'stop', 'restart', 'signal', 'reload', 'ready', 'health', 'logs'] as const;
type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'USAGE';
}

const OPTIONS = {
  services: { type: 'string', short: 's' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  json: { type: 'boolean' },
  // corral logs (logs-args.ts)
  lines: { type: 'string', short: 'n' },
  follow: { type: 'boolean', short: 'f' },
  stdout: { type: 'boolean' },
  stderr: { type: 'boolean' },
} as const;

// Whether argv asks for a client command; decided before anything else runs, since the
// supervisor's signal handlers must not be installed in a client.
export function isClientCommand(argv: readonly string[]): boolean {
  // Lenient, so an unknown option still reaches parseCommandLine for its message; the
  // tokens tell an option's value (-s status) from a command.
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((token) => token.kind === 'positional' || token.kind === 'option-terminator');
  return first?.kind === 'positional' && (CONTROL_COMMANDS as readonly string[]).includes(first.value);
}

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
  if (first !== undefined && (CONTROL_COMMANDS as readonly string[]).includes(first)) {
    if (terminator !== undefined) throw new UsageError(`corral ${first} takes no command after -- (see corral --help)`);
    if (values.services !== undefined) throw new UsageError(`corral ${first} talks to the running corral and takes no --services (see corral --help)`);
    if (first === 'logs') return { kind: 'control', request: logsRequest(rest, values), json: false };
    refuseLogsOptions(values, `corral ${first}`);
    return { kind: 'control', request: controlRequest(first as ControlCommand, rest), json: values.json === true };
  }
  refuseLogsOptions(values, first === undefined ? 'running corral' : `corral ${first}`);
  if (values.json) throw new UsageError('--json goes with the commands that talk to a running corral, e.g. corral status --json');
  if (first !== undefined && (SUBCOMMANDS as readonly string[]).includes(first)) {
    return subcommand(first as (typeof SUBCOMMANDS)[number], rest, terminator !== undefined, values.services, env);
  }
  const stray = tokens.find((token) => token.kind === 'positional' && (terminator === undefined || token.index < terminator));
  if (stray?.kind === 'positional' && terminator !== undefined) {
    throw new UsageError(`unexpected argument "${stray.value}" before --; only options go there, the command goes after -- (see corral --help)`);
  }
  if (stray?.kind === 'positional') {
    const command = closest(stray.value, [...SUBCOMMANDS, ...CONTROL_COMMANDS]);
    const hint = command ? `did you mean "corral ${command}"? To` : 'to';
    throw new UsageError(
      `unexpected argument "${stray.value}"; ${hint} run a command as the main service, put it after --: corral -- ${stray.value} ... (see corral --help)`,
    );
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

function controlRequest(command: ControlCommand, args: string[]): ControlRequest {
  switch (command) {
    case 'status':
      return { command, services: args };
    case 'start':
    case 'stop':
    case 'restart':
      if (args.length === 0) throw new UsageError(`corral ${command} needs at least one service name, e.g. corral ${command} web (corral status lists them)`);
      return { command, services: args };
    case 'signal': {
      const [service, signal] = args;
      if (args.length !== 2 || service === undefined || signal === undefined)
        throw new UsageError(`corral signal takes a service and a signal, e.g. corral signal web HUP; got ${args.length} argument(s)`);
      return { command, service, signal };
    }
    case 'logs':
      return logsRequest(args, {});
    case 'reload':
    case 'ready':
    case 'health':
      if (args.length > 0) throw new UsageError(`corral ${command} takes no arguments, got: ${args.join(' ')}`);
      return { command };
  }
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
