// One service file, from bytes to a validated service: read within its limits (a regular
// file, LIMITS.serviceFileBytes, UTF-8), parsed within the YAML limits, validated by the
// schema, its user, group and env files resolved, and what it would exec checked. Every
// problem found is kept, with its file, line, column and key, as far as the file could
// be read.
import { basename, dirname, extname } from 'node:path';
import { isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { resolveIdentity, type AccountFiles } from './identity.js';
import type { Credentials } from '../process/credentials.js';
import { describeReadFailure, readBoundedFile, type ReadBudget, type ReadFailure } from './bounded-read.js';
import type { ConfigProblem } from './config-error.js';
import type { GraphNode } from './dependency-graph.js';
import { describeIssue, keyOffset, misspeltRequiredKeys, valueAt } from './describe-issue.js';
import { notUtf8, readEnvFiles, type EnvFileCache } from './env-files.js';
import { checkExecBounds } from './exec-bounds.js';
import { checkSecretCount } from './secret-bounds.js';
import { expandInConfig } from './expand-in-config.js';
import { LIMITS } from './limits.js';
import { SERVICE_NAME, SERVICE_NAME_RULE, serviceSchema } from './schema.js';
import { serviceConfigOf, type ServiceConfig } from './service-config.js';
import { checkScheduled } from './schedule-checks.js';
import { instanceName, instanceNames, instanceOf, readReplicas, REPLICA_VARIABLES, replicaVariables, refersToReplica } from './replicas.js';
import { decodeUtf8 } from './text-input.js';
import { RESERVED_NAME, RESERVED_NAME_MESSAGE } from './value-schemas.js';
import { lineStartsOf, parseBoundedYaml, type TokenBudget } from './yaml-bounds.js';
import { describeYamlErrors } from './yaml-errors.js';

export type Path = (string | number)[];
export type LocatePath = (path: Path, message: string) => ConfigProblem;

/** What the files of one load share: the environment, what is left to read and parse, what was read. */
export interface LoadContext {
  /** corral's environment: ${VAR} values, and what services inherit. */
  env: Record<string, string>;
  budget: ReadBudget;
  tokens: TokenBudget;
  envFiles: EnvFileCache;
  accounts: AccountFiles;
  /** Who corral runs as: `user:` naming it is no switch, and a switch it cannot make is refused. */
  self: Credentials;
}

export interface LoadedFile {
  /** The service as its file says it; with replicas, the group its instances are made of. */
  service: ServiceConfig;
  /** With a replicas key, whatever the count: the instances, NAME-0 ... (none for 0). */
  instances?: ServiceConfig[];
  /** Where a key path of this file is written, for problems found across files. */
  locate: LocatePath;
}

/**
 * A file that did not validate. What could be read of its name, depends_on, enabled and
 * main still takes part in the checks across files, so those problems are reported in
 * the same run and its dependents are not told it is missing.
 */
export interface FailedFile {
  name: string;
  problems: ConfigProblem[];
  node: GraphNode;
  locate?: LocatePath;
}

export function stemOf(file: string): string {
  return basename(file, extname(file));
}

export function failedFile(file: string, problems: ConfigProblem[]): FailedFile {
  const name = stemOf(file);
  return { name, problems, node: { name, file, depends_on: [], enabled: true, main: false } };
}

export function loadServiceFile(file: string, ctx: LoadContext): LoadedFile | FailedFile {
  const read = readBoundedFile(file, LIMITS.serviceFileBytes, ctx.budget);
  if ('failure' in read) return failedFile(file, [{ file, message: unreadable(read.failure) }]);
  const decoded = decodeUtf8(read.bytes);
  if ('invalid' in decoded) {
    const { line, col, byte, source } = decoded.invalid;
    return failedFile(file, [{ file, line, col, source, message: notUtf8(byte) }]);
  }
  const text = decoded.text;
  const lines = lineStartsOf(text);
  const source = text.split(/\r?\n/);
  const at = (offset: number, path: string | undefined, message: string): ConfigProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col, path, message, source: source[line - 1] };
  };
  const tokensBefore = ctx.tokens.remaining;
  const parsed = parseBoundedYaml(text, ctx.tokens);
  const { doc } = parsed;
  if (doc === undefined)
    return failedFile(
      file,
      parsed.problems.map((problem) => at(problem.offset, problem.path, problem.message)),
    );
  if (doc.errors.length > 0) {
    const shown = describeYamlErrors(doc.errors.slice(0, LIMITS.problemsShown), text).map((problem) => at(problem.offset, undefined, problem.message));
    return failedFile(file, capped(file, shown, Math.max(0, doc.errors.length - LIMITS.problemsShown)));
  }
  if (doc.contents === null) {
    return failedFile(file, [{ file, message: 'the file is empty; a service needs at least a command, e.g. command: ["my-server", "--port", "8080"]' }]);
  }
  if (!isMap(doc.contents)) {
    return failedFile(file, [at(doc.contents.range?.[0] ?? 0, undefined, 'expected keys such as "command:", got a single value or a list')]);
  }
  const problems = parsed.problems.map((problem) => at(problem.offset, problem.path, problem.message));
  return validate(file, doc, at, problems, ctx, tokensBefore - ctx.tokens.remaining);
}

