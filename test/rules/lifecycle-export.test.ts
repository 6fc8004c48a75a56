import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportLifecyclePolicy, parseLifecyclePolicy, renderLifecyclePolicyYaml } from '../../lib/core/lifecycle-policy.js';
import type { Policy, Rule } from '../../lib/core/rules-model.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { nativePolicyArb } from './arbitraries.js';
import { ACCEPTANCE_CASES, E1, E2, E3, E4, E5, E7 } from './native-examples.js';

const strip = (rules: readonly Rule[]) => rules.map(({ source: _s, ...r }) => r);
const asPolicy = (rules: readonly Rule[]): Policy => ({ name: 'p', repositories: { include: ['**'], exclude: [] }, rules, origin: 'lifecyclePolicy' });

/** Rules of a one-policy YAML document. */
function yamlRules(...ruleLines: string[]): Policy {
  const text = ['version: 1', 'policies:', '  - name: p', '    repositories: { include: ["**"] }', '    rules:', ...ruleLines.map((l) => `      ${l}`)].join('\n');
  const policy = parseRules(text).policies[0];
  if (!policy) throw new Error('no policy');
  return policy;
}

describe('exportLifecyclePolicy', () => {
  it('writes expressible rules as ECR JSON, priorities in list order, ids kept in descriptions', () => {
    const out = exportLifecyclePolicy(
      yamlRules(
        '- { id: prod-30d, description: old prod, select: { tagStatus: tagged, tagPatterns: ["prod*"] }, when: { sinceImagePushed: 30d } }',
        '- { id: untagged, select: { tagStatus: untagged }, when: { imageCountMoreThan: 1 } }',
        '- { id: cold, select: { tagStatus: any }, when: { sinceImagePulled: 2w }, action: transition }',
        '- { id: archived, select: { tagStatus: any, storageClass: archive }, when: { sinceImageTransitioned: 365d } }',
      ),
    );
    expect(out.notExpressible).toEqual([]);
    expect(out.policy).toEqual({
      rules: [
        { rulePriority: 1, description: 'prod-30d: old prod', selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'expire' } },
        { rulePriority: 2, description: 'untagged', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 3, description: 'cold', selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 14 }, action: { type: 'transition', targetStorageClass: 'archive' } },
        { rulePriority: 4, description: 'archived', selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }, action: { type: 'expire' } },
      ],
    });
    expect(JSON.parse(out.text)).toEqual(out.policy);
    // What it exports, ECR's own validation accepts.
    expect(() => parseLifecyclePolicy(out.text)).not.toThrow();
  });

  it.each<[string, string, RegExp]>([
    ['regex pattern', '{ id: r, select: { tagStatus: tagged, tagPatterns: ["/^v\\\\d+$/"] }, when: { imageCountMoreThan: 3 } }', /tag pattern \/\^v\\d\+\$\/ is a regular expression/],
    ['"?" wildcard', '{ id: r, select: { tagStatus: tagged, tagPatterns: ["v?"] }, when: { imageCountMoreThan: 3 } }', /uses "\?" \(native patterns support \* only\)/],
    ['more than 4 wildcards', '{ id: r, select: { tagStatus: tagged, tagPatterns: ["*a*b*c*d*"] }, when: { imageCountMoreThan: 3 } }', /has 5 wildcards \(native allows at most 4\)/],
    ['exclude patterns', '{ id: r, select: { tagStatus: any, excludeTagPatterns: ["keep-*"] }, when: { imageCountMoreThan: 3 } }', /excludeTagPatterns \(keep-\*\) have no native equivalent/],
    ['semver order', '{ id: r, select: { tagStatus: tagged, tagPatterns: ["v*"] }, when: { imageCountMoreThan: 3, orderBy: semver } }', /orderBy: semver has no native equivalent/],
    ['size rule', '{ id: r, select: { tagStatus: any }, when: { sizeLargerThan: 1GiB } }', /sizeLargerThan 1GiB has no native equivalent/],
    ['total size rule', '{ id: r, select: { tagStatus: any }, when: { totalSizeMoreThan: 20GB } }', /totalSizeMoreThan 20GB has no native equivalent/],
    ['sub-day duration', '{ id: r, select: { tagStatus: untagged }, when: { sinceImagePushed: 12h } }', /sinceImagePushed 12h is not a whole number of days/],
    ['sinceImagePulled that deletes', '{ id: r, select: { tagStatus: any }, when: { sinceImagePulled: 30d } }', /sinceImagePulled with action expire: ECR only archives/],
    ['archive storage with a count', '{ id: r, select: { tagStatus: any, storageClass: archive }, when: { imageCountMoreThan: 5 } }', /storageClass archive with imageCountMoreThan/],
    ['compound condition', '{ id: r, select: { tagStatus: any }, when: { imageCountMoreThan: 10, sinceImagePushed: 30d } }', /its 2 conditions \(imageCountMoreThan and sinceImagePushed\) must all hold; .*ECR cannot express a compound rule/],
  ])('names what it cannot express: %s', (_name, rule, reason) => {
    const out = exportLifecyclePolicy(yamlRules(`- ${rule}`));
    expect(out.policy.rules).toEqual([]);
    expect(out.notExpressible[0]).toEqual({ ruleId: 'r', reason: expect.stringMatching(reason) });
    expect(out.notExpressible[0]?.reason).toMatch(/left out of the native policy$/);
  });

  it('warns that leaving out a rule changes what lower rules may expire, and keeps the rest', () => {
    const out = exportLifecyclePolicy(
      yamlRules(
        '- { id: semver, select: { tagStatus: tagged, tagPatterns: ["v*"] }, when: { imageCountMoreThan: 3, orderBy: semver } }',
        '- { id: all, select: { tagStatus: any }, when: { imageCountMoreThan: 50 } }',
      ),
    );
    expect(out.notExpressible).toEqual([{ ruleId: 'semver', reason: expect.stringMatching(/lower-priority rules there may expire images this rule's selection would have protected/) }]);
    expect(out.policy.rules).toEqual([{ rulePriority: 2, description: 'all', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 }, action: { type: 'expire' } }]);
  });

  it('reports what ECR would reject in the exported policy (text under 100 characters)', () => {
    const out = exportLifecyclePolicy(asPolicy([{ id: 'a', selection: { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' }, condition: { type: 'imageCountMoreThan', count: 1, orderBy: 'pushedAt' }, action: { type: 'expire' } }]));
    expect(out.text.length).toBeGreaterThan(100);
    const empty = exportLifecyclePolicy(asPolicy([]));
    expect(empty.notExpressible.map((n) => n.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/ECR would reject the exported policy: .*at least 1 rule/)]));
  });

  const documented: [string, object][] = [
    ['E1', E1],
    ['E2', E2],
    ['E3', E3],
    ['E4', E4],
    ['E5', E5],
    ['E7', E7],
    ...ACCEPTANCE_CASES.flatMap((c) => [[`${c.name} patterns`, c.policy('tagPatternList')] as [string, object], [`${c.name} prefixes`, c.policy('tagPrefixList')] as [string, object]]),
  ];
  it.each(documented)('round trip of %s: import → export gives an equivalent policy', (_name, native) => {
    const imported = parseLifecyclePolicy(native);
    const out = exportLifecyclePolicy(asPolicy(imported));
    expect(out.notExpressible).toEqual([]);
    expect(strip(parseLifecyclePolicy(out.text))).toEqual(strip(imported));
  });

  it('round trip of any valid native policy: import → export → import is the identity', () => {
    fc.assert(
      fc.property(nativePolicyArb, (native) => {
        const imported = parseLifecyclePolicy(JSON.stringify(native));
        const out = exportLifecyclePolicy(asPolicy(imported));
        expect(out.notExpressible).toEqual([]);
        expect(strip(parseLifecyclePolicy(out.text))).toEqual(strip(imported));
      }),
      { numRuns: 200 },
    );
  });
});

describe('renderLifecyclePolicyYaml', () => {
  it('renders a commented rules file that parses back to the same rules', () => {
    const rules = parseLifecyclePolicy(E7);
    const text = renderLifecyclePolicyYaml(rules, { repositoryName: 'app/web', source: 'GetLifecyclePolicy of app/web' });
    expect(text).toMatch(/^# ecr-sweeper rules imported from GetLifecyclePolicy of app\/web\./);
    expect(text).toContain('# native rulePriority 2');
    const rs = parseRules(text);
    expect(rs.defaults.mode).toBe('dry-run');
    expect(rs.defaults.minAgeMs).toBe(0);
    expect(rs.policies[0]?.name).toBe('app/web');
    expect(rs.policies[0]?.repositories.include).toEqual(['app/web']);
    // A native policy knows nothing of what is in use: no inUse block, so the defaults apply.
    expect(rs.inUse).toBeUndefined();
    expect(text).toContain('# Unlike the native policy, images in use (ECS, Lambda by default) are kept: see inUse in the docs.');
    expect(strip(rs.policies[0]?.rules ?? [])).toEqual(strip(rules).map(({ rulePriority: _p, ...r }) => r));
  });

  it('marks the repositories to fill in when the policy came from a file', () => {
    const text = renderLifecyclePolicyYaml(parseLifecyclePolicy(E4), { source: 'e4.json' });
    expect(text).toContain('# CHANGE-ME: which repositories this policy governs');
    expect(parseRules(text).policies[0]?.repositories.include).toEqual(['CHANGE-ME/**']);
  });

  it('every valid native policy renders to YAML rules with the same meaning', () => {
    fc.assert(
      fc.property(nativePolicyArb, (native) => {
        const rules = parseLifecyclePolicy(native);
        const rs = parseRules(renderLifecyclePolicyYaml(rules, { repositoryName: 'r' }));
        expect(strip(rs.policies[0]?.rules ?? [])).toEqual(strip(rules).map(({ rulePriority: _p, ...r }) => r));
      }),
      { numRuns: 200 },
    );
  });
});

describe('compound rules and YAML', () => {
  it('renders every condition of a compound rule, and the text parses back to the same rule', () => {
    const policy = yamlRules('- { id: r, select: { tagStatus: tagged, tagPatterns: ["v*"] }, when: { imageCountMoreThan: 10, orderBy: semver, sinceImagePushed: 30d, sizeLargerThan: 1GiB } }');
    const text = renderLifecyclePolicyYaml(policy.rules);
    const back = parseRules(text).policies[0]!.rules;
    expect(strip(back)).toEqual(strip(policy.rules));
    expect(back[0]!.conditions).toHaveLength(3);
  });
});
