/**
 * What the planner knows about a repository: the registry's view of each manifest,
 * normalised by the ECR adapter. Times are epoch milliseconds so the core never parses dates.
 */

/** Media types that make a manifest an image index (multi-arch). */
export const INDEX_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** True when the media type makes the manifest an image index (multi-arch / manifest list). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

/** One manifest in a repository, as DescribeImages (and, for indexes, BatchGetImage) report it. */
export interface ImageRecord {
  imageDigest: string;
  /** May be absent, empty, or (messy input) hold duplicates. */
  imageTags?: readonly string[];
  imagePushedAt?: number;
  lastRecordedPullTime?: number;
  imageSizeInBytes?: number;
  imageManifestMediaType?: string;
  artifactMediaType?: string;
  /** OCI 1.1 `subject`: set on referrers (signatures, SBOMs, attestations). */
  subjectManifestDigest?: string;
  imageStatus?: ImageStatus;
  lastArchivedAt?: number;
  lastActivatedAt?: number;
  /**
   * For an index: the digests of the manifests it references, read from the index manifest.
   * Undefined when the image is not an index, or when its manifest could not be read.
   */
  childDigests?: readonly string[];
}

/** Every manifest of one repository. */
export interface RepositoryInventory {
  repositoryName: string;
  images: readonly ImageRecord[];
}
