/**
 * Compound conditions (issue 13 §1): a rule's `when` may hold several conditions, all of which
 * must hold. Count and total-size conditions rank the rule's whole selection; then the image must
 * also meet every other condition. Table tests pin the semantics and the reasons; properties
 * show an added condition never deletes more, and that a compound rule acts exactly where each
 * of its conditions alone would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { RepositoryPlan } from '../../lib/core/plan-model.js';
import { planRepository } from '../../lib/core/planner.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { ruleConditions, type Condition, type Rule, type RuleSet } from '../../lib/core/rules-model.js';
import { condition, repository, ruleSetArb } from './arbitraries.js';
import { DAY, NOW, count, d, img, pushedDays, rule, ruleSet } from './builders.js';

const plan = (images: ImageRecord[], rs: RuleSet): RepositoryPlan => planRepository({ repositoryName: 'app', images }, rs, NOW);
const byName = (p: RepositoryPlan, name: string) => p.images.find((i) => i.imageDigest === d(name))!;
const compound = (r: Rule, ...conditions: Condition[]): Rule => ({ ...r, condition: conditions[0]!, conditions });
const sizeOver = (bytes: number): Condition => ({ type: 'sizeLargerThan', bytes });

// Versions 2.0.0..2.0.9 pushed 40d..31d ago (all old), a backport 1.0.1 pushed 10d ago and 1.0.0 45d ago.
const RELEASES: ImageRecord[] = [
  ...Array.from({ length: 10 }, (_, k) => img(`v2.0.${k}`, 40 - k, [`2.0.${k}`])),
  img('v1.0.1', 10, ['1.0.1']),
  img('v1.0.0', 45, ['1.0.0']),
];
const releasesRule = (...conditions: Condition[]) => compound(rule('releases', { tagStatus: 'tagged', tagPatterns: ['*'] }, conditions[0]!), ...conditions);

describe('compound conditions: "keep the newest 10 releases, but never delete one younger than 30 days"', () => {
  const p = plan(RELEASES, ruleSet([releasesRule(count(10, 'semver'), pushedDays(30))]));

  it('deletes only images beyond the newest 10 that are also older than 30 days, naming every condition', () => {
    expect(p.images.filter((i) => i.decision === 'delete').map((i) => i.imageTags[0])).toEqual(['1.0.0']);
    expect(byName(p, 'v1.0.0')).toMatchObject({
      rule: 'releases',
      reason: "delete: 12th highest version (1.0.0) of 'releases' (rule keeps 10) and pushed 45d ago > 30d",
    });
  });

  it('keeps an image beyond the count that is younger than the age, saying which condition failed', () => {
    expect(byName(p, 'v1.0.1')).toMatchObject({
      decision: 'keep',
      rule: 'releases',
      reason: "keep: pushed 10d ago is not more than 30d, though 11th highest version (1.0.1) of 'releases' (rule keeps 10)",
    });
  });

  it('keeps an old image within the count', () => {
    expect(byName(p, 'v2.0.7')).toMatchObject({
      decision: 'keep',
      reason: "keep: 3rd highest version (2.0.7) of 'releases' (rule keeps 10), though pushed 33d ago > 30d",
    });
  });

  it('each condition alone deletes more: the count alone takes the backport, the age alone every old release', () => {
    const countOnly = plan(RELEASES, ruleSet([rule('releases', { tagStatus: 'tagged', tagPatterns: ['*'] }, count(10, 'semver'))]));
    expect(countOnly.counts.delete).toBe(2);
    const ageOnly = plan(RELEASES, ruleSet([rule('releases', { tagStatus: 'tagged', tagPatterns: ['*'] }, pushedDays(30))]));
    expect(ageOnly.counts.delete).toBe(11);
  });
});

describe('compound conditions: table of forms', () => {
  const untaggedBigOld = compound(rule('big-old', { tagStatus: 'untagged' }, pushedDays(7)), pushedDays(7), sizeOver(1024));
  const sized = (name: string, days: number, bytes: number) => img(name, days, [], { imageSizeInBytes: bytes });

  it.each([
    ['old and large', sized('a', 9, 2048), 'delete', 'delete: untagged, pushed 9d ago > 7d and 2 KiB > 1 KiB (rule big-old)'],
    ['old, small', sized('a', 9, 500), 'keep', 'keep: 500 B is not more than 1 KiB, though untagged, pushed 9d ago > 7d (rule big-old)'],
    ['young, large', sized('a', 2, 2048), 'keep', 'keep: untagged, pushed 2d ago is not more than 7d, though 2 KiB > 1 KiB (rule big-old)'],
    ['young and small', sized('a', 2, 500), 'keep', 'keep: untagged, pushed 2d ago is not more than 7d and 500 B is not more than 1 KiB (rule big-old)'],
  ])('age and size: %s', (_, image, decision, reason) => {
    expect(plan([image], ruleSet([untaggedBigOld])).images[0]).toMatchObject({ decision, reason });
  });

  it('count and total size: ranked over the whole selection, then both must hold', () => {
    const images = [1, 2, 3, 4].map((n) => img(`i${n}`, n, [`t${n}`]));
    const r = compound(rule('budget', { tagStatus: 'any' }, count(1)), count(1), { type: 'totalSizeMoreThan', bytes: 2500 });
    const p = plan(images, ruleSet([r]));
    expect(p.images.map((i) => i.decision)).toEqual(['keep', 'keep', 'delete', 'delete']);
    expect(byName(p, 'i2').reason).toBe(
      "keep: within the 2.4 KiB budget of 'budget' (newest images up to this one total 1.9 KiB), though 2nd newest of 'budget' (rule keeps 1)",
    );
    expect(byName(p, 'i3').reason).toBe(
      "delete: 3rd newest of 'budget' (rule keeps 1) and beyond the 2.4 KiB budget of 'budget' (newest images up to this one total 2.9 KiB)",
    );
  });

  it('count by push time ranks among all selected images, not only the old ones', () => {
    // Newest 2 kept whatever their age; of the rest only those older than 5d go.
    const images = [1, 2, 3, 6, 8].map((n) => img(`i${n}`, n, [`t${n}`]));
    const p = plan(images, ruleSet([compound(rule('r', { tagStatus: 'any' }, count(2)), count(2), pushedDays(5))]));
    expect(p.images.map((i) => [i.imageTags[0], i.decision])).toEqual([
      ['t1', 'keep'],
      ['t2', 'keep'],
      ['t3', 'keep'],
      ['t6', 'delete'],
      ['t8', 'delete'],
    ]);
    expect(byName(p, 'i6').reason).toBe("delete: 4th newest of 'r' (rule keeps 2) and pushed 6d ago > 5d");
  });

  it('a compound transition rule transitions only where every condition holds', () => {
    const r: Rule = {
      ...compound(rule('cold', { tagStatus: 'any' }, { type: 'sinceImagePulled', ms: 30 * DAY }), { type: 'sinceImagePulled', ms: 30 * DAY }, sizeOver(1500)),
      action: { type: 'transition', targetStorageClass: 'archive' },
    };
    const images = [img('big', 40, ['a'], { imageSizeInBytes: 2000 }), img('small', 40, ['b'], { imageSizeInBytes: 1000 })];
    const p = plan(images, ruleSet([r]));
    expect(byName(p, 'big')).toMatchObject({ decision: 'transition', reason: 'transition: never pulled, pushed 40d ago > 30d and 1.9 KiB > 1.4 KiB (rule cold)' });
    expect(byName(p, 'small').decision).toBe('keep');
  });

  it('a compound rule still claims every image it selects: a lower rule cannot delete what it keeps', () => {
    const first = compound(rule('first', { tagStatus: 'any' }, count(1)), count(1), pushedDays(30));
    const later = rule('later', { tagStatus: 'any' }, pushedDays(1));
    const p = plan([img('new', 1, ['a']), img('mid', 5, ['b'])], ruleSet([first, later]));
    expect(byName(p, 'mid')).toMatchObject({ decision: 'keep', rule: 'first' });
    expect(byName(p, 'mid').reason).toMatch(/^keep: matched by higher-priority rule 'first' which keeps it — pushed 5d ago is not more than 30d, though 2nd newest/);
  });

  it('parses from YAML in a fixed order (count, ages, sizes) whatever order the file writes, and plans the same', () => {
    const yaml = [
      'version: 1',
      'defaults: { minAge: 0s }',
      'policies:',
      '  - name: releases',
      '    repositories: { include: ["**"] }',
      '    rules:',
      '      - id: releases',
      '        select: { tagStatus: tagged, tagPatterns: ["*"] }',
      '        when: { sinceImagePushed: 30d, orderBy: semver, imageCountMoreThan: 10 }',
    ].join('\n');
    const rs = parseRules(yaml);
    const parsed = rs.policies[0]!.rules[0]!;
    expect(ruleConditions(parsed)).toEqual([count(10, 'semver'), pushedDays(30)]);
    expect(parsed.condition).toEqual(count(10, 'semver'));
    const p = plan(RELEASES, rs);
    expect(byName(p, 'v1.0.0').reason).toBe("delete: 12th highest version (1.0.0) of 'releases' (rule keeps 10) and pushed 45d ago > 30d");
    expect(p.counts.delete).toBe(1);
  });

  it('a single condition parses without a conditions list (the model as before)', () => {
    const rs = parseRules('version: 1\npolicies:\n  - name: p\n    repositories: { include: ["**"] }\n    rules:\n      - { id: a, select: { tagStatus: any }, when: { sinceImagePushed: 3d } }\n');
    expect(rs.policies[0]!.rules[0]).not.toHaveProperty('conditions');
  });
});

/** The rule set with rule `k` given `extra` as one more condition. */
function withCondition(rs: RuleSet, k: number, extra: Condition): RuleSet {
  const policy = rs.policies[0]!;
  const rules = policy.rules.map((r, i) => (i === k % policy.rules.length ? compound(r, ...ruleConditions(r), extra) : r));
  return { ...rs, policies: [{ ...policy, rules }] };
}

