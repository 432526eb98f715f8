// Turns one zod issue about a parsed YAML document into a ConfigProblem a person can act
// on: where in the file (the YAML node's position), which key path, what was expected,
// what was found, and the closest key or value for a misspelt one.
import { isCollection, isMap, isPair, isScalar, type Document, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';
import { keysOf } from './schema.js';
import { closest } from './suggest.js';

/** A problem at a byte offset of the file. */
export type Locate = (offset: number, path: string | undefined, message: string) => ConfigProblem;

export function describeIssue(issue: z.core.$ZodIssue, doc: Document, input: unknown, at: Locate): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = suggestKey(key, keysOf(path), valueAt(input, path));
      const hint = suggestion ? `; did you mean "${suggestion}"?` : '; remove it';
      return at(keyOffset(doc, path, key), [...path, key].join('.'), `unknown key "${key}"${hint}`);
    });
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a mapping of names (environment): at the key, with the key's own rule.
    const key = path[path.length - 1] ?? '';
    return [at(keyOffset(doc, path.slice(0, -1), key), path.join('.'), `${issue.issues[0]?.message ?? issue.message}, got "${key}"`)];
  }
  const value = valueAt(input, path);
  if (issue.code === 'invalid_union') {
    // A mapping or list given where a union allows one, or a value of the right type that
    // its own check refused (a cron expression): report the errors of the branch of that
    // shape, not "expected a string or ...".
    const shaped = value !== null && typeof value === 'object';
    const branch = issue.errors.find((issues) => issues.some((inner) => (shaped && inner.path.length > 0) || inner.code === 'custom'));
    if (branch) {
      const inner = branch.map((each) => ({ ...each, path: [...issue.path, ...each.path] }));
      const misspelt = misspeltRequiredKeys(inner, input);
      return inner.filter((each) => !misspelt.has(each.path.join('.'))).flatMap((each) => describeIssue(each, doc, input, at));
    }
  }
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0] ?? keyOffset(doc, path.slice(0, -1), path[path.length - 1] ?? '');
  const where = path.join('.') || undefined;
  if (value === undefined) {
    const key = path[path.length - 1] ?? '';
    const example = key === 'command' ? ', e.g. command: ["my-server", "--port", "8080"]' : '';
    const message = `the required key "${key}" is missing; add it${example}`;
    // Under the key of the mapping it is missing from, e.g. max_restarts:.
    if (path.length > 1) return [at(keyOffset(doc, path.slice(0, -2), path[path.length - 2]!), where, message)];
    return [{ ...at(0, where, message), line: undefined, col: undefined, source: undefined }];
  }
  if (issue.code === 'custom' && (issue.params as { plain?: boolean } | undefined)?.plain) {
    // A problem of a whole mapping (a oneshot's health, a probe without a kind) is shown
    // at its key, not at the mapping's first entry.
    const keyAt = isCollection(node) && path.length > 0 ? keyOffset(doc, path.slice(0, -1), path[path.length - 1]!) : offset;
    return [at(keyAt, where, issue.message)];
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return [at(offset, where, typeof value === 'number' ? `${issue.message}, got ${value}` : issue.message)];
  }
  const suggestion = issue.code === 'invalid_value' && typeof value === 'string' ? closest(value, issue.values.map(String)) : undefined;
  const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
  return [at(offset, where, `${expectation(issue)}, got ${describeValue(value)}${hint}`)];
}

// The key an unknown one was probably meant to be: the closest, or the only one the
// mapping takes when it is not there ({path: ...} for a secret's {file: ...}, as env_file
// spells it).
function suggestKey(key: string, keys: readonly string[], mapping: unknown): string | undefined {
  const suggestion = closest(key, keys);
  if (suggestion !== undefined || keys.length !== 1) return suggestion;
  const given = mapping !== null && typeof mapping === 'object' && Object.hasOwn(mapping, keys[0]!);
  return given ? undefined : keys[0];
}

// "comand: x" is one mistake: the unknown key's did-you-mean names the missing one, so
// "command is missing" would only repeat it. The paths of such missing keys.
export function misspeltRequiredKeys(issues: readonly z.core.$ZodIssue[], input: unknown): Set<string> {
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const keys = keysOf(issue.path.map(String));
    for (const key of issue.keys) {
      const suggestion = suggestKey(key, keys, valueAt(input, issue.path));
      if (suggestion !== undefined) suggested.add([...issue.path, suggestion].join('.'));
    }
  }
  return new Set(
    issues.filter((issue) => suggested.has(issue.path.join('.')) && valueAt(input, issue.path) === undefined).map((issue) => issue.path.join('.')),
  );
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], input);
}

// zod's type names, as a YAML user would say them.
const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function expectation(issue: z.core.$ZodIssue): string {
  // The schema's own words, when it has them ("expected a duration like ...").
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

// Where key `key` of the map at `path` starts, falling back to the map itself.
export function keyOffset(doc: Document, path: readonly string[], key: string): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return 0;
  return keyOffsets(map).get(key) ?? map.range?.[0] ?? 0;
}

// Each map's keys and where they start, made once: a file with thousands of unknown keys
// asks for each of them.
const offsetsOf = new WeakMap<object, Map<string, number>>();

function keyOffsets(map: YAMLMap): Map<string, number> {
  let offsets = offsetsOf.get(map);
  if (offsets === undefined) {
    offsets = new Map();
    for (const pair of map.items) {
      const key = isPair(pair) && isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && !offsets.has(key)) offsets.set(key, (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0);
    }
    offsetsOf.set(map, offsets);
  }
  return offsets;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
