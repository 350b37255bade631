/**
 * "Did you mean ...?" for misspelled field names: the known name nearest to an
 * unknown one by edit distance, when it is near enough to be a likely typo.
 */

/**
 * Damerau–Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and swaps of two adjacent characters each cost 1).
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows instead of the full matrix: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `unknown` (case-insensitively), or undefined when
 * none is within a third of its length (at least 1 edit, at most 3): beyond
 * that a suggestion is more noise than help. Ties go to the first known name.
 */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  const wanted = unknown.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(unknown.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    // The length difference is a lower bound of the distance: skips the work for long keys.
    if (Math.abs(name.length - wanted.length) > allowed) continue;
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
