/**
 * Image operations: DescribeImages, ListImages, BatchGetImage, BatchDeleteImage, PutImage,
 * ListImageReferrers. The registry behaviour these implement is described in `emulator/SPEC.md`.
 */
import { EcrApiError, imageNotFound, invalidParameter } from '../errors.js';
import { INDEX_TYPES, isDigestShaped, parseManifest, sha256Digest } from '../manifests.js';
import { decodeToken, encodeToken } from '../pagination.js';
import { manifestOf } from '../materialize.js';
import type { Repository, StoredImage } from '../registry.js';
import { S, isValidTag } from '../validate.js';
import { imageDetailShape, repositoryFor, type CallContext, type Input } from './context.js';

/** An ImageIdentifier as the wire carries it. */
export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

export interface Failure {
  imageId: ImageId;
  failureCode: string;
  failureReason: string;
}

export type Resolution = { image: StoredImage } | { failure: Failure };

/**
 * Finds the image an ImageIdentifier names, or the per-image failure ECR reports for it
 * (MissingDigestAndTag, InvalidImageDigest, InvalidImageTag, ImageTagDoesNotMatchDigest, ImageNotFound).
 */
export function resolveImageId(repo: Repository, id: ImageId): Resolution {
  const imageId: ImageId = {};
  if (id.imageDigest !== undefined) imageId.imageDigest = id.imageDigest;
  if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
  const fail = (failureCode: string, failureReason: string): Resolution => ({ failure: { imageId, failureCode, failureReason } });
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return fail('MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null');
  }
  if (id.imageDigest !== undefined && !isDigestShaped(id.imageDigest)) {
    return fail('InvalidImageDigest', "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
  }
  if (id.imageTag !== undefined && !isValidTag(id.imageTag)) {
    return fail('InvalidImageTag', "Invalid request parameters: image tag should satisfy the regex '[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}'");
  }
  const byDigest = id.imageDigest !== undefined ? repo.images.get(id.imageDigest) : undefined;
  const byTag = id.imageTag !== undefined ? repo.tags.get(id.imageTag) : undefined;
  if (id.imageDigest !== undefined && id.imageTag !== undefined) {
    if (byTag && byTag.digest !== id.imageDigest) {
      return fail('ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest');
    }
    if (byDigest && !byTag) return fail('ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest');
  }
  const image = byDigest ?? byTag;
  if (!image) return fail('ImageNotFound', 'Requested image not found');
  return { image };
}

