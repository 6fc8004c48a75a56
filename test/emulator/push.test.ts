import { createHash } from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const REPO = 'team/pushed';
const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Uploads one blob through InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload. */
async function uploadBlob(ecr: ECRClient, data: Buffer, partSize = data.length): Promise<string> {
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
  for (let first = 0; first < data.length; first += partSize) {
    const part = data.subarray(first, first + partSize);
    const out = await ecr.send(
      new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }),
    );
    expect(out.lastByteReceived).toBe(first + part.length - 1);
  }
  const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId, layerDigests: [sha(data)] }));
  return done.layerDigest as string;
}

function imageManifest(config: { digest: string; size: number }, layers: { digest: string; size: number }[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
    ...extra,
  });
}

describe('a full push through the layer API', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ now: '2026-03-01T12:00:00Z' });
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  });
  afterEach(() => stopFixture(f));

  it('uploads layers, puts the image, describes, pulls and deletes it', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer1 = Buffer.alloc(6 * 1024 * 1024, 7);
    const layer2 = Buffer.from('second layer');
    const configDigest = await uploadBlob(f.ecr, config);
    const l1 = await uploadBlob(f.ecr, layer1, 5 * 1024 * 1024); // two parts: 5 MiB + 1 MiB
    const l2 = await uploadBlob(f.ecr, layer2);
    expect(l1).toBe(sha(layer1));

    const check = await f.ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: REPO, layerDigests: [l1, l2, `sha256:${'1'.repeat(64)}`, 'bogus'] }));
    expect(check.layers).toEqual([
      { layerDigest: l1, layerAvailability: 'AVAILABLE', layerSize: layer1.length },
      { layerDigest: l2, layerAvailability: 'AVAILABLE', layerSize: layer2.length },
    ]);
    expect(check.failures?.map((x) => x.failureCode)).toEqual(['MissingLayerDigest', 'InvalidLayerDigest']);

    // Not yet part of an image: not downloadable.
    await expectEcrError(f.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: l2 })), 'LayerInaccessibleException');

    const manifest = imageManifest({ digest: configDigest, size: config.length }, [
      { digest: l1, size: layer1.length },
      { digest: l2, size: layer2.length },
    ]);
    const put = await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageTag: 'v1', imageDigest: sha(manifest) }));
    expect(put.image?.imageId).toEqual({ imageDigest: sha(manifest), imageTag: 'v1' });
    expect(put.image?.imageManifest).toBe(manifest);

    const described = (await f.ecr.send(new DescribeImagesCommand({ repositoryName: REPO }))).imageDetails ?? [];
    expect(described).toHaveLength(1);
    expect(described[0]).toMatchObject({
      imageDigest: sha(manifest),
      imageTags: ['v1'],
      imageSizeInBytes: layer1.length + layer2.length,
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
    });
    expect(described[0]?.imagePushedAt?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(described[0]?.lastRecordedPullTime).toBeUndefined();

    f.emulator.setNow('2026-03-02T00:00:00Z');
    const pulled = await f.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }));
    expect(pulled.images?.[0]?.imageManifest).toBe(manifest);
    const after = (await f.ecr.send(new DescribeImagesCommand({ repositoryName: REPO }))).imageDetails?.[0];
    expect(after?.lastRecordedPullTime?.toISOString()).toBe('2026-03-02T00:00:00.000Z');

    const url = (await f.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: l2 }))).downloadUrl as string;
    expect(url.startsWith(f.emulator.url)).toBe(true);
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(bytes.equals(layer2)).toBe(true);

    const deleted = await f.ecr.send(new BatchDeleteImageCommand({ repositoryName: REPO, imageIds: [{ imageDigest: sha(manifest) }] }));
    expect(deleted.imageIds).toEqual([{ imageDigest: sha(manifest), imageTag: 'v1' }]);
    expect((await f.ecr.send(new DescribeImagesCommand({ repositoryName: REPO }))).imageDetails).toEqual([]);
  });

  it('PutImage needs every referenced blob: LayersNotFoundException names the missing ones', async () => {
    const config = Buffer.from('{}config');
    const configDigest = await uploadBlob(f.ecr, config);
    const ghost = `sha256:${'a'.repeat(64)}`;
    const manifest = imageManifest({ digest: configDigest, size: config.length }, [{ digest: ghost, size: 10 }]);
    await expectEcrError(
      f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageTag: 'x' })),
      'LayersNotFoundException',
      new RegExp(`Layers with digests '\\[${ghost}\\]' required for pushing image into repository with name '${REPO}'`),
    );
  });

  it('rejects an imageDigest that is not the sha256 of the manifest bytes', async () => {
    const blob = await uploadBlob(f.ecr, Buffer.from('cfg'));
    const manifest = imageManifest({ digest: blob, size: 3 }, []);
    await expectEcrError(
      f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageDigest: `sha256:${'b'.repeat(64)}` })),
      'ImageDigestDoesNotMatchException',
    );
  });

  it('re-pushing adds or moves tags; the same manifest and tag again is ImageAlreadyExistsException', async () => {
    const blob = await uploadBlob(f.ecr, Buffer.from('cfg-1'));
    const blob2 = await uploadBlob(f.ecr, Buffer.from('cfg-2'));
    const m1 = imageManifest({ digest: blob, size: 5 }, []);
    const m2 = imageManifest({ digest: blob2, size: 5 }, []);
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: m1, imageTag: 'latest' }));
    await expectEcrError(
      f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: m1, imageTag: 'latest' })),
      'ImageAlreadyExistsException',
      `Image with digest '${sha(m1)}' and tag 'latest' already exists in the repository with name '${REPO}' in registry with id '123456789012'`,
    );
    await expectEcrError(f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: m1 })), 'ImageAlreadyExistsException');
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: m1, imageTag: 'v1' }));
    expect(f.emulator.findImage(REPO, { digest: sha(m1) })?.imageTags).toEqual(['latest', 'v1']);
    // Pushing another manifest as `latest` moves the tag; the old image keeps `v1`.
    f.emulator.setNow('2026-03-05T00:00:00Z');
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: m2, imageTag: 'latest' }));
    expect(f.emulator.findImage(REPO, { digest: sha(m1) })?.imageTags).toEqual(['v1']);
    expect(f.emulator.findImage(REPO, { tag: 'latest' })?.imageDigest).toBe(sha(m2));
    // A re-tag does not change the original push time.
    expect(f.emulator.findImage(REPO, { digest: sha(m1) })?.imagePushedAt).toBe(Date.parse('2026-03-01T12:00:00Z'));
    expect(f.emulator.findImage(REPO, { digest: sha(m2) })?.imagePushedAt).toBe(Date.parse('2026-03-05T00:00:00Z'));
  });

  it('PutImage: LimitExceededException when the repository is at its image quota', async () => {
    const small = await startFixture({ maxImagesPerRepository: 2 });
    try {
      await small.ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
      const blob = await uploadBlob(small.ecr, Buffer.from('cfg'));
      const put = (n: number) =>
        small.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: imageManifest({ digest: blob, size: 3 }, [], { annotations: { n: String(n) } }) }));
      await put(1);
      await put(2);
      await expectEcrError(put(3), 'LimitExceededException', /maximum \(2\)/);
    } finally {
      await stopFixture(small);
    }
  });

  it('an IMMUTABLE repository refuses to move a tag', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/frozen', imageTagMutability: 'IMMUTABLE' }));
    f.emulator.addImages('team/frozen', [{ tags: ['v1'] }, { seed: 'other' }]);
    const other = f.emulator.images('team/frozen').find((i) => i.imageTags.length === 0);
    const manifest = (await f.ecr.send(new BatchGetImageCommand({ repositoryName: 'team/frozen', imageIds: [{ imageDigest: other?.imageDigest }] })))
      .images?.[0]?.imageManifest;
    await expectEcrError(
      f.ecr.send(new PutImageCommand({ repositoryName: 'team/frozen', imageManifest: manifest, imageTag: 'v1' })),
      'ImageTagAlreadyExistsException',
      /cannot be overwritten because the repository is immutable/,
    );
  });

  it('pushes a multi-arch index over existing children, and a referrer with a subject', async () => {
    const blobA = await uploadBlob(f.ecr, Buffer.from('arch-a'));
    const blobB = await uploadBlob(f.ecr, Buffer.from('arch-b'));
    const ma = imageManifest({ digest: blobA, size: 6 }, []);
    const mb = imageManifest({ digest: blobB, size: 6 }, [{ digest: blobA, size: 6 }]);
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: ma }));
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: mb }));
    const entry = (m: string, arch: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: Buffer.byteLength(m), platform: { os: 'linux', architecture: arch } });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(ma, 'amd64'), entry(mb, 'arm64')] });
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: index, imageTag: 'multi' }));
    const stored = f.emulator.findImage(REPO, { tag: 'multi' });
    expect(stored?.imageManifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(stored?.childDigests).toEqual([sha(ma), sha(mb)]);
    expect(stored?.imageSizeInBytes).toBe(6); // largest child: mb has one 6-byte layer

    const ghostIndex = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ ...entry(ma, 'amd64'), digest: `sha256:${'c'.repeat(64)}` }],
    });
    await expectEcrError(f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: ghostIndex })), 'ReferencedImagesNotFoundException');

    const sig = await uploadBlob(f.ecr, Buffer.from('signature'));
    const referrer = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
      layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sig, size: 9 }],
      subject: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(index), size: Buffer.byteLength(index) },
    });
    await f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: referrer }));
    const ref = f.emulator.findImage(REPO, { digest: sha(referrer) });
    expect(ref?.subjectManifestDigest).toBe(sha(index));
    expect(ref?.artifactMediaType).toBe('application/vnd.dev.cosign.artifact.sig.v1+json');
    expect(ref?.imageSizeInBytes).toBe(9);
  });

  it('rejects manifests that are not JSON, or whose declared media type disagrees', async () => {
    await expectEcrError(f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: 'not json' })), 'InvalidParameterException', /Invalid JSON syntax/);
    const blob = await uploadBlob(f.ecr, Buffer.from('cfg'));
    await expectEcrError(
      f.ecr.send(
        new PutImageCommand({
          repositoryName: REPO,
          imageManifest: imageManifest({ digest: blob, size: 3 }, []),
          imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        }),
      ),
      'InvalidParameterException',
      /does not match/,
    );
    await expectEcrError(
      f.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: imageManifest({ digest: blob, size: 3 }, []), imageTag: 'x'.repeat(301) })),
      'InvalidParameterException',
      /at 'imageTag' failed to satisfy constraint: Member must have length less than or equal to 300/,
    );
  });
});

