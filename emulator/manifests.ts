/**
 * Image manifests: rendering the synthetic ones the emulator serves for state-file images, and
 * reading the ones clients push. A manifest's digest is always the sha256 of its exact bytes.
 */
import * as crypto from 'node:crypto';
import { EcrApiError, invalidParameter } from './errors.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** Manifest media types that make an image an index (multi-arch). */
export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);

/** Manifest media types ECR accepts in PutImage. */
export const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerV1Signed,
  MEDIA_TYPES.dockerV1,
]);

/** Digest and size of the OCI empty descriptor `{}`, the config of OCI 1.1 artifacts. */
export const EMPTY_CONFIG = {
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

/** A blob reference inside a manifest. */
export interface BlobRef {
  digest: string;
  size: number;
  mediaType?: string;
}

/** `sha256:<hex>` of a string's UTF-8 bytes. */
export function sha256Digest(text: string | Buffer): string {
  return `sha256:${oneShotSha256(text)}`;
}

// crypto.hash (Node >= 20.12) skips the Hash object and is about 30% faster for small inputs.
const oneShotSha256: (data: string | Buffer) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(alg: string, data: string | Buffer, enc: 'hex'): string }).hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** Renders an OCI image manifest; for a referrer, pass `artifactType` and `subject`. */
export function renderImageManifest(parts: {
  config: BlobRef;
  layers: readonly BlobRef[];
  artifactType?: string;
  subject?: BlobRef;
}): string {
  let layers = '';
  for (const l of parts.layers) {
    if (layers) layers += ',';
    layers += `{"mediaType":"${l.mediaType ?? MEDIA_TYPES.ociLayer}","digest":"${l.digest}","size":${l.size}}`;
  }
  const configType = parts.config.mediaType ?? MEDIA_TYPES.ociConfig;
  let text = `{"schemaVersion":2,"mediaType":"${MEDIA_TYPES.ociManifest}"`;
  if (parts.artifactType !== undefined) text += `,"artifactType":${JSON.stringify(parts.artifactType)}`;
  text += `,"config":{"mediaType":"${configType}","digest":"${parts.config.digest}","size":${parts.config.size}},"layers":[${layers}]`;
  if (parts.subject) {
    text += `,"subject":{"mediaType":"${parts.subject.mediaType ?? MEDIA_TYPES.ociManifest}","digest":"${parts.subject.digest}","size":${parts.subject.size}}`;
  }
  return `${text}}`;
}

/** A child entry of an index: manifest reference plus platform (`os/arch[/variant]`). */
export interface IndexEntry extends BlobRef {
  platform: string;
}

/** Renders an OCI image index. */
export function renderIndex(entries: readonly IndexEntry[]): string {
  const manifests = entries.map((e) => {
    const [os = 'linux', architecture = 'amd64', variant] = e.platform.split('/');
    const platform = `{"architecture":${JSON.stringify(architecture)},"os":${JSON.stringify(os)}${variant ? `,"variant":${JSON.stringify(variant)}` : ''}}`;
    return `{"mediaType":"${e.mediaType ?? MEDIA_TYPES.ociManifest}","digest":"${e.digest}","size":${e.size},"platform":${platform}}`;
  });
  return `{"schemaVersion":2,"mediaType":"${MEDIA_TYPES.ociIndex}","manifests":[${manifests.join(',')}]}`;
}

/** What PutImage needs to know about a pushed manifest. */
export interface ParsedManifest {
  mediaType: string;
  /** Blobs the manifest needs (config and layers); empty for an index. */
  blobs: BlobRef[];
  /** Layers only (config excluded): their sizes make the image size. */
  layers: BlobRef[];
  configMediaType?: string;
  artifactType?: string;
  subject?: BlobRef;
  /** For an index: its children. */
  children?: IndexEntry[];
}

const DIGEST_RE = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;

/** True when the text is shaped like a digest (`algorithm:hex`), as ECR checks it. */
export function isDigestShaped(text: string): boolean {
  return DIGEST_RE.test(text);
}

