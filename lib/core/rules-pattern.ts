/**
 * Tag patterns, the one syntax shared by rule selections, exclusions and `protect.tags`:
 * - a glob of tag characters with `*` (any run, possibly empty) and `?` (exactly one character),
 *   always matched against the whole tag (`prod*` matches `prod`, `prod-1`; not `my-prod`);
 * - or `/regex/` (optionally `/regex/i`), also matched against the whole tag: `/v\d+/` behaves as
 *   `^(?:v\d+)$`, so a pattern never silently matches a substring.
 * This module validates the syntax; the planner compiles and applies patterns (`tag-pattern.ts`).
 */

/** Characters a Docker/ECR tag may contain, plus the two wildcards. */
const GLOB_RE = /^[A-Za-z0-9_.\-*?]+$/;
const REGEX_RE = /^\/(.+)\/(i?)$/s;

/** True when the pattern is written `/.../` (a regular expression). */
export function isRegexPattern(pattern: string): boolean {
  return REGEX_RE.test(pattern);
}

/**
 * Checks a tag pattern's syntax. Returns `null` when valid, otherwise what is wrong in words a
 * user can act on.
 */
export function checkTagPattern(pattern: string): string | null {
  if (pattern.length === 0) return 'a tag pattern must not be empty';
  const regex = REGEX_RE.exec(pattern);
  if (regex) {
    try {
      new RegExp(regex[1] ?? '', regex[2]);
      return null;
    } catch (error) {
      // V8 repeats the expression in its message ("Invalid regular expression: /x/: reason").
      const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
      return `invalid regular expression ${pattern}: ${reason}`;
    }
  }
  if (pattern.startsWith('/')) {
    return `${JSON.stringify(pattern)} starts with "/" but is not a /regex/ (write /expression/ or /expression/i)`;
  }
  if (!GLOB_RE.test(pattern)) {
    return `invalid glob ${JSON.stringify(pattern)}: a glob may contain letters, digits, "_", ".", "-" and the wildcards "*" and "?"; write /regex/ for anything else`;
  }
  return null;
}

/** Number of `*` wildcards in a glob (ECR allows at most 4 per tagPatternList entry). */
export function countStars(glob: string): number {
  let n = 0;
  for (const ch of glob) if (ch === '*') n++;
  return n;
}