function readImageIds(input: Input): ImageId[] {
  const ids = input.imageIds as ImageId[];
  // Identical identifiers in one request are answered once, as ECR does.
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = `${id.imageDigest ?? ''}\u0000${id.imageTag ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function filterOf(input: Input): { tagStatus: string; imageStatus: string } {
  const f = (input.filter as { tagStatus?: string; imageStatus?: string } | undefined) ?? {};
  // ECR lists only ACTIVE images unless asked otherwise.
  return { tagStatus: f.tagStatus ?? 'ANY', imageStatus: f.imageStatus ?? 'ACTIVE' };
}

function matches(img: StoredImage, filter: { tagStatus: string; imageStatus: string }): boolean {
  if (filter.tagStatus === 'TAGGED' && img.tags.length === 0) return false;
  if (filter.tagStatus === 'UNTAGGED' && img.tags.length > 0) return false;
  return filter.imageStatus === 'ANY' || img.status === filter.imageStatus;
}

/** DescribeImages: by imageIds (ImageNotFoundException) or paginated with filters. */
export function describeImages(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    imageIds: S.imageIds,
    nextToken: S.nextToken,
    maxResults: S.maxResults,
    filter: S.imageFilter,
  });
  if (input.imageIds !== undefined) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'imageIds cannot be used together with maxResults or nextToken'");
    }
    const details: Record<string, unknown>[] = [];
    const served = new Set<string>();
    for (const id of readImageIds(input)) {
      const r = resolveImageId(repo, id);
      if ('failure' in r) {
        if (r.failure.failureCode !== 'ImageNotFound') throw invalidParameter(`Invalid parameter at 'imageIds': ${r.failure.failureReason}`);
        throw imageNotFound(id, repo.name, ctx.registry.registryId);
      }
      if (served.has(r.image.digest)) continue;
      served.add(r.image.digest);
      details.push(imageDetailShape(repo, r.image, ctx));
    }
    return { imageDetails: details };
  }
  const filter = filterOf(input);
  const scope = `DescribeImages:${repo.name}:${filter.tagStatus}:${filter.imageStatus}`;
  const after = input.nextToken !== undefined ? Number(decodeToken(input.nextToken as string, scope).after) : 0;
  const max = (input.maxResults as number | undefined) ?? 100;
  const page: StoredImage[] = [];
  let more = false;
  for (const img of repo.listAfter(after)) {
    if (!matches(img, filter)) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(img);
  }
  const out: Record<string, unknown> = { imageDetails: page.map((img) => imageDetailShape(repo, img, ctx)) };
  const last = page[page.length - 1];
  if (more && last) out.nextToken = encodeToken({ scope, after: last.seq });
  return out;
}

/** ListImages: one entry per tag (untagged images once, digest only), paginated with filters. */
export function listImages(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { nextToken: S.nextToken, maxResults: S.maxResults, filter: S.imageFilter });
  const filter = filterOf(input);
  const scope = `ListImages:${repo.name}:${filter.tagStatus}:${filter.imageStatus}`;
  const cursor = input.nextToken !== undefined ? decodeToken(input.nextToken as string, scope) : undefined;
  const max = (input.maxResults as number | undefined) ?? 100;
  const ids: ImageId[] = [];
  let nextToken: string | undefined;
  // A cursor either resumes after an image, or inside one whose tags were split across pages.
  const resumeSeq = cursor?.tagOffset ? Number(cursor.after) : undefined;
  let firstOffset = cursor?.tagOffset ?? 0;
  const images = resumeSeq !== undefined ? repo.listAfter(resumeSeq - 1) : repo.listAfter(cursor ? Number(cursor.after) : 0);
  let lastSeq = 0;
  outer: for (const img of images) {
    const k0 = img.seq === resumeSeq ? firstOffset : 0;
    firstOffset = 0;
    if (!matches(img, filter)) continue;
    const entries: ImageId[] = img.tags.length === 0 ? [{ imageDigest: img.digest }] : img.tags.map((t) => ({ imageDigest: img.digest, imageTag: t }));
    for (let k = k0; k < entries.length; k++) {
      if (ids.length === max) {
        nextToken = encodeToken(k === 0 ? { scope, after: lastSeq } : { scope, after: img.seq, tagOffset: k });
        break outer;
      }
      ids.push(entries[k] as ImageId);
      lastSeq = img.seq;
    }
  }
  const out: Record<string, unknown> = { imageIds: ids };
  if (nextToken) out.nextToken = nextToken;
  return out;
}

/** BatchGetImage: manifests by id; counts as a pull unless the caller is excluded. */
export function batchGetImage(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    imageIds: { ...S.imageIds, required: true },
    acceptedMediaTypes: { type: 'list', min: 1, max: 100, member: { type: 'string' } },
  });
  const accepted = input.acceptedMediaTypes as string[] | undefined;
  const images: Record<string, unknown>[] = [];
  const failures: Failure[] = [];
  const now = ctx.registry.clock.now();
  const recordPull = !ctx.principals.isExcluded(ctx.accessKeyId);
  for (const id of readImageIds(input)) {
    const r = resolveImageId(repo, id);
    if ('failure' in r) {
      failures.push(r.failure);
      continue;
    }
    let img: StoredImage | undefined = r.image;
    if (img.status !== 'ACTIVE') {
      failures.push({ imageId: { ...id }, failureCode: 'ImageInaccessible', failureReason: `The image is ${img.status.toLowerCase()} and cannot be pulled` });
      continue;
    }
    if (accepted && !accepted.includes(img.mediaType)) {
      // Like a registry pull without index support: an index resolves to its first child the caller accepts.
      img = INDEX_TYPES.has(img.mediaType)
        ? (img.childDigests ?? []).map((d) => repo.images.get(d)).find((c) => c !== undefined && accepted.includes(c.mediaType))
        : undefined;
      if (!img) {
        failures.push({
          imageId: { ...id },
          failureCode: 'ImageNotFound',
          failureReason: `Requested image not found: its manifest media type '${r.image.mediaType}' is not in acceptedMediaTypes`,
        });
        continue;
      }
    }
    if (recordPull) img.lastPulledAt = now;
    const imageId: ImageId = { imageDigest: img.digest };
    if (id.imageTag !== undefined && img === r.image) imageId.imageTag = id.imageTag;
    images.push({
      registryId: ctx.registry.registryId,
      repositoryName: repo.name,
      imageId,
      imageManifest: manifestOf(img),
      imageManifestMediaType: img.mediaType,
    });
  }
  return { images, failures };
}

/**
 * BatchDeleteImage: by tag removes that tag (and the image with its last tag); by digest removes
 * the image and all its tags. A manifest an index still lists fails with ImageReferencedByManifestList.
 * Identifiers are processed in request order.
 */
export function batchDeleteImage(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { imageIds: { ...S.imageIds, required: true } });
  const deleted: ImageId[] = [];
  const failures: Failure[] = [];
  for (const id of readImageIds(input)) {
    const r = resolveImageId(repo, id);
    if ('failure' in r) {
      failures.push(r.failure);
      continue;
    }
    const img = r.image;
    const untagOnly = id.imageDigest === undefined && img.tags.length > 1;
    if (untagOnly) {
      repo.untag(img, id.imageTag as string);
      deleted.push({ imageDigest: img.digest, imageTag: id.imageTag as string });
      continue;
    }
    const parents = repo.parentsOf(img.digest);
    if (parents.length > 0) {
      failures.push({
        imageId: { ...id },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${parents.join(', ')}]`,
      });
      continue;
    }
    const tags = [...img.tags];
    repo.remove(img);
    if (tags.length === 0) deleted.push({ imageDigest: img.digest });
    else for (const t of tags) deleted.push({ imageDigest: img.digest, imageTag: t });
  }
  return { imageIds: deleted, failures };
}

