/** The result records built from a plan: a dry run's planned deletions are "would delete", never skipped. */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Decision, PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { countImages, dryRunRepositoryResult, repositoryResult } from '../../lib/engine/result-builder.js';

function planOf(decisions: readonly Decision[]): RepositoryPlan {
  const images: PlannedImage[] = decisions.map((decision, i) => ({
    imageDigest: `sha256:${String(i).padStart(64, '0')}`,
    imageTags: [],
    pushedAt: null,
    lastPulledAt: null,
    sizeInBytes: 10,
    role: 'image',
    decision,
    rule: decision === 'keep' ? null : 'r',
    reason: `${decision}: test`,
  }));
  const count = (d: Decision) => decisions.filter((x) => x === d).length;
  return {
    repositoryName: 'app',
    policy: 'p',
    status: 'planned',
    images,
    counts: { images: images.length, delete: count('delete'), keep: count('keep'), transition: count('transition'), bytesToFree: 10 * count('delete') },
  };
}

describe('dryRunRepositoryResult', () => {
  it('marks each planned deletion would-delete and keeps the rest as planned', () => {
    const result = dryRunRepositoryResult(planOf(['delete', 'keep', 'transition', 'delete']));
    expect(result.status).toBe('completed');
    expect(result.images.map((i) => i.outcome)).toEqual([
      { status: 'would-delete' },
      { status: 'kept', reason: 'keep: test' },
      { status: 'transition-planned', reason: 'transition: test' },
      { status: 'would-delete' },
    ]);
    expect(result.counts).toEqual({ images: 4, planned: 2, deleted: 0, failed: 0, skipped: 0, wouldDelete: 2, kept: 2, archived: 0, bytesFreed: 0 });
  });

  it('says why an apply run became a dry run, when it did', () => {
    const result = dryRunRepositoryResult(planOf(['delete', 'keep']), 'declined at the prompt: nothing is deleted');
    expect(result.images[0]!.outcome).toEqual({ status: 'would-delete', reason: 'declined at the prompt: nothing is deleted' });
    expect(result.counts).toMatchObject({ wouldDelete: 1, skipped: 0 });
  });

  it('counts every planned deletion as would-delete and nothing as skipped, deleted or failed (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Decision>('delete', 'keep', 'transition'), { maxLength: 40 }), (decisions) => {
        const { counts } = dryRunRepositoryResult(planOf(decisions));
        expect(counts.wouldDelete).toBe(decisions.filter((d) => d === 'delete').length);
        expect(counts.wouldDelete).toBe(counts.planned);
        expect(counts.skipped + counts.deleted + counts.failed + counts.bytesFreed).toBe(0);
        expect(counts.wouldDelete + counts.kept).toBe(counts.images);
      }),
    );
  });

  it('an apply run that did not attempt a planned deletion still reports it skipped, with why', () => {
    const result = repositoryResult(planOf(['delete']), 'completed', new Map(), 'deadline reached');
    expect(result.images[0]!.outcome).toEqual({ status: 'skipped', reason: 'deadline reached' });
    expect(countImages(result.images)).toMatchObject({ skipped: 1, wouldDelete: 0 });
  });
});

