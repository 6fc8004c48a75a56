/**
 * Tag patterns, the one syntax shared by rule selections, exclusions and `protect.tags`, owned by
 * this module:
 * - a glob of tag characters with `*` (any run, possibly empty) and `?` (exactly one character),
 *   always matched against the whole tag (`prod*` matches `prod`, `prod-1`; not `my-prod`);
 * - or `/regex/` (optionally `/regex/i`) in RE2 syntax, also matched against the whole tag:
 *   `/v\d+/` behaves as `^(?:v\d+)$`, so a pattern never silently matches a substring.
 * Every pattern, glob or regex, is matched by RE2 (re2js), which decides in time linear in the
 * tag: whoever can push a tag must not be able to stall the sweep with one crafted for a
 * backtracking engine (`(a+)+` against `aaaa…ab`). RE2 has no backreferences or lookaround;
 * such patterns are refused with that reason.
 * The rules loader validates with {@link checkTagPattern} and the planner compiles with
 * {@link compileTagPattern}; both build the expression with the same function, so a pattern that
 * validates always compiles, and to the expression the validator tried. Nothing here knows how
 * rules are loaded: the planner depends on this module, never on the loader.
 */
import { RE2JS } from 're2js';
import { EcrSweeperError } from '../errors.js';

/** A tag pattern that cannot be compiled (reaches the planner only if the loader was bypassed). */
export class TagPatternError extends EcrSweeperError {
  readonly pattern: string;
  constructor(pattern: string, message: string, options?: ErrorOptions) {
    super(`invalid tag pattern ${JSON.stringify(pattern)}: ${message}`, options);
    this.pattern = pattern;
  }
}

/** A compiled tag pattern. `test` is true when the pattern matches the **whole** tag. */
export interface TagMatcher {
  readonly pattern: string;
  test(tag: string): boolean;
}

const REGEX_FORM = /^\/(.+)\/(i?)$/s;
/** Characters a Docker/ECR tag may contain, plus the two wildcards. */
const GLOB_CHARS = /^[A-Za-z0-9_.\-*?]+$/;
const EMPTY_PATTERN = 'a tag pattern must not be empty';
const ENGINE = 'tag regexes run on RE2, which matches in linear time and has no backtracking features';

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
      toMatcher(pattern);
      return null;
    } catch (error) {
      return `invalid regular expression ${pattern}: ${explainRegexError(pattern, error)}`;
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
const compiled = new Map<string, TagMatcher>();

/**
 * Compiles a tag pattern to a matcher of whole tags, linear in the tag's length.
 *
 * @example compileTagPattern('prod*').test('prod-1') // true; 'my-prod' is false
 * @example compileTagPattern('/v\\d+/').test('v12')   // true; 'v12-rc' is false
 * @throws TagPatternError when a `/regex/` does not compile (or needs backtracking) or the pattern is empty.
 */
export function compileTagPattern(pattern: string): TagMatcher {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  if (pattern.length === 0) throw new TagPatternError(pattern, EMPTY_PATTERN);
  let matcher: TagMatcher;
  try {
    matcher = toMatcher(pattern);
  } catch (error) {
    throw new TagPatternError(pattern, explainRegexError(pattern, error), { cause: error });
  }
  compiled.set(pattern, matcher);
  return matcher;
}

/** The whole-tag matcher of a non-empty pattern; throws RE2's syntax error for a bad `/regex/`. */
function toMatcher(pattern: string): TagMatcher {
  const regex = REGEX_FORM.exec(pattern);
  // The source is compiled as written, never spliced into `^(?:…)$`: an invalid source such as
  // `a)(b` would become valid there and match something other than what was written.
  // `testExact` anchors at both ends, which is the whole-tag rule.
  const re = regex ? RE2JS.compile(regex[1] ?? '', regex[2] === 'i' ? RE2JS.CASE_INSENSITIVE : 0) : RE2JS.compile(globToSource(pattern));
  return { pattern, test: (tag) => re.testExact(tag) };
}

/** Why RE2 refused a `/regex/`, naming the JavaScript features it lacks when those are the cause. */
function explainRegexError(pattern: string, error: unknown): string {
  const source = REGEX_FORM.exec(pattern)?.[1] ?? pattern;
  if (/\\[1-9]|\\k</.test(source)) return `backreferences (\\1, \\k<name>) are not supported: ${ENGINE}`;
  if (/\(\?<?[=!]/.test(source)) return `lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported: ${ENGINE}`;
  const message = error instanceof Error ? error.message : String(error);
  // "error parsing regexp: missing closing ): `v(`" -> "missing closing ): `v(`"
  return message.replace(/^error parsing regexp: /, '');
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
export function matchesAnyTag(pattern: TagMatcher, tags: readonly string[]): boolean {
  for (const tag of tags) if (pattern.test(tag)) return true;
  return false;
}

/** The first of `tags` that any of `patterns` matches, or undefined. */
export function firstMatchingTag(patterns: readonly TagMatcher[], tags: readonly string[]): string | undefined {
  for (const tag of tags) for (const p of patterns) if (p.test(tag)) return tag;
  return undefined;
}

/**
 * ECR's tag-list test: every pattern must match at least one of the image's tags (AND across
 * patterns, OR across tags). An empty pattern list matches every image.
 */
export function matchesAllPatterns(patterns: readonly TagMatcher[], tags: readonly string[]): boolean {
  for (const p of patterns) if (!matchesAnyTag(p, tags)) return false;
  return true;
}