function unreadable(failure: ReadFailure): string {
  if (failure.kind === 'missing') {
    // The directory listed it, so it is a symbolic link to nothing, or it went away since.
    return failure.dangling ? 'is a symbolic link to a file that does not exist; fix the link or remove it' : 'was removed while corral read the directory';
  }
  if (failure.kind === 'not-regular' && failure.what === 'a directory') {
    return 'is a directory, not a service file; rename it so its name does not end in .yaml or .yml';
  }
  return describeReadFailure(failure, 'a service file');
}

type At = (offset: number, path: string | undefined, message: string) => ConfigProblem;

// The schema, the account files, env files and exec bounds, for a file that is a mapping;
// with replicas, for each instance whose variables make a difference. `tokens`: what the
// file's YAML took of the load's budget.
function validate(file: string, doc: Document.Parsed, at: At, problems: ConfigProblem[], ctx: LoadContext, tokens: number): LoadedFile | FailedFile {
  const stem = stemOf(file);
  const locate: LocatePath = (path, message) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return at(node?.range?.[0] ?? keyOffset(doc, path.slice(0, -1).map(String), String(path[path.length - 1])), path.join('.') || undefined, message);
  };
  // Aliases were counted and checked (parseBoundedYaml), so yaml's own check is not needed.
  const raw = doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : stem;
  const replicas = readReplicas(raw, ctx.env);
  // In the order of the file, as a person fixes them; whole-file problems first.
  const byPosition = (a: ConfigProblem, b: ConfigProblem) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
  // Problems past the ones shown are only counted.
  let hidden = 0;
  const failed = (): FailedFile => ({
    name,
    problems: capped(file, problems.sort(byPosition), hidden),
    node: graphNodeOf(raw, name, file, replicas),
    locate: graphLocator(file, raw, locate),
  });
  if (raw.name === undefined && !SERVICE_NAME.test(stem)) {
    problems.push({ file, message: `"${stem}" is not a valid service name; rename the file, or set name: with ${SERVICE_NAME_RULE}` });
  }
  if (replicas.written) problems.push(...replicaProblems(raw, name, replicas.count, locate));

  // The service with the variables of one instance (or none), its problems noted as that
  // instance's when instances differ.
  const settle = (env: Record<string, string>, note: string): ServiceConfig | undefined => {
    const found: ConfigProblem[] = [];
    const expanded = expandInConfig(raw, env);
    found.push(...expanded.problems.map((problem) => locate(problem.path, problem.message)));
    const { environment } = expanded.value;
    if (environment !== null && typeof environment === 'object' && Object.hasOwn(environment, RESERVED_NAME)) {
      found.push(locate(['environment', RESERVED_NAME], RESERVED_NAME_MESSAGE));
    }
    const parsed = serviceSchema.safeParse(expanded.value);
    if (!parsed.success) {
      // A value whose ${VAR} failed was kept as written; what the schema says of it would
      // only repeat that problem.
      const unexpanded = expanded.problems.map((problem) => problem.path.join('.'));
      const within = (issuePath: string, path: string) => issuePath === path || issuePath.startsWith(`${path}.`);
      const shown = shownIssues(parsed.error.issues);
      hidden = shown.hidden;
      const misspelt = misspeltRequiredKeys(shown.issues, expanded.value);
      const issues = shown.issues.filter((issue) => !unexpanded.some((path) => within(issue.path.join('.'), path)) && !misspelt.has(issue.path.join('.')));
      found.push(...issues.flatMap((issue) => describeIssue(issue, doc, expanded.value, at)));
    }
    const done = (service?: ServiceConfig): ServiceConfig | undefined => {
      problems.push(...found.map((problem) => ({ ...problem, message: `${note}${problem.message}` })));
      return problems.length > 0 ? undefined : service;
    };
    if (found.length > 0 || problems.length > 0 || !parsed.success) return done();
    const data = checkScheduled(parsed.data, Object.keys(raw), env, (key, message) => found.push(at(keyOffset(doc, [], key), key, message)));
    if (found.length > 0) return done();

    const identity = resolveIdentity(data, ctx.accounts, ctx.self, (path, message) => locate([path], message));
    const envFilePath = (index: number): Path => (Array.isArray(raw.env_file) ? ['env_file', index] : ['env_file']);
    const io = { budget: ctx.budget, cache: ctx.envFiles };
    const fromFiles = readEnvFiles(data.env_file ?? [], dirname(file), io, (index, message) => locate(envFilePath(index), message));
    found.push(...('problems' in identity ? identity.problems : []), ...('problems' in fromFiles ? fromFiles.problems : []));
    if ('problems' in identity || 'problems' in fromFiles) return done();
    const service = serviceConfigOf(data, { name, file }, { identity: identity.identity, env_from_files: fromFiles.values });
    // A string command is one item, at its key; a list is one item per argument.
    const argPath = (key: Path, index: number): Path => (typeof valueAt(expanded.value, key) === 'string' ? key : [...key, index]);
    // An instance runs with its two variables, which the exec check counts.
    const checked = replicas.written ? { ...service, environment: { ...service.environment, ...replicaVariablesIn(env) } } : service;
    found.push(...checkExecBounds(checked, ctx.env, argPath, locate), ...checkSecretCount(service, locate));
    return done(service);
  };

  if (!replicas.written) {
    const service = settle(ctx.env, '');
    return service ? { service, locate: graphLocator(file, raw, locate) } : failed();
  }
  // Each instance is checked on its own only when its variables change its values; else
  // one check, with the last instance's variables, the longest, holds for all of them.
  const count = replicas.count ?? 0;
  const last = Math.max(0, count - 1);
  const each = count > 1 && refersToReplica(raw);
  const envOf = (index: number): Record<string, string> => ({ ...ctx.env, ...replicaVariables(index, count) });
  const note = (index: number): string => (each ? `for ${instanceName(name, index)} (CORRAL_REPLICA=${index}): ` : '');
  if (each) {
    const more = checkedAgain(tokens, count, ctx.tokens);
    if (more !== undefined) problems.push(locate(['replicas'], more));
  }
  const group = settle(envOf(last), note(last));
  if (group === undefined) return failed();
  const instances: ServiceConfig[] = [];
  for (let index = 0; index < count; index += 1) {
    const service = each && index !== last ? settle(envOf(index), note(index)) : group;
    if (service === undefined) return failed();
    instances.push(instanceOf(service, index, count));
  }
  return { service: group, instances, locate: graphLocator(file, raw, locate) };
}