/** A planned image as the planner or a stored plan gives it: every optional field in any combination. */
const plannedImage: fc.Arbitrary<PlannedImage> = fc
  .record(
    {
      imageDigest: fc.stringMatching(/^[0-9a-f]{1,8}$/).map((h) => `sha256:${h.padStart(64, '0')}`),
      imageTags: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
      pushedAt: fc.option(fc.constant('2026-05-01T00:00:00.000Z'), { nil: null }),
      lastPulledAt: fc.option(fc.constant('2026-05-02T00:00:00.000Z'), { nil: null }),
      sizeInBytes: fc.option(fc.nat(), { nil: null }),
      role: fc.constantFrom('image' as const, 'index' as const, 'child' as const, 'referrer' as const),
      decision: fc.constantFrom<Decision>('delete', 'keep', 'transition'),
      rule: fc.option(fc.constant('r'), { nil: null }),
      reason: fc.string({ maxLength: 20 }),
      parentDigests: fc.array(fc.constant(`sha256:${'a'.repeat(64)}`), { maxLength: 2 }),
      subjectDigest: fc.constant(`sha256:${'b'.repeat(64)}`),
      usages: fc.array(fc.record({ consumer: fc.string({ maxLength: 5 }), reference: fc.string({ maxLength: 5 }), source: fc.constant('ecs') }), { maxLength: 2 }),
    },
    { requiredKeys: ['imageDigest', 'imageTags', 'pushedAt', 'lastPulledAt', 'sizeInBytes', 'role', 'decision', 'rule', 'reason'] },
  )
  .map((image) => image as unknown as PlannedImage);

describe('repositoryResult images', () => {
  it('are each planned image with its outcome last: the same keys, order and values as { ...image, outcome } (property)', () => {
    fc.assert(
      fc.property(fc.array(plannedImage, { maxLength: 12 }), fc.boolean(), (images, reorder) => {
        // Stored plans come back from JSON in any key order: the result keeps each image's own.
        const plan: RepositoryPlan = { ...planOf([]), images: reorder ? images.map((i) => Object.fromEntries(Object.entries(i).reverse()) as unknown as PlannedImage) : images };
        const outcomes = new Map(plan.images.filter((_, k) => k % 2 === 0).map((i) => [i.imageDigest, { status: 'deleted' } as const]));
        const result = repositoryResult(plan, 'completed', outcomes, 'not attempted');
        const expected = plan.images.map((image) => ({ ...image, outcome: outcomes.get(image.imageDigest) ?? (image.decision === 'keep' ? { status: 'kept', reason: image.reason } : image.decision === 'transition' ? { status: 'transition-planned', reason: image.reason } : { status: 'skipped', reason: 'not attempted' }) }));
        expect(JSON.stringify(result.images)).toBe(JSON.stringify(expected));
        result.images.forEach((r, k) => {
          expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
          expect(r).not.toBe(plan.images[k]);
        });
      }),
    );
  });

  it('keep an own __proto__ key of a hand-made plan file as a key, never as the prototype', () => {
    const image = JSON.parse(JSON.stringify(planOf(['keep']).images[0]).replace(/^\{/, '{"__proto__":{"decision":"delete"},')) as PlannedImage;
    const [result] = repositoryResult({ ...planOf([]), images: [image] }, 'completed', new Map(), 'not attempted').images;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result!)[0]).toBe('__proto__');
    expect(result!.decision).toBe('keep');
  });

  it('stay compact: a result image costs under 250 bytes of heap beyond its planned image, whatever shapes came before (V8 gives a spread copy ~400-480)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 20_000;
    const plan = planOf(Array.from({ length: n }, () => 'delete' as const));
    const outcome = { status: 'deleted' } as const;
    const outcomes = new Map(plan.images.map((i) => [i.imageDigest, outcome]));
    // V8's copies depend on what the code saw before: measure a fresh copy of the module, then
    // the same copy after images of many shapes.
    vi.resetModules();
    const fresh = await import('../../lib/engine/result-builder.js');
    const bytesPerImage = (): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const result = fresh.repositoryResult(plan, 'completed', outcomes, 'not attempted');
      gc();
      const perImage = (process.memoryUsage().heapUsed - before) / n;
      expect(result.images).toHaveLength(n);
      return perImage;
    };
    expect(bytesPerImage()).toBeLessThan(250);
    fc.assert(fc.property(fc.array(plannedImage, { maxLength: 12 }), (images) => void fresh.repositoryResult({ ...planOf([]), images }, 'completed', new Map(), 'x')));
    expect(bytesPerImage()).toBeLessThan(250);
  });
});
