/** The result records built from a plan: a dry run's planned deletions are "would delete", never skipped. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