/** PutImage: stores a manifest (digest = sha256 of its bytes) and/or moves a tag onto it. */
export function putImage(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    imageManifest: { type: 'string', required: true, min: 1, max: 4194304 },
    imageManifestMediaType: { type: 'string' },
    imageTag: { type: 'string', min: 1, max: 300 },
    imageDigest: { type: 'string' },
  });
  const text = input.imageManifest as string;
  const tag = input.imageTag as string | undefined;
  if (tag !== undefined && !isValidTag(tag)) {
    throw invalidParameter(`Invalid parameter at 'imageTag' failed to satisfy constraint: 'Image tag '${tag}' must satisfy regular expression pattern: [A-Za-z0-9_][A-Za-z0-9_.-]{0,299}'`);
  }
  const parsed = parseManifest(text, input.imageManifestMediaType as string | undefined);
  const digest = sha256Digest(Buffer.from(text, 'utf8'));
  const given = input.imageDigest as string | undefined;
  if (given !== undefined && given.toLowerCase() !== digest) {
    throw new EcrApiError(
      'ImageDigestDoesNotMatchException',
      `The specified image digest '${given}' does not match the digest that Amazon ECR calculated for the image ('${digest}')`,
    );
  }
  const registryId = ctx.registry.registryId;
  const answer = (img: StoredImage): unknown => {
    const imageId: ImageId = { imageDigest: img.digest };
    if (tag !== undefined) imageId.imageTag = tag;
    return { image: { registryId, repositoryName: repo.name, imageId, imageManifest: text, imageManifestMediaType: img.mediaType } };
  };
  const checkTagMutable = (target: string): void => {
    const holder = tag !== undefined ? repo.tags.get(tag) : undefined;
    if (tag !== undefined && holder && holder.digest !== target && repo.imageTagMutability === 'IMMUTABLE') {
      throw new EcrApiError(
        'ImageTagAlreadyExistsException',
        `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
  };

  const existing = repo.images.get(digest);
  if (existing) {
    if (tag === undefined || existing.tags.includes(tag)) {
      throw new EcrApiError(
        'ImageAlreadyExistsException',
        tag === undefined
          ? `Image with digest '${digest}' already exists in the repository with name '${repo.name}' in registry with id '${registryId}'`
          : `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repo.name}' in registry with id '${registryId}'`,
      );
    }
    checkTagMutable(digest);
    repo.setTag(existing, tag);
    // Pushing an archived image again restores it at once (ECR: "immediately restored").
    if (existing.status !== 'ACTIVE') ctx.registry.activateNow(repo, existing);
    return answer(existing);
  }

  const missing = parsed.blobs.filter((b) => repo.blobSize(b.digest) === undefined).map((b) => b.digest);
  if (missing.length > 0) {
    throw new EcrApiError(
      'LayersNotFoundException',
      `Layers with digests '[${[...new Set(missing)].join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${registryId}' do not exist`,
    );
  }
  const children = parsed.children?.map((c) => c.digest) ?? [];
  const absent = children.filter((d) => !repo.images.has(d));
  if (absent.length > 0) {
    throw new EcrApiError(
      'ReferencedImagesNotFoundException',
      `The manifest list references images that do not exist in the repository with name '${repo.name}': [${absent.join(', ')}]`,
    );
  }
  checkTagMutable(digest);
  if (repo.size >= ctx.registry.maxImagesPerRepository) {
    throw new EcrApiError(
      'LimitExceededException',
      `The repository with name '${repo.name}' already holds ${repo.size} images, the maximum (${ctx.registry.maxImagesPerRepository}) for the registry with id '${registryId}'`,
    );
  }
  const sizeInBytes = parsed.children
    ? Math.max(0, ...children.map((d) => (repo.images.get(d) as StoredImage).sizeInBytes))
    : parsed.layers.reduce((sum, l) => sum + (repo.blobSize(l.digest) ?? l.size), 0);
  const image: Parameters<Repository['insert']>[0] = {
    digest,
    source: { kind: 'text', text, blobs: parsed.blobs.map((b) => ({ digest: b.digest, size: repo.blobSize(b.digest) ?? b.size })) },
    mediaType: parsed.mediaType,
    tags: tag !== undefined ? [tag] : [],
    pushedAt: ctx.registry.clock.now(),
    sizeInBytes,
    status: 'ACTIVE',
  };
  const artifactMediaType = parsed.artifactType ?? parsed.configMediaType;
  if (artifactMediaType !== undefined) image.artifactMediaType = artifactMediaType;
  if (parsed.artifactType !== undefined) image.artifactType = parsed.artifactType;
  if (parsed.subject) image.subjectDigest = parsed.subject.digest;
  if (parsed.children) image.childDigests = children;
  return answer(repo.insert(image, ctx.registry.nextSeq()));
}

