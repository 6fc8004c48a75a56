import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionLayers } from '../../lib/core/planner.js';
import { packBatches } from '../../lib/engine/batch-plan.js';

function image(digest: string, extra: Partial<PlannedImage> = {}): PlannedImage {
  return { imageDigest: digest, imageTags: [], pushedAt: null, lastPulledAt: null, sizeInBytes: 1, role: 'image', decision: 'delete', rule: 'r', reason: 'delete: test', ...extra };
}

/** A repository of `indexes` indexes with 1-4 children, `referrers` referrers of their own subjects, and `plain` free images. */
const shapes = fc.record({
  indexes: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 60 }),
  referrers: fc.integer({ min: 0, max: 80 }),
  plain: fc.integer({ min: 0, max: 400 }),
  size: fc.integer({ min: 1, max: 100 }),
});

function build(shape: { indexes: number[]; referrers: number; plain: number }): PlannedImage[] {
  const images: PlannedImage[] = [];
  shape.indexes.forEach((children, i) => {
    const idx = `sha256:idx${i}`;
    images.push(image(idx, { role: 'index' }));
    for (let c = 0; c < children; c++) images.push(image(`sha256:idx${i}-c${c}`, { role: 'child', parentDigests: [idx] }));
  });
  for (let p = 0; p < shape.plain; p++) images.push(image(`sha256:plain${p}`));
  for (let r = 0; r < shape.referrers; r++) {
    const subject = `sha256:subj${r}`;
    images.push(image(subject));
    images.push(image(`sha256:ref${r}`, { role: 'referrer', subjectDigest: subject }));
  }
  return images;
}

function plan(images: PlannedImage[]): RepositoryPlan {
  return { repositoryName: 'r', policy: 'p', status: 'planned', images, counts: { images: images.length, delete: images.length, keep: 0, transition: 0, bytesToFree: 0 } };
}

function placement(stages: PlannedImage[][][]): Map<string, { stage: number; batch: number; position: number }> {
  const where = new Map<string, { stage: number; batch: number; position: number }>();
  let batchNo = 0;
  stages.forEach((batches, stage) =>
    batches.forEach((batch) => {
      batch.forEach((i, position) => {
        expect(where.has(i.imageDigest)).toBe(false);
        where.set(i.imageDigest, { stage, batch: batchNo, position });
      });
      batchNo += 1;
    }),
  );
  return where;
}

/** True when `from` (an index or referrer) is handled before `to` (what it references). */
function before(where: ReturnType<typeof placement>, from: string, to: string): boolean {
  const a = where.get(from)!;
  const b = where.get(to)!;
  return a.stage < b.stage || (a.batch === b.batch && a.position < b.position);
}

describe('packBatches', () => {
  it('puts every deletion in exactly one batch of at most `size`, never after what it references', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const { stages } = packBatches(deletionLayers(plan(images)), shape.size);
        for (const batch of stages.flat()) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(shape.size);
        }
        const where = placement(stages);
        expect(where.size).toBe(images.length);
        for (const i of images) {
          for (const parent of i.parentDigests ?? []) expect(before(where, parent, i.imageDigest)).toBe(true);
          if (i.subjectDigest) expect(before(where, i.imageDigest, i.subjectDigest)).toBe(true);
        }
      }),
    );
  });

  it('keeps each index/referrer group that fits in one call together, and reports the groups', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const { stages, groupOf, groups } = packBatches(deletionLayers(plan(images)), shape.size);
        const where = placement(stages);
        for (const digests of groups.values()) {
          expect(digests.length).toBeGreaterThan(1);
          if (digests.length <= shape.size) expect(new Set(digests.map((d) => where.get(d)!.batch)).size).toBe(1);
        }
        for (const i of images) {
          const linked = (i.parentDigests?.length ?? 0) > 0 || i.subjectDigest !== undefined || images.some((x) => x.subjectDigest === i.imageDigest || x.parentDigests?.includes(i.imageDigest));
          expect(groupOf.has(i.imageDigest)).toBe(linked);
        }
      }),
    );
  });

  it('uses ceil(n / size) calls when single images can fill the gaps groups leave', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const { stages } = packBatches(deletionLayers(plan(images)), shape.size);
        const calls = stages.flat().length;
        const floor = Math.ceil(images.length / shape.size);
        expect(calls).toBeGreaterThanOrEqual(floor);
        // Groups here have at most 5 members: next-fit leaves at most 4 free slots per call.
        const singles = shape.plain;
        if (singles >= 4 * (floor + 1)) expect(calls).toBe(floor);
        else expect(calls).toBeLessThanOrEqual(Math.ceil(images.length / Math.max(1, shape.size - 4)) + 1);
      }),
    );
  });

  it('splits a group larger than a call across stages, index first', () => {
    const images = build({ indexes: [], referrers: 0, plain: 0 });
    const idx = image('sha256:big', { role: 'index' });
    const children = Array.from({ length: 150 }, (_, c) => image(`sha256:big-c${c}`, { role: 'child', parentDigests: [idx.imageDigest] }));
    images.push(idx, ...children, image('sha256:alone'));
    const { stages } = packBatches(deletionLayers(plan(images)), 100);
    expect(stages).toHaveLength(2);
    expect(stages[0]!.flat().map((i) => i.imageDigest)).toContain('sha256:big');
    expect(stages.flat().flat()).toHaveLength(152);
  });
});