function replicaVariablesIn(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(REPLICA_VARIABLES.map((variable) => [variable, env[variable] ?? '']));
}

// A file checked once per instance costs its YAML tokens once per instance, out of the
// load's budget, so replicas cannot make a reload take longer than the files could.
// Why not, or undefined once taken from `budget`.
function checkedAgain(tokens: number, count: number, budget: TokenBudget): string | undefined {
  const more = tokens * (count - 1);
  if (more <= budget.remaining) {
    budget.remaining -= more;
    return undefined;
  }
  return `this file uses \${CORRAL_REPLICA} or \${CORRAL_REPLICAS}, so each of its ${count} instances is checked on its own, at the cost of its ${tokens} YAML tokens each: ${tokens * count} in all, past the ${LIMITS.loadYamlTokens} of one load; use fewer instances, or a shorter file (e.g. $CORRAL_REPLICA in a string command, read by the shell)`;
}

// The problems of a file with replicas that are not its count's own: instance names that
// would be too long, and variables it may not set.
function replicaProblems(raw: Record<string, unknown>, name: string, count: number | undefined, locate: LocatePath): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const longest = (text: string): string => instanceName(text, Math.max(0, (count ?? 1) - 1));
  if (longest(name).length > LIMITS.nameLength) {
    problems.push(
      locate(
        ['replicas'],
        `the instances are named ${instanceName(name, 0)} to ${longest(name)}, longer than ${LIMITS.nameLength} characters; shorten the service's name`,
      ),
    );
  }
  const prefix = (raw.log as { prefix?: unknown } | null | undefined)?.prefix;
  if (typeof prefix === 'string' && longest(prefix).length > LIMITS.nameLength) {
    problems.push(
      locate(
        ['log', 'prefix'],
        `the instances' prefixes are ${instanceName(prefix, 0)} to ${longest(prefix)}, longer than ${LIMITS.nameLength} characters; shorten it`,
      ),
    );
  }
  const environment = raw.environment;
  if (environment !== null && typeof environment === 'object') {
    for (const variable of REPLICA_VARIABLES) {
      if (Object.hasOwn(environment, variable)) {
        problems.push(locate(['environment', variable], `corral sets ${variable} for each instance of a service with replicas; remove it`));
      }
    }
  }
  return problems;
}

