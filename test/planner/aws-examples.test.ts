/**
 * AWS's documented lifecycle examples (ecr-facts.md §2.2, acceptance cases AC-1..AC-6), each in
 * the current `tagPatternList` form and the 2020 `tagPrefixList` form (which reaches the planner
 * as the glob `<prefix>*`). The expected sets are AWS's stated results.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import { planRepository } from '../../lib/core/planner.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { count, d, DAY, img, NOW, pushedDays, rule, ruleSet } from './builders.js';

function expired(images: ImageRecord[], rules: Rule[]): string[] {
  const plan = planRepository({ repositoryName: 'repo', images }, ruleSet(rules), NOW);
  return plan.images
    .filter((i) => i.decision === 'delete')
    .map((i) => names.get(i.imageDigest)!)
    .sort();
}

const names = new Map<string, string>();
for (const n of 'ABCDEF') names.set(d(n), n);

// The current docs write tagPatternList ["prod*"]; the 2020 docs wrote tagPrefixList ["prod"],
// which the loader turns into the glob "prod*" (rules-model.ts). A /regex/ spelling of the same
// selection must give the same result too.
const FORMS = [
  { name: 'tagPatternList ["prod*"]', p: (prefix: string) => `${prefix}*` },
  { name: 'tagPrefixList ["prod"]', p: (prefix: string) => [prefix].map((entry) => `${entry}*`)[0]! },
  { name: '/regex/ ["/prod.*/"]', p: (prefix: string) => `/${prefix}.*/` },
];

const multipleRulesImages = (): ImageRecord[] => [
  img('A', 10, ['beta-1', 'prod-1']),
  img('B', 9, ['beta-2', 'prod-2']),
  img('C', 8, ['beta-3']),
];

describe.each(FORMS)('AWS documented examples, $name', ({ p }) => {
  it('AC-1 multiple rules, example A: only A expires (B matches the higher-priority rule, which keeps it)', () => {
    const rules = [
      rule('R1', { tagStatus: 'tagged', tagPatterns: [p('prod')] }, count(1)),
      rule('R2', { tagStatus: 'tagged', tagPatterns: [p('beta')] }, count(1)),
    ];
    expect(expired(multipleRulesImages(), rules)).toEqual(['A']);
  });

  it('AC-2 multiple rules, example B (priorities swapped): A and B expire', () => {
    const rules = [
      rule('R1', { tagStatus: 'tagged', tagPatterns: [p('beta')] }, count(1)),
      rule('R2', { tagStatus: 'tagged', tagPatterns: [p('prod')] }, count(1)),
    ];
    expect(expired(multipleRulesImages(), rules)).toEqual(['A', 'B']);
  });

  it('AC-3 multiple tag patterns are ANDed: only C expires', () => {
    const images = [
      img('A', 12, ['alpha-1']),
      img('B', 11, ['beta-1']),
      img('C', 10, ['alpha-2', 'beta-2']),
      img('D', 4, ['alpha-3']),
      img('E', 3, ['beta-3']),
      img('F', 2, ['alpha-4', 'beta-4']),
    ];
    const rules = [rule('R1', { tagStatus: 'tagged', tagPatterns: [p('alpha'), p('beta')] }, pushedDays(5))];
    expect(expired(images, rules)).toEqual(['C']);
  });

  it('AC-4 extra tags do not exclude an image: A and B expire', () => {
    const images = [
      img('A', 10, ['alpha-1', 'beta-1', 'gamma-1']),
      img('B', 9, ['alpha-2', 'beta-2']),
      img('C', 8, ['alpha-3', 'beta-3', 'gamma-2']),
    ];
    const rules = [rule('R1', { tagStatus: 'tagged', tagPatterns: [p('alpha'), p('beta')] }, count(1))];
    expect(expired(images, rules)).toEqual(['A', 'B']);
  });

  it('AC-6 all rule types: A (R1), B (R2) and D (R3) expire; E is protected by R2 selecting it', () => {
    const images = [
      img('A', 4, ['alpha-1', 'beta-1']),
      img('B', 3, []),
      img('C', 2, ['alpha-2']),
      img('D', 1, ['git hash']),
      { ...img('E', 1, []), imagePushedAt: NOW - DAY + 1 },
    ];
    const rules = [
      rule('R1', { tagStatus: 'tagged', tagPatterns: [p('alpha')] }, count(1)),
      rule('R2', { tagStatus: 'untagged' }, pushedDays(1)),
      rule('R3', { tagStatus: 'any' }, count(1)),
    ];
    const plan = planRepository({ repositoryName: 'repo', images }, ruleSet(rules), NOW);
    const byName = new Map(plan.images.map((i) => [names.get(i.imageDigest)!, i]));
    expect(expired(images, rules)).toEqual(['A', 'B', 'D']);
    expect(byName.get('A')!.rule).toBe('R1');
    expect(byName.get('B')!.rule).toBe('R2');
    expect(byName.get('D')!.rule).toBe('R3');
    expect(byName.get('E')!.reason).toBe('keep: untagged, pushed 23h ago is not more than 1d (rule R2)');
    expect(byName.get('C')!.reason).toBe(
      "keep: matched by higher-priority rule 'R1' which keeps it — newest of 'R1' (rule keeps 1); rule 'R3' alone would delete it",
    );
  });
});

