/**
 * One syntax for tag patterns: what the rules loader accepts (checkTagPattern) the planner
 * compiles (compileTagPattern), and a /regex/ is judged by the same expression both use.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTagPattern as loaderCheck } from '../../lib/core/rules-pattern.js';
import { checkTagPattern, compileTagPattern, TagPatternError } from '../../lib/core/tag-pattern.js';

const regexBody = fc.string({ unit: fc.constantFrom(...'ab()[]{}|*+?\\^$.-:d'.split('')), minLength: 1, maxLength: 8 });
const anyPattern = fc.oneof(
  regexBody.map((body) => `/${body}/`),
  regexBody.map((body) => `/${body}/i`),
  fc.string({ maxLength: 10 }),
);

describe('tag pattern syntax has one owner', () => {
  it('the loader validates with the planner module’s own check', () => {
    expect(loaderCheck).toBe(checkTagPattern);
  });

  it('every pattern that validates compiles', () => {
    fc.assert(
      fc.property(anyPattern, (pattern) => {
        if (checkTagPattern(pattern) === null) expect(() => compileTagPattern(pattern)).not.toThrow();
      }),
    );
  });

  it('a /regex/ compiles exactly when it validates', () => {
    fc.assert(
      fc.property(regexBody, fc.constantFrom('', 'i'), (body, flags) => {
        const pattern = `/${body}/${flags}`;
        const valid = checkTagPattern(pattern) === null;
        let compiles = true;
        try {
          compileTagPattern(pattern);
        } catch (error) {
          expect(error).toBeInstanceOf(TagPatternError);
          compiles = false;
        }
        expect(compiles).toBe(valid);
      }),
    );
  });

  it('a source that only parses once anchored is rejected by both, not matched as ^(?:a)(b)$', () => {
    expect(checkTagPattern('/a)(b/')).toMatch(/invalid regular expression \/a\)\(b\/: unexpected \)/);
    expect(() => compileTagPattern('/a)(b/')).toThrow(TagPatternError);
  });
});
