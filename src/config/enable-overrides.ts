// CORRAL_ENABLE and CORRAL_DISABLE: comma-separated service names that override the files'
// `enabled`, so `docker run -e CORRAL_DISABLE=worker` switches a service off without a
// variable of the image's own. A name that is no service is an error with a did-you-mean;
// disabling a service others depend on is the dependency check's usual error, which then
// names the variable.
import type { ConfigProblem } from './config-error.js';
import { closest } from './suggest.js';

export const ENABLE_VARIABLES = ['CORRAL_ENABLE', 'CORRAL_DISABLE'] as const;
/** Longer lists are refused before they are split: a real one names a few services. */
const MAX_LIST_CHARS = 64 * 1024;

export interface Switchable {
  name: string;
  enabled: boolean;
  /** Why it is disabled, when not by its file (the dependency check says so). */
  disabledBy?: string;
}

// Applies the variables to `items` (in place), and says what is wrong with them.
export function applyEnableOverrides(items: Switchable[], env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = items.map((item) => item.name);
  const lists = ENABLE_VARIABLES.map((variable) => ({ variable, names: listOf(variable, env[variable], names, problems) }));
  const [enable, disable] = lists as [(typeof lists)[0], (typeof lists)[0]];
  for (const name of enable.names.filter((name) => disable.names.includes(name))) {
    problems.push({ file: 'environment', message: `${name} is in both CORRAL_ENABLE and CORRAL_DISABLE; name it in one of them` });
  }
  for (const item of items) {
    if (enable.names.includes(item.name)) {
      item.enabled = true;
      delete item.disabledBy;
    } else if (disable.names.includes(item.name)) {
      item.enabled = false;
      item.disabledBy = `CORRAL_DISABLE=${env.CORRAL_DISABLE}`;
    }
  }
  return problems;
}

function listOf(variable: string, value: string | undefined, known: readonly string[], problems: ConfigProblem[]): string[] {
  if (value === undefined || value.trim() === '') return [];
  if (value.length > MAX_LIST_CHARS) {
    problems.push({
      file: 'environment',
      message: `${variable} is ${value.length} characters long, more than ${MAX_LIST_CHARS}; name the services, comma-separated`,
    });
    return [];
  }
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    const hint = guess ? `did you mean "${guess}"?` : `the services are: ${known.join(', ') || 'none'}`;
    problems.push({ file: 'environment', message: `${variable}=${value}: no service is named "${name}"; ${hint}` });
  }
  return names.filter((name) => known.includes(name));
}