/** No caps: a cap blocks a whole repository, and fewer deletions can lift a block. */
const uncapped = (rs: RuleSet): RuleSet => ({ ...rs, defaults: { ...rs.defaults, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null } });

// Plain images only (no indexes, referrers or signatures): each image's fate is its own.
const plainRepository = repository.map((records) =>
  records
    .filter((r) => !r.childDigests && !r.subjectManifestDigest && r.imageManifestMediaType === undefined)
    .map((r) => ({ ...r, imageTags: (r.imageTags ?? []).filter((t) => !t.endsWith('.sig')) })),
);

describe('compound conditions: properties', () => {
  it('adding a condition to any rule never deletes or transitions more, and never turns a keep into an action', () => {
    fc.assert(
      fc.property(repository, ruleSetArb.map(uncapped), fc.nat(), condition, (images, rs, k, extra) => {
        const before = plan(images, rs);
        const after = plan(images, withCondition(rs, k, extra));
        const decisionBefore = new Map(before.images.map((i) => [i.imageDigest, i.decision]));
        for (const image of after.images) {
          if (image.decision !== 'keep') expect(decisionBefore.get(image.imageDigest)).toBe(image.decision);
        }
        expect(after.counts.delete).toBeLessThanOrEqual(before.counts.delete);
        expect(after.counts.transition).toBeLessThanOrEqual(before.counts.transition);
      }),
      { numRuns: 300 },
    );
  });

  it('a condition repeated gives the same decisions as the condition once', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, fc.nat(), (images, rs, k) => {
        const policy = rs.policies[0]!;
        const target = policy.rules[k % policy.rules.length]!;
        const doubled = withCondition(rs, k, target.condition);
        expect(plan(images, doubled).images.map((i) => [i.imageDigest, i.decision])).toEqual(plan(images, rs).images.map((i) => [i.imageDigest, i.decision]));
      }),
      { numRuns: 200 },
    );
  });

  it('on plain images a two-condition rule acts exactly where each of its conditions alone would', () => {
    fc.assert(
      fc.property(plainRepository, ruleSetArb.map(uncapped), fc.nat(), condition, (images, rs, k, extra) => {
        const policy = rs.policies[0]!;
        const i = k % policy.rules.length;
        const alone = (c: Condition): RuleSet => ({
          ...rs,
          policies: [{ ...policy, rules: policy.rules.map((r, j) => (j === i ? { ...r, condition: c, conditions: undefined } : r)) }],
        });
        const base = policy.rules[i]!.condition;
        const both = plan(images, alone(base));
        const first = new Map(both.images.map((x) => [x.imageDigest, x.decision]));
        const second = new Map(plan(images, alone(extra)).images.map((x) => [x.imageDigest, x.decision]));
        for (const image of plan(images, withCondition(alone(base), i, extra)).images) {
          const a = first.get(image.imageDigest)!;
          const b = second.get(image.imageDigest)!;
          const expected = a !== 'keep' && b !== 'keep' ? a : 'keep';
          expect(image.decision).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
