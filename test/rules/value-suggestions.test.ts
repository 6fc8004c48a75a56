/**
 * A wrong value gets a "did you mean" like a wrong key does: `tagStatus: taged` suggests
 * "tagged", `mode: dryrun` suggests "dry-run", in YAML rules and in native lifecycle policies,
 * at the value's file:line:column. A value close to nothing lists the choices without a guess.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { closest } from '../../lib/core/rules-zod-issues.js';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';

function issuesOf(fn: () => unknown): RuleIssue[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  throw new Error('expected a RulesValidationError');
}

const rulesFile = (mode: string, select: string, when: string, action: string) => `version: 1
defaults:
  mode: ${mode}
policies:
  - name: p
    repositories: { include: ["**"] }
    rules:
      - id: r
        select: ${select}
        when: ${when}
        action: ${action}
`;
const GOOD = ['dry-run', '{ tagStatus: untagged }', '{ sinceImagePushed: 9d }', 'expire'] as const;

describe('YAML rules: enum values', () => {
  it.each<[string, string, string, number, number, string]>([
    ['mode: dryrun', rulesFile('dryrun', GOOD[1], GOOD[2], GOOD[3]), 'defaults.mode', 3, 9, 'expected one of "dry-run", "apply", got "dryrun" — did you mean "dry-run"?'],
    ['mode: Apply', rulesFile('Apply', GOOD[1], GOOD[2], GOOD[3]), 'defaults.mode', 3, 9, 'expected one of "dry-run", "apply", got "Apply" — did you mean "apply"?'],
    [
      'tagStatus: taged',
      rulesFile(GOOD[0], '{ tagStatus: taged, tagPatterns: ["v*"] }', GOOD[2], GOOD[3]),
      'policies[0].rules[0].select.tagStatus',
      9,
      30,
      'expected one of "tagged", "untagged", "any", got "taged" — did you mean "tagged"?',
    ],
    [
      'storageClass: archived',
      rulesFile(GOOD[0], '{ tagStatus: untagged, storageClass: archived }', GOOD[2], GOOD[3]),
      'policies[0].rules[0].select.storageClass',
      9,
      54,
      'expected one of "standard", "archive", got "archived" — did you mean "archive"?',
    ],
    [
      'orderBy: semVer',
      rulesFile(GOOD[0], GOOD[1], '{ imageCountMoreThan: 3, orderBy: semVer }', GOOD[3]),
      'policies[0].rules[0].when.orderBy',
      10,
      49,
      'expected one of "pushedAt", "semver", got "semVer" — did you mean "semver"?',
    ],
    ['action: expired', rulesFile(GOOD[0], GOOD[1], GOOD[2], 'expired'), 'policies[0].rules[0].action', 11, 17, 'expected one of "expire", "transition", got "expired" — did you mean "expire"?'],
  ])('%s', (_name, text, path, line, column, message) => {
    expect(issuesOf(() => parseRules(text, { file: 'r.yml' }))).toEqual([{ file: 'r.yml', line, column, path, message }]);
  });

  it('a value close to no choice lists the choices and guesses nothing', () => {
    const [issue] = issuesOf(() => parseRules(rulesFile(GOOD[0], '{ tagStatus: everything }', GOOD[2], GOOD[3]), { file: 'r.yml' }));
    expect(issue?.message).toBe('expected one of "tagged", "untagged", "any", got "everything"');
  });
});

describe('native lifecycle policies: enum values', () => {
  const policy = (selection: Record<string, unknown>, action: Record<string, unknown> = { type: 'expire' }) =>
    JSON.stringify({ rules: [{ rulePriority: 1, selection: { countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30, ...selection }, action }] }, null, 2);

  it.each<[string, string, string, RegExp]>([
    ['tagStatus: TAGGED', policy({ tagStatus: 'TAGGED', tagPrefixList: ['v'] }), 'rules[0].selection.tagStatus', /^rule priority 1: expected one of "tagged", "untagged", "any", got "TAGGED" — did you mean "tagged"\?$/],
    ['countType: sinceImagePush', policy({ tagStatus: 'any', countType: 'sinceImagePush' }), 'rules[0].selection.countType', /got "sinceImagePush" — did you mean "sinceImagePushed"\?$/],
    ['action type: expired', policy({ tagStatus: 'any' }, { type: 'expired' }), 'rules[0].action.type', /got "expired" — did you mean "expire"\?$/],
  ])('%s', (_name, text, path, message) => {
    const issues = issuesOf(() => parseLifecyclePolicy(text, { file: 'p.json' }));
    expect(issues).toContainEqual(expect.objectContaining({ file: 'p.json', path, message: expect.stringMatching(message) }));
    expect(issues.find((i) => i.path === path)?.line).toBeGreaterThan(1);
  });
});

describe('closest', () => {
  const word = fc.string({ unit: fc.constantFrom(...'abcdefgh-'.split('')), minLength: 4, maxLength: 12 });

  it('an exact candidate is its own suggestion; one typo away finds a candidate one edit away', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), (candidates, pick, at) => {
        const target = candidates[pick % candidates.length]!;
        expect(closest(target, candidates)).toBe(target);
        const i = at % target.length;
        const typo = target.slice(0, i) + target.slice(i + 1); // one character dropped
        const suggestion = closest(typo, candidates);
        expect(suggestion).toBeDefined();
        expect(candidates).toContain(suggestion);
      }),
    );
  });
});
