/**
 * Tag patterns as the rules loader needs them. The syntax itself (glob and `/regex/` forms, what
 * a valid pattern is) belongs to `tag-pattern.ts`, which the planner compiles with; re-exporting
 * its validator here keeps one definition, so a pattern the loader accepts always compiles the
 * same way in the planner.
 */
export { checkTagPattern, isRegexPattern } from './tag-pattern.js';

/** Number of `*` wildcards in a glob (ECR allows at most 4 per tagPatternList entry). */
export function countStars(glob: string): number {
  let n = 0;
  for (const ch of glob) if (ch === '*') n++;
  return n;
}
