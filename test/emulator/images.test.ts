import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ListImageReferrersCommand,
  ListImagesCommand,
  paginateDescribeImages,
  paginateListImages,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/index.js';
import { ACCESS_KEY, clientFor, expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const NOW = '2026-06-01T00:00:00.000Z';
const NOW_S = Date.parse(NOW) / 1000;
const DAY_S = 86_400;

const STATE: StateFile = {
  now: NOW,
  repositories: [
    {
      name: 'team/app',
      images: [
        { tags: ['v1.0.0', 'stable'], pushedAt: '-30d', lastPulledAt: '-2d', sizeInBytes: 1000 },
        { tags: ['v1.1.0'], pushedAt: '-20d', sizeInBytes: 2000 },
        { pushedAt: '-10d', sizeInBytes: 3000 },
        { tags: ['multi'], pushedAt: '-5d', children: [{ sizeInBytes: 700 }, { sizeInBytes: 900 }] },
        { subject: 'v1.1.0', pushedAt: '-19d' },
        { subject: 'v1.1.0', artifactType: 'application/spdx+json', pushedAt: '-19d' },
        { tags: ['old'], pushedAt: '-300d', status: 'ARCHIVED', lastArchivedAt: '-100d' },
      ],
    },
    { name: 'empty/repo' },
  ],
};

function byTag(details: ImageDetail[], tag: string): ImageDetail {
  const found = details.find((d) => d.imageTags?.includes(tag));
  if (!found) throw new Error(`no image tagged ${tag}`);
  return found;
}

describe('DescribeImages', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ state: STATE });
  });
  afterAll(() => stopFixture(f));

  it('returns every ACTIVE manifest with epoch times, sizes, media types and referrer subjects', async () => {
    const out = await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    const details = out.imageDetails ?? [];
    // 3 images + index + 2 children + 2 referrers; the archived one is hidden by default.
    expect(details).toHaveLength(8);
    const v1 = byTag(details, 'v1.0.0');
    expect(v1.imageTags).toEqual(['v1.0.0', 'stable']);
    expect(v1.imagePushedAt?.getTime()).toBe((NOW_S - 30 * DAY_S) * 1000);
    expect(v1.lastRecordedPullTime?.getTime()).toBe((NOW_S - 2 * DAY_S) * 1000);
    expect(v1.imageSizeInBytes).toBe(1000);
    expect(v1.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(v1.artifactMediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(v1.imageStatus).toBe('ACTIVE');
    expect(v1.registryId).toBe('123456789012');

    const index = byTag(details, 'multi');
    expect(index.imageManifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.imageSizeInBytes).toBe(900); // the largest child, as ECR reports
    const subject = byTag(details, 'v1.1.0');
    const referrers = details.filter((d) => d.subjectManifestDigest === subject.imageDigest);
    expect(referrers.map((r) => r.artifactMediaType).sort()).toEqual(['application/spdx+json', 'application/vnd.dev.cosign.artifact.sig.v1+json']);
    const untagged = details.filter((d) => d.imageTags === undefined);
    expect(untagged).toHaveLength(5); // plain untagged, 2 children, 2 referrers
  });

  it('filters by tagStatus and imageStatus', async () => {
    const count = async (tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY', imageStatus?: 'ACTIVE' | 'ARCHIVED' | 'ANY') =>
      (await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', filter: { tagStatus, imageStatus } }))).imageDetails?.length;
    expect(await count('TAGGED')).toBe(3);
    expect(await count('UNTAGGED')).toBe(5);
    expect(await count('ANY', 'ANY')).toBe(9);
    expect(await count(undefined, 'ARCHIVED')).toBe(1);
    expect(await count('TAGGED', 'ANY')).toBe(4);
    const archived = (await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', filter: { imageStatus: 'ARCHIVED' } }))).imageDetails?.[0];
    expect(archived?.imageStatus).toBe('ARCHIVED');
    expect(archived?.lastArchivedAt?.getTime()).toBe((NOW_S - 100 * DAY_S) * 1000);
  });

  it('describes by imageIds (tag or digest), answering each image once', async () => {
    const all = (await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }))).imageDetails ?? [];
    const v1 = byTag(all, 'v1.0.0');
    const out = await f.ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'stable' }, { imageDigest: v1.imageDigest }, { imageTag: 'v1.1.0' }] }),
    );
    expect(out.imageDetails?.map((d) => d.imageTags?.[0])).toEqual(['v1.0.0', 'v1.1.0']);
  });

  it('fails the whole call with ImageNotFoundException when an imageId does not exist', async () => {
    await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1.0.0' }, { imageTag: 'nope' }] })),
      'ImageNotFoundException',
      /imageTag:'nope'.*repository with name 'team\/app'/,
    );
  });

  it.each([
    [{ maxResults: 10 }, /imageIds cannot be used together with maxResults or nextToken/],
    [{ nextToken: 'abc' }, /imageIds cannot be used together with maxResults or nextToken/],
  ])('rejects imageIds combined with %o', async (extra, message) => {
    await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1.0.0' }], ...extra })),
      'InvalidParameterException',
      message,
    );
  });

  it.each([
    [{ maxResults: 0 }, "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{ maxResults: 1001 }, "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"],
    [
      { imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })) },
      "at 'imageIds' failed to satisfy constraint: Member must have length less than or equal to 100",
    ],
    [{ imageIds: [] }, "at 'imageIds' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{ imageIds: [{ imageTag: '' }] }, "Value '' at 'imageIds.1.member.imageTag' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{ filter: { tagStatus: 'SOME' } }, "Value 'SOME' at 'filter.tagStatus' failed to satisfy constraint: Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]"],
    [{ filter: { imageStatus: 'GONE' } }, "at 'filter.imageStatus' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]"],
    [{ registryId: '12' }, "Value '12' at 'registryId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}"],
    [{ nextToken: 'not-a-token' }, "Invalid parameter at 'nextToken'"],
  ])('validates %o', async (extra, message) => {
    const error = await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', ...(extra as object) })),
      'InvalidParameterException',
    );
    expect(error.message).toContain(message);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('reports several violations in one message', async () => {
    const error = await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'X', maxResults: 5000 })),
      'InvalidParameterException',
    );
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).toContain("Value 'X' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2");
    expect(error.message).toContain("Value 'X' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern");
  });

  it('answers RepositoryNotFoundException for a missing repository or another registry', async () => {
    await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'no/such' })),
      'RepositoryNotFoundException',
      "The repository with name 'no/such' does not exist in the registry with id '123456789012'",
    );
    await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', registryId: '999999999999' })),
      'RepositoryNotFoundException',
      /registry with id '999999999999'/,
    );
  });
});

