// enabled: true/false, or a ${VAR} that expands to one: `enabled: ${RUN_WORKER:-true}` is
// how an image lets `docker run -e RUN_WORKER=false` switch a service off. The usual
// spellings are accepted; anything else is an error, never a guess.
import { z } from 'zod';

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];
export const SWITCH_EXPECTED = 'expected true or false (also yes/no, on/off, 1/0)';

// The boolean `text` spells, or undefined when it spells none.
export function parseSwitch(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE.includes(word) ? true : FALSE.includes(word) ? false : undefined;
}

export const switchValue = z.union([z.boolean(), z.string()], { error: SWITCH_EXPECTED }).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const parsed = parseSwitch(value);
  if (parsed !== undefined) return parsed;
  ctx.issues.push({ code: 'custom', input: value, message: SWITCH_EXPECTED });
  return z.NEVER;
});
