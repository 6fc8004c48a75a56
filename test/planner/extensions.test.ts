/** The rule extensions beyond ECR: semver ordering, size rules, regex and exclude patterns, pull age. */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { RepositoryPlan } from '../../lib/core/plan-model.js';
import { planRepository } from '../../lib/core/planner.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { count, d, DAY, img, NOW, pushedDays, rule, ruleSet } from './builders.js';

function plan(images: ImageRecord[], rules: Rule[]): RepositoryPlan {
  return planRepository({ repositoryName: 'repo', images }, ruleSet(rules), NOW);
}

function deleted(p: RepositoryPlan, names: string[]): string[] {
  return names.filter((n) => p.images.find((i) => i.imageDigest === d(n))!.decision === 'delete');
}

function reasonOf(p: RepositoryPlan, name: string): string {
  return p.images.find((i) => i.imageDigest === d(name))!.reason;
}

describe('orderBy semver', () => {
  // Pushed in an order unrelated to the versions: a hotfix for 1.x pushed after 2.0.0.
  const images = (): ImageRecord[] => [
    img('v200', 5, ['v2.0.0']),
    img('v110', 9, ['v1.1.0']),
    img('v111', 1, ['v1.1.1']),
    img('rc', 0.5, ['v2.1.0-rc.1']),
    img('bad', 30, ['v-final']),
  ];
  const semverRule = (n: number) => rule('releases', { tagStatus: 'tagged', tagPatterns: ['v*'] }, count(n, 'semver'));

  it('ranks by the semantic version of the matching tag, not by push time', () => {
    const p = plan(images(), [semverRule(2)]);
    expect(deleted(p, ['v200', 'v110', 'v111', 'rc', 'bad'])).toEqual(['v110', 'v111']);
    // A pre-release of 2.1.0 is above 2.0.0, as semver orders it.
    expect(reasonOf(p, 'rc')).toBe("keep: highest version (2.1.0-rc.1) of 'releases' (rule keeps 2)");
    expect(reasonOf(p, 'v200')).toBe("keep: 2nd highest version (2.0.0) of 'releases' (rule keeps 2)");
    expect(reasonOf(p, 'v110')).toBe("delete: 4th highest version (1.1.0) of 'releases' (rule keeps 2)");
  });

  it('an image without a valid version is not ranked and is kept, with a reason', () => {
    const p = plan(images(), [semverRule(0)]);
    expect(deleted(p, ['bad'])).toEqual([]);
    expect(reasonOf(p, 'bad')).toBe("keep: no valid semantic version in its tags, so 'releases' does not rank it (rule keeps 0)");
  });

  it('reads the version only from tags the rule matches, and uses the highest of them', () => {
    const p = plan(
      [img('a', 5, ['v1.0.0', 'x9.9.9']), img('b', 6, ['v1.5.0', 'v0.1.0'])],
      [rule('r', { tagStatus: 'tagged', tagPatterns: ['v*'] }, count(1, 'semver'))],
    );
    expect(deleted(p, ['a', 'b'])).toEqual(['a']);
  });

  it('equal versions rank newest push first', () => {
    const p = plan([img('a', 5, ['1.0.0']), img('b', 6, ['v1.0.0'])], [rule('r', { tagStatus: 'tagged', tagPatterns: ['*'] }, count(1, 'semver'))]);
    expect(deleted(p, ['a', 'b'])).toEqual(['b']);
  });
});

describe('sizeLargerThan and totalSizeMoreThan', () => {
  it('sizeLargerThan deletes strictly larger images; unknown sizes are kept', () => {
    const p = plan(
      [img('big', 5, [], { imageSizeInBytes: 2000 }), img('edge', 5, [], { imageSizeInBytes: 1000 }), img('unknown', 5, [], { imageSizeInBytes: undefined })],
      [rule('big', {}, { type: 'sizeLargerThan', bytes: 1000 })],
    );
    expect(deleted(p, ['big', 'edge', 'unknown'])).toEqual(['big']);
    expect(reasonOf(p, 'big')).toBe('delete: 1.9 KiB > 1000 B (rule big)');
    expect(reasonOf(p, 'unknown')).toBe("keep: size unknown, so 'big' cannot weigh it");
  });

  it('totalSizeMoreThan expires the oldest until the rest fits', () => {
    const mib = 1024 * 1024;
    const images = [
      img('n1', 1, [], { imageSizeInBytes: 4 * mib }),
      img('n2', 2, [], { imageSizeInBytes: 4 * mib }),
      img('n3', 3, [], { imageSizeInBytes: 4 * mib }),
      img('n4', 4, [], { imageSizeInBytes: 1 * mib }),
    ];
    const p = plan(images, [rule('cache', {}, { type: 'totalSizeMoreThan', bytes: 10 * mib })]);
    expect(deleted(p, ['n1', 'n2', 'n3', 'n4'])).toEqual(['n3', 'n4']);
    expect(reasonOf(p, 'n3')).toBe("delete: beyond the 10 MiB budget of 'cache' (newest images up to this one total 12 MiB)");
    expect(reasonOf(p, 'n2')).toBe("keep: within the 10 MiB budget of 'cache' (newest images up to this one total 8 MiB)");
    expect(p.counts.bytesToFree).toBe(5 * mib);
  });

  it('totalSizeMoreThan exactly at the budget deletes nothing', () => {
    const p = plan([img('a', 1, [], { imageSizeInBytes: 600 }), img('b', 2, [], { imageSizeInBytes: 400 })], [rule('t', {}, { type: 'totalSizeMoreThan', bytes: 1000 })]);
    expect(p.counts.delete).toBe(0);
  });
});