describe('AWS documented examples without tag lists', () => {
  it('AC-5 all images: A, B and C expire, the newest (D) stays', () => {
    const images = [img('A', 4, ['alpha-1']), img('B', 3, ['beta-1']), img('C', 2, []), img('D', 1, ['alpha-2'])];
    expect(expired(images, [rule('R1', { tagStatus: 'any' }, count(1))])).toEqual(['A', 'B', 'C']);
  });

  it('E4 keep only one untagged image: every older untagged image expires, tagged ones are untouched', () => {
    const images = [img('A', 5), img('B', 4), img('C', 3, ['v1']), img('D', 2)];
    expect(expired(images, [rule('R1', { tagStatus: 'untagged' }, count(1))])).toEqual(['A', 'B']);
  });

  it('E1 (2020 form) untagged images older than 14 days expire; exactly 14 days is not older', () => {
    const images = [img('A', 15), img('B', 14), img('C', 20, ['prod-1'])];
    expect(expired(images, [rule('R1', { tagStatus: 'untagged' }, pushedDays(14))])).toEqual(['A']);
  });

  it('E2 archive images not pulled in 90 days: decision is transition, never delete', () => {
    const images = [
      img('A', 200, ['a'], { lastRecordedPullTime: NOW - 100 * DAY }),
      img('B', 200, ['b'], { lastRecordedPullTime: NOW - 10 * DAY }),
      img('C', 95, []),
    ];
    const plan = planRepository(
      { repositoryName: 'repo', images },
      ruleSet([rule('R1', { tagStatus: 'any' }, { type: 'sinceImagePulled', ms: 90 * DAY }, { type: 'transition', targetStorageClass: 'archive' })]),
      NOW,
    );
    const decisions = Object.fromEntries(plan.images.map((i) => [names.get(i.imageDigest), i.decision]));
    expect(decisions).toEqual({ A: 'transition', B: 'keep', C: 'transition' });
    expect(plan.counts).toMatchObject({ delete: 0, transition: 2, bytesToFree: 0 });
  });

  it('E7 archive after 30 days, expire after 365 days in archive: each rule sees only its storage class', () => {
    const images = [
      img('A', 40, ['a']),
      img('B', 10, ['b']),
      img('C', 800, ['c'], { imageStatus: 'ARCHIVED', lastArchivedAt: NOW - 400 * DAY }),
      img('D', 800, ['d'], { imageStatus: 'ARCHIVED', lastArchivedAt: NOW - 100 * DAY }),
    ];
    const plan = planRepository(
      { repositoryName: 'repo', images },
      ruleSet([
        rule('R1', { tagStatus: 'any' }, pushedDays(30), { type: 'transition', targetStorageClass: 'archive' }),
        rule('R2', { tagStatus: 'any', storageClass: 'archive' }, { type: 'sinceImageTransitioned', ms: 365 * DAY }),
      ]),
      NOW,
    );
    const decisions = Object.fromEntries(plan.images.map((i) => [names.get(i.imageDigest), [i.decision, i.rule]]));
    expect(decisions).toEqual({ A: ['transition', 'R1'], B: ['keep', 'R1'], C: ['delete', 'R2'], D: ['keep', 'R2'] });
  });
});