describe('pagination of a 2,500-image repository', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ now: NOW });
    f.emulator.addImages(
      'big/repo',
      Array.from({ length: 2500 }, (_, i) => (i % 5 === 0 ? { pushedAt: `-${i}m` } : { tags: [`b${i}`, `c${i}`], pushedAt: `-${i}m` })),
    );
  });
  afterAll(() => stopFixture(f));

  it('DescribeImages serves 3 pages at maxResults 1000 with every image exactly once', async () => {
    const pages: number[] = [];
    const digests: string[] = [];
    for await (const page of paginateDescribeImages({ client: f.ecr, pageSize: 1000 }, { repositoryName: 'big/repo' })) {
      pages.push(page.imageDetails?.length ?? 0);
      digests.push(...(page.imageDetails ?? []).map((d) => d.imageDigest as string));
    }
    expect(pages).toEqual([1000, 1000, 500]);
    expect(new Set(digests).size).toBe(2500);
  });

  it('defaults to pages of 100', async () => {
    const first = await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'big/repo' }));
    expect(first.imageDetails).toHaveLength(100);
    expect(first.nextToken).toBeTypeOf('string');
  });

  it('ListImages pages tag entries (split inside an image if needed) without losing or repeating any', async () => {
    const entries: string[] = [];
    const sizes: number[] = [];
    for await (const page of paginateListImages({ client: f.ecr, pageSize: 999 }, { repositoryName: 'big/repo' })) {
      sizes.push(page.imageIds?.length ?? 0);
      entries.push(...(page.imageIds ?? []).map((id) => `${id.imageDigest}|${id.imageTag ?? ''}`));
    }
    // 2000 tagged images x 2 tags + 500 untagged = 4500 entries.
    expect(entries).toHaveLength(4500);
    expect(new Set(entries).size).toBe(4500);
    expect(sizes).toEqual([999, 999, 999, 999, 504]);
  });

  it('ListImages filters untagged images', async () => {
    const ids: string[] = [];
    for await (const page of paginateListImages({ client: f.ecr, pageSize: 1000 }, { repositoryName: 'big/repo', filter: { tagStatus: 'UNTAGGED' } })) {
      ids.push(...(page.imageIds ?? []).map((id) => id.imageDigest as string));
    }
    expect(ids).toHaveLength(500);
  });

  it('a cursor survives deletions between pages: nothing is skipped', async () => {
    const first = await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'big/repo', maxResults: 1000 }));
    // Delete the whole first page, then continue: the next page must start right after it.
    const firstPage = first.imageDetails ?? [];
    for (let i = 0; i < firstPage.length; i += 100) {
      await f.ecr.send(
        new BatchDeleteImageCommand({
          repositoryName: 'big/repo',
          imageIds: firstPage.slice(i, i + 100).map((d) => ({ imageDigest: d.imageDigest })),
        }),
      );
    }
    const rest: string[] = [];
    let token = first.nextToken;
    while (token) {
      const page = await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'big/repo', maxResults: 1000, nextToken: token }));
      rest.push(...(page.imageDetails ?? []).map((d) => d.imageDigest as string));
      token = page.nextToken;
    }
    expect(rest).toHaveLength(1500);
    expect(f.emulator.repositories().find((r) => r.repositoryName === 'big/repo')?.imageCount).toBe(1500);
  });

  it('rejects a token from another repository', async () => {
    f.emulator.addImages('small/repo', [{}, {}]);
    const first = await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'small/repo', maxResults: 1 }));
    await expectEcrError(
      f.ecr.send(new DescribeImagesCommand({ repositoryName: 'big/repo', nextToken: first.nextToken })),
      'InvalidParameterException',
      /nextToken/,
    );
  });
});

