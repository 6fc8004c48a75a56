/**
 * Turns the state-file description of a repository's images into concrete manifests with real
 * digests. The emulator's loader and the generator's `toInventory` both call this, so the planner
 * benchmark sees exactly the digests the emulator serves.
 */
import { EmulatorStateError } from './errors.js';
import { EMPTY_CONFIG, MEDIA_TYPES, renderImageManifest, renderIndex, sha256Digest, type BlobRef, type IndexEntry } from './manifests.js';
import { digestVariant, hashString, pseudoDigest } from './random.js';
import { parseStateTime } from './time.js';
import type { StateImage } from './types.js';
import { isValidTag } from './validate.js';

export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

/** One manifest, ready to be stored or turned into an ImageRecord. Times are epoch ms. */
export interface MaterializedImage {
  digest: string;
  /** What renders the manifest; see `manifestOf` and `blobsOf`. */
  source: ManifestSource;
  mediaType: string;
  artifactMediaType?: string;
  artifactType?: string;
  tags: string[];
  pushedAt: number;
  lastPulledAt?: number;
  sizeInBytes: number;
  childDigests?: string[];
  subjectDigest?: string;
  status: ImageStatus;
  lastArchivedAt?: number;
  lastActivatedAt?: number;
}

const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'linux/ppc64le', 'linux/s390x'];
const STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);

/** A manifest another one can point at (as `subject`). */
export interface Built {
  image: Pick<MaterializedImage, 'digest' | 'mediaType'>;
  /** Byte length of the manifest, for descriptors that point at it. */
  manifestSize: number;
}

/** Options of `materializeImages`. */
export interface MaterializeOptions {
  /** Added to list positions when deriving default keys, so later additions get fresh digests. */
  keyOffset?: number;
  /** Resolves a `subject` tag that is not in this list (an image already in the repository). */
  lookupSubject?: (tag: string) => Built | undefined;
}

/**
 * Materialises every image of one repository, in file order (an index's children just before it).
 * `now` (epoch ms) anchors relative times; `path` prefixes error locations, e.g. `repositories[3]`.
 * Throws EmulatorStateError naming the exact field when the description is invalid.
 */
export function materializeImages(
  repositoryName: string,
  images: readonly StateImage[],
  now: number,
  path: string,
  options: MaterializeOptions = {},
): MaterializedImage[] {
  const keyOffset = options.keyOffset ?? 0;
  const slots: MaterializedImage[][] = new Array(images.length);
  const byTag = new Map<string, { built: Built; index: number }>();
  const pending: number[] = [];

  const claimTags = (built: Built, tags: string[], index: number, where: string): void => {
    for (const tag of tags) {
      const other = byTag.get(tag);
      if (other) throw new EmulatorStateError(`${where}.tags`, `tag "${tag}" is already on ${path}.images[${other.index}]`);
      byTag.set(tag, { built, index });
    }
  };

  for (let i = 0; i < images.length; i++) {
    const img = images[i];
    const where = `${path}.images[${i}]`;
    if (typeof img !== 'object' || img === null || Array.isArray(img)) throw new EmulatorStateError(where, 'expected an object');
    if (img.subject !== undefined) {
      pending.push(i);
      continue;
    }
    const key = `${repositoryName}/${img.seed ?? keyOffset + i}`;
    const out: MaterializedImage[] = [];
    const built = buildImage(img, key, now, where, undefined, out, false);
    claimTags(built, built.image.tags, i, where);
    slots[i] = out;
  }

  // Referrers may point at referrers (a signature of an SBOM), so resolve until nothing moves.
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let p = 0; p < pending.length; p++) {
      const i = pending[p] as number;
      const img = images[i] as StateImage;
      const where = `${path}.images[${i}]`;
      if (typeof img.subject !== 'string' || img.subject === '') {
        throw new EmulatorStateError(`${where}.subject`, 'must be the tag of another image in the repository');
      }
      const subject = byTag.get(img.subject)?.built ?? options.lookupSubject?.(img.subject);
      if (!subject) continue;
      const out: MaterializedImage[] = [];
      const built = buildImage(img, `${repositoryName}/${img.seed ?? keyOffset + i}`, now, where, subject, out, false);
      claimTags(built, built.image.tags, i, where);
      slots[i] = out;
      pending.splice(p, 1);
      p--;
      progress = true;
    }
  }
  if (pending.length > 0) {
    const i = pending[0] as number;
    throw new EmulatorStateError(
      `${path}.images[${i}].subject`,
      `"${(images[i] as StateImage).subject}" is not the tag of any (non-circular) image in repository "${repositoryName}"`,
    );
  }
  const result: MaterializedImage[] = [];
  for (const slot of slots) for (const m of slot) result.push(m);
  return result;
}