// Where main and the depends_on entries are written, which is all the checks across files
// ask, without keeping the document: it takes some 40 times the heap of its text.
function graphLocator(file: string, raw: Record<string, unknown>, locate: LocatePath): LocatePath {
  const paths: Path[] = [['main'], ['depends_on']];
  if (Array.isArray(raw.depends_on)) raw.depends_on.forEach((_, index) => paths.push(['depends_on', index]));
  const known = new Map(paths.map((path) => [path.join('.'), locate(path, '')]));
  return (path, message) => ({ ...(known.get(path.join('.')) ?? { file, path: path.join('.') }), message });
}

// At most LIMITS.problemsShown problems of one file are kept, and how many more there were.
function capped(file: string, problems: ConfigProblem[], hidden: number): ConfigProblem[] {
  const more = Math.max(0, problems.length - LIMITS.problemsShown) + hidden;
  if (more === 0) return problems;
  return [...problems.slice(0, LIMITS.problemsShown), { file, message: `... and ${more} more problem${more === 1 ? '' : 's'} in this file, not shown` }];
}

// The schema's issues that can be shown, each unknown key counted as one: describing them
// costs (a did-you-mean for each of 5,000 unknown keys takes seconds), so the rest are
// only counted.
function shownIssues(all: readonly z.core.$ZodIssue[]): { issues: z.core.$ZodIssue[]; hidden: number } {
  const issues: z.core.$ZodIssue[] = [];
  let room = LIMITS.problemsShown;
  let hidden = 0;
  for (const issue of all) {
    const size = issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
    if (room <= 0) hidden += size;
    else if (issue.code === 'unrecognized_keys' && size > room) {
      issues.push({ ...issue, keys: issue.keys.slice(0, room) });
      hidden += size - room;
    } else issues.push(issue);
    room -= size;
  }
  return { issues, hidden };
}

// What a file that failed validation says about its place among the services, as far as
// those keys have the right shape.
function graphNodeOf(raw: Record<string, unknown>, name: string, file: string, replicas: { written: boolean; count?: number }): GraphNode {
  const dependsOn = raw.depends_on;
  const names = Array.isArray(dependsOn) && dependsOn.every((entry) => typeof entry === 'string') ? dependsOn : [];
  const node: GraphNode = { name, file, depends_on: names, enabled: raw.enabled !== false, main: raw.main === true, schedule: raw.schedule ?? undefined };
  if (!replicas.written) return node;
  return replicas.count === undefined ? { ...node, countUnknown: true } : { ...node, instances: instanceNames(name, replicas.count) };
}