/** ListImageReferrers: the OCI 1.1 referrers of a subject digest. */
export function listImageReferrers(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, {
    subjectId: { type: 'structure', required: true, members: { imageDigest: { type: 'string', required: true } } },
    filter: {
      type: 'structure',
      members: {
        artifactTypes: { type: 'list', min: 0, max: 5, member: { type: 'string', min: 1, max: 255 } },
        artifactStatus: { type: 'string', enum: ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'] },
      },
    },
    nextToken: S.nextToken,
    maxResults: { type: 'integer', min: 1, max: 50 },
  });
  const subject = (input.subjectId as { imageDigest: string }).imageDigest;
  if (!isDigestShaped(subject)) {
    throw invalidParameter("Invalid parameter at 'subjectId.imageDigest' failed to satisfy constraint: 'image digest should satisfy the regex [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
  }
  const f = (input.filter as { artifactTypes?: string[]; artifactStatus?: string } | undefined) ?? {};
  const status = f.artifactStatus ?? 'ACTIVE';
  const types = f.artifactTypes && f.artifactTypes.length > 0 ? new Set(f.artifactTypes) : undefined;
  const scope = `ListImageReferrers:${repo.name}:${subject}`;
  const after = input.nextToken !== undefined ? Number(decodeToken(input.nextToken as string, scope).after) : 0;
  const max = (input.maxResults as number | undefined) ?? 50;
  const all = [...(repo.referrers.get(subject) ?? [])]
    .map((d) => repo.images.get(d))
    .filter((img): img is StoredImage => img !== undefined)
    .filter((img) => (status === 'ANY' || img.status === status) && (!types || types.has(img.artifactType ?? img.artifactMediaType ?? '')))
    .sort((a, b) => a.seq - b.seq)
    .filter((img) => img.seq > after);
  const page = all.slice(0, max);
  const out: Record<string, unknown> = {
    referrers: page.map((img) => {
      const r: Record<string, unknown> = {
        digest: img.digest,
        mediaType: img.mediaType,
        size: Buffer.byteLength(manifestOf(img)),
        artifactStatus: img.status,
      };
      const type = img.artifactType ?? img.artifactMediaType;
      if (type !== undefined) r.artifactType = type;
      return r;
    }),
  };
  const last = page[page.length - 1];
  if (last && all.length > max) out.nextToken = encodeToken({ scope, after: last.seq });
  return out;
}
