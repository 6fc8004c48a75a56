/**
 * Repository globs match in time linear in the repository name, whatever the name: whoever can
 * create a repository picks its name (up to 256 characters), and picomatch's backtracking
 * RegExp took half a minute for `*a*a*a*a*b` against 255 `a`s. The RE2 translation keeps
 * picomatch's meaning for every glob it accepts and refuses the rest with the reason.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { selectPolicy } from '../../lib/core/repository-match.js';
import { checkRepositoryGlob, compileRepositoryGlob, RepositoryGlobError } from '../../lib/core/repository-glob.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { ConfigError, RulesValidationError } from '../../lib/errors.js';
import { policy, pushedDays, rule, ruleSet } from '../planner/builders.js';

const HOSTILE = { timeout: 3_000 };
const LONG_NAME = 'a'.repeat(255);

describe('repository globs decide in linear time', () => {
  it('a policy include with many wildcards against a 255-character name', HOSTILE, () => {
    const rs = ruleSet([], { policies: [policy([rule('r', {}, pushedDays(1))], 'starry', ['*a*a*a*a*a*a*a*a*b']), policy([rule('r', {}, pushedDays(1))], 'rest', ['**'])] });
    expect(selectPolicy(LONG_NAME, rs).policy?.name).toBe('rest');
    expect(selectPolicy(`${LONG_NAME}b`, rs).policy?.name).toBe('starry');
  });

  it('protect.repositories and globstars against a deep hostile name', HOSTILE, () => {
    const deep = `${'a/'.repeat(127)}a`;
    const rs = ruleSet([rule('r', {}, pushedDays(1))], { protectRepos: ['**/a*a*a*a*a*a*/**/b', '*a*a*a*a*a*a*a*a*a*'] });
    expect(selectPolicy(deep, rs).protected).toBe(false);
    expect(selectPolicy(LONG_NAME, rs).protected).toBe(true);
  });
});

describe('the same meaning as picomatch', () => {
  it.each([
    ['team/**', 'team', true],
    ['team/**', 'team/a/b', true],
    ['team-*/**', 'team-a', false],
    ['team-*/**', 'team-a/b', true],
    ['team/*', 'team/a/b', false],
    ['**/base', 'base', true],
    ['**/base', 'x/y/base', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['{web,api}-*', 'api-v2', true],
    ['svc-[0-9]', 'svc-7', true],
    ['svc-[^0-9]', 'svc-x', true],
    ['svc-[^0-9]', 'svc-7', false],
    ['v?', 'v/', false],
    ['*', 'a/b', false],
    ['**', 'a/b/c', true],
  ])('%s against %s → %s', (glob, name, expected) => {
    expect(compileRepositoryGlob(glob)(name)).toBe(expected);
    expect(picomatch(glob, { dot: true })(name)).toBe(expected);
  });

  it('decides every repository name as picomatch does, for every glob it accepts', () => {
    const segment = fc.constantFrom('a', 'b', 'a-b', 'ab1', 'b.a', 'a_b');
    const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const token = fc.constantFrom('a', 'b', '-', '.', '*', '**', '?', '/', '[ab]', '[^a]', '[a-c]', '{a,b}', '{a*,b?}', '{,a}', '1');
    const glob = fc.array(token, { minLength: 1, maxLength: 7 }).map((t) => t.join(''));
    let accepted = 0;
    fc.assert(
      fc.property(glob, fc.array(name, { minLength: 1, maxLength: 8 }), (g, names) => {
        if (checkRepositoryGlob(g) !== null) return;
        accepted++;
        const theirs = picomatch(g, { dot: true });
        const ours = compileRepositoryGlob(g);
        for (const n of names) expect(ours(n), `${g} against ${n}`).toBe(theirs(n));
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('globs outside the supported syntax are refused with the reason', () => {
  it.each([
    ['!legacy', /^negation \("!"\) is not supported; list the repositories to leave out under exclude$/],
    ['+(a|b)', /^"\+" is not supported: a repository glob takes letters, digits/],
    ['a\\*', /^"\\\\" is not supported/],
    ['{1..3}', /numeric ranges such as \{1\.\.3\} are not supported; write \{1,2,3\}/],
    ['[!a]', /write a negated set as \[\^\.\.\.\]/],
    ['a/{b/c,d}', /"\/" cannot be inside \{\.\.\.\}/],
    ['{a,{b,c}}', /cannot be nested/],
    ['a**', /"\*\*" must be a whole path segment/],
    ['./team', /a path segment cannot be "\."/],
    ['[a', /"\[" has no closing "\]"/],
  ])('%s', (glob, message) => {
    expect(checkRepositoryGlob(glob)).toMatch(message);
    expect(() => compileRepositoryGlob(glob)).toThrow(RepositoryGlobError);
  });

  it('a refused glob is a configuration error (exit 2), and is positioned in a rules file', () => {
    expect(() => compileRepositoryGlob('!x')).toThrow(ConfigError);
    const text = `version: 1\nprotect:\n  repositories: ["infra/**", "!legacy"]\npolicies:\n  - name: p\n    repositories: { include: ["team/**"], exclude: ["team/{old,new"] }\n    rules:\n      - id: r\n        select: { tagStatus: untagged }\n        when: { sinceImagePushed: 1d }\n`;
    let caught: unknown;
    try {
      parseRules(text, { file: 'r.yml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RulesValidationError);
    expect((caught as RulesValidationError).issues).toEqual([
      expect.objectContaining({ line: 3, column: 30, path: 'protect.repositories[1]', message: expect.stringMatching(/^invalid repository glob "!legacy": negation/) }),
      expect.objectContaining({ line: 6, column: 53, path: 'policies[0].repositories.exclude[0]', message: expect.stringMatching(/^invalid repository glob "team\/\{old,new": "\{" has no closing "\}"/) }),
    ]);
  });
});