/**
 * Reads a pushed manifest. `declaredType` is PutImage's `imageManifestMediaType`, if any.
 * Throws InvalidParameterException when the manifest is not one ECR would accept.
 */
export function parseManifest(text: string, declaredType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new EcrApiError(
      'InvalidParameterException',
      "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
      400,
      { cause },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalidParameter("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Manifest must be a JSON object'");
  }
  const m = doc as Record<string, unknown>;
  const inner = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  if (declaredType !== undefined && inner !== undefined && declaredType !== inner) {
    throw invalidParameter(
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Manifest media type '${inner}' does not match the requested media type '${declaredType}''`,
    );
  }
  let mediaType = declaredType ?? inner;
  if (mediaType === undefined) {
    if (m.schemaVersion === 1) mediaType = m.signatures ? MEDIA_TYPES.dockerV1Signed : MEDIA_TYPES.dockerV1;
    else if (Array.isArray(m.manifests)) mediaType = MEDIA_TYPES.ociIndex;
    else mediaType = MEDIA_TYPES.ociManifest;
  }
  if (!MANIFEST_TYPES.has(mediaType)) {
    throw invalidParameter(
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Unsupported manifest media type '${mediaType}''`,
    );
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(m.manifests)) throw badManifest("an index needs a 'manifests' array");
    const children = m.manifests.map((e: unknown, i: number) => {
      const ref = readRef(e, `manifests[${i}]`);
      const p = (e as Record<string, unknown>).platform as Record<string, unknown> | undefined;
      const platform = p ? [p.os, p.architecture, p.variant].filter((x) => typeof x === 'string').join('/') : 'unknown';
      return { ...ref, platform };
    });
    return { mediaType, blobs: [], layers: [], children };
  }
  if (mediaType === MEDIA_TYPES.dockerV1 || mediaType === MEDIA_TYPES.dockerV1Signed) {
    const fsLayers = Array.isArray(m.fsLayers) ? m.fsLayers : [];
    const layers = fsLayers.map((l: unknown, i: number) => {
      const sum = (l as Record<string, unknown>)?.blobSum;
      if (typeof sum !== 'string' || !isDigestShaped(sum)) throw badManifest(`fsLayers[${i}].blobSum is not a digest`);
      return { digest: sum, size: 0 };
    });
    return { mediaType, blobs: layers, layers };
  }
  const config = readRef(m.config, 'config');
  if (!Array.isArray(m.layers)) throw badManifest("an image manifest needs a 'layers' array");
  const layers = m.layers.map((l: unknown, i: number) => readRef(l, `layers[${i}]`));
  const parsed: ParsedManifest = { mediaType, blobs: [config, ...layers], layers };
  if (config.mediaType !== undefined) parsed.configMediaType = config.mediaType;
  if (typeof m.artifactType === 'string') parsed.artifactType = m.artifactType;
  if (m.subject !== undefined) parsed.subject = readRef(m.subject, 'subject');
  // OCI 1.1 artifacts carry their content in the empty config and need not upload it.
  if (config.mediaType === MEDIA_TYPES.ociEmpty && config.digest === EMPTY_CONFIG.digest) parsed.blobs = [...layers];
  return parsed;
}

function readRef(value: unknown, where: string): BlobRef {
  if (typeof value !== 'object' || value === null) throw badManifest(`${where} must be a descriptor object`);
  const v = value as Record<string, unknown>;
  if (typeof v.digest !== 'string' || !isDigestShaped(v.digest)) throw badManifest(`${where}.digest is not a digest`);
  if (typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 0) throw badManifest(`${where}.size must be a non-negative integer`);
  const ref: BlobRef = { digest: v.digest, size: v.size };
  if (typeof v.mediaType === 'string') ref.mediaType = v.mediaType;
  return ref;
}

function badManifest(why: string): EcrApiError {
  return invalidParameter(`Invalid parameter at 'imageManifest' failed to satisfy constraint: '${why}'`);
}
