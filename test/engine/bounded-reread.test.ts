/**
 * Issue 12 §5 (bounded re-reads): the re-read before a delete batch splits a refused
 * DescribeImages call in halves to find the vanished ids, which costs about two calls per
 * vanished image. After an interrupted run (kill -9 with deletions in flight) a resumed run's
 * batches can be mostly gone, so given the repository's size the split stops once it costs what
 * one listing would, and the rest is answered from one shared listing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EcrRegistry } from '../../lib/adapters/ecr-registry.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { recordCommands } from './support/record-commands.js';

const OLD = Date.parse('2026-05-01T00:00:00Z');

function setup(size: number): FakeEcr {
  return new FakeEcr().add('app', ...Array.from({ length: size }, (_, i) => ({ digest: digestOf(`i-${i}`), pushedAt: OLD })));
}

describe('EcrRegistry.rereadImages', () => {
  it('answers exactly which images are gone, in at most b + b*L + L calls given the repository size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        async (size, asked, goneShare, seed) => {
          const fake = setup(size);
          const unique = [...new Set(Array.from({ length: Math.min(asked, size) }, (_, k) => digestOf(`i-${(k * 7919 + Math.abs(seed)) % size}`)))];
          const gone = new Set(unique.filter((_, k) => ((k * 2654435761 + seed) >>> 0) / 2 ** 32 < goneShare));
          for (const digest of gone) fake.repositories.get('app')?.delete(digest);
          const sent = recordCommands(fake.client);

          const answer = await new EcrRegistry(fake.client).rereadImages('app', unique, size);

          expect(answer.missing.sort()).toEqual([...gone].sort());
          expect([...answer.found.keys()].sort()).toEqual(unique.filter((d) => !gone.has(d)).sort());
          const batches = Math.ceil(unique.length / 100);
          const listing = Math.max(1, Math.ceil(size / 1000));
          expect(sent.length).toBeLessThanOrEqual(batches + batches * listing + listing);
          for (const call of sent) expect(call.input.imageIds?.length ?? 0).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a batch of 100 whose images are all gone costs a handful of calls, not two per image', async () => {
    const fake = setup(500);
    const digests = Array.from({ length: 100 }, (_, i) => digestOf(`i-${i}`));
    for (const digest of digests) fake.repositories.get('app')?.delete(digest);
    const sent = recordCommands(fake.client);

    const answer = await new EcrRegistry(fake.client).rereadImages('app', digests, 500);

    expect(answer.missing.sort()).toEqual([...digests].sort());
    // One refused by-id call, one split call, then one listing page (the repository has 400 left).
    expect(sent.length).toBeLessThanOrEqual(3);
  });

  it('in a large repository one vanished image among 100 costs only the split (no listing)', async () => {
    const fake = setup(20_000);
    const digests = Array.from({ length: 100 }, (_, i) => digestOf(`i-${i}`));
    fake.repositories.get('app')?.delete(digests[37]!);
    const sent = recordCommands(fake.client);

    const answer = await new EcrRegistry(fake.client).rereadImages('app', digests, 20_000);

    expect(answer.missing).toEqual([digests[37]]);
    expect(answer.found.size).toBe(99);
    // 1 + 2*ceil(log2(100)) at most, and no paginated listing of 20,000 images (20 pages).
    expect(sent.length).toBeLessThanOrEqual(15);
    expect(sent.every((c) => (c.input.imageIds?.length ?? 0) > 0)).toBe(true);
  });
});
