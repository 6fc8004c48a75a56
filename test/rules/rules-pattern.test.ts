import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTagPattern, countStars, isRegexPattern } from '../../lib/core/rules-pattern.js';
import { compileTagPattern } from '../../lib/core/tag-pattern.js';

describe('checkTagPattern', () => {
  it.each(['latest', 'prod*', 'v?.*', '*-rc*', 'sha256-*.sig', '/^v\\d+$/', '/release-(a|b)/i', '*'])('accepts %j', (p) => {
    expect(checkTagPattern(p)).toBeNull();
  });

  it.each([
    ['', /must not be empty/],
    ['/v(/', /invalid regular expression \/v\(\/: /],
    ['/abc', /starts with "\/" but is not a \/regex\//],
    ['/abc/g', /starts with "\/" but is not a \/regex\//],
    ['v[0-9]', /invalid glob "v\[0-9\]"/],
    ['a b', /invalid glob/],
    ['{a,b}', /invalid glob/],
  ])('rejects %j', (p, message) => {
    expect(checkTagPattern(p)).toMatch(message);
  });

  it('tells regex patterns from globs and counts wildcards', () => {
    expect(isRegexPattern('/x/')).toBe(true);
    expect(isRegexPattern('/x/i')).toBe(true);
    expect(isRegexPattern('x*')).toBe(false);
    expect(countStars('*test*1*2*3')).toBe(4);
  });

  it('every pattern it accepts compiles in the planner, and globs match whole tags only', () => {
    const tagChar = fc.constantFrom(...'abcXYZ019_.-'.split(''));
    const globChar = fc.oneof(tagChar, fc.constant('*'), fc.constant('?'));
    fc.assert(
      fc.property(fc.array(globChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')), fc.array(tagChar, { maxLength: 12 }).map((cs) => cs.join('')), (glob, tag) => {
        expect(checkTagPattern(glob)).toBeNull();
        const re = compileTagPattern(glob);
        // A glob without wildcards matches exactly itself.
        if (!/[*?]/.test(glob)) expect(re.test(tag)).toBe(tag === glob);
        // Prefixing a non-matching character never makes an anchored literal-start glob match.
        if (/^[^*?]/.test(glob) && !tag.startsWith(glob[0] as string)) expect(re.test(tag)).toBe(false);
      }),
    );
  });
});
