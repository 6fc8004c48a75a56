/**
 * The planner on realistic data: registries from the emulator's seeded generator (releases,
 * main and PR builds, `latest`, multi-arch indexes, signatures and SBOMs), planned with a
 * typical policy. Checks the invariants on every repository and that the plan is not trivial.
 */
import { describe, expect, it } from 'vitest';
import { generateRepositories, toInventory } from '../../emulator/generator.js';
import type { RepositoryInventory } from '../../lib/core/inventory.js';
import { deletionOrder, planRegistry } from '../../lib/core/planner.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { DAY, NOW, rule } from './builders.js';

const RULES: RuleSet = {
  defaults: { mode: 'dry-run', minAgeMs: 3 * DAY, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null },
  protect: { tags: ['latest'], repositories: [] },
  policies: [
    {
      name: 'services',
      repositories: { include: ['**'], exclude: [] },
      origin: 'rules',
      rules: [
        rule('releases', { tagStatus: 'tagged', tagPatterns: ['v*'] }, { type: 'imageCountMoreThan', count: 5, orderBy: 'semver' }),
        rule('main', { tagStatus: 'tagged', tagPatterns: ['main-*'] }, { type: 'imageCountMoreThan', count: 10, orderBy: 'pushedAt' }),
        rule('prs', { tagStatus: 'tagged', tagPatterns: ['/pr-\\d+/'] }, { type: 'sinceImagePushed', ms: 14 * DAY }),
        rule('untagged', { tagStatus: 'untagged' }, { type: 'sinceImagePushed', ms: 7 * DAY }),
      ],
    },
  ],
};

function registry(reverse: boolean): RepositoryInventory[] {
  const out: RepositoryInventory[] = [];
  for (const repo of generateRepositories({ seed: 7, repositories: 30, imagesPerRepository: [20, 120], multiArchShare: 0.3, referrerShare: 0.1 })) {
    const inventory = toInventory(repo, NOW);
    out.push(reverse ? { ...inventory, images: [...inventory.images].reverse() } : inventory);
  }
  return out;
}

describe('planning a generated registry', () => {
  const plan = planRegistry(registry(false), RULES, NOW);

  it('is not trivial: it deletes images, indexes with their children, and referrers, and keeps others', () => {
    const all = plan.repositories.flatMap((r) => r.images);
    const deleted = (role: string) => all.filter((i) => i.role === role && i.decision === 'delete').length;
    const kept = (role: string) => all.filter((i) => i.role === role && i.decision === 'keep').length;
    for (const role of ['image', 'index', 'child', 'referrer']) {
      expect(deleted(role), `deleted ${role}s`).toBeGreaterThan(0);
      expect(kept(role), `kept ${role}s`).toBeGreaterThan(0);
    }
  });

  it('never deletes latest, a child of a kept index, a referrer of a kept subject, or anything younger than minAge', () => {
    for (const repo of plan.repositories) {
      const decision = new Map(repo.images.map((i) => [i.imageDigest, i.decision]));
      for (const i of repo.images) {
        if (i.decision !== 'delete') continue;
        expect(i.imageTags).not.toContain('latest');
        expect(NOW - Date.parse(i.pushedAt!)).toBeGreaterThanOrEqual(RULES.defaults.minAgeMs);
        for (const parent of i.parentDigests ?? []) expect(decision.get(parent)).toBe('delete');
        if (i.subjectDigest !== undefined) expect(decision.get(i.subjectDigest)).toBe('delete');
        expect(i.rule).not.toBeNull();
      }
      expect(deletionOrder(repo)).toHaveLength(repo.counts.delete);
    }
  });

  it('gives the same plan when every repository lists its images in reverse order', () => {
    expect(planRegistry(registry(true), RULES, NOW)).toEqual(plan);
  });

  it('sums repository counts into the summary', () => {
    const sum = (k: 'images' | 'delete' | 'bytesToFree') => plan.repositories.reduce((a, r) => a + r.counts[k], 0);
    expect(plan.summary).toMatchObject({ repositories: 30, images: sum('images'), delete: sum('delete'), bytesToFree: sum('bytesToFree') });
  });
});
