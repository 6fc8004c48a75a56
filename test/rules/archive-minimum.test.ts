/**
 * Archived images have a 90-day minimum storage duration, and ECR refuses lifecycle rules that
 * delete them sooner after their transition. ecr-sweeper refuses the same, in YAML rules and in
 * native policies (import-policy, lifecyclePolicy: inline or by path), with ECR's words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';

const DAY = 86_400_000;
const ECR_WORDS = 'you cannot configure lifecycle policies that delete images that have been in archive for less than 90 days';

function issuesOf(fn: () => unknown): RuleIssue[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  return [];
}

const yamlRules = (after: string) => `version: 1
policies:
  - name: p
    repositories: { include: ["**"] }
    rules:
      - id: archived
        select: { tagStatus: any, storageClass: archive }
        when: { sinceImageTransitioned: ${after} }
`;

const nativePolicy = (days: number) =>
  JSON.stringify(
    {
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } },
        { rulePriority: 2, selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: days }, action: { type: 'expire' } },
      ],
    },
    null,
    2,
  );

describe('YAML rules: sinceImageTransitioned on archived images', () => {
  it.each([
    ['30d', false],
    ['89d', false],
    ['12w', false],
    ['2159h', false],
    ['90d', true],
    ['2160h', true],
    ['13w', true],
    ['365d', true],
  ])('%s → accepted: %s', (after, accepted) => {
    const issues = issuesOf(() => parseRules(yamlRules(after), { file: 'r.yml' }));
    if (accepted) expect(issues).toEqual([]);
    else {
      expect(issues).toEqual([
        {
          file: 'r.yml',
          line: 8,
          column: 41,
          path: 'policies[0].rules[0].when.sinceImageTransitioned',
          message: `sinceImageTransitioned ${after} is too soon: ${ECR_WORDS} (archived images have a 90-day minimum storage duration); use 90 days or more`,
        },
      ]);
    }
  });

  it('accepts exactly the durations of 90 days or more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (days) => {
        const issues = issuesOf(() => parseRules(yamlRules(`${days}d`)));
        expect(issues.length === 0).toBe(days >= 90);
        if (issues.length === 0) expect(parseRules(yamlRules(`${days}d`)).policies[0]?.rules[0]?.condition).toEqual({ type: 'sinceImageTransitioned', ms: days * DAY });
      }),
      { numRuns: 60 },
    );
  });
});

describe('native lifecycle policies: countNumber of sinceImageTransitioned', () => {
  it('30 days is refused at countNumber, naming the rule, as ECR does', () => {
    const issues = issuesOf(() => parseLifecyclePolicy(nativePolicy(30), { file: 'p.json' }));
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'p.json',
        path: 'rules[1].selection.countNumber',
        message: `rule priority 2: sinceImageTransitioned 30 days is too soon: ${ECR_WORDS} (archived images have a 90-day minimum storage duration); use 90 days or more`,
      }),
    ]);
    expect(issues[0]?.line).toBe(23); // the countNumber line of rule priority 2
  });

  it('accepts exactly 90 days or more, inline in a rules file too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (days) => {
        expect(issuesOf(() => parseLifecyclePolicy(nativePolicy(days))).length === 0).toBe(days >= 90);
        const inline = `version: 1\npolicies:\n  - name: p\n    repositories: { include: ["**"] }\n    lifecyclePolicy: ${nativePolicy(days).replace(/\n\s*/g, ' ')}\n`;
        expect(issuesOf(() => parseRules(inline)).length === 0).toBe(days >= 90);
      }),
      { numRuns: 60 },
    );
  });
});
