import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionLayers } from '../../lib/core/planner.js';
import { packBatches } from '../../lib/engine/batch-plan.js';

function image(digest: string, extra: Partial<PlannedImage> = {}): PlannedImage {
  return { imageDigest: digest, imageTags: [], pushedAt: null, lastPulledAt: null, sizeInBytes: 1, role: 'image', decision: 'delete', rule: 'r', reason: 'delete: test', ...extra };
}

/** A repository of `indexes` indexes with children, `referrers` referrers of plain images, and `plain` free images. */
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
        const stages = packBatches(deletionLayers(plan(images)), shape.size);
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

  it('uses exactly ceil(n / size) calls', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const stages = packBatches(deletionLayers(plan(images)), shape.size);
        expect(stages.flat()).toHaveLength(Math.ceil(images.length / shape.size));
      }),
    );
  });

  it('starts a batch of children only after the batch holding their index', () => {
    const images = build({ indexes: Array.from({ length: 120 }, () => 1), referrers: 0, plain: 0 });
    const stages = packBatches(deletionLayers(plan(images)), 100);
    // 120 indexes then 120 children: batch 2 mixes the last 20 indexes with 80 children of batch 1's indexes.
    expect(stages.map((s) => s.length)).toEqual([1, 1, 1]);
    expect(stages[0]![0]!.every((i) => i.role === 'index')).toBe(true);
  });
});
