// Terminal colours for labels, as docker compose gives each service its own. A service
// keeps its colour across restarts and reloads because it comes from the name, not from
// the order services started in.

const RESET = '\x1b[0m';
// Readable on dark and light backgrounds; red is kept for errors.
const PALETTE = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export type Colour = number;

export const BOLD: Colour = 1;
export const RED: Colour = 31;
export const YELLOW: Colour = 33;

export function colourOf(name: string): Colour {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export function paint(text: string, colour: Colour): string {
  return `\x1b[${colour}m${text}${RESET}`;
}
