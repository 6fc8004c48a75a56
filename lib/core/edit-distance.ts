/**
 * Levenshtein distance, case-insensitive: the measure behind every "did you mean" the rules loader
 * and the plan warnings give (a mistyped key, a repository glob that matches nothing).
 */

/**
 * The number of single-character insertions, deletions and substitutions that turn `a` into `b`,
 * ignoring case.
 *
 * @example editDistance('taged', 'tagged') // 1
 */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
