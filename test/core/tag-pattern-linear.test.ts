/**
 * Tag patterns match in time linear in the tag, whatever the tag: anyone who can push a tag must
 * not be able to stall a sweep with one crafted for a backtracking engine. Patterns RE2 cannot
 * express (backreferences, lookaround) are refused at validation, positioned, with the reason.
 *
 * The hostile cases carry a per-test timeout of a few seconds: on a backtracking engine they
 * never finish (`(a+)+` against 28 `a`s and a `b` already takes seconds), so the timeout is the
 * failure, while the assertions are about the decision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRepository } from '../../lib/core/planner.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { checkTagPattern, compileTagPattern } from '../../lib/core/tag-pattern.js';
import { RulesValidationError } from '../../lib/errors.js';
import { img, NOW, pushedDays, rule, ruleSet } from '../planner/builders.js';

const HOSTILE = { timeout: 3_000 };
const aN = (n: number) => 'a'.repeat(n);

describe('tag patterns decide in linear time', () => {
  it('(a+)+ against a 10,000-character tag decides', HOSTILE, () => {
    const m = compileTagPattern('/(a+)+/');
    expect(m.test(`${aN(10_000)}b`)).toBe(false);
    expect(m.test(aN(10_000))).toBe(true);
  });

  it('other classic catastrophic shapes decide too', HOSTILE, () => {
    expect(compileTagPattern('/(a|aa)+/').test(`${aN(10_000)}b`)).toBe(false);
    expect(compileTagPattern('/(a*)*b/').test(aN(10_000))).toBe(false);
    expect(compileTagPattern('/(.*a){12}/').test(aN(10_000))).toBe(true);
    expect(compileTagPattern('/(.*a){12}/').test(`${aN(10_000)}b`)).toBe(false);
  });

  it('a glob with many wildcards against a long hostile tag decides', HOSTILE, () => {
    const m = compileTagPattern('*a*a*a*a*a*a*a*a*a*a*b');
    expect(m.test(aN(10_000))).toBe(false);
    expect(m.test(`${aN(10_000)}b`)).toBe(true);
  });

  it('the issue’s case: protect.tags ["/(a+)+/"] passes validation, and plan decides on a hostile pushed tag', HOSTILE, () => {
    const text = `version: 1
protect:
  tags: ["/(a+)+/"]
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: old
        select: { tagStatus: any }
        when: { sinceImagePushed: 1d }
`;
    const parsed = parseRules(text, { file: 'r.yml' });
    expect(parsed.protect.tags).toEqual(['/(a+)+/']);
    const hostile = `${aN(10_000)}b`;
    const rs = ruleSet([rule('old', {}, pushedDays(1))], { protectTags: [...parsed.protect.tags] });
    const plan = planRepository({ repositoryName: 'app', images: [img('H', 5, [hostile]), img('P', 5, [aN(10_000)])] }, rs, NOW);
    const byTag = new Map(plan.images.map((i) => [i.imageTags[0], i]));
    expect(byTag.get(hostile)?.decision).toBe('delete');
    expect(byTag.get(aN(10_000))?.decision).toBe('keep');
    expect(byTag.get(aN(10_000))?.reason).toMatch(/protected tag/);
  });
});

describe('patterns RE2 cannot run are refused with the reason', () => {
  it.each([
    ['/(a)\\1/', /backreferences \(\\1, \\k<name>\) are not supported: tag regexes run on RE2/],
    ['/(?<x>a)\\k<x>/', /backreferences/],
    ['/(?=v)v\\d+/', /lookahead and lookbehind .* are not supported/],
    ['/(?!rc)\\w+/', /lookahead and lookbehind/],
    ['/(?<=v)1/', /lookahead and lookbehind/],
    ['/(?<!v)1/', /lookahead and lookbehind/],
    ['/a{1001}/', /invalid repeat count/],
    ['/v(/', /missing closing \)/],
  ])('%s', (pattern, message) => {
    expect(checkTagPattern(pattern)).toMatch(message);
    expect(() => compileTagPattern(pattern)).toThrow(message);
  });

  it('a refused pattern is reported at its file:line:column', () => {
    const text = `version: 1
protect:
  tags: [latest, "/(?=v)v\\\\d+/"]
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: old
        select: { tagStatus: tagged, tagPatterns: ["/(pr)-\\\\1/"] }
        when: { sinceImagePushed: 1d }
`;
    let caught: unknown;
    try {
      parseRules(text, { file: 'r.yml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RulesValidationError);
    const issues = (caught as RulesValidationError).issues;
    expect(issues).toEqual([
      expect.objectContaining({ file: 'r.yml', line: 3, column: 18, path: 'protect.tags[1]', message: expect.stringMatching(/lookahead/) }),
      expect.objectContaining({ file: 'r.yml', line: 9, column: 52, path: 'policies[0].rules[0].select.tagPatterns[0]', message: expect.stringMatching(/backreferences/) }),
    ]);
  });
});

describe('RE2 keeps the meaning of ordinary patterns', () => {
  // Regexes over a small alphabet without backreferences or lookaround: wherever JavaScript
  // accepts one, RE2 accepts it too and decides every tag the same way (both anchored).
  const body = fc.string({ unit: fc.constantFrom(...'ab()|*+?.'.split('')), minLength: 1, maxLength: 8 });
  const tag = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 8 });

  it('JavaScript-valid patterns compile and match as JavaScript anchored would', () => {
    fc.assert(
      fc.property(body, fc.constantFrom('', 'i'), fc.array(tag, { maxLength: 6 }), (src, flags, tags) => {
        let js: RegExp;
        try {
          js = new RegExp(`^(?:${src})$`, flags);
          void new RegExp(src, flags);
        } catch {
          return;
        }
        expect(checkTagPattern(`/${src}/${flags}`)).toBeNull();
        const m = compileTagPattern(`/${src}/${flags}`);
        for (const t of tags) expect(m.test(t)).toBe(js.test(t));
      }),
      { numRuns: 500 },
    );
  });
});
