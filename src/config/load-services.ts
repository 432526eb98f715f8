// Reads services.d: one service per *.yaml / *.yml file, named after the file's stem.
// Every file is parsed and validated before anything starts, and every problem in every
// file is collected into one ConfigError.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { lookupGroup, lookupUser, parseGroup, parsePasswd, readGroupFile, readPasswdFile } from './accounts.js';
import { keysAt, resolveRestart, serviceSchema, type Identity, type ServiceConfig } from './schema.js';
import { checkDependencies } from './dependency-graph.js';
import { closest } from './suggest.js';

const SERVICE_FILE = /\.ya?ml$/;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface LoadedFile {
  service: ServiceConfig;
  /** Where a key path of this file is written, for problems found across files. */
  locate: (path: (string | number)[], message: string) => ConfigProblem;
}

// The enabled services defined in `dir`, in file-name order; throws ConfigError listing
// every problem of every file, and of the dependencies between them.
export function loadServices(dir: string): ServiceConfig[] {
  const files = listServiceFiles(dir);
  const problems: ConfigProblem[] = [];
  const loaded = new Map<string, LoadedFile>();
  const fileByName = new Map<string, string>();
  for (const file of files) {
    const name = basename(file, extname(file));
    const other = fileByName.get(name);
    if (other !== undefined) {
      problems.push({ file, message: `service "${name}" is already defined by ${other}; remove or rename one of them` });
      continue;
    }
    fileByName.set(name, file);
    if (!SERVICE_NAME.test(name)) {
      problems.push({
        file,
        message: `"${name}" is not a valid service name (the file's name without .yaml); use letters, digits, '.', '_' and '-', starting with a letter or digit`,
      });
    }
    const result = loadServiceFile(file, name);
    if ('problems' in result) problems.push(...result.problems);
    else loaded.set(name, result);
  }
  if (problems.length === 0) {
    const services = [...loaded.values()].map((entry) => entry.service);
    problems.push(...checkDependencies(services, (node, path, message) => loaded.get(node.name)!.locate(path, message)));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return [...loaded.values()].map((entry) => entry.service).filter((service) => service.enabled);
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

function loadServiceFile(file: string, name: string): LoadedFile | { problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EISDIR'
        ? 'is a directory, not a service file; rename it so its name does not end in .yaml or .yml'
        : `cannot be read (${code}); check its permissions`;
    return { problems: [{ file, message }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const source = text.split('\n');
  const at = (offset: number, path: string | undefined, message: string): ConfigProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col, path, message, source: source[line - 1] };
  };

  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => at(e.pos[0], undefined, yamlMessage(e.code, e.message))) };
  }
  if (doc.contents === null) {
    return { problems: [{ file, message: 'the file is empty; a service needs at least a command, e.g. command: ["my-server", "--port", "8080"]' }] };
  }
  if (!isMap(doc.contents)) {
    return { problems: [at(doc.contents.range?.[0] ?? 0, undefined, 'expected keys such as "command:", got a single value or a list')] };
  }

  const input: unknown = doc.toJS();
  const parsed = serviceSchema.safeParse(input);
  if (!parsed.success) {
    return { problems: parsed.error.issues.flatMap((issue) => describeIssue(issue, doc, input, at)) };
  }
  const locate = (path: (string | number)[], message: string): ConfigProblem => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return at(node?.range?.[0] ?? keyOffset(doc, path.slice(0, -1).map(String), String(path[path.length - 1])), path.join('.'), message);
  };
  const { command, restart, ...settings } = parsed.data;
  const identity = resolveIdentity(parsed.data, (path, message) => locate([path], message));
  if ('problems' in identity) return identity;
  return { service: { ...settings, name, file, argv: command, restart: resolveRestart(parsed.data), identity: identity.identity }, locate };
}

// user and group, looked up in /etc/passwd and /etc/group now, so a typo is a
// configuration error rather than a service that fails at every start.
function resolveIdentity(
  config: { user?: string | number; group?: string | number },
  at: (path: string, message: string) => ConfigProblem,
): { identity: Identity | undefined } | { problems: ConfigProblem[] } {
  if (config.user === undefined) return { identity: undefined };
  const passwd = readPasswdFile();
  const user = lookupUser(config.user, passwd);
  if (user === undefined) {
    const names = parsePasswd(passwd).flatMap((entry) => (entry.name ? [entry.name] : []));
    const suggestion = closest(String(config.user), names);
    const hint = suggestion ? `did you mean "${suggestion}"?` : 'create it in the image (useradd), or give a numeric uid';
    return { problems: [at('user', `no user "${config.user}" in /etc/passwd; ${hint}`)] };
  }
  let gid = user.gid;
  if (config.group !== undefined) {
    const groups = readGroupFile();
    const group = lookupGroup(config.group, groups);
    if (group === undefined) {
      const suggestion = closest(String(config.group), parseGroup(groups).flatMap((entry) => (entry.name ? [entry.name] : [])));
      const hint = suggestion ? `did you mean "${suggestion}"?` : 'create it in the image (groupadd), or give a numeric gid';
      return { problems: [at('group', `no group "${config.group}" in /etc/group; ${hint}`)] };
    }
    gid = group.gid;
  }
  return { identity: { userName: user.name, uid: user.uid, gid, home: user.home, shell: user.shell } };
}

type Locate = (offset: number, path: string | undefined, message: string) => ConfigProblem;

function describeIssue(issue: z.core.$ZodIssue, doc: Document, input: unknown, at: Locate): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closest(key, keysAt[path.join('.')] ?? []);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : '; remove it';
      return at(keyOffset(doc, path, key), [...path, key].join('.'), `unknown key "${key}"${hint}`);
    });
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a mapping of names (environment): at the key, with the key's own rule.
    const key = path[path.length - 1] ?? '';
    return [at(keyOffset(doc, path.slice(0, -1), key), path.join('.'), `${issue.issues[0]?.message ?? issue.message}, got "${key}"`)];
  }
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0] ?? keyOffset(doc, path.slice(0, -1), path[path.length - 1] ?? '');
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], input);
  const where = path.join('.') || undefined;
  if (value === undefined) {
    const key = path[path.length - 1] ?? '';
    const example = key === 'command' ? ', e.g. command: ["my-server", "--port", "8080"]' : '';
    const message = `the required key "${key}" is missing; add it${example}`;
    return [{ ...at(0, where, message), line: undefined, col: undefined, source: undefined }];
  }
  if (issue.code === 'custom' && (issue.params as { plain?: boolean } | undefined)?.plain) {
    return [at(offset, where, issue.message)];
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return [at(offset, where, typeof value === 'number' ? `${issue.message}, got ${value}` : issue.message)];
  }
  const suggestion = issue.code === 'invalid_value' && typeof value === 'string' ? closest(value, issue.values.map(String)) : undefined;
  const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
  return [at(offset, where, `${expectation(issue)}, got ${describeValue(value)}${hint}`)];
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.message.startsWith('expected')) return issue.message;
      return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

// Where key `key` of the map at `path` starts, falling back to the map itself.
function keyOffset(doc: Document, path: string[], key: string): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair.key.range?.[0] ?? 0;
    }
    return map.range?.[0] ?? 0;
  }
  return 0;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return `${first}; each key may appear once`;
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (---); put each service in its own file';
  return `YAML syntax error: ${first}`;
}
