/**
 * What every operation handler receives, and the response shapes they share.
 */
import type { Principals } from '../principals.js';
import type { SeededRandom } from '../random.js';
import type { Registry, Repository, StoredImage } from '../registry.js';
import { toEpochSeconds } from '../time.js';
import { S, validateInput, type Shape } from '../validate.js';

/** One API call: the registry, who is calling, and where the emulator is reachable. */
export interface CallContext {
  registry: Registry;
  /** Access key id from the SigV4 Authorization header's `Credential=`. */
  accessKeyId: string | undefined;
  principals: Principals;
  random: SeededRandom;
  /** `http://127.0.0.1:PORT`, for download URLs. */
  baseUrl: string;
}

/** An operation: takes the parsed JSON body, returns the JSON answer (or throws EcrApiError). */
export type Handler = (input: Record<string, unknown>, ctx: CallContext) => unknown;

/** The request's JSON input as a record. */
export type Input = Record<string, unknown>;

/** Validates `input` (registryId + repositoryName + the given members) and returns the repository. */
export function repositoryFor(input: Input, ctx: CallContext, members: Record<string, Shape> = {}): Repository {
  validateInput(input, { registryId: S.registryId, repositoryName: S.repositoryName, ...members });
  return ctx.registry.get(input.repositoryName as string, input.registryId as string | undefined);
}

/** Repository as the API returns it. */
export function repositoryShape(repo: Repository, ctx: CallContext): Record<string, unknown> {
  const { registryId, region } = ctx.registry;
  const shape: Record<string, unknown> = {
    repositoryArn: `arn:aws:ecr:${region}:${registryId}:repository/${repo.name}`,
    registryId,
    repositoryName: repo.name,
    repositoryUri: `${registryId}.dkr.ecr.${region}.amazonaws.com/${repo.name}`,
    createdAt: toEpochSeconds(repo.createdAt),
    imageTagMutability: repo.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    encryptionConfiguration: repo.kmsKey ? { encryptionType: repo.encryptionType, kmsKey: repo.kmsKey } : { encryptionType: repo.encryptionType },
  };
  return shape;
}

/** ImageDetail as DescribeImages returns it. */
export function imageDetailShape(repo: Repository, img: StoredImage, ctx: CallContext): Record<string, unknown> {
  const d: Record<string, unknown> = {
    registryId: ctx.registry.registryId,
    repositoryName: repo.name,
    imageDigest: img.digest,
  };
  // ECR leaves imageTags out entirely for untagged images.
  if (img.tags.length > 0) d.imageTags = [...img.tags];
  d.imageSizeInBytes = img.sizeInBytes;
  d.imagePushedAt = toEpochSeconds(img.pushedAt);
  d.imageManifestMediaType = img.mediaType;
  if (img.artifactMediaType !== undefined) d.artifactMediaType = img.artifactMediaType;
  if (img.lastPulledAt !== undefined) d.lastRecordedPullTime = toEpochSeconds(img.lastPulledAt);
  if (img.subjectDigest !== undefined) d.subjectManifestDigest = img.subjectDigest;
  d.imageStatus = img.status;
  if (img.lastArchivedAt !== undefined) d.lastArchivedAt = toEpochSeconds(img.lastArchivedAt);
  if (img.lastActivatedAt !== undefined) d.lastActivatedAt = toEpochSeconds(img.lastActivatedAt);
  return d;
}