function buildImage(
  img: StateImage,
  key: string,
  now: number,
  where: string,
  subject: Built | undefined,
  out: MaterializedImage[],
  isChild: boolean,
  parentPushedAt?: number,
): Built & { image: MaterializedImage } {
  const h = hashString(key);
  const tags = readTags(img.tags, `${where}.tags`);
  const pushedAt = img.pushedAt === undefined ? (parentPushedAt ?? now) : parseStateTime(img.pushedAt, now, `${where}.pushedAt`);
  const status = img.status ?? 'ACTIVE';
  if (!STATUSES.has(status)) throw new EmulatorStateError(`${where}.status`, `must be ACTIVE, ARCHIVED or ACTIVATING, got ${JSON.stringify(status)}`);
  if (img.sizeInBytes !== undefined && (!Number.isSafeInteger(img.sizeInBytes) || img.sizeInBytes < 0)) {
    throw new EmulatorStateError(`${where}.sizeInBytes`, `must be a non-negative integer, got ${JSON.stringify(img.sizeInBytes)}`);
  }
  if (img.artifactType !== undefined && (typeof img.artifactType !== 'string' || img.artifactType.length === 0)) {
    throw new EmulatorStateError(`${where}.artifactType`, 'must be a non-empty media type string');
  }

  let image: MaterializedImage;
  let rendered: Rendered;
  if (img.children !== undefined) {
    if (isChild) throw new EmulatorStateError(`${where}.children`, 'a child cannot have children (indexes do not nest here)');
    if (subject) throw new EmulatorStateError(`${where}.children`, 'an image cannot be both an index and a referrer');
    if (!Array.isArray(img.children) || img.children.length === 0) {
      throw new EmulatorStateError(`${where}.children`, 'must be a non-empty array of images');
    }
    const entries: IndexEntry[] = [];
    const childDigests: string[] = [];
    let largest = 0;
    img.children.forEach((child, c) => {
      const cw = `${where}.children[${c}]`;
      if (typeof child !== 'object' || child === null) throw new EmulatorStateError(cw, 'expected an object');
      const built = buildImage(child, `${key}/${child.seed ?? c}`, now, cw, undefined, out, true, pushedAt);
      const platform = child.platform ?? DEFAULT_PLATFORMS[c % DEFAULT_PLATFORMS.length] ?? 'linux/amd64';
      entries.push({ digest: built.image.digest, size: built.manifestSize, mediaType: built.image.mediaType, platform });
      childDigests.push(built.image.digest);
      largest = Math.max(largest, built.image.sizeInBytes);
    });
    const source: ManifestSource = { kind: 'index', entries };
    rendered = renderSource(source);
    image = {
      digest: sha256Digest(rendered.manifest),
      source,
      mediaType: MEDIA_TYPES.ociIndex,
      tags,
      pushedAt,
      // ECR reports the largest child as an index's size.
      sizeInBytes: largest,
      childDigests,
      status,
    };
  } else if (subject) {
    const artifactType = img.artifactType ?? COSIGN_SIG;
    const size = img.sizeInBytes ?? 400 + (h % 3000);
    const source: ManifestSource = {
      kind: 'referrer',
      key,
      size,
      artifactType,
      subject: { digest: subject.image.digest, size: subject.manifestSize, mediaType: subject.image.mediaType },
    };
    rendered = renderSource(source);
    image = {
      digest: sha256Digest(rendered.manifest),
      source,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactMediaType: artifactType,
      artifactType,
      tags,
      pushedAt,
      sizeInBytes: size,
      subjectDigest: subject.image.digest,
      status,
    };
  } else {
    const size = img.sizeInBytes ?? 5_000_000 + (h % 200_000_000);
    const source: ManifestSource = { kind: 'image', key, size };
    if (img.artifactType !== undefined) source.artifactType = img.artifactType;
    rendered = renderSource(source);
    image = {
      digest: sha256Digest(rendered.manifest),
      source,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactMediaType: img.artifactType ?? MEDIA_TYPES.ociConfig,
      tags,
      pushedAt,
      sizeInBytes: size,
      status,
    };
    if (img.artifactType !== undefined) image.artifactType = img.artifactType;
  }
  if (img.lastPulledAt !== undefined) image.lastPulledAt = parseStateTime(img.lastPulledAt, now, `${where}.lastPulledAt`);
  if (img.lastArchivedAt !== undefined) image.lastArchivedAt = parseStateTime(img.lastArchivedAt, now, `${where}.lastArchivedAt`);
  if (img.lastActivatedAt !== undefined) image.lastActivatedAt = parseStateTime(img.lastActivatedAt, now, `${where}.lastActivatedAt`);
  out.push(image);
  return { image, manifestSize: Buffer.byteLength(rendered.manifest) };
}