describe('layer upload errors', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  });
  afterEach(() => stopFixture(f));

  it('InitiateLayerUpload gives a UUID upload id and the part size', async () => {
    const out = await f.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    expect(out.uploadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.partSize).toBe(10 * 1024 * 1024);
  });

  it('parts must be consecutive: InvalidLayerPartException with the last valid byte', async () => {
    const { uploadId } = await f.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    await f.ecr.send(new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: 0, partLastByte: 3, layerPartBlob: Buffer.from('abcd') }));
    const error = await expectEcrError(
      f.ecr.send(new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: 10, partLastByte: 13, layerPartBlob: Buffer.from('efgh') })),
      'InvalidLayerPartException',
      /not consecutive/,
    );
    expect((error as unknown as { lastValidByteReceived: number }).lastValidByteReceived).toBe(3);
    await expectEcrError(
      f.ecr.send(new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: 4, partLastByte: 9, layerPartBlob: Buffer.from('ef') })),
      'InvalidLayerPartException',
      /size is not valid/,
    );
  });

  it('CompleteLayerUpload checks emptiness, part sizes, the digest and duplicates', async () => {
    const start = async () => (await f.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }))).uploadId as string;
    const part = (uploadId: string, first: number, data: Buffer) =>
      f.ecr.send(new UploadLayerPartCommand({ repositoryName: REPO, uploadId, partFirstByte: first, partLastByte: first + data.length - 1, layerPartBlob: data }));
    const complete = (uploadId: string, digest: string) => f.ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId, layerDigests: [digest] }));

    const empty = await start();
    await expectEcrError(complete(empty, sha('')), 'EmptyUploadException');

    const small = await start();
    await part(small, 0, Buffer.from('tiny'));
    await part(small, 4, Buffer.from('tail'));
    await expectEcrError(complete(small, sha('tinytail')), 'LayerPartTooSmallException', /at least 5 MiB/);

    const wrong = await start();
    await part(wrong, 0, Buffer.from('data'));
    await expectEcrError(complete(wrong, sha('other')), 'InvalidLayerException', /does not match the digest specified/);

    const ok = await start();
    await part(ok, 0, Buffer.from('data'));
    await complete(ok, sha('data'));
    const dup = await start();
    await part(dup, 0, Buffer.from('data'));
    await expectEcrError(complete(dup, sha('data')), 'LayerAlreadyExistsException');

    await expectEcrError(complete('00000000-0000-4000-8000-000000000000', sha('data')), 'UploadNotFoundException');
    await expectEcrError(complete('not-a-uuid', sha('data')), 'InvalidParameterException', /at 'uploadId' failed to satisfy constraint/);
  });

  it('an upload id belongs to its repository', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/other' }));
    const { uploadId } = await f.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    await expectEcrError(
      f.ecr.send(new UploadLayerPartCommand({ repositoryName: 'team/other', uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('a') })),
      'UploadNotFoundException',
    );
  });

  it('GetDownloadUrlForLayer: LayersNotFoundException for unknown layers; synthetic layers of state images resolve', async () => {
    await expectEcrError(
      f.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: `sha256:${'d'.repeat(64)}` })),
      'LayersNotFoundException',
    );
    f.emulator.addImages(REPO, [{ tags: ['synthetic'], sizeInBytes: 123 }]);
    const manifest = JSON.parse(
      (await f.ecr.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'synthetic' }] }))).images?.[0]?.imageManifest ?? '{}',
    ) as { layers: { digest: string; size: number }[] };
    expect(manifest.layers.reduce((s, l) => s + l.size, 0)).toBe(123);
    const out = await f.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: manifest.layers[0]?.digest }));
    expect(out.layerDigest).toBe(manifest.layers[0]?.digest);
  });
});
