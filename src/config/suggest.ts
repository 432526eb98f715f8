// "Did you mean ...?" for misspelt keys and names.

// Levenshtein distance, iterative with one row.
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

// The closest candidate, if it is close enough to be a plausible typo, or else the one
// candidate that the word is a clear start of ("retry" for "retries").
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return nearest(word, candidates) ?? extending(word, candidates);
}

function extending(word: string, candidates: readonly string[]): string | undefined {
  const stem = word.toLowerCase().replace(/[ys]$/, '');
  if (stem.length < 4) return undefined;
  const matches = candidates.filter((candidate) => candidate.toLowerCase().startsWith(stem));
  return matches.length === 1 ? matches[0] : undefined;
}

function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the difference in length: no need to compute it when that
    // is already too far (and a key of 60,000 characters costs nothing).
    if (Math.abs(word.length - candidate.length) >= bestDistance) continue;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