/**
 * Where a manifest's bytes come from. Pushed manifests keep their text; synthetic ones keep only
 * what renders them again, byte for byte, so a 200,000-image state does not hold 200,000 manifests
 * and a million layer descriptors in memory.
 */
export type ManifestSource =
  | { kind: 'text'; text: string; blobs: BlobRef[] }
  | { kind: 'image'; key: string; size: number; artifactType?: string }
  | { kind: 'referrer'; key: string; size: number; artifactType: string; subject: BlobRef }
  | { kind: 'index'; entries: IndexEntry[] };

interface Rendered {
  manifest: string;
  /** Config and layers the manifest references (not the OCI empty config). */
  blobs: BlobRef[];
}

/** Renders a source's manifest and lists its blobs; deterministic. */
export function renderSource(source: ManifestSource): Rendered {
  switch (source.kind) {
    case 'text':
      return { manifest: source.text, blobs: source.blobs };
    case 'index':
      return { manifest: renderIndex(source.entries), blobs: [] };
    case 'referrer': {
      const layer: BlobRef = {
        digest: pseudoDigest(source.key),
        size: source.size,
        mediaType: source.artifactType === COSIGN_SIG ? 'application/vnd.dev.cosign.simplesigning.v1+json' : source.artifactType,
      };
      const config: BlobRef = { digest: EMPTY_CONFIG.digest, size: EMPTY_CONFIG.size, mediaType: MEDIA_TYPES.ociEmpty };
      const manifest = renderImageManifest({ config, layers: [layer], artifactType: source.artifactType, subject: source.subject });
      return { manifest, blobs: [layer] };
    }
    case 'image': {
      const h = hashString(source.key);
      const layerCount = 1 + ((h >>> 8) % 4);
      const layers: BlobRef[] = [];
      const base = pseudoDigest(source.key);
      let left = source.size;
      for (let j = 0; j < layerCount; j++) {
        // Halve what is left for each layer but the last, which takes the rest: sizes sum exactly.
        const s = j === layerCount - 1 ? left : Math.floor(left / 2);
        left -= s;
        layers.push({ digest: digestVariant(base, 0x10 + j), size: s, mediaType: MEDIA_TYPES.ociLayer });
      }
      const config: BlobRef = { digest: digestVariant(base, 0xc0), size: 1000 + ((h >>> 4) % 6000), mediaType: MEDIA_TYPES.ociConfig };
      const parts: Parameters<typeof renderImageManifest>[0] = { config, layers };
      if (source.artifactType !== undefined) parts.artifactType = source.artifactType;
      return { manifest: renderImageManifest(parts), blobs: [config, ...layers] };
    }
  }
}

/** The exact manifest bytes of an image. */
export function manifestOf(image: Pick<MaterializedImage, 'source'>): string {
  return renderSource(image.source).manifest;
}

/** The blobs (config and layers) an image's manifest references. */
export function blobsOf(image: Pick<MaterializedImage, 'source'>): BlobRef[] {
  return renderSource(image.source).blobs;
}

function readTags(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new EmulatorStateError(where, 'must be an array of tags');
  const seen = new Set<string>();
  value.forEach((t, k) => {
    if (typeof t !== 'string' || !isValidTag(t)) {
      throw new EmulatorStateError(`${where}[${k}]`, `${JSON.stringify(t)} is not a valid tag (1-300 of [A-Za-z0-9_.-], not starting with . or -)`);
    }
    if (seen.has(t)) throw new EmulatorStateError(`${where}[${k}]`, `duplicate tag "${t}"`);
    seen.add(t);
  });
  return value as string[];
}