describe('BatchGetImage', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ state: STATE, pullTimeUpdateExclusions: ['AKIDSWEEPER'] });
  });
  afterEach(() => stopFixture(f));

  it('returns the exact manifest whose sha256 is the digest, and records the pull at the emulator clock', async () => {
    f.emulator.setNow('2026-06-02T00:00:00Z');
    const out = await f.ecr.send(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1.1.0' }] }));
    const image = out.images?.[0];
    expect(out.failures).toEqual([]);
    expect(image?.imageId?.imageTag).toBe('v1.1.0');
    expect(image?.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const { createHash } = await import('node:crypto');
    expect(`sha256:${createHash('sha256').update(image?.imageManifest ?? '').digest('hex')}`).toBe(image?.imageId?.imageDigest);
    const detail = f.emulator.findImage('team/app', { tag: 'v1.1.0' });
    expect(detail?.lastRecordedPullTime).toBe(Date.parse('2026-06-02T00:00:00Z'));
  });

  it('does not update the pull time for an excluded access key', async () => {
    const sweeper = clientFor(f.emulator, { accessKeyId: 'AKIDSWEEPER' });
    const before = f.emulator.findImage('team/app', { tag: 'v1.0.0' })?.lastRecordedPullTime;
    f.emulator.setNow('2026-07-01T00:00:00Z');
    const out = await sweeper.send(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1.0.0' }] }));
    expect(out.images).toHaveLength(1);
    expect(f.emulator.findImage('team/app', { tag: 'v1.0.0' })?.lastRecordedPullTime).toBe(before);
    sweeper.destroy();
    // The same call with another key does count.
    await f.ecr.send(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1.0.0' }] }));
    expect(f.emulator.findImage('team/app', { tag: 'v1.0.0' })?.lastRecordedPullTime).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(ACCESS_KEY).not.toBe('AKIDSWEEPER');
  });

  it('serves an index when its media type is accepted, and its child when only image manifests are', async () => {
    const indexDigest = f.emulator.findImage('team/app', { tag: 'multi' })?.imageDigest;
    const childDigests = f.emulator.findImage('team/app', { tag: 'multi' })?.childDigests ?? [];
    const asIndex = await f.ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'team/app',
        imageIds: [{ imageTag: 'multi' }],
        acceptedMediaTypes: ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'],
      }),
    );
    expect(asIndex.images?.[0]?.imageId?.imageDigest).toBe(indexDigest);
    const manifest = JSON.parse(asIndex.images?.[0]?.imageManifest ?? '{}') as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(manifest.manifests.map((m) => m.digest)).toEqual(childDigests);
    expect(manifest.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);

    const asImage = await f.ecr.send(
      new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'multi' }], acceptedMediaTypes: ['application/vnd.oci.image.manifest.v1+json'] }),
    );
    expect(asImage.images?.[0]?.imageId?.imageDigest).toBe(childDigests[0]);
  });

  it('reports per-image failures with ECR codes', async () => {
    const v1 = f.emulator.findImage('team/app', { tag: 'v1.0.0' })?.imageDigest as string;
    const out = await f.ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'team/app',
        imageIds: [
          { imageTag: 'missing' },
          { imageDigest: 'not-a-digest' },
          { imageTag: '-bad' },
          {},
          { imageDigest: v1, imageTag: 'v1.1.0' },
          { imageTag: 'old' },
          { imageDigest: `sha256:${'0'.repeat(64)}` },
        ],
      }),
    );
    expect(out.images).toEqual([]);
    expect(out.failures?.map((x) => x.failureCode)).toEqual([
      'ImageNotFound',
      'InvalidImageDigest',
      'InvalidImageTag',
      'MissingDigestAndTag',
      'ImageTagDoesNotMatchDigest',
      'ImageInaccessible',
      'ImageNotFound',
    ]);
    expect(out.failures?.[0]).toEqual({ imageId: { imageTag: 'missing' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
  });
});

