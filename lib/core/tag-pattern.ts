/**
 * Tag patterns as the planner applies them: a glob with `*` (any run, possibly empty) and `?`
 * (exactly one character), or `/regex/` (optionally `/regex/i`); both always match the WHOLE tag.
 * The syntax is the rules loader's (`rules-pattern.ts` validates it); this module only compiles
 * and applies patterns, so the planner stays independent of how rules are loaded.
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
  if (pattern.length === 0) throw new TagPatternError(pattern, 'a tag pattern must not be empty');
  let re: RegExp;
  const regex = REGEX_FORM.exec(pattern);
  if (regex) {
    try {
      re = new RegExp(`^(?:${regex[1] ?? ''})$`, regex[2]);
    } catch (error) {
      throw new TagPatternError(pattern, (error as Error).message, { cause: error });
    }
  } else {
    re = new RegExp(`^${globToSource(pattern)}$`);
  }
  compiled.set(pattern, re);
  return re;
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
