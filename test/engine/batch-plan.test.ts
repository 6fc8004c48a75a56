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

describe('packBatches', () => {
  it('puts every deletion in exactly one batch of at most `size`, never before what references it', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const stages = packBatches(deletionLayers(plan(images)), shape.size);
        const stageOf = new Map<string, number>();
        stages.forEach((batches, s) =>
          batches.forEach((batch) => {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(shape.size);
            for (const i of batch) {
              expect(stageOf.has(i.imageDigest)).toBe(false);
              stageOf.set(i.imageDigest, s);
            }
          }),
        );
        expect(stageOf.size).toBe(images.length);
        for (const i of images) {
          for (const parent of i.parentDigests ?? []) expect(stageOf.get(parent)!).toBeLessThan(stageOf.get(i.imageDigest)!);
          if (i.subjectDigest) expect(stageOf.get(i.imageDigest)!).toBeLessThan(stageOf.get(i.subjectDigest)!);
        }
      }),
    );
  });

  it('uses the minimum number of calls when free images can fill the dependency layers', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const images = build(shape);
        const layers = deletionLayers(plan(images));
        const stages = packBatches(layers, shape.size);
        const calls = stages.reduce((n, s) => n + s.length, 0);
        const boundPerLayer = layers.map((l) => l.filter((i) => i.role !== 'image' || images.some((x) => x.subjectDigest === i.imageDigest)).length);
        const floor = Math.ceil(images.length / shape.size);
        const layered = boundPerLayer.reduce((n, k) => n + Math.ceil(k / shape.size), 0);
        expect(calls).toBeGreaterThanOrEqual(floor);
        expect(calls).toBeLessThanOrEqual(Math.max(floor, layered));
      }),
    );
  });

  it('packs 250 free images and 30 indexes with 60 children into 4 calls of 100 (not 5)', () => {
    const images = build({ indexes: Array.from({ length: 30 }, () => 2), referrers: 0, plain: 250 });
    const stages = packBatches(deletionLayers(plan(images)), 100);
    expect(stages).toHaveLength(2);
    expect(stages[1]!.flat().filter((i) => i.role === 'child')).toHaveLength(60);
    expect(stages[0]!.flat().filter((i) => i.role === 'index')).toHaveLength(30);
    expect(stages.reduce((n, s) => n + s.length, 0)).toBe(Math.ceil(340 / 100));
  });
});
