// Durations as users write them: "500ms", "10s", "1.5s", "2m", "1h".
const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// Also the schema's pattern, so the JSON Schema and corral accept the same text.
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)(ms|s|m|h)\s*$/;

// Milliseconds, or undefined when `text` is not a duration.
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS_MS[match[2]!]!);
}

// 1500 -> "1.5s", 250 -> "250ms", 90000 -> "1m30s", 100000000 -> "27h46m40s"
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${Number((ms / 1000).toFixed(1))}s`;
  const totalSeconds = Math.round(ms / 1000);
  const parts = [
    [Math.floor(totalSeconds / 3600), 'h'],
    [Math.floor(totalSeconds / 60) % 60, 'm'],
    [totalSeconds % 60, 's'],
  ] as const;
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first)
    .filter(([value], index) => index === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join('');
}

// The exact duration in the largest unit that divides it, so parseDuration reads it back
// unchanged: 90000 -> "90s", 120000 -> "2m", 1500 -> "1500ms".
export function formatDurationExact(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
