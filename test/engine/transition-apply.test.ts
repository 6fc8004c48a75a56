/**
 * "transition/archive actions are planned and reported as such, never executed as deletes":
 * an apply run on the emulator whose rules archive old images and expire others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../lib/core/rules-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

const archiveTaggedNotPulled: Rule = {
  id: 'archive-stale',
  selection: { tagStatus: 'tagged', tagPatterns: ['*'], excludeTagPatterns: [], storageClass: 'standard' },
  condition: { type: 'sinceImagePulled', ms: 90 * DAY },
  action: { type: 'transition', targetStorageClass: 'archive' },
};

describe('archive transitions in an apply run', () => {
  it('are reported as transition-planned and never sent to BatchDeleteImage, while expiries in the same run are deleted', async () => {
    const fixture = await startFixture({ now: NOW_ISO });
    fixtures.push(fixture);
    const { emulator, ecr } = fixture;
    emulator.addImages('app/svc', [
      { tags: ['old-1'], pushedAt: '-200d', lastPulledAt: '-120d', sizeInBytes: 100 },
      { tags: ['old-2'], pushedAt: '-300d', sizeInBytes: 100 },
      { tags: ['fresh'], pushedAt: '-200d', lastPulledAt: '-1d', sizeInBytes: 100 },
      { pushedAt: '-30d', sizeInBytes: 50 },
    ]);
    const archived = ['old-1', 'old-2'].map((tag) => emulator.findImage('app/svc', { tag })!.imageDigest);
    const untagged = emulator.images('app/svc').find((i) => i.imageTags.length === 0)!.imageDigest;
    emulator.resetStats();

    const { plan, result } = await runSweep(
      { ecr },
      { ruleSet: ruleSet([archiveTaggedNotPulled, untaggedOlderThan(7)]), now: Date.parse(NOW_ISO), mode: 'apply' },
    );

    expect(plan.summary).toMatchObject({ transition: 2, delete: 1 });
    const outcomes = new Map(result.repositories[0]!.images.map((i) => [i.imageDigest, i.outcome]));
    for (const digest of archived) expect(outcomes.get(digest)).toMatchObject({ status: 'transition-planned' });
    expect(outcomes.get(untagged)).toEqual({ status: 'deleted' });
    // Both archived images are still in the registry; only the untagged one was deleted.
    expect(emulator.images('app/svc').map((i) => i.imageTags).sort()).toEqual([['fresh'], ['old-1'], ['old-2']]);
    expect(result.totals.deleted).toBe(1);
    expect(emulator.stats().requests.BatchDeleteImage).toBe(1);
  });
});
