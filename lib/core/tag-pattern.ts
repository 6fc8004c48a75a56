/**
 * Tag patterns, the one syntax shared by rule selections, exclusions and `protect.tags`, owned by
 * this module:
 * - a glob of tag characters with `*` (any run, possibly empty) and `?` (exactly one character),
 *   always matched against the whole tag (`prod*` matches `prod`, `prod-1`; not `my-prod`);
 * - or `/regex/` (optionally `/regex/i`), also matched against the whole tag: `/v\d+/` behaves as
 *   `^(?:v\d+)$`, so a pattern never silently matches a substring.
 * The rules loader validates with {@link checkTagPattern} and the planner compiles with
 * {@link compileTagPattern}; both build the expression with the same function, so a pattern that
 * validates always compiles, and to the expression the validator tried. Nothing here knows how
 * rules are loaded: the planner depends on this module, never on the loader.
 */
import { EcrSweeperError } from '../errors.js';

/** A tag pattern that cannot be compiled (reaches the planner only if the loader was bypassed). */
export class TagPatternError extends EcrSweeperError {
  readonly pattern: string;
  constructor(pattern: string, message: string, options?: ErrorOptions) {
    super(`invalid tag pattern ${JSON.stringify(pattern)}: ${message}`, options);
    this.pattern = pattern;
  }
}

const REGEX_FORM = /^\/(.+)\/(i?)$/s;
/** Characters a Docker/ECR tag may contain, plus the two wildcards. */
const GLOB_CHARS = /^[A-Za-z0-9_.\-*?]+$/;
const EMPTY_PATTERN = 'a tag pattern must not be empty';

/** True when the pattern is written `/.../` (a regular expression). */
export function isRegexPattern(pattern: string): boolean {
  return REGEX_FORM.test(pattern);
}

/**
 * Checks a tag pattern's syntax as the rules loader accepts it. Returns `null` when valid,
 * otherwise what is wrong in words a user can act on. Stricter than {@link compileTagPattern}
 * only for globs (tag characters and wildcards), never for what a pattern means.
 */
export function checkTagPattern(pattern: string): string | null {
  if (pattern.length === 0) return EMPTY_PATTERN;
  if (isRegexPattern(pattern)) {
    try {
      toRegExp(pattern);
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
  if (!GLOB_CHARS.test(pattern)) {
    return `invalid glob ${JSON.stringify(pattern)}: a glob may contain letters, digits, "_", ".", "-" and the wildcards "*" and "?"; write /regex/ for anything else`;
  }
  return null;
}

// Patterns are compiled once per distinct text: a registry plan applies the same few patterns
// millions of times. The cache only grows with the number of distinct patterns in the rules.
const compiled = new Map<string, RegExp>();

/**
 * Compiles a tag pattern to an anchored regular expression.
 *
 * @example compileTagPattern('prod*').test('prod-1') // true; 'my-prod' is false
 * @example compileTagPattern('/v\\d+/').test('v12')   // true; 'v12-rc' is false
 * @throws TagPatternError when a `/regex/` does not compile or the pattern is empty.
 */
export function compileTagPattern(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  if (pattern.length === 0) throw new TagPatternError(pattern, EMPTY_PATTERN);
  let re: RegExp;
  try {
    re = toRegExp(pattern);
  } catch (error) {
    throw new TagPatternError(pattern, (error as Error).message, { cause: error });
  }
  compiled.set(pattern, re);
  return re;
}

/** The anchored expression of a non-empty pattern; throws the engine's SyntaxError for a bad `/regex/`. */
function toRegExp(pattern: string): RegExp {
  const regex = REGEX_FORM.exec(pattern);
  if (!regex) return new RegExp(`^${globToSource(pattern)}$`);
  const [, source = '', flags] = regex;
  // Compiled alone first: inside `^(?:…)$` an invalid source such as `a)(b` would become valid
  // and match something other than what was written.
  void new RegExp(source, flags);
  return new RegExp(`^(?:${source})$`, flags);
}

function globToSource(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
  }
  return out;
}

/** True when `pattern` matches at least one of `tags`. */
export function matchesAnyTag(pattern: RegExp, tags: readonly string[]): boolean {
  for (const tag of tags) if (pattern.test(tag)) return true;
  return false;
}

/** The first of `tags` that any of `patterns` matches, or undefined. */
export function firstMatchingTag(patterns: readonly RegExp[], tags: readonly string[]): string | undefined {
  for (const tag of tags) for (const p of patterns) if (p.test(tag)) return tag;
  return undefined;
}

/**
 * ECR's tag-list test: every pattern must match at least one of the image's tags (AND across
 * patterns, OR across tags). An empty pattern list matches every image.
 */
export function matchesAllPatterns(patterns: readonly RegExp[], tags: readonly string[]): boolean {
  for (const p of patterns) if (!matchesAnyTag(p, tags)) return false;
  return true;
}
