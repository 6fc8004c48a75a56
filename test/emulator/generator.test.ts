import { DescribeImagesCommand, paginateDescribeImages, type ImageDetail } from '@aws-sdk/client-ecr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateRepositories,
  generateRepository,
  generateState,
  repositoryNameAt,
  toInventory,
  type GeneratorOptions,
} from '../../emulator/index.js';
import { EmulatorStateError } from '../../emulator/errors.js';
import { manifestOf, materializeImages } from '../../emulator/materialize.js';
import { startFixture, stopFixture } from './support.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('generator', () => {
  it('is deterministic: same options, same registry; another seed, another registry', () => {
    const options: GeneratorOptions = { seed: 3, repositories: 5, imagesPerRepository: [10, 30] };
    expect(generateState(options)).toEqual(generateState(options));
    expect(generateState({ ...options, seed: 4 })).not.toEqual(generateState(options));
  });

  it('yields repositories lazily: a million-image registry starts instantly and gives one repository at a time', () => {
    const it = generateRepositories({ repositories: 2000, imagesPerRepository: 500 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value?.images).toHaveLength(500);
    expect(first.value?.name).toBe('platform/api');
    // Random access gives the same repository as the iteration.
    const third = [...take(generateRepositories({ repositories: 5, seed: 9 }), 3)][2];
    expect(generateRepository({ repositories: 5, seed: 9 }, 2)).toEqual(third);
  });

  it('names 2,000 repositories uniquely, with valid names', () => {
    const names = Array.from({ length: 2000 }, (_, i) => repositoryNameAt(i, 'gen/'));
    expect(new Set(names).size).toBe(2000);
    for (const n of names) expect(n).toMatch(/^gen\/[a-z]+\/[a-z]+(-\d+)?$/);
  });

  it('produces roughly the requested shares and realistic tags', () => {
    const repos = [...generateRepositories({ seed: 1, repositories: 20, imagesPerRepository: 200, untaggedShare: 0.3, multiArchShare: 0.2, referrerShare: 0.1 })];
    const images = repos.flatMap((r) => r.images);
    const referrers = images.filter((i) => i.subject !== undefined);
    const plain = images.filter((i) => i.subject === undefined);
    const share = (n: number, of: number) => n / of;
    expect(share(referrers.length, images.length)).toBeGreaterThan(0.06);
    expect(share(referrers.length, images.length)).toBeLessThan(0.14);
    expect(share(plain.filter((i) => !i.tags).length, plain.length)).toBeGreaterThan(0.25);
    expect(share(plain.filter((i) => !i.tags).length, plain.length)).toBeLessThan(0.35);
    expect(share(plain.filter((i) => i.children).length, plain.length)).toBeGreaterThan(0.15);
    expect(share(plain.filter((i) => i.children).length, plain.length)).toBeLessThan(0.25);
    for (const i of plain.filter((x) => x.children)) expect(i.children?.length).toBeGreaterThanOrEqual(2);
    const tags = images.flatMap((i) => i.tags ?? []);
    expect(tags.some((t) => /^v\d+\.\d+\.\d+$/.test(t))).toBe(true);
    expect(tags.some((t) => /^main-[0-9a-f]{7}$/.test(t))).toBe(true);
    expect(tags.some((t) => /^pr-\d+$/.test(t))).toBe(true);
    expect(tags.some((t) => /^sha256-[0-9a-f]{64}\.sig$/.test(t))).toBe(true);
    expect(tags.filter((t) => t === 'latest')).toHaveLength(20);
    const pulled = plain.filter((i) => i.lastPulledAt !== undefined).length;
    expect(share(pulled, plain.length)).toBeGreaterThan(0.5);
    expect(share(pulled, plain.length)).toBeLessThan(0.7);
  });

  it('every generated repository is a valid state repository, for any options (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 1000 }),
          imagesPerRepository: fc.integer({ min: 0, max: 40 }),
          untaggedShare: fc.double({ min: 0, max: 1, noNaN: true }),
          multiArchShare: fc.double({ min: 0, max: 1, noNaN: true }),
          referrerShare: fc.double({ min: 0, max: 1, noNaN: true }),
          pulledShare: fc.double({ min: 0, max: 1, noNaN: true }),
          maxAgeDays: fc.integer({ min: 1, max: 1000 }),
        }),
        (options) => {
          const repo = generateRepository({ ...options, repositories: 1 }, 0);
          const inventory = toInventory(repo, NOW);
          // Pushes are never in the future; pulls never precede pushes.
          for (const img of inventory.images) {
            expect(img.imagePushedAt).toBeLessThanOrEqual(NOW);
            expect(img.imagePushedAt).toBeGreaterThanOrEqual(NOW - options.maxAgeDays * 86_400_000 - 1000);
            if (img.lastRecordedPullTime !== undefined) expect(img.lastRecordedPullTime).toBeGreaterThanOrEqual((img.imagePushedAt ?? 0) - 1000);
          }
          const digests = new Set(inventory.images.map((i) => i.imageDigest));
          expect(digests.size).toBe(inventory.images.length);
          for (const img of inventory.images) {
            for (const child of img.childDigests ?? []) expect(digests.has(child)).toBe(true);
            if (img.subjectManifestDigest) expect(digests.has(img.subjectManifestDigest)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each<[GeneratorOptions, string]>([
    [{ repositories: -1 }, 'generate.repositories'],
    [{ imagesPerRepository: [5, 2] }, 'generate.imagesPerRepository'],
    [{ untaggedShare: 1.5 }, 'generate.untaggedShare'],
    [{ maxAgeDays: 0 }, 'generate.maxAgeDays'],
    [{ tagMix: { feature: -1 } }, 'generate.tagMix.feature'],
    [{ tagMix: { release: 0, main: 0, pr: 0 } }, 'generate.tagMix'],
  ])('rejects %o naming %s', (options, path) => {
    expect(() => generateRepository(options, 0)).toThrow(EmulatorStateError);
    expect(() => generateRepository(options, 0)).toThrow(path);
  });
});

describe('generator tag mix', () => {
  const tagsOf = (options: GeneratorOptions): string[] => [...generateRepositories(options)].flatMap((r) => r.images.flatMap((i) => i.tags ?? []));

  it('by default has no feature-branch builds or release candidates', () => {
    const tags = tagsOf({ seed: 5, repositories: 10, imagesPerRepository: 100 });
    expect(tags.some((t) => t.startsWith('feature-'))).toBe(false);
    expect(tags.some((t) => /-rc\.\d+$/.test(t))).toBe(false);
  });

  it('with weights, gives unique feature-branch tags and release candidates of the next patch release, in about the asked shares', () => {
    const repos = [...generateRepositories({ seed: 5, repositories: 10, imagesPerRepository: 200, tagMix: { release: 1, main: 1, pr: 1, feature: 1, releaseCandidate: 1 } })];
    for (const repo of repos) {
      const tags = repo.images.flatMap((i) => i.tags ?? []);
      expect(new Set(tags).size, repo.name).toBe(tags.length);
    }
    const tags = repos.flatMap((r) => r.images.flatMap((i) => i.tags ?? [])).filter((t) => t !== 'latest' && !t.endsWith('.sig'));
    const share = (re: RegExp) => tags.filter((t) => re.test(t)).length / tags.length;
    for (const re of [/^v\d+\.\d+\.\d+$/, /^main-[0-9a-f]{7}$/, /^pr-\d+$/, /^feature-[a-z0-9-]+-\d+$/, /^v\d+\.\d+\.\d+-rc\.\d+$/]) {
      expect(share(re), String(re)).toBeGreaterThan(0.15);
      expect(share(re), String(re)).toBeLessThan(0.25);
    }
  });
});

describe('toInventory', () => {
  it('gives exactly what the emulator serves for the same repository: digests, tags, times, sizes, children, subjects', async () => {
    const options: GeneratorOptions = { seed: 11, repositories: 3, imagesPerRepository: [30, 50], multiArchShare: 0.3, referrerShare: 0.2 };
    const f = await startFixture({ now: NOW, generate: options });
    try {
      for (const repo of generateRepositories(options)) {
        const inventory = toInventory(repo, NOW);
        const served: ImageDetail[] = [];
        for await (const page of paginateDescribeImages({ client: f.ecr, pageSize: 1000 }, { repositoryName: repo.name, filter: { imageStatus: 'ANY' } })) {
          served.push(...(page.imageDetails ?? []));
        }
        expect(inventory.repositoryName).toBe(repo.name);
        expect(inventory.images.map((i) => i.imageDigest)).toEqual(served.map((d) => d.imageDigest));
        inventory.images.forEach((img, k) => {
          const d = served[k] as ImageDetail;
          expect(img.imageTags).toEqual(d.imageTags);
          expect(img.imagePushedAt).toBe(d.imagePushedAt?.getTime());
          expect(img.lastRecordedPullTime).toBe(d.lastRecordedPullTime?.getTime());
          expect(img.imageSizeInBytes).toBe(d.imageSizeInBytes);
          expect(img.imageManifestMediaType).toBe(d.imageManifestMediaType);
          expect(img.artifactMediaType).toBe(d.artifactMediaType);
          expect(img.subjectManifestDigest).toBe(d.subjectManifestDigest);
          expect(img.imageStatus).toBe(d.imageStatus);
          expect(img.childDigests).toEqual(f.emulator.findImage(repo.name, { digest: img.imageDigest })?.childDigests);
        });
      }
      const total = f.emulator.repositories().reduce((s, r) => s + r.imageCount, 0);
      expect(total).toBeGreaterThan(90);
      expect((await f.ecr.send(new DescribeImagesCommand({ repositoryName: repositoryNameAt(0) }))).imageDetails?.length).toBeGreaterThan(0);
    } finally {
      await stopFixture(f);
    }
  });

  it('childDigests come from the index manifest itself', () => {
    const repo = { index: 0, name: 'a/b', images: [{ tags: ['m'], children: [{}, {}, {}] }] };
    const inventory = toInventory(repo, NOW);
    const index = inventory.images.find((i) => i.imageTags?.includes('m'));
    const last = materializeImages('a/b', repo.images, NOW, 'r').at(-1);
    const manifest = JSON.parse(last ? manifestOf(last) : '{}') as { manifests: { digest: string }[] };
    expect(index?.childDigests).toEqual(manifest.manifests.map((m) => m.digest));
    expect(index?.childDigests).toHaveLength(3);
  });
});

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  let i = 0;
  for (const item of items) {
    if (i++ >= n) return;
    yield item;
  }
}
