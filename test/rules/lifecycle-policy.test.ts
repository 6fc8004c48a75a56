import { describe, expect, it } from 'vitest';
import { RulesValidationError } from '../../lib/errors.js';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { ACCEPTANCE_CASES, E1, E1_2020, E2, E3, E4, E5, E6, E7 } from './native-examples.js';

const DAY = 86_400_000;

function issuesOf(input: string | object): RulesValidationError['issues'] {
  try {
    parseLifecyclePolicy(input, { file: 'policy.json' });
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return (error as RulesValidationError).issues;
  }
  throw new Error('expected the policy to be rejected');
}

const strip = (rules: Rule[]) => rules.map(({ source: _s, ...r }) => r);

describe('parseLifecyclePolicy: AWS documented examples', () => {
  const expire = { type: 'expire' } as const;
  const transition = { type: 'transition', targetStorageClass: 'archive' } as const;
  const sel = (tagStatus: Rule['selection']['tagStatus'], tagPatterns: string[] = [], storageClass: 'standard' | 'archive' = 'standard') => ({
    tagStatus,
    tagPatterns,
    excludeTagPatterns: [],
    storageClass,
  });

  it.each([
    ['E1 filtering on image age', E1, [{ id: 'priority-1', description: 'Expire images older than 14 days', selection: sel('tagged', ['prod*']), condition: { type: 'sinceImagePushed', ms: 14 * DAY }, action: expire, rulePriority: 1 }]],
    ['E1 (2020 untagged form)', E1_2020, [{ id: 'priority-1', description: 'Expire images older than 14 days', selection: sel('untagged'), condition: { type: 'sinceImagePushed', ms: 14 * DAY }, action: expire, rulePriority: 1 }]],
    ['E2 last pulled time', E2, [{ id: 'priority-1', description: 'Archive images not pulled in 90 days', selection: sel('any'), condition: { type: 'sinceImagePulled', ms: 90 * DAY }, action: transition, rulePriority: 1 }]],
    ['E3 archive transition time', E3, [{ id: 'priority-1', description: 'Expire images archived for more than 365 days', selection: sel('any', [], 'archive'), condition: { type: 'sinceImageTransitioned', ms: 365 * DAY }, action: expire, rulePriority: 1 }]],
    ['E4 image count', E4, [{ id: 'priority-1', description: 'Keep only one untagged image, expire all others', selection: sel('untagged'), condition: { type: 'imageCountMoreThan', count: 1, orderBy: 'pushedAt' }, action: expire, rulePriority: 1 }]],
    ['E5 archive older than', E5, [{ id: 'priority-1', description: 'Archive production images older than 30 days', selection: sel('tagged', ['prod*']), condition: { type: 'sinceImagePushed', ms: 30 * DAY }, action: transition, rulePriority: 1 }]],
    ['E6 archive not pulled', E6, [{ id: 'priority-1', description: 'Archive images not pulled in 90 days', selection: sel('any'), condition: { type: 'sinceImagePulled', ms: 90 * DAY }, action: transition, rulePriority: 1 }]],
    [
      'E7 archive and expire combined (two "any" rules, one per storage class)',
      E7,
      [
        { id: 'priority-1', description: 'Archive images older than 30 days', selection: sel('any'), condition: { type: 'sinceImagePushed', ms: 30 * DAY }, action: transition, rulePriority: 1 },
        { id: 'priority-2', description: 'Expire images archived for more than 365 days', selection: sel('any', [], 'archive'), condition: { type: 'sinceImageTransitioned', ms: 365 * DAY }, action: expire, rulePriority: 2 },
      ],
    ],
  ])('%s parses to the expected rules', (_name, policy, expected) => {
    expect(strip(parseLifecyclePolicy(JSON.stringify(policy, null, 2)))).toEqual(expected);
    expect(strip(parseLifecyclePolicy(policy))).toEqual(expected);
  });

  const cases = ACCEPTANCE_CASES.flatMap((c) => (['tagPatternList', 'tagPrefixList'] as const).map((form) => [c.name, form, c] as const));
  it.each(cases)('%s (%s) parses; prefixes become "p*" globs', (_name, form, c) => {
    const policy = c.policy(form);
    const rules = parseLifecyclePolicy(JSON.stringify(policy));
    expect(rules.map((r) => r.id)).toEqual(policy.rules.map((r) => `priority-${String(r.rulePriority)}`));
    const patternForm = strip(parseLifecyclePolicy(c.policy('tagPatternList')));
    expect(strip(rules)).toEqual(patternForm);
  });

  it('orders rules by priority, keeps gaps in rulePriority and records the source line', () => {
    const text = JSON.stringify(
      {
        rules: [
          { rulePriority: 30, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } },
          { rulePriority: 5, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
        ],
      },
      null,
      2,
    );
    const rules = parseLifecyclePolicy(text, { file: 'p.json' });
    expect(rules.map((r) => [r.id, r.rulePriority])).toEqual([
      ['priority-5', 5],
      ['priority-30', 30],
    ]);
    expect(rules[0]?.source).toEqual({ file: 'p.json', line: 14, column: 5 });
  });
});

