/**
 * UpdateImageStorageClass: archives one image (ARCHIVE) or starts restoring it (STANDARD).
 * The registry behaviour is described in `emulator/SPEC.md`.
 */
import { EcrApiError, imageNotFound, invalidParameter } from '../errors.js';
import type { Repository, StoredImage } from '../registry.js';
import { resolveImageId, type ImageId } from './images.js';
import { repositoryFor, type CallContext, type Input } from './context.js';

/** UpdateImageStorageClass: one image per call, by digest or tag. */
export function updateImageStorageClass(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    imageId: {
      type: 'structure',
      required: true,
      members: { imageDigest: { type: 'string' }, imageTag: { type: 'string', min: 1, max: 300 } },
    },
    targetStorageClass: { type: 'string', required: true, enum: ['STANDARD', 'ARCHIVE'] },
  });
  const id = input.imageId as ImageId;
  const resolved = resolveImageId(repo, id);
  if ('failure' in resolved) {
    if (resolved.failure.failureCode !== 'ImageNotFound') throw invalidParameter(`Invalid parameter at 'imageId': ${resolved.failure.failureReason}`);
    throw imageNotFound(id, repo.name, ctx.registry.registryId);
  }
  const image = resolved.image;
  if (input.targetStorageClass === 'ARCHIVE') archive(repo, image, ctx);
  else restore(repo, image, ctx);
  const imageId: ImageId = { imageDigest: image.digest };
  if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, imageId, imageStatus: image.status };
}

function archive(repo: Repository, image: StoredImage, ctx: CallContext): void {
  if (image.status !== 'ACTIVE') {
    throw notSupported(`The image ${image.digest} is ${image.status} and cannot be archived; only ACTIVE images can be archived`);
  }
  // ECR: an image "referenced by a manifest list cannot be expired or archived without the manifest
  // list being deleted or archived first" (lifecycle evaluation rules).
  const holders = repo.parentsOf(image.digest).filter((d) => repo.images.get(d)?.status !== 'ARCHIVED');
  if (holders.length > 0) {
    throw notSupported(`The image ${image.digest} is referenced by manifest list [${holders.join(', ')}], which is not archived; archive the manifest list first`);
  }
  ctx.registry.archive(repo, image);
}

function restore(repo: Repository, image: StoredImage, ctx: CallContext): void {
  if (image.status === 'ACTIVE') throw notSupported(`The image ${image.digest} is already ACTIVE in the standard storage class`);
  if (image.status === 'ACTIVATING') throw notSupported(`The image ${image.digest} is already being restored (ACTIVATING)`);
  ctx.registry.restore(repo, image);
}

function notSupported(message: string): EcrApiError {
  return new EcrApiError('ImageStorageClassUpdateNotSupportedException', message);
}