describe('BatchDeleteImage', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ state: STATE });
  });
  afterEach(() => stopFixture(f));

  const del = (imageIds: { imageDigest?: string; imageTag?: string }[]) =>
    f.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds }));

  it('by tag on a multi-tag image removes only that tag', async () => {
    const digest = f.emulator.findImage('team/app', { tag: 'stable' })?.imageDigest;
    const out = await del([{ imageTag: 'stable' }]);
    expect(out.imageIds).toEqual([{ imageDigest: digest, imageTag: 'stable' }]);
    expect(out.failures).toEqual([]);
    expect(f.emulator.findImage('team/app', { digest })?.imageTags).toEqual(['v1.0.0']);
  });

  it('by its last tag deletes the image', async () => {
    const digest = f.emulator.findImage('team/app', { tag: 'v1.1.0' })?.imageDigest;
    await del([{ imageTag: 'v1.1.0' }]);
    expect(f.emulator.findImage('team/app', { digest })).toBeUndefined();
  });

  it('by digest deletes the image with all its tags, listing each tag', async () => {
    const digest = f.emulator.findImage('team/app', { tag: 'stable' })?.imageDigest;
    const out = await del([{ imageDigest: digest }]);
    expect(out.imageIds).toEqual([
      { imageDigest: digest, imageTag: 'v1.0.0' },
      { imageDigest: digest, imageTag: 'stable' },
    ]);
    expect(f.emulator.findImage('team/app', { tag: 'v1.0.0' })).toBeUndefined();
    expect(f.emulator.findImage('team/app', { tag: 'stable' })).toBeUndefined();
  });

  it('refuses to delete a child an index still lists, until the index is gone', async () => {
    const index = f.emulator.findImage('team/app', { tag: 'multi' });
    const child = index?.childDigests?.[0] as string;
    const first = await del([{ imageDigest: child }]);
    expect(first.imageIds).toEqual([]);
    expect(first.failures).toEqual([
      {
        imageId: { imageDigest: child },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${index?.imageDigest}]`,
      },
    ]);
    // Index first, then the child, in one request: processed in order, both succeed.
    const second = await del([{ imageDigest: index?.imageDigest }, { imageDigest: child }]);
    expect(second.failures).toEqual([]);
    expect(second.imageIds?.map((i) => i.imageDigest)).toEqual([index?.imageDigest, child]);
  });

  it('deleting the last tag of a child an index lists fails, and the tag stays (containers-roadmap#1567)', async () => {
    const child = f.emulator.findImage('team/app', { tag: 'multi' })?.childDigests?.[1] as string;
    f.emulator.tagImage('team/app', child, 'arm-only');
    const out = await del([{ imageTag: 'arm-only' }]);
    expect(out.failures?.[0]?.failureCode).toBe('ImageReferencedByManifestList');
    expect(f.emulator.findImage('team/app', { tag: 'arm-only' })?.imageDigest).toBe(child);
    // With a second tag, removing one is only an untag and succeeds.
    f.emulator.tagImage('team/app', child, 'arm-too');
    expect((await del([{ imageTag: 'arm-only' }])).failures).toEqual([]);
    expect(f.emulator.findImage('team/app', { digest: child })?.imageTags).toEqual(['arm-too']);
  });

  it('reports ImageNotFound, InvalidImageDigest, InvalidImageTag, ImageTagDoesNotMatchDigest, MissingDigestAndTag', async () => {
    const v1 = f.emulator.findImage('team/app', { tag: 'v1.0.0' })?.imageDigest as string;
    const out = await del([
      { imageTag: 'nope' },
      { imageDigest: 'sha256:zz' },
      { imageTag: '.hidden' },
      { imageDigest: v1, imageTag: 'v1.1.0' },
      {},
    ]);
    expect(out.imageIds).toEqual([]);
    expect(out.failures?.map((x) => [x.failureCode, x.imageId])).toEqual([
      ['ImageNotFound', { imageTag: 'nope' }],
      ['InvalidImageDigest', { imageDigest: 'sha256:zz' }],
      ['InvalidImageTag', { imageTag: '.hidden' }],
      ['ImageTagDoesNotMatchDigest', { imageDigest: v1, imageTag: 'v1.1.0' }],
      ['MissingDigestAndTag', {}],
    ]);
  });

  it('a second delete of the same digest reports ImageNotFound (idempotent retries can rely on it)', async () => {
    const digest = f.emulator.findImage('team/app', { tag: 'v1.1.0' })?.imageDigest;
    await del([{ imageDigest: digest }]);
    const again = await del([{ imageDigest: digest }]);
    expect(again.failures?.[0]?.failureCode).toBe('ImageNotFound');
  });

  it('keeps referrers when their subject is deleted', async () => {
    const subject = f.emulator.findImage('team/app', { tag: 'v1.1.0' })?.imageDigest;
    await del([{ imageDigest: subject }]);
    const left = f.emulator.images('team/app').filter((i) => i.subjectManifestDigest === subject);
    expect(left).toHaveLength(2);
  });

  it('rejects more than 100 imageIds and a missing imageIds as a whole', async () => {
    await expectEcrError(
      del(Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` }))),
      'InvalidParameterException',
      /^1 validation error detected: Value '\[.*\]' at 'imageIds' failed to satisfy constraint: Member must have length less than or equal to 100$/,
    );
    await expectEcrError(
      f.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: undefined as never })),
      'InvalidParameterException',
      "Value null at 'imageIds' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('ListImageReferrers', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ state: STATE });
  });
  afterAll(() => stopFixture(f));

  it('lists the referrers of a subject, filtered by artifact type', async () => {
    const subject = f.emulator.findImage('team/app', { tag: 'v1.1.0' })?.imageDigest as string;
    const all = await f.ecr.send(new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: subject } }));
    expect(all.referrers?.map((r) => r.artifactType).sort()).toEqual(['application/spdx+json', 'application/vnd.dev.cosign.artifact.sig.v1+json']);
    for (const r of all.referrers ?? []) {
      expect(r.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(r.artifactStatus).toBe('ACTIVE');
      expect(r.size).toBeGreaterThan(100);
    }
    const sboms = await f.ecr.send(
      new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: subject }, filter: { artifactTypes: ['application/spdx+json'] } }),
    );
    expect(sboms.referrers).toHaveLength(1);
    const paged = await f.ecr.send(new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: subject }, maxResults: 1 }));
    expect(paged.referrers).toHaveLength(1);
    expect(paged.nextToken).toBeTypeOf('string');
    await expectEcrError(
      f.ecr.send(new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: subject }, maxResults: 51 })),
      'InvalidParameterException',
      /Member must have value less than or equal to 50/,
    );
  });
});

describe('ListImages', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ state: STATE });
  });
  afterAll(() => stopFixture(f));

  it('lists one entry per tag and one per untagged manifest', async () => {
    const out = await f.ecr.send(new ListImagesCommand({ repositoryName: 'team/app' }));
    const tags = (out.imageIds ?? []).map((i) => i.imageTag).filter(Boolean).sort();
    expect(tags).toEqual(['multi', 'stable', 'v1.0.0', 'v1.1.0']);
    expect((out.imageIds ?? []).filter((i) => i.imageTag === undefined)).toHaveLength(5);
    const tagged = await f.ecr.send(new ListImagesCommand({ repositoryName: 'team/app', filter: { tagStatus: 'TAGGED', imageStatus: 'ANY' } }));
    expect(tagged.imageIds?.map((i) => i.imageTag).sort()).toEqual(['multi', 'old', 'stable', 'v1.0.0', 'v1.1.0']);
  });
});
