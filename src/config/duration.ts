// Durations as users write them: "500ms", "10s", "1.5s", "2m", "1h"; for the log's words
// ("1.5s", "1m30s"), see src/shared/format-duration.ts.
const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// Also the schema's pattern, so the JSON Schema and corral accept the same text.
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)(ms|s|m|h)\s*$/;

// Milliseconds, or undefined when `text` is not a duration.
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS_MS[match[2]!]!);
}

// The exact duration in the largest unit that divides it, so parseDuration reads it back
// unchanged: 90000 -> "90s", 120000 -> "2m", 1500 -> "1500ms".
export function formatDurationExact(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
