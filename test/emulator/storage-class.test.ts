/**
 * UpdateImageStorageClass through the real SDK: archive, the ARCHIVED status in listings, pulls
 * of archived images refused, restore through ACTIVATING completed by the emulator's clock.
 */
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  ListImagesCommand,
  UpdateImageStorageClassCommand,
  type ImageStatusFilter,
} from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const NOW = '2026-06-01T00:00:00.000Z';
const REPO = 'team/app';
const MINUTE = 60_000;

let f: Fixture | undefined;
afterEach(async () => {
  await stopFixture(f);
  f = undefined;
});

async function fixture(restoreDelayMs?: number): Promise<Fixture> {
  f = await startFixture({
    now: NOW,
    ...(restoreDelayMs !== undefined ? { restoreDelayMs } : {}),
    state: {
      repositories: [
        {
          name: REPO,
          images: [
            { tags: ['v1'], pushedAt: '-30d', sizeInBytes: 1000 },
            { tags: ['v2'], pushedAt: '-20d', sizeInBytes: 2000 },
            { tags: ['multi'], pushedAt: '-10d', children: [{ sizeInBytes: 700 }, { sizeInBytes: 900 }] },
          ],
        },
      ],
    },
  });
  return f;
}

function digestOf(fx: Fixture, tag: string): string {
  const image = fx.emulator.findImage(REPO, { tag });
  if (!image) throw new Error(`no image tagged ${tag}`);
  return image.imageDigest;
}

async function statuses(fx: Fixture, imageStatus?: ImageStatusFilter): Promise<string[]> {
  const out = await fx.ecr.send(new DescribeImagesCommand({ repositoryName: REPO, ...(imageStatus ? { filter: { imageStatus } } : {}) }));
  return (out.imageDetails ?? []).flatMap((d) => (d.imageTags ?? []).map((t) => `${t}:${d.imageStatus}`)).sort();
}

describe('UpdateImageStorageClass ARCHIVE', () => {
  it('archives by digest: ARCHIVED with lastArchivedAt, hidden from default listings, shown with ARCHIVED/ANY', async () => {
    const fx = await fixture();
    const digest = digestOf(fx, 'v1');
    const out = await fx.ecr.send(
      new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageDigest: digest }, targetStorageClass: 'ARCHIVE' }),
    );
    expect(out).toMatchObject({ registryId: '123456789012', repositoryName: REPO, imageId: { imageDigest: digest }, imageStatus: 'ARCHIVED' });
    expect(out.imageId?.imageTag).toBeUndefined();

    expect(await statuses(fx)).toEqual(['multi:ACTIVE', 'v2:ACTIVE']);
    expect(await statuses(fx, 'ARCHIVED')).toEqual(['v1:ARCHIVED']);
    expect(await statuses(fx, 'ANY')).toEqual(['multi:ACTIVE', 'v1:ARCHIVED', 'v2:ACTIVE']);
    const listed = await fx.ecr.send(new ListImagesCommand({ repositoryName: REPO, filter: { imageStatus: 'ARCHIVED' } }));
    expect(listed.imageIds).toEqual([{ imageDigest: digest, imageTag: 'v1' }]);

    const [detail] = (await fx.ecr.send(new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageDigest: digest }] }))).imageDetails ?? [];
    expect(detail?.imageStatus).toBe('ARCHIVED');
    expect(detail?.lastArchivedAt?.toISOString()).toBe(NOW);
    expect(detail?.lastActivatedAt).toBeUndefined();
  });

  it('archives by tag and answers with the tag it was asked by', async () => {
    const fx = await fixture();
    const out = await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v2' }, targetStorageClass: 'ARCHIVE' }));
    expect(out.imageId).toEqual({ imageDigest: digestOf(fx, 'v2'), imageTag: 'v2' });
    expect(fx.emulator.findImage(REPO, { tag: 'v2' })?.imageStatus).toBe('ARCHIVED');
  });

  it('refuses to archive a child while its index is not archived, and archives it once the index is', async () => {
    const fx = await fixture();
    const index = fx.emulator.findImage(REPO, { tag: 'multi' })!;
    const child = index.childDigests![0]!;
    const archive = (imageDigest: string) =>
      fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageDigest }, targetStorageClass: 'ARCHIVE' }));
    await expectEcrError(archive(child), 'ImageStorageClassUpdateNotSupportedException', /referenced by manifest list/);
    expect(fx.emulator.findImage(REPO, { digest: child })?.imageStatus).toBe('ACTIVE');
    await archive(index.imageDigest);
    expect((await archive(child)).imageStatus).toBe('ARCHIVED');
  });

  it('refuses an image that is already archived, and answers ECR errors for bad requests', async () => {
    const fx = await fixture();
    const send = (input: Record<string, unknown>) =>
      fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, ...input } as never));
    await send({ imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' });
    await expectEcrError(send({ imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' }), 'ImageStorageClassUpdateNotSupportedException', /ARCHIVED/);
    await expectEcrError(send({ imageId: { imageTag: 'nope' }, targetStorageClass: 'ARCHIVE' }), 'ImageNotFoundException', /imageTag:'nope'/);
    await expectEcrError(send({ imageId: { imageDigest: 'not-a-digest' }, targetStorageClass: 'ARCHIVE' }), 'InvalidParameterException', /image digest/);
    await expectEcrError(send({ imageId: { imageTag: 'v2' }, targetStorageClass: 'GLACIER' }), 'InvalidParameterException', /targetStorageClass.*enum/);
    await expectEcrError(send({ imageId: { imageTag: 'v2' } }), 'InvalidParameterException', /targetStorageClass.*must not be null/);
    await expectEcrError(
      fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'team/none', imageId: { imageTag: 'v2' }, targetStorageClass: 'ARCHIVE' })),
      'RepositoryNotFoundException',
    );
    expect(fx.emulator.findImage(REPO, { tag: 'v2' })?.imageStatus).toBe('ACTIVE');
  });
});

