// Applies ${VAR} expansion to the values of a service file that name things to run or
// reach, or when, or whether, or how many: enabled, replicas, command, working_dir, environment values, env_file paths, schedule,
// and the ready and health targets. Other keys (description, log patterns, durations)
// are taken as written.
import { expandVariables, ExpansionError } from './expand-variables.js';

type Path = (string | number)[];
type Env = Readonly<Record<string, string | undefined>>;

export interface ExpansionProblem {
  path: Path;
  message: string;
}

const TOP_LEVEL = ['enabled', 'replicas', 'command', 'working_dir', 'environment', 'env_file', 'schedule'];
const PROBE_KEYS = ['exec', 'tcp', 'http'];

// A copy of `input` (the file's YAML as plain data) with variables expanded, and where
// that failed. Values of unexpected types are left for the schema to report.
export function expandInConfig(input: Record<string, unknown>, env: Env): { value: Record<string, unknown>; problems: ExpansionProblem[] } {
  const problems: ExpansionProblem[] = [];
  const value = mapExpandable(input, (text, path) => {
    try {
      return expandVariables(text, env);
    } catch (error) {
      if (!(error instanceof ExpansionError)) throw error;
      problems.push({ path, message: error.message });
      return text;
    }
  });
  return { value, problems };
}

// A copy of a service file's data with `change` applied to every string in the keys that
// are expanded; corral print uses it to write a literal ${ back as $${.
export function mapExpandable(input: Record<string, unknown>, change: (text: string, path: Path) => string): Record<string, unknown> {
  const map = (value: unknown, path: Path): unknown => {
    if (typeof value === 'string') return change(value, path);
    if (Array.isArray(value)) return value.map((item, index) => map(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, map(item, [...path, key])]));
    }
    return value;
  };
  const value = { ...input };
  for (const key of TOP_LEVEL) if (key in value) value[key] = map(value[key], [key]);
  for (const probe of ['ready', 'health']) {
    const section = value[probe];
    if (section === null || typeof section !== 'object' || Array.isArray(section)) continue;
    const copy: Record<string, unknown> = { ...section };
    for (const key of PROBE_KEYS) if (key in copy) copy[key] = map(copy[key], [probe, key]);
    value[probe] = copy;
  }
  return value;
}
