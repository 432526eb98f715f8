// Inputs of issue 15 that the config tests share.

// A "billion laughs": `levels` keys after l0, each a list repeating the one before nine
// times, so l9 would expand to 9^10 strings. One line per key, l0 first.
export function aliasBombLines(levels: number): string {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}