describe('parseLifecyclePolicy: ECR validation, one case per rule', () => {
  const base = (selection: Record<string, unknown>, action: Record<string, unknown> = { type: 'expire' }, rulePriority: unknown = 1) => ({
    rulePriority,
    selection,
    action,
  });
  const count = { countType: 'imageCountMoreThan', countNumber: 3 };
  const pushed = { countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 };
  const one = (rule: object) => ({ rules: [rule] });
  const manyRules = (n: number) => ({
    rules: Array.from({ length: n }, (_, i) => base({ tagStatus: 'tagged', tagPatternList: [`t${i}-*`], ...count }, { type: 'expire' }, i + 1)),
  });

  it.each<[string, object, string, RegExp]>([
    ['no rules', { rules: [] }, 'rules', /at least 1 rule/],
    ['more than 50 rules', manyRules(51), 'rules', /at most 50 rules/],
    ['unknown top-level field', { rules: [base({ tagStatus: 'any', ...count })], extra: true }, 'extra', /unknown key "extra"/],
    ['unknown rule field', one({ ...base({ tagStatus: 'any', ...count }), priority: 1 }), 'rules[0].priority', /rule priority 1: unknown key "priority"/],
    ['unknown selection field', one(base({ tagStatus: 'any', ...count, tagList: ['a'] })), 'rules[0].selection.tagList', /unknown key "tagList"/],
    ['unknown action field', one(base({ tagStatus: 'any', ...count }, { type: 'expire', when: 'now' })), 'rules[0].action.when', /unknown key "when"/],
    ['rulePriority not an integer', one(base({ tagStatus: 'any', ...count }, { type: 'expire' }, 1.5)), 'rules[0].rulePriority', /rulePriority must be an integer/],
    ['rulePriority zero', one(base({ tagStatus: 'any', ...count }, { type: 'expire' }, 0)), 'rules[0].rulePriority', /positive integer/],
    ['rulePriority missing', one({ selection: { tagStatus: 'any', ...count }, action: { type: 'expire' } }), 'rules[0].rulePriority', /missing required key "rulePriority"/],
    [
      'duplicate rulePriority',
      { rules: [base({ tagStatus: 'untagged', ...count }), base({ tagStatus: 'any', ...count })] },
      'rules[1].rulePriority',
      /rulePriority 1 is already used/,
    ],
    [
      '"any" not the highest priority',
      { rules: [base({ tagStatus: 'any', ...count }, { type: 'expire' }, 1), base({ tagStatus: 'untagged', ...pushed }, { type: 'expire' }, 2)] },
      'rules[0].rulePriority',
      /tagStatus "any" must have the highest rulePriority of the standard rules/,
    ],
    ['bad tagStatus', one(base({ tagStatus: 'TAGGED', ...count })), 'rules[0].selection.tagStatus', /expected one of "tagged", "untagged", "any", got "TAGGED"/],
    ['tagged without a list', one(base({ tagStatus: 'tagged', ...count })), 'rules[0].selection.tagStatus', /requires tagPatternList or tagPrefixList/],
    ['tagged with both lists', one(base({ tagStatus: 'tagged', tagPatternList: ['a*'], tagPrefixList: ['b'], ...count })), 'rules[0].selection.tagPrefixList', /not both/],
    ['tagged with an empty list', one(base({ tagStatus: 'tagged', tagPatternList: [], ...count })), 'rules[0].selection.tagPatternList', /must not be empty/],
    ['untagged with a pattern list', one(base({ tagStatus: 'untagged', tagPatternList: ['a*'], ...count })), 'rules[0].selection.tagPatternList', /"untagged" must omit tagPatternList/],
    ['untagged with a prefix list', one(base({ tagStatus: 'untagged', tagPrefixList: ['a'], ...count })), 'rules[0].selection.tagPrefixList', /"untagged" must omit tagPrefixList/],
    ['any with a list', one(base({ tagStatus: 'any', tagPatternList: ['a*'], ...count })), 'rules[0].selection.tagPatternList', /"any" must omit tagPatternList/],
    ['more than 4 wildcards', one(base({ tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*5*6'], ...count })), 'rules[0].selection.tagPatternList[0]', /has 6 wildcards; ECR allows at most 4/],
    ['wildcard in a prefix', one(base({ tagStatus: 'tagged', tagPrefixList: ['prod*'], ...count })), 'rules[0].selection.tagPrefixList[0]', /plain prefix/],
    ['"?" in a pattern', one(base({ tagStatus: 'tagged', tagPatternList: ['v?'], ...count })), 'rules[0].selection.tagPatternList[0]', /tag characters and "\*" only/],
    ['empty pattern', one(base({ tagStatus: 'tagged', tagPatternList: [''], ...count })), 'rules[0].selection.tagPatternList[0]', /must not be empty/],
    ['countType missing', one(base({ tagStatus: 'any', countNumber: 1 })), 'rules[0].selection.countType', /missing required key "countType"/],
    ['countType unknown', one(base({ tagStatus: 'any', countType: 'sinceImageCreated', countNumber: 1 })), 'rules[0].selection.countType', /expected one of "imageCountMoreThan"/],
    ['countNumber zero', one(base({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 })), 'rules[0].selection.countNumber', /0 is not accepted/],
    ['countNumber negative', one(base({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: -2 })), 'rules[0].selection.countNumber', /positive integer/],
    ['countNumber fractional', one(base({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1.5 })), 'rules[0].selection.countNumber', /positive integer/],
    ['countNumber missing', one(base({ tagStatus: 'any', countType: 'imageCountMoreThan' })), 'rules[0].selection.countNumber', /missing required key "countNumber"/],
    ['countUnit with imageCountMoreThan', one(base({ tagStatus: 'any', ...count, countUnit: 'days' })), 'rules[0].selection.countUnit', /not allowed with countType "imageCountMoreThan"/],
    ['countUnit missing with sinceImagePushed', one(base({ tagStatus: 'any', countType: 'sinceImagePushed', countNumber: 3 })), 'rules[0].selection', /requires countUnit "days"/],
    ['countUnit not days', one(base({ tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'hours', countNumber: 3 })), 'rules[0].selection.countUnit', /countUnit must be "days", got "hours"/],
    [
      'sinceImagePulled with expire',
      one(base({ tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 3 })),
      'rules[0].action.type',
      /"sinceImagePulled" must be used with action "transition"/,
    ],
    [
      'sinceImageTransitioned with transition',
      one(base({ tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 3 }, { type: 'transition', targetStorageClass: 'archive' })),
      'rules[0].action.type',
      /"sinceImageTransitioned" must be used with action "expire"/,
    ],
    [
      'sinceImageTransitioned without storageClass archive',
      one(base({ tagStatus: 'any', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 3 })),
      'rules[0].selection.countType',
      /requires storageClass "archive"/,
    ],
    [
      'sinceImageTransitioned with storageClass standard',
      one(base({ tagStatus: 'any', storageClass: 'standard', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 3 })),
      'rules[0].selection.storageClass',
      /requires storageClass "archive"/,
    ],
    ['archive storage with imageCountMoreThan', one(base({ tagStatus: 'any', storageClass: 'archive', ...count })), 'rules[0].selection.storageClass', /only valid with countType "sinceImageTransitioned"/],
    ['archive storage with sinceImagePushed', one(base({ tagStatus: 'any', storageClass: 'archive', ...pushed })), 'rules[0].selection.storageClass', /supports "standard" only/],
    ['bad storageClass', one(base({ tagStatus: 'any', storageClass: 'glacier', ...count })), 'rules[0].selection.storageClass', /expected one of "standard", "archive"/],
    ['transition without target', one(base({ tagStatus: 'any', ...pushed }, { type: 'transition' })), 'rules[0].action', /requires targetStorageClass "archive"/],
    ['transition to another target', one(base({ tagStatus: 'any', ...pushed }, { type: 'transition', targetStorageClass: 'standard' })), 'rules[0].action.targetStorageClass', /must be "archive"/],
    ['expire with a target', one(base({ tagStatus: 'any', ...pushed }, { type: 'expire', targetStorageClass: 'archive' })), 'rules[0].action.targetStorageClass', /only valid with action "transition"/],
    ['bad action type', one(base({ tagStatus: 'any', ...pushed }, { type: 'delete' })), 'rules[0].action.type', /expected one of "expire", "transition"/],
    [
      'two untagged rules in one storage class',
      { rules: [base({ tagStatus: 'untagged', ...count }, { type: 'expire' }, 1), base({ tagStatus: 'untagged', ...pushed }, { type: 'expire' }, 2)] },
      'rules[1].selection.tagStatus',
      /only one rule selecting standard images may select untagged images/,
    ],
    [
      'same tag list twice in one storage class',
      { rules: [base({ tagStatus: 'tagged', tagPatternList: ['a*', 'b*'], ...count }, { type: 'expire' }, 1), base({ tagStatus: 'tagged', tagPatternList: ['b*', 'a*'], ...pushed }, { type: 'expire' }, 2)] },
      'rules[1].selection',
      /unique tag lists/,
    ],
    [
      'prefix list equal to a pattern list',
      { rules: [base({ tagStatus: 'tagged', tagPrefixList: ['prod'], ...count }, { type: 'expire' }, 1), base({ tagStatus: 'tagged', tagPatternList: ['prod*'], ...pushed }, { type: 'expire' }, 2)] },
      'rules[1].selection',
      /unique tag lists/,
    ],
  ])('%s', (_name, policy, path, message) => {
    const issues = issuesOf(policy);
    const match = issues.find((i) => i.path === path && message.test(i.message));
    expect(match, JSON.stringify(issues, null, 1)).toBeDefined();
  });

  it('allows the same tag list and one untagged rule in each storage class', () => {
    const rules = parseLifecyclePolicy({
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
      ],
    });
    expect(rules.map((r) => r.selection.storageClass)).toEqual(['standard', 'archive']);
  });

  it('accepts the documented 4-wildcard patterns', () => {
    const rules = parseLifecyclePolicy(
      JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }),
    );
    expect(rules[0]?.selection.tagPatterns).toEqual(['*test*1*2*3', 'test*1*2*3*']);
  });

  it('names the rule by its priority and points at the line and column of the field', () => {
    const text = [
      '{',
      '  "rules": [',
      '    { "rulePriority": 7, "selection": { "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 0 },',
      '      "action": { "type": "expire" } }',
      '  ]',
      '}',
    ].join('\n');
    const issues = issuesOf(text);
    expect(issues).toEqual([
      { file: 'policy.json', line: 3, column: 111, path: 'rules[0].selection.countNumber', message: 'rule priority 7: countNumber must be a positive integer (0 is not accepted)' },
    ]);
  });

  it('reports every problem at once, sorted by position', () => {
    const issues = issuesOf(
      JSON.stringify(
        { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'transition' } }] },
        null,
        2,
      ),
    );
    expect(issues.map((i) => i.path)).toEqual(['rules[0].selection.tagStatus', 'rules[0].selection.countNumber', 'rules[0].action']);
    expect(issues.map((i) => i.line)).toEqual([6, 8, 10]);
  });

  it('checks the text length ECR accepts (100..30720 characters)', () => {
    const short = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}';
    expect(short.length).toBeGreaterThanOrEqual(100);
    expect(() => parseLifecyclePolicy(short)).not.toThrow();
    const compact = '{"rules":[]}';
    expect(issuesOf(compact).some((i) => /12 characters; ECR requires at least 100/.test(i.message))).toBe(true);
    const long = JSON.stringify({ rules: [{ rulePriority: 1, description: 'x'.repeat(31_000), selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
    expect(issuesOf(long).some((i) => /ECR allows at most 30720/.test(i.message))).toBe(true);
  });

  it('reports JSON syntax errors with their position, and refuses YAML', () => {
    const broken = issuesOf('{\n  "rules": [\n    { "rulePriority": 1,, }\n  ]\n}');
    expect(broken).toEqual([{ file: 'policy.json', line: 3, column: 25, path: '', message: "JSON syntax: expected a double-quoted property name, found ','" }]);
    const yamlText = `rules:\n  - rulePriority: 1\n    selection: { tagStatus: any, countType: imageCountMoreThan, countNumber: 1 }\n    action: { type: expire }\n`;
    expect(issuesOf(yamlText)[0]?.message).toMatch(/must be JSON/);
  });

  it('gives issues without line numbers for an object input', () => {
    const issues = issuesOf({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } }] });
    expect(issues).toEqual([{ file: 'policy.json', path: 'rules[0].selection.countNumber', message: 'rule priority 1: countNumber must be a positive integer (0 is not accepted)' }]);
  });
});
