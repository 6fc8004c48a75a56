/**
 * Repositories by resource tag and `lifecyclePolicy: attached`: how the rules file writes them
 * (parser and "did you mean" hints), how a policy is chosen (selectPolicy, pure, tags passed in),
 * and how an attached policy is compiled and planned with every protection on top.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';
import { compileAttachedPolicy, noAttachedPolicyPlan } from '../../lib/core/attached-policy.js';
import { planRepository } from '../../lib/core/planner.js';
import { hasAllTags, selectPolicy, usesRepositoryTags } from '../../lib/core/repository-match.js';
import { tagSelectorWarnings } from '../../lib/core/tag-warnings.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import type { Policy, RepositoryTags, RuleSet } from '../../lib/core/rules-model.js';
import { DAY, NOW, img } from '../planner/builders.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function issuesOf(text: string): RuleIssue[] {
  try {
    parseRules(text, { file: 'rules.yml' });
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  throw new Error('expected the rules to be rejected');
}

const UNTAGGED_RULE = ['    rules:', '      - id: untagged', '        select: { tagStatus: untagged }', '        when: { sinceImagePushed: 7d }'];
const doc = (...policyLines: string[]) => lines('version: 1', 'policies:', '  - name: p', ...policyLines);

describe('rules file: repositories.tags and lifecyclePolicy: attached', () => {
  it('reads tags alone, tags with include/exclude, and attached', () => {
    const ruleSet = parseRules(
      lines(
        'version: 1',
        'policies:',
        '  - name: data',
        '    repositories: { tags: { team: data } }',
        ...UNTAGGED_RULE,
        '  - name: data-prod',
        '    repositories: { include: ["prod/**"], exclude: ["prod/old-*"], tags: { team: data, "cost-center": "1234" } }',
        ...UNTAGGED_RULE,
        '  - name: own-policies',
        '    repositories: { include: ["**"] }',
        '    lifecyclePolicy: attached',
      ),
    );
    expect(ruleSet.policies.map((p) => [p.name, p.repositories, p.origin, p.rules.length])).toEqual([
      ['data', { include: [], exclude: [], tags: { team: 'data' } }, 'rules', 1],
      ['data-prod', { include: ['prod/**'], exclude: ['prod/old-*'], tags: { team: 'data', 'cost-center': '1234' } }, 'rules', 1],
      ['own-policies', { include: ['**'], exclude: [] }, 'attached', 0],
    ]);
    expect(usesRepositoryTags(ruleSet)).toBe(true);
    expect(usesRepositoryTags({ policies: ruleSet.policies.slice(2) })).toBe(false);
  });

  it.each([
    ['neither include nor tags', doc('    repositories: { exclude: ["x/*"] }', ...UNTAGGED_RULE), { line: 4, path: 'policies[0].repositories', message: /give repositories.include \(name globs\), repositories.tags \(resource tags, e.g. \{ team: data \}\), or both/ }],
    ['an empty tags map', doc('    repositories: { tags: {} }', ...UNTAGGED_RULE), { line: 4, path: 'policies[0].repositories.tags', message: /list at least one tag/ }],
    ['a number as a tag value', doc('    repositories: { tags: { cost-center: 1234 } }', ...UNTAGGED_RULE), { line: 4, column: 42, path: 'policies[0].repositories.tags.cost-center', message: /a repository tag value is a string: quote it \(e.g. "1234", "true"\)/ }],
    ['a boolean as a tag value', doc('    repositories: { tags: { critical: true } }', ...UNTAGGED_RULE), { line: 4, path: 'policies[0].repositories.tags.critical', message: /is a string: quote it/ }],
    ['a list of tags instead of a mapping', doc('    repositories: { tags: ["team=data"] }', ...UNTAGGED_RULE), { line: 4, path: 'policies[0].repositories.tags', message: /expected a mapping of repository tag keys to values, e.g. \{ team: data \}/ }],
    ['a tag key longer than ECR allows', doc(`    repositories: { tags: { ${'k'.repeat(129)}: v } }`, ...UNTAGGED_RULE), { line: 4, column: 29, message: /a tag key is at most 128 characters \(ECR's limit\), this one has 129/ }],
    ['a tag value longer than ECR allows', doc(`    repositories: { tags: { k: ${'v'.repeat(257)} } }`, ...UNTAGGED_RULE), { line: 4, message: /a tag value is at most 256 characters/ }],
    ['more tags than a repository can have', doc(`    repositories: { tags: { ${Array.from({ length: 51 }, (_, i) => `k${i}: v`).join(', ')} } }`, ...UNTAGGED_RULE), { line: 4, message: /51 tags: an ECR repository has at most 50, so no repository could match them all/ }],
    ['"tag" for "tags"', doc('    repositories: { tag: { team: data } }', ...UNTAGGED_RULE), { line: 4, path: 'policies[0].repositories.tag', message: /unknown key "tag" — did you mean "tags"\?/ }],
    ['"Attached" for "attached"', doc('    repositories: { include: ["**"] }', '    lifecyclePolicy: Attached'), { line: 5, path: 'policies[0].lifecyclePolicy', message: /did you mean "attached" \(each repository's own attached lifecycle policy\)\?/ }],
    ['"attach" for "attached"', doc('    repositories: { include: ["**"] }', '    lifecyclePolicy: attach'), { line: 5, message: /did you mean "attached"/ }],
    ['attached and rules together', doc('    repositories: { include: ["**"] }', '    lifecyclePolicy: attached', ...UNTAGGED_RULE), { line: 5, message: /either rules or lifecyclePolicy, not both/ }],
  ])('refuses %s, with its position', (_name, text, expected) => {
    const issues = issuesOf(text);
    const { message, ...where } = expected;
    const match = issues.find((i) => message.test(i.message) && Object.entries(where).every(([k, v]) => i[k as keyof RuleIssue] === v));
    expect(match, JSON.stringify(issues, null, 1)).toBeDefined();
  });

  it('gives no "attached" hint for a real path', () => {
    const issues = issuesOf(doc('    repositories: { include: ["**"] }', '    lifecyclePolicy: ./attached.json'));
    expect(issues.map((i) => i.message).join('\n')).not.toMatch(/did you mean/);
  });
});

const policyOf = (name: string, repositories: Partial<Policy['repositories']>, origin: Policy['origin'] = 'rules'): Policy => ({
  name,
  repositories: { include: [], exclude: [], ...repositories },
  rules: [],
  origin,
});
const rulesOf = (policies: Policy[], protect: readonly string[] = []): RuleSet => ({
  defaults: { mode: 'dry-run', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null },
  protect: { tags: [], repositories: protect },
  policies,
});

describe('selectPolicy with repository tags', () => {
  const rules = rulesOf([
    policyOf('legacy', { include: ['legacy/*'] }),
    policyOf('data-prod', { include: ['prod/**'], exclude: ['prod/old-*'], tags: { team: 'data' } }),
    policyOf('data', { tags: { team: 'data' } }),
    policyOf('data-env', { tags: { team: 'data', env: 'prod' } }),
    policyOf('rest', { include: ['**'] }),
  ], ['infra/**']);

  it.each<[string, RepositoryTags | undefined, string | null, string | RegExp, boolean]>([
    ['prod/etl', { team: 'data' }, 'data-prod', "governed by policy 'data-prod' (include 'prod/**', tags team=data)", false],
    ['prod/old-etl', { team: 'data' }, 'data', "governed by policy 'data' (tags team=data)", false],
    ['etl', { team: 'data', env: 'prod' }, 'data', "governed by policy 'data' (tags team=data)", false],
    ['etl', { team: 'Data' }, 'rest', "governed by policy 'rest' (include '**')", false],
    ['etl', { Team: 'data' }, 'rest', "governed by policy 'rest' (include '**')", false],
    ['etl', { team: 'data ' }, 'rest', "governed by policy 'rest' (include '**')", false],
    ['etl', { team: 'dat*' }, 'rest', "governed by policy 'rest' (include '**')", false],
    ['etl', {}, 'rest', "governed by policy 'rest' (include '**')", false],
    // A name an earlier policy governs needs no tags.
    ['legacy/app', undefined, 'legacy', "governed by policy 'legacy' (include 'legacy/*')", false],
    // Protection beats every policy, and needs no tags either.
    ['infra/dns', undefined, null, "repository matches protect.repositories 'infra/**'", true],
    ['infra/dns', { team: 'data' }, 'data', "repository matches protect.repositories 'infra/**'", true],
  ])('%s with tags %j → %s', (name, tags, expected, reason, isProtected) => {
    const selection = selectPolicy(name, rules, tags);
    expect(selection.policy?.name ?? null).toBe(expected);
    expect(selection.reason).toEqual(reason);
    expect(selection.protected).toBe(isProtected);
    expect(selection.needsTags).toBeUndefined();
  });

  it('leaves the decision open, naming the tag policy, when a tag policy could govern and no tags are given', () => {
    expect(selectPolicy('prod/etl', rules)).toEqual({
      policy: null,
      protected: false,
      reason: "its resource tags were not read, and policy 'data-prod' selects by tags team=data",
      needsTags: true,
    });
    expect(selectPolicy('etl', rules)).toMatchObject({ policy: null, needsTags: true, reason: /policy 'data' selects by tags team=data/ });
  });

  it('a policy with neither include nor tags selects nothing', () => {
    expect(selectPolicy('etl', rulesOf([policyOf('empty', {})]), { team: 'data' }).policy).toBeNull();
  });
});

// Arbitraries: small alphabets so keys, values and names collide often.
const keyArb = fc.constantFrom('team', 'env', 'Team', 'owner', 'cost-center');
const valueArb = fc.constantFrom('data', 'web', 'Data', 'prod', '', '1234');
const tagsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 4 });
const nameArb = fc.constantFrom('etl', 'prod/etl', 'prod/old-etl', 'legacy/app', 'infra/dns', 'web/site');
const selectorArb = fc.record(
  {
    include: fc.constantFrom([], ['**'], ['prod/**'], ['legacy/*'], ['web/*', 'etl']),
    exclude: fc.constantFrom([], ['prod/old-*'], ['**']),
    tags: fc.dictionary(keyArb, valueArb, { minKeys: 1, maxKeys: 2 }),
  },
  { requiredKeys: ['include', 'exclude'] },
);
const ruleSetArb = fc.record({
  selectors: fc.array(selectorArb, { minLength: 1, maxLength: 5 }),
  protect: fc.constantFrom([], ['infra/**']),
}).map(({ selectors, protect }) => rulesOf(selectors.map((s, i) => policyOf(`p${i}`, s)), protect));

describe('selectPolicy properties', () => {
  it('the governing policy is the first whose name globs and tags all match: a reference model', () => {
    fc.assert(
      fc.property(ruleSetArb, nameArb, tagsArb, (rules, name, tags) => {
        const got = selectPolicy(name, rules, tags).policy;
        const globMatch = (g: string, n: string) => (g === '**' ? true : g.endsWith('/**') ? n.startsWith(g.slice(0, -2)) : g.endsWith('*') ? n.startsWith(g.slice(0, -1)) && !n.slice(g.length - 1).includes('/') : g === n);
        const expected = rules.policies.find((p) => {
          const { include, exclude, tags: wanted } = p.repositories;
          const named = include.length === 0 ? wanted !== undefined : include.some((g) => globMatch(g, name));
          return named && !exclude.some((g) => globMatch(g, name)) && Object.entries(wanted ?? {}).every(([k, v]) => Object.hasOwn(tags, k) && tags[k] === v);
        });
        expect(got?.name).toBe(expected?.name);
      }),
      { numRuns: 500 },
    );
  });

  it('tags never matter where no policy selects by tag, and asking without tags is open exactly when they would', () => {
    fc.assert(
      fc.property(ruleSetArb, nameArb, tagsArb, tagsArb, (rules, name, a, b) => {
        const withTags = selectPolicy(name, rules, a);
        const without = selectPolicy(name, rules);
        if (!usesRepositoryTags(rules)) expect(selectPolicy(name, rules, b)).toEqual(withTags);
        if (without.needsTags) {
          expect(without.policy).toBeNull();
          expect(without.protected).toBe(false);
        } else if (!without.protected) {
          // Decided without tags: any tags give the same policy.
          expect(withTags.policy).toBe(without.policy);
          expect(selectPolicy(name, rules, b).policy).toBe(without.policy);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('adding tags a repository lacked never takes it away from a tag policy that matched (monotone), unless an earlier one now matches', () => {
    fc.assert(
      fc.property(ruleSetArb, nameArb, tagsArb, tagsArb, (rules, name, base, extra) => {
        const before = selectPolicy(name, rules, base).policy;
        const more = { ...extra, ...base };
        const after = selectPolicy(name, rules, more).policy;
        if (before !== null) {
          expect(after).not.toBeNull();
          expect(rules.policies.indexOf(after!)).toBeLessThanOrEqual(rules.policies.indexOf(before));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hasAllTags is exact: each wanted key present with the identical value', () => {
    fc.assert(
      fc.property(tagsArb, tagsArb, (tags, wanted) => {
        expect(hasAllTags(tags, wanted)).toBe(Object.keys(wanted).every((k) => k in tags && tags[k] === wanted[k]));
        expect(hasAllTags({ ...wanted, ...tags, ...wanted }, wanted)).toBe(true);
      }),
    );
  });
});

const ATTACHED_TEXT = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'keep 2 releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
  ],
});

describe('lifecyclePolicy: attached, compiled and planned', () => {
  const attachedRules = rulesOf([policyOf('own', { include: ['**'] }, 'attached')]);

  it('compiles attached text with the native parser; invalid text gives the parser\'s message, positioned', () => {
    const ok = compileAttachedPolicy(ATTACHED_TEXT, 'team/app');
    expect(ok.ok && ok.rules.map((r) => [r.id, r.condition.type])).toEqual([['priority-1', 'imageCountMoreThan'], ['priority-2', 'sinceImagePushed']]);
    const bad = compileAttachedPolicy(ATTACHED_TEXT.replace('"untagged"', '"tagged"'), 'team/app');
    expect(bad).toEqual({ ok: false, message: expect.stringMatching(/^its attached lifecycle policy is not valid \(1 problem\): 1:\d+ rules\[1\]\.selection\.tagStatus: rule priority 2: tagStatus "tagged" requires tagPatternList or tagPrefixList$/) });
    expect(compileAttachedPolicy('{"rules": [', 'team/app')).toMatchObject({ ok: false, message: /JSON syntax/ });
  });

  it('plans what ECR would do, with protections on top, and says the rules came from the attached policy', () => {
    const rules = { ...attachedRules, defaults: { ...attachedRules.defaults, minAgeMs: 3 * DAY }, protect: { tags: ['v1'], repositories: [] } };
    const compiled = compileAttachedPolicy(ATTACHED_TEXT, 'team/app');
    if (!compiled.ok) throw new Error(compiled.message);
    const images = [img('A', 40, ['v1']), img('B', 30, ['v2']), img('C', 20, ['v3']), img('D', 10, ['v4']), img('U', 9), img('Y', 8), img('N', 1, ['v5'])];
    const plan = planRepository({ repositoryName: 'team/app', images }, rules, NOW, { attachedRules: compiled.rules });
    expect(plan.rulesFrom).toBe('attached-lifecycle-policy');
    expect(plan.policy).toBe('own');
    const by = Object.fromEntries(plan.images.map((i) => [i.imageTags[0] ?? i.imageDigest.slice(7, 9), [i.decision, i.reason]]));
    // ECR would expire v1, v2, v3 (keep the 2 newest: v5, v4) and both untagged images.
    expect(by.v1).toEqual(['keep', expect.stringMatching(/^keep: protected tag 'v1' \(rule priority-1 would delete it\)/)]);
    expect(by.v2?.[0]).toBe('delete');
    expect(by.v3?.[0]).toBe('delete');
    expect(by.v4?.[0]).toBe('keep');
    expect(by.v5?.[0]).toBe('keep');
    expect(plan.counts.delete).toBe(4);
  });

  it('fails closed: an attached policy that was not given, or tags that were not, keep everything', () => {
    const images = [img('U', 90)];
    const plan = planRepository({ repositoryName: 'team/app', images }, attachedRules, NOW);
    expect(plan.status).toBe('unmanaged');
    expect(plan.images[0]?.decision).toBe('keep');
    const byTag = planRepository({ repositoryName: 'etl', images }, rulesOf([policyOf('data', { tags: { team: 'data' } })]), NOW);
    expect(byTag.status).toBe('unmanaged');
    expect(byTag.images[0]?.reason).toMatch(/resource tags were not read/);
  });

  it('a repository with no attached policy is reported as such, untouched', () => {
    expect(noAttachedPolicyPlan('team/app', 'own')).toEqual({
      repositoryName: 'team/app',
      policy: 'own',
      status: 'no-lifecycle-policy',
      statusReason: 'no lifecycle policy is attached to this repository, so it is untouched',
      images: [],
      counts: { images: 0, delete: 0, keep: 0, transition: 0, bytesToFree: 0 },
    });
  });

  it('property: an attached policy planned with protections never deletes more than the same rules without them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ days: fc.integer({ min: 0, max: 60 }), tag: fc.option(fc.constantFrom('v1', 'v2', 'v3', 'v4', 'latest'), { nil: null }) }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 10 }),
        (specs, minAgeDays) => {
          const compiled = compileAttachedPolicy(ATTACHED_TEXT, 'r');
          if (!compiled.ok) throw new Error(compiled.message);
          const images = specs.map((s, i) => img(`I${i}`, s.days, s.tag ? [`${s.tag}`] : []));
          const bare = planRepository({ repositoryName: 'r', images }, attachedRules, NOW, { attachedRules: compiled.rules });
          const guarded = planRepository(
            { repositoryName: 'r', images },
            { ...attachedRules, defaults: { ...attachedRules.defaults, minAgeMs: minAgeDays * DAY }, protect: { tags: ['latest'], repositories: [] } },
            NOW,
            { attachedRules: compiled.rules },
          );
          const deletedBare = new Set(bare.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest));
          for (const image of guarded.images) if (image.decision === 'delete') expect(deletedBare.has(image.imageDigest)).toBe(true);
          for (const image of guarded.images) {
            if (image.imageTags.includes('latest') || Date.parse(image.pushedAt ?? '') > NOW - minAgeDays * DAY) expect(image.decision).toBe('keep');
          }
        },
      ),
    );
  });
});

describe('tagSelectorWarnings', () => {
  const rules = rulesOf([policyOf('data', { tags: { team: 'data' } }), policyOf('apps', { include: ['apps/**'] })]);

  it.each<[string, string[], number, number, number]>([
    ['governs nothing, every read ok', [], 4, 0, 1],
    ['governs a repository', ['data'], 4, 0, 0],
    ['a tag read failed: it may govern that one', [], 3, 1, 0],
    ['only a name policy governs', ['apps'], 1, 0, 1],
  ])('%s', (_name, governing, tagsRead, failures, expected) => {
    const warnings = tagSelectorWarnings({ ruleSet: rules, governingPolicies: new Set(governing), tagsRead, tagReadFailures: failures });
    expect(warnings).toHaveLength(expected);
    for (const w of warnings) expect(w).toEqual({ code: 'policy-tags-match-nothing', message: expect.stringMatching(/^policy 'data' selects repositories tagged team=data, and none of the \d+ repositor(y|ies) whose tags were read has them all/) });
  });
});