describe('tag patterns', () => {
  it('/regex/ matches the whole tag', () => {
    const p = plan(
      [img('a', 30, ['pr-12']), img('b', 30, ['pr-12-fix']), img('c', 30, ['xpr-1'])],
      [rule('prs', { tagStatus: 'tagged', tagPatterns: ['/pr-\\d+/'] }, pushedDays(7))],
    );
    expect(deleted(p, ['a', 'b', 'c'])).toEqual(['a']);
  });

  it('? matches exactly one character; a pattern without wildcards matches the tag exactly', () => {
    const p = plan(
      [img('a', 30, ['v1']), img('b', 30, ['v12']), img('c', 30, ['main']), img('d', 30, ['main-2'])],
      [rule('g', { tagStatus: 'tagged', tagPatterns: ['v?'] }, pushedDays(7)), rule('m', { tagStatus: 'tagged', tagPatterns: ['main'] }, pushedDays(7))],
    );
    expect(deleted(p, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c']);
  });

  it('exclude patterns take an image out of the selection (so a lower rule may still act on it)', () => {
    const images = [img('a', 30, ['pr-1', 'keep-me']), img('b', 30, ['pr-2'])];
    const p1 = plan(images, [rule('prs', { tagStatus: 'tagged', tagPatterns: ['pr-*'], excludeTagPatterns: ['keep-*'] }, pushedDays(7))]);
    expect(deleted(p1, ['a', 'b'])).toEqual(['b']);
    expect(reasonOf(p1, 'a')).toBe('keep: no rule selects it');
    const p2 = plan(images, [
      rule('prs', { tagStatus: 'tagged', tagPatterns: ['pr-*'], excludeTagPatterns: ['keep-*'] }, pushedDays(7)),
      rule('rest', {}, pushedDays(20)),
    ]);
    expect(deleted(p2, ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('pull age and storage classes', () => {
  const pulled = (days: number) => ({ type: 'sinceImagePulled' as const, ms: days * DAY });

  it('sinceImagePulled uses the last pull, falling back to the push time, and deletes (unlike ECR)', () => {
    const p = plan(
      [img('old-pulled', 100, ['a'], { lastRecordedPullTime: NOW - 5 * DAY }), img('stale', 100, ['b'], { lastRecordedPullTime: NOW - 40 * DAY }), img('never', 40, ['c'])],
      [rule('stale', {}, pulled(30))],
    );
    expect(deleted(p, ['old-pulled', 'stale', 'never'])).toEqual(['stale', 'never']);
    expect(reasonOf(p, 'stale')).toBe('delete: last pulled 40d ago > 30d (rule stale)');
    expect(reasonOf(p, 'never')).toBe('delete: never pulled, pushed 40d ago > 30d (rule stale)');
  });

  it('an image restored from archive is aged from its restore', () => {
    const p = plan([img('r', 100, ['a'], { lastActivatedAt: NOW - 2 * DAY })], [rule('stale', {}, pulled(30))]);
    expect(p.counts.delete).toBe(0);
    expect(reasonOf(p, 'r')).toBe('keep: restored from archive 2d ago is not more than 30d (rule stale)');
  });

  it('standard rules see only ACTIVE images, archive rules only ARCHIVED ones; ACTIVATING images are seen by none', () => {
    const images = [
      img('act', 100, ['a']),
      img('arc', 100, ['b'], { imageStatus: 'ARCHIVED', lastArchivedAt: NOW - 100 * DAY }),
      img('restoring', 100, ['c'], { imageStatus: 'ACTIVATING', lastArchivedAt: NOW - 100 * DAY }),
    ];
    const p1 = plan(images, [rule('std', {}, pushedDays(1))]);
    expect(deleted(p1, ['act', 'arc', 'restoring'])).toEqual(['act']);
    expect(reasonOf(p1, 'restoring')).toBe('keep: no rule selects it (it is being restored from archive, ACTIVATING)');
    const p2 = plan(images, [rule('arch', { storageClass: 'archive' }, { type: 'sinceImageTransitioned', ms: 90 * DAY })]);
    expect(deleted(p2, ['act', 'arc', 'restoring'])).toEqual(['arc']);
    expect(reasonOf(p2, 'arc')).toBe('delete: archived 100d ago > 90d (rule arch)');
  });
});