describe('pulls of archived images', () => {
  it('BatchGetImage fails per image and does not record a pull; layers only archived images use are not served', async () => {
    const fx = await fixture();
    const manifest = JSON.parse(
      (await fx.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }))).images?.[0]?.imageManifest ?? '{}',
    ) as { layers: { digest: string }[] };
    const layer = manifest.layers[0]!.digest;
    const pulledBefore = fx.emulator.findImage(REPO, { tag: 'v1' })?.lastRecordedPullTime;
    fx.emulator.setNow('2026-06-02T00:00:00Z');
    await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' }));

    const out = await fx.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }, { imageTag: 'v2' }] }));
    expect(out.images?.map((i) => i.imageId?.imageTag)).toEqual(['v2']);
    expect(out.failures).toEqual([{ imageId: { imageTag: 'v1' }, failureCode: 'ImageInaccessible', failureReason: expect.stringMatching(/archived/) }]);
    expect(fx.emulator.findImage(REPO, { tag: 'v1' })?.lastRecordedPullTime).toBe(pulledBefore);
    await expectEcrError(fx.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: layer })), 'LayerInaccessibleException', /archived/);
  });
});

describe('UpdateImageStorageClass STANDARD (restore)', () => {
  it('goes through ACTIVATING and becomes ACTIVE with lastActivatedAt when the clock passes the restore delay', async () => {
    const fx = await fixture(20 * MINUTE);
    await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' }));
    fx.emulator.setNow('2026-06-01T01:00:00.000Z');
    const out = await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v1' }, targetStorageClass: 'STANDARD' }));
    expect(out.imageStatus).toBe('ACTIVATING');
    expect(await statuses(fx, 'ACTIVATING')).toEqual(['v1:ACTIVATING']);
    // Still not pullable while activating; restoring again is refused.
    const pull = await fx.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }));
    expect(pull.failures?.[0]?.failureCode).toBe('ImageInaccessible');
    await expectEcrError(
      fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v1' }, targetStorageClass: 'STANDARD' })),
      'ImageStorageClassUpdateNotSupportedException',
      /being restored/,
    );

    fx.emulator.setNow('2026-06-01T01:19:59.000Z');
    expect(fx.emulator.findImage(REPO, { tag: 'v1' })?.imageStatus).toBe('ACTIVATING');
    fx.emulator.setNow('2026-06-01T01:30:00.000Z');
    const [detail] = (await fx.ecr.send(new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }))).imageDetails ?? [];
    expect(detail?.imageStatus).toBe('ACTIVE');
    expect(detail?.lastActivatedAt?.toISOString()).toBe('2026-06-01T01:20:00.000Z');
    expect(detail?.lastArchivedAt?.toISOString()).toBe(NOW);
    const pulled = await fx.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }));
    expect(pulled.images).toHaveLength(1);
  });

  it('restoreDelayMs 0 restores at once; restoring an ACTIVE image is refused', async () => {
    const fx = await fixture(0);
    const send = (tag: string, targetStorageClass: 'ARCHIVE' | 'STANDARD') =>
      fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: tag }, targetStorageClass }));
    await expectEcrError(send('v2', 'STANDARD'), 'ImageStorageClassUpdateNotSupportedException', /already ACTIVE/);
    await send('v2', 'ARCHIVE');
    expect((await send('v2', 'STANDARD')).imageStatus).toBe('ACTIVE');
    expect(fx.emulator.findImage(REPO, { tag: 'v2' })).toMatchObject({ imageStatus: 'ACTIVE', lastActivatedAt: Date.parse(NOW) });
  });

  it('the default restore delay is 20 minutes', async () => {
    const fx = await fixture();
    await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v2' }, targetStorageClass: 'ARCHIVE' }));
    await fx.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: REPO, imageId: { imageTag: 'v2' }, targetStorageClass: 'STANDARD' }));
    fx.emulator.setNow(Date.parse(NOW) + 20 * MINUTE - 1);
    expect(fx.emulator.findImage(REPO, { tag: 'v2' })?.imageStatus).toBe('ACTIVATING');
    fx.emulator.setNow(Date.parse(NOW) + 20 * MINUTE);
    expect(fx.emulator.findImage(REPO, { tag: 'v2' })?.imageStatus).toBe('ACTIVE');
  });
});
