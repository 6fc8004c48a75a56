/**
 * An apply run evaluated at a `now` later than the clock would age every image past minAge
 * (audit H1): it is refused before anything is listed. A past `now` only keeps more, so it runs;
 * a dry run may evaluate any time ("what if").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { FutureNowError } from '../../lib/engine/errors.js';
import { MAX_APPLY_NOW_SKEW_MS, runSweep } from '../../lib/engine/sweep.js';
import { planRepository } from '../../lib/core/planner.js';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { DAY, keepNewest, ruleSet, untaggedOlderThan } from './support/rules.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const CLOCK = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;

function youngRegistry(): FakeEcr {
  return new FakeEcr().add(
    'app',
    { digest: digestOf('young'), pushedAt: CLOCK - HOUR, size: 10 },
    { digest: digestOf('old'), pushedAt: CLOCK - 30 * DAY, size: 10 },
  );
}

describe('apply with a future now', () => {
  it('is refused with a FutureNowError (a ConfigError) before any request; nothing is deleted', async () => {
    const fake = youngRegistry();
    const rules = ruleSet([untaggedOlderThan(7)], { minAgeMs: DAY });
    const run = runSweep({ registry: ecrRegistry(fake.client), clock: () => CLOCK }, { ruleSet: rules, mode: 'apply', now: CLOCK + 30 * DAY });
    await expect(run).rejects.toBeInstanceOf(FutureNowError);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/cannot evaluate the rules in the future: now 2026-07-01T00:00:00.000Z is 30.0 days ahead/);
    expect(fake.mock.calls()).toHaveLength(0);
    expect(fake.deleteCalls).toEqual([]);
    expect(fake.digests('app')).toEqual([digestOf('old'), digestOf('young')].sort());
  });

  it('is refused when the rules (not the options) say apply', async () => {
    const fake = youngRegistry();
    const rules = ruleSet([untaggedOlderThan(7)], { mode: 'apply', minAgeMs: DAY });
    await expect(runSweep({ registry: ecrRegistry(fake.client), clock: () => CLOCK }, { ruleSet: rules, now: CLOCK + MAX_APPLY_NOW_SKEW_MS + 1 })).rejects.toBeInstanceOf(
      FutureNowError,
    );
    expect(fake.mock.calls()).toHaveLength(0);
  });

  it('allows a small clock skew (up to 5 minutes ahead)', async () => {
    const fake = youngRegistry();
    const rules = ruleSet([untaggedOlderThan(7)], { minAgeMs: DAY });
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => CLOCK }, { ruleSet: rules, mode: 'apply', now: CLOCK + MAX_APPLY_NOW_SKEW_MS });
    expect(result.totals.deleted).toBe(1);
    expect(fake.digests('app')).toEqual([digestOf('young')]);
  });

  it('a dry run may evaluate a future now (what-if) and deletes nothing', async () => {
    const fake = youngRegistry();
    const rules = ruleSet([untaggedOlderThan(7)], { minAgeMs: DAY });
    const { plan } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => CLOCK }, { ruleSet: rules, mode: 'dry-run', now: CLOCK + 30 * DAY });
    expect(plan.summary.delete).toBe(2);
    expect(fake.deleteCalls).toEqual([]);
  });

  it('a past now in apply runs and deletes only what the rules delete at the clock too', async () => {
    const fake = youngRegistry().add('app', { digest: digestOf('ten-days'), pushedAt: CLOCK - 10 * DAY, size: 10 });
    const rules = ruleSet([untaggedOlderThan(7)], { minAgeMs: DAY });
    // Five days ago, the ten-day-old image was five days old: kept.
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => CLOCK }, { ruleSet: rules, mode: 'apply', now: CLOCK - 5 * DAY });
    expect(result.totals.deleted).toBe(1);
    expect(fake.digests('app')).toEqual([digestOf('ten-days'), digestOf('young')].sort());
  });
});

/**
 * Why a past `now` is safe: for any registry and rules, the images planned for deletion at an
 * earlier time are a subset of those planned at a later one (time conditions and minAge only get
 * easier to meet as time passes; count rules do not look at it).
 */
describe('the plan is monotone in now', () => {
  const rulePool: Rule[] = [
    untaggedOlderThan(7, 'u7'),
    keepNewest(2, ['v*'], 'n2'),
    {
      id: 'pulled-10',
      selection: { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' },
      condition: { type: 'sinceImagePulled', ms: 10 * DAY },
      action: { type: 'expire' },
    },
    {
      id: 'tagged-20',
      selection: { tagStatus: 'tagged', tagPatterns: ['v*'], excludeTagPatterns: [], storageClass: 'standard' },
      condition: { type: 'sinceImagePushed', ms: 20 * DAY },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
  ];
  const image = fc.record({
    seed: fc.nat(1_000_000),
    tag: fc.option(fc.constantFrom('v1', 'v2', 'v3', 'dev'), { nil: undefined }),
    pushedDaysAgo: fc.integer({ min: -3, max: 60 }),
    pulledDaysAgo: fc.option(fc.integer({ min: -3, max: 60 }), { nil: undefined }),
  });

  it('deletions at an earlier now are a subset of deletions at a later now', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(image, { selector: (i) => i.seed, maxLength: 12 }),
        fc.subarray(rulePool, { minLength: 1 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(0, DAY, 3 * DAY),
        (specs, rules, back, back2, minAgeMs) => {
          const images: ImageRecord[] = specs.map((s) => ({
            imageDigest: digestOf(`m${s.seed}`),
            imageTags: s.tag === undefined ? [] : [`${s.tag}.${s.seed}`],
            imagePushedAt: CLOCK - s.pushedDaysAgo * DAY,
            ...(s.pulledDaysAgo === undefined ? {} : { lastRecordedPullTime: CLOCK - s.pulledDaysAgo * DAY }),
            imageSizeInBytes: 10,
            imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          }));
          const rs = ruleSet(rules, { minAgeMs });
          const early = CLOCK - Math.max(back, back2) * DAY;
          const late = CLOCK - Math.min(back, back2) * DAY;
          const deletes = (now: number) =>
            new Set(planRepository({ repositoryName: 'r', images }, rs, now).images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest));
          const lateSet = deletes(late);
          for (const digest of deletes(early)) expect(lateSet.has(digest)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
