/**
 * Conversion from the ECR wire model (SDK `ImageDetail`, index manifests) to the planner's
 * `ImageRecord`. Pure: no I/O, so it is table-tested without a registry.
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import type { ImageRecord, ImageStatus } from '../core/inventory.js';

const IMAGE_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);

/**
 * Turns one `ImageDetail` into an `ImageRecord` (dates become epoch ms). Returns null for a
 * detail without a digest: the engine deletes by digest only, so such an entry is unusable.
 */
export function toImageRecord(detail: ImageDetail): ImageRecord | null {
  if (!detail.imageDigest) return null;
  const record: {
    -readonly [K in keyof ImageRecord]: ImageRecord[K];
  } = { imageDigest: detail.imageDigest };
  if (detail.imageTags !== undefined) record.imageTags = [...detail.imageTags];
  setTime(record, 'imagePushedAt', detail.imagePushedAt);
  setTime(record, 'lastRecordedPullTime', detail.lastRecordedPullTime);
  if (typeof detail.imageSizeInBytes === 'number') record.imageSizeInBytes = detail.imageSizeInBytes;
  if (detail.imageManifestMediaType) record.imageManifestMediaType = detail.imageManifestMediaType;
  if (detail.artifactMediaType) record.artifactMediaType = detail.artifactMediaType;
  if (detail.subjectManifestDigest) record.subjectManifestDigest = detail.subjectManifestDigest;
  if (detail.imageStatus && IMAGE_STATUSES.has(detail.imageStatus)) record.imageStatus = detail.imageStatus as ImageStatus;
  setTime(record, 'lastArchivedAt', detail.lastArchivedAt);
  setTime(record, 'lastActivatedAt', detail.lastActivatedAt);
  return record;
}

/**
 * The child digests an index manifest references, or undefined when the text is not a
 * readable index (the planner then treats the index's children as unknown and keeps safe).
 */
export function parseIndexChildren(manifest: string | undefined): string[] | undefined {
  if (manifest === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const manifests = (parsed as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests)) return undefined;
  const digests: string[] = [];
  for (const entry of manifests) {
    const digest = typeof entry === 'object' && entry !== null ? (entry as { digest?: unknown }).digest : undefined;
    // One unreadable entry makes the whole list untrustworthy: an unknown child could be deleted.
    if (typeof digest !== 'string' || digest === '') return undefined;
    digests.push(digest);
  }
  return digests;
}

function setTime(
  record: { imagePushedAt?: number; lastRecordedPullTime?: number; lastArchivedAt?: number; lastActivatedAt?: number },
  key: 'imagePushedAt' | 'lastRecordedPullTime' | 'lastArchivedAt' | 'lastActivatedAt',
  value: Date | undefined,
): void {
  if (value instanceof Date && !Number.isNaN(value.getTime())) record[key] = value.getTime();
}
