import { createHash } from 'node:crypto';

/** A blob (image config or layer) the scenario uploads through the layer upload API. */
export interface BlobFixture {
  readonly label: string;
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  /** Byte ranges for UploadLayerPart, inclusive as the API counts them. */
  readonly parts: ReadonlyArray<{ readonly first: number; readonly last: number }>;
}

/** A Docker v2 schema 2 manifest exactly as sent to PutImage. */
export interface ManifestFixture {
  readonly label: string;
  readonly text: string;
  readonly digest: string;
  /** Sum of the layer sizes: what ImageDetail.imageSizeInBytes must report. */
  readonly layerBytes: number;
}

const MIB = 1024 * 1024;
const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
const LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
/** Media type of a Docker manifest list (multi-arch index). */
export const INDEX_TYPE = 'application/vnd.docker.distribution.manifest.list.v2+json';
const SBOM_TYPE = 'application/vnd.example.sbom.v1+json';

/** The sha256 digest of bytes, as ECR writes it (`sha256:<hex>`). */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Deterministic pseudo-random bytes, so digests are the same on every run and on both servers. */
function pseudoRandomBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, length - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function blob(label: string, bytes: Buffer, mediaType: string, partSizes?: number[]): BlobFixture {
  const parts: Array<{ first: number; last: number }> = [];
  let first = 0;
  for (const size of partSizes ?? [bytes.length]) {
    parts.push({ first, last: first + size - 1 });
    first += size;
  }
  return { label, bytes, digest: sha256Digest(bytes), mediaType, parts };
}

/** All the test data the scenario pushes. */
export interface Fixtures {
  readonly config: BlobFixture;
  /** layer-1 is 5 MiB + 1000 bytes, uploaded in two parts (the first at the 5 MiB minimum part size). */
  readonly layers: readonly BlobFixture[];
  /** Bytes uploaded but completed with another digest: CompleteLayerUpload must reject it. */
  readonly corrupt: BlobFixture;
  /** A digest that names nothing ever uploaded or pushed. */
  readonly neverUploadedDigest: string;
  readonly manifestA: ManifestFixture;
  readonly manifestB: ManifestFixture;
  /** References a layer that was never uploaded: PutImage must fail with LayersNotFoundException. */
  readonly manifestMissingLayer: ManifestFixture;
  /** 25 distinct manifests (different layer sequences) for pagination, tagged p01..p25. */
  readonly paged: readonly ManifestFixture[];
  /** The 2-byte OCI empty config `{}` a referrer artifact points at. */
  readonly ociEmptyConfig: BlobFixture;
  /** A Docker manifest list of p01 (amd64) and p02 (arm64); `layerBytes` is its largest child's. */
  readonly index: ManifestFixture;
  /** An OCI 1.1 artifact (an SBOM) whose `subject` is p03. */
  readonly referrer: ManifestFixture;
  readonly referrerArtifactType: string;
}

function layer(label: string, seed: string, size: number, partSizes?: number[]): BlobFixture {
  return blob(label, pseudoRandomBytes(seed, size), LAYER_TYPE, partSizes);
}

function manifest(label: string, config: BlobFixture, layers: readonly BlobFixture[]): ManifestFixture {
  const body = {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: config.mediaType, size: config.bytes.length, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.bytes.length, digest: l.digest })),
  };
  // Three-space indentation on purpose: a server that re-serialises the manifest before hashing or
  // storing it produces a different digest and different bytes, and the comparison shows it.
  const text = JSON.stringify(body, null, 3);
  return { label, text, digest: sha256Digest(text), layerBytes: layers.reduce((n, l) => n + l.bytes.length, 0) };
}

/** Ordered selections of at least two distinct items, in a fixed order. */
function orderedSelections<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  const walk = (chosen: T[], rest: readonly T[]): void => {
    if (chosen.length >= 2) out.push(chosen);
    rest.forEach((item, i) => walk([...chosen, item], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], items);
  return out;
}

/** Builds the scenario's blobs and manifests; identical on every call. */
export function buildFixtures(): Fixtures {
  const layer1 = layer('blob:layer-1', 'ecr-sweeper interop layer 1', 5 * MIB + 1000, [5 * MIB, 1000]);
  const small = [2, 3, 4, 5].map((n) => layer(`blob:layer-${n}`, `ecr-sweeper interop layer ${n}`, 200 * n + 17));
  const layers = [layer1, ...small];
  const layer2 = small[0]!;
  const configText = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/true'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const config = blob('blob:config', Buffer.from(configText), CONFIG_TYPE);
  const corrupt = layer('blob:corrupt', 'ecr-sweeper interop corrupt upload', 333);
  const neverUploaded = layer('blob:never-uploaded', 'ecr-sweeper interop never uploaded', 444);
  const paged: ManifestFixture[] = orderedSelections(small)
    .slice(0, 25)
    .map((selection, i) => manifest(`manifest:p${String(i + 1).padStart(2, '0')}`, config, selection));
  const ociEmptyConfig = blob('blob:oci-empty', Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const [p01, p02, p03] = [paged[0]!, paged[1]!, paged[2]!];
  const indexText = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: INDEX_TYPE,
      manifests: [
        { mediaType: MANIFEST_TYPE, size: Buffer.byteLength(p01.text), digest: p01.digest, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: MANIFEST_TYPE, size: Buffer.byteLength(p02.text), digest: p02.digest, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    },
    null,
    3,
  );
  const sbom = small[3]!;
  const referrerText = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: SBOM_TYPE,
      config: { mediaType: ociEmptyConfig.mediaType, size: ociEmptyConfig.bytes.length, digest: ociEmptyConfig.digest },
      layers: [{ mediaType: SBOM_TYPE, size: sbom.bytes.length, digest: sbom.digest }],
      subject: { mediaType: MANIFEST_TYPE, size: Buffer.byteLength(p03.text), digest: p03.digest },
    },
    null,
    3,
  );
  return {
    ociEmptyConfig,
    index: { label: 'manifest:index', text: indexText, digest: sha256Digest(indexText), layerBytes: Math.max(p01.layerBytes, p02.layerBytes) },
    referrer: { label: 'manifest:referrer', text: referrerText, digest: sha256Digest(referrerText), layerBytes: sbom.bytes.length },
    referrerArtifactType: SBOM_TYPE,
    config,
    layers,
    corrupt,
    neverUploadedDigest: neverUploaded.digest,
    manifestA: manifest('manifest:A', config, [layer1, layer2]),
    manifestB: manifest('manifest:B', config, [layer2]),
    manifestMissingLayer: manifest('manifest:missing-layer', config, [layer2, neverUploaded]),
    paged,
  };
}
