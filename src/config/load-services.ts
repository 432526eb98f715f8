// Reads services.d: one service per *.yaml / *.yml file, named by its name: key or, by
// default, the file's stem. Every file is parsed and validated before anything starts,
// and every problem in every file is collected into one ConfigError.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { describeIssue, keyOffset, valueAt } from './describe-issue.js';
import { parseEnvFile } from './env-file.js';
import { describeYamlErrors } from './yaml-errors.js';
import { expandInConfig } from './expand-in-config.js';
import { keysAt, SERVICE_NAME, serviceConfigOf, serviceSchema, type ServiceConfig } from './schema.js';
import { checkDependencies, type GraphNode } from './dependency-graph.js';
import { closest } from './suggest.js';
import { ownCredentials, type Credentials } from '../process/credentials.js';
import { resolveIdentity } from './resolve-identity.js';

const SERVICE_FILE = /\.ya?ml$/;

export interface LoadOptions {
  /** Where ${VAR} values come from: corral's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Who corral runs as, for `user:`; its own process by default. */
  self?: Credentials;
}

type Path = (string | number)[];
type LocatePath = (path: Path, message: string) => ConfigProblem;

interface LoadedFile {
  service: ServiceConfig;
  /** Where a key path of this file is written, for problems found across files. */
  locate: LocatePath;
}

/**
 * A file that did not validate. What could be read of its name, depends_on, enabled and
 * main still takes part in the checks across files, so those problems are reported in
 * the same run and its dependents are not told it is missing.
 */
interface FailedFile {
  name: string;
  problems: ConfigProblem[];
  node: GraphNode;
  locate?: LocatePath;
}

// The enabled services defined in `dir`, in file-name order; throws ConfigError listing
// every problem of every file, and of the dependencies between them.
export function loadServices(dir: string, options: LoadOptions = {}): ServiceConfig[] {
  const env = options.env ?? process.env;
  const self = options.self ?? ownCredentials();
  const problems: ConfigProblem[] = [];
  const services: ServiceConfig[] = [];
  const fileByName = new Map<string, string>();
  const failedNodes: GraphNode[] = [];
  const locators = new Map<string, LocatePath>();
  for (const file of listServiceFiles(dir)) {
    const result = loadServiceFile(file, env, self);
    const name = 'service' in result ? result.service.name : result.name;
    const other = fileByName.get(name);
    if (other !== undefined) {
      problems.push({ file, message: `service "${name}" (${howNamed(name, file)}) is already defined by ${other} (${howNamed(name, other)}); rename one of them (name: key or file name)` });
      continue;
    }
    fileByName.set(name, file);
    if ('service' in result) {
      services.push(result.service);
      locators.set(name, result.locate);
    } else {
      problems.push(...result.problems);
      failedNodes.push(result.node);
      if (result.locate) locators.set(name, result.locate);
    }
  }
  // A node is only located when it has depends_on or main, which a failed file only has
  // when its YAML was read, and then it has a locator.
  problems.push(...checkDependencies([...services, ...failedNodes], (node, path, message) => locators.get(node.name)!(path, message)));
  if (problems.length > 0) throw new ConfigError(problems);
  return services.filter((service) => service.enabled);
}

function howNamed(name: string, file: string): string {
  return name === stemOf(file) ? 'named after its file' : `name: ${name}`;
}

function stemOf(file: string): string {
  return basename(file, extname(file));
}

function listServiceFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code})`;
    throw new ConfigError([
      { file: dir, message: `the services directory ${why}; create it, or choose another with --services DIR or CORRAL_SERVICES_DIR` },
    ]);
  }
  return names
    .filter((name) => SERVICE_FILE.test(name))
    .sort()
    .map((name) => join(dir, name));
}

function loadServiceFile(file: string, env: Readonly<Record<string, string | undefined>>, self: Credentials): LoadedFile | FailedFile {
  const stem = stemOf(file);
  const failed = (problems: ConfigProblem[]): FailedFile => ({ name: stem, problems, node: { name: stem, file, depends_on: [], enabled: true, main: false } });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The directory listed it, so ENOENT means a symbolic link to nothing.
    const message =
      code === 'EISDIR'
        ? 'is a directory, not a service file; rename it so its name does not end in .yaml or .yml'
        : code === 'ENOENT'
          ? 'is a symbolic link to a file that does not exist; fix the link or remove it'
          : `cannot be read (${code}); check its permissions`;
    return failed([{ file, message }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const source = text.split(/\r?\n/);
  const at = (offset: number, path: string | undefined, message: string): ConfigProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col, path, message, source: source[line - 1] };
  };

  if (doc.errors.length > 0) {
    return failed(describeYamlErrors(doc.errors, text).map((problem) => at(problem.offset, undefined, problem.message)));
  }
  if (doc.contents === null) {
    return failed([{ file, message: 'the file is empty; a service needs at least a command, e.g. command: ["my-server", "--port", "8080"]' }]);
  }
  if (!isMap(doc.contents)) {
    return failed([at(doc.contents.range?.[0] ?? 0, undefined, 'expected keys such as "command:", got a single value or a list')]);
  }

  const locate: LocatePath = (path, message) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return at(node?.range?.[0] ?? keyOffset(doc, path.slice(0, -1).map(String), String(path[path.length - 1])), path.join('.'), message);
  };
  const raw = doc.toJS() as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : stem;
  const problems: ConfigProblem[] = [];
  // In the order of the file, as a person fixes them; whole-file problems first.
  const byPosition = (a: ConfigProblem, b: ConfigProblem) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
  const failedAfterReading = (): FailedFile => ({ name, problems: problems.sort(byPosition), node: graphNodeOf(raw, name, file), locate });
  if (raw.name === undefined && !SERVICE_NAME.test(stem)) {
    problems.push({
      file,
      message: `"${stem}" is not a valid service name; rename the file, or set name: with letters, digits, '.', '_' and '-', starting with a letter or digit`,
    });
  }
  const expanded = expandInConfig(raw, env);
  problems.push(...expanded.problems.map((problem) => locate(problem.path, problem.message)));
  const parsed = serviceSchema.safeParse(expanded.value);
  if (!parsed.success) {
    // A value whose ${VAR} failed was kept as written; what the schema says of it would
    // only repeat that problem.
    const unexpanded = expanded.problems.map((problem) => problem.path.join('.'));
    const within = (issuePath: string, path: string) => issuePath === path || issuePath.startsWith(`${path}.`);
    const misspelt = misspeltRequiredKeys(parsed.error.issues, expanded.value);
    const issues = parsed.error.issues.filter(
      (issue) => !unexpanded.some((path) => within(issue.path.join('.'), path)) && !misspelt.has(issue.path.join('.')),
    );
    problems.push(...issues.flatMap((issue) => describeIssue(issue, doc, expanded.value, at)));
  }
  if (problems.length > 0 || !parsed.success) return failedAfterReading();

  const identity = resolveIdentity(parsed.data, self, (path, message) => locate([path], message));
  const envFilePath = (index: number): Path => (Array.isArray(raw.env_file) ? ['env_file', index] : ['env_file']);
  const fromFiles = readEnvFiles(parsed.data.env_file ?? [], dirname(file), (index, message) => locate(envFilePath(index), message));
  problems.push(...('problems' in identity ? identity.problems : []), ...('problems' in fromFiles ? fromFiles.problems : []));
  if ('problems' in identity || 'problems' in fromFiles) return failedAfterReading();
  return { service: serviceConfigOf(parsed.data, { name, file }, { identity: identity.identity, env_from_files: fromFiles.values }), locate };
}

// "comand: x" is one mistake: the unknown key's did-you-mean names the missing one, so
// "command is missing" would only repeat it. The paths of such missing keys.
function misspeltRequiredKeys(issues: readonly z.core.$ZodIssue[], input: unknown): Set<string> {
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const keys = keysAt[issue.path.join('.')] ?? [];
    for (const key of issue.keys) {
      const suggestion = closest(key, keys);
      if (suggestion !== undefined) suggested.add([...issue.path, suggestion].join('.'));
    }
  }
  return new Set(issues.filter((issue) => suggested.has(issue.path.join('.')) && valueAt(input, issue.path) === undefined).map((issue) => issue.path.join('.')));
}

// What a file that failed validation says about its place among the services, as far as
// those keys have the right shape.
function graphNodeOf(raw: Record<string, unknown>, name: string, file: string): GraphNode {
  const dependsOn = raw.depends_on;
  const names = Array.isArray(dependsOn) && dependsOn.every((entry) => typeof entry === 'string') ? dependsOn : [];
  return { name, file, depends_on: names, enabled: raw.enabled !== false, main: raw.main === true };
}

// env_file entries in order, later files overriding earlier ones.
function readEnvFiles(
  entries: readonly { path: string; required: boolean }[],
  base: string,
  locate: (index: number, message: string) => ConfigProblem,
): { values: Record<string, string> } | { problems: ConfigProblem[] } {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  entries.forEach((entry, index) => {
    const path = resolve(base, entry.path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !entry.required) return;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
      const hint = code === 'ENOENT' ? '; create it, or write {path: ..., required: false} if it may be absent' : '';
      problems.push(locate(index, `${path} ${why}${hint}`));
      return;
    }
    const result = parseEnvFile(text, path);
    if ('problems' in result) problems.push(...result.problems);
    else Object.assign(values, result.values);
  });
  return problems.length > 0 ? { problems } : { values };
}
