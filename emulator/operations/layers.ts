/**
 * Layer operations: BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
 * CompleteLayerUpload, GetDownloadUrlForLayer.
 */
import { createHash } from 'node:crypto';
import { EcrApiError } from '../errors.js';
import { isDigestShaped } from '../manifests.js';
import type { Repository, Upload } from '../registry.js';
import { S } from '../validate.js';
import { repositoryFor, type CallContext, type Input } from './context.js';

/** ECR's minimum size for every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** The part size InitiateLayerUpload advertises. */
export const ADVERTISED_PART_SIZE = 10 * 1024 * 1024;

/** BatchCheckLayerAvailability: AVAILABLE layers, failures for malformed or missing digests. */
export function batchCheckLayerAvailability(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    layerDigests: { type: 'list', required: true, min: 1, max: 100, member: { type: 'string', min: 0, max: 1000 } },
  });
  const layers: Record<string, unknown>[] = [];
  const failures: Record<string, unknown>[] = [];
  for (const digest of new Set(input.layerDigests as string[])) {
    if (!isDigestShaped(digest)) {
      failures.push({ layerDigest: digest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const size = repo.blobSize(digest);
    if (size === undefined) {
      failures.push({ layerDigest: digest, failureCode: 'MissingLayerDigest', failureReason: 'Layer not found' });
      continue;
    }
    layers.push({ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: size });
  }
  return { layers, failures };
}

/** InitiateLayerUpload: a new upload id (reproducible from the emulator's seed). */
export function initiateLayerUpload(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx);
  const id = ctx.random.uuid();
  repo.uploads.set(id, { id, parts: [], received: 0, partSizes: [] });
  return { uploadId: id, partSize: ADVERTISED_PART_SIZE };
}

/** UploadLayerPart: parts must arrive in order, each starting right after the previous one. */
export function uploadLayerPart(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    uploadId: S.uploadId,
    partFirstByte: { type: 'integer', required: true, min: 0 },
    partLastByte: { type: 'integer', required: true, min: 0 },
    layerPartBlob: { type: 'blob', required: true, max: 20971520 },
  });
  const upload = findUpload(repo, input.uploadId as string);
  const first = input.partFirstByte as number;
  const last = input.partLastByte as number;
  const data = Buffer.from(input.layerPartBlob as string, 'base64');
  const partError = (message: string): EcrApiError =>
    new EcrApiError('InvalidLayerPartException', message, 400, {
      extra: {
        registryId: ctx.registry.registryId,
        repositoryName: repo.name,
        uploadId: upload.id,
        lastValidByteReceived: Math.max(0, upload.received - 1),
      },
    });
  if (first !== upload.received) {
    throw partError(
      `The part first byte ${first} is not consecutive to the last byte of a previous layer part upload (expected first byte ${upload.received})`,
    );
  }
  if (last < first || last - first + 1 !== data.length) {
    throw partError(`The layer part size is not valid: bytes ${first}-${last} announce ${last - first + 1} bytes but the part has ${data.length}`);
  }
  upload.parts.push(data);
  upload.partSizes.push(data.length);
  upload.received = last + 1;
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, uploadId: upload.id, lastByteReceived: last };
}

/** CompleteLayerUpload: checks the parts and the digest, then stores the layer. */
export function completeLayerUpload(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    uploadId: S.uploadId,
    layerDigests: { type: 'list', required: true, min: 1, max: 100, member: S.layerDigest },
  });
  const upload = findUpload(repo, input.uploadId as string);
  if (upload.parts.length === 0) {
    throw new EcrApiError('EmptyUploadException', 'The specified layer upload does not contain any layer parts.');
  }
  const small = upload.partSizes.slice(0, -1).findIndex((n) => n < MIN_PART_SIZE);
  if (small >= 0) {
    throw new EcrApiError('LayerPartTooSmallException', `Layer parts must be at least 5 MiB in size (part ${small + 1} has ${upload.partSizes[small]} bytes)`);
  }
  const data = Buffer.concat(upload.parts);
  const computed = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const declared = ((input.layerDigests as string[])[0] as string).toLowerCase();
  if (declared !== computed) {
    throw new EcrApiError(
      'InvalidLayerException',
      `The layer digest calculation performed by Amazon ECR upon receipt of the image layer (${computed}) does not match the digest specified (${declared})`,
    );
  }
  repo.uploads.delete(upload.id);
  if (repo.blobSize(computed) !== undefined) {
    throw new EcrApiError('LayerAlreadyExistsException', `The image layer '${computed}' already exists in the repository with name '${repo.name}'`);
  }
  repo.uploadedBlobs.set(computed, { size: data.length, data });
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, uploadId: upload.id, layerDigest: computed };
}

/** GetDownloadUrlForLayer: a URL on the emulator for layers an image uses. */
export function getDownloadUrlForLayer(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { layerDigest: { ...S.layerDigest, required: true } });
  const digest = input.layerDigest as string;
  if (repo.blobSize(digest) === undefined) {
    throw new EcrApiError('LayersNotFoundException', `The layer with digest '${digest}' could not be found in the repository with name '${repo.name}'`);
  }
  if (!repo.blobInUse(digest)) {
    throw new EcrApiError('LayerInaccessibleException', 'The specified layer is not available because it is not associated with an image.');
  }
  if (!repo.blobInActiveUse(digest)) {
    // Archived images cannot be pulled: neither their manifests nor their layers are served.
    throw new EcrApiError('LayerInaccessibleException', 'The specified layer is not available because every image that uses it is archived.');
  }
  return {
    downloadUrl: `${ctx.baseUrl}/_emulator/blobs/${encodeURIComponent(repo.name)}/${digest}`,
    layerDigest: digest,
  };
}

function findUpload(repo: Repository, id: string): Upload {
  const upload = repo.uploads.get(id);
  if (!upload) {
    throw new EcrApiError('UploadNotFoundException', `The upload with id '${id}' could not be found, or is not valid for the repository '${repo.name}'.`);
  }
  return upload;
}
