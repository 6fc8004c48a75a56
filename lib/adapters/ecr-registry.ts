/**
 * The ECR side of a sweep: enumerate repositories and images (SDK paginators at the API's
 * maximum page size), read index manifests for their children, re-read images just before a
 * delete (and recheck them after a delete whose answer was lost), and delete by digest in
 * batches of at most 100. Per-image problems come back as data; only call-level failures (after
 * the client's retries) throw.
 *
 * Reading an index manifest is a pull in ECR, so the registry remembers each index it read (its
 * children, when, and the pull times just before and just after: `lib/core/index-memory.ts`),
 * reads an index only when neither this run nor the memory it was given knows it, and lists every
 * image's last pull time without this tool's own reads.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  ListPullTimeUpdateExclusionsCommand,
  ListTagsForResourceCommand,
  UpdateImageStorageClassCommand,
  type ECRClient,
  type ImageDetail,
  paginateDescribeImages,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { pullTimeWithoutOwnRead, type IndexMemory, type IndexReadRecord } from '../core/index-memory.js';
import type { AttachedPolicyText } from '../core/attached-policy.js';
import { INDEX_MEDIA_TYPES, isIndexMediaType, type ImageRecord } from '../core/inventory.js';
import { chunk } from '../core/chunk.js';
import {
  MAX_IMAGE_IDS_PER_CALL,
  type DeleteBatchResult,
  type ImageFailure,
  type ListedRepository,
  type Registry,
  type RepositoryRef,
  type RereadResult,
} from '../engine/ports.js';
import { errorCode } from '../errors.js';
import { parseIndexChildren, toImageRecord } from './ecr-image-record.js';
import { packDigests, unpackDigests } from './packed-digests.js';
/** ECR's maximum page size for DescribeRepositories and DescribeImages. */
export const MAX_PAGE_SIZE = 1000;

/** The repository and time window of one BatchGetImage read, shared by every index it read. */
interface ReadWindow {
  repositoryName: string;
  readStartedAt: number;
  readAt: number;
}

/**
 * An index read this run made, as the registry keeps it until the listing is saved: its children
 * packed (`packed-digests.ts`) and its read's window shared, about half the memory of an
 * {@link IndexReadRecord} (a million-image registry has ~100,000 indexes).
 */
interface KeptRead {
  children: string | readonly string[];
  window: ReadWindow;
  mediaType?: string;
  lastPulledBefore?: number;
  pullTimeAfterRead?: number;
}

/** The record of a kept read; `seenAt` is its read's time, as for a read just made. */
function recordOf(kept: KeptRead): IndexReadRecord {
  const { repositoryName, readStartedAt, readAt } = kept.window;
  const record: IndexReadRecord = { childDigests: unpackDigests(kept.children), repositoryName, readStartedAt, readAt, seenAt: readAt };
  if (kept.mediaType !== undefined) record.mediaType = kept.mediaType;
  if (kept.lastPulledBefore !== undefined) record.lastPulledBefore = kept.lastPulledBefore;
  if (kept.pullTimeAfterRead !== undefined) record.pullTimeAfterRead = kept.pullTimeAfterRead;
  return record;
}

/**
 * The engine's {@link Registry} over ECR. Give it the (metered) client every call should go through;
 * drivers get it through `ecrRegistry(client)` (ecr-registry-connector.ts).
 */
export class EcrRegistry implements Registry {
  /** Index reads: given (the index store's, as they are) or made by this run (kept compact). */
  private readonly memory = new Map<string, IndexReadRecord | KeptRead>();
  private readonly seen = new Set<string>();
  private registryIdSeen: string | undefined;

  constructor(
    private readonly client: ECRClient,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Adds remembered index reads (from the index store); what this run read itself wins. */
  remember(memory: IndexMemory): void {
    for (const [digest, record] of memory) if (!this.memory.has(digest)) this.memory.set(digest, record);
  }

  /** Every index this run found in a listing, as remembered now, with `seenAt` set to `now`. */
  indexesSeen(now: number): Map<string, IndexReadRecord> {
    const out = new Map<string, IndexReadRecord>();
    for (const digest of this.seen) {
      const record = this.readOf(digest);
      if (record) out.set(digest, { ...record, seenAt: now });
    }
    return out;
  }

  /**
   * Forgets every index read it holds (given and made) and which indexes it saw: they grow with
   * the registry, and once a sweep's listing is over and saved nothing needs them. A later
   * listing reads each index again.
   */
  forgetIndexReads(): void {
    this.memory.clear();
    this.seen.clear();
  }

  /** What is remembered of an index, as a record. */
  private readOf(digest: string): IndexReadRecord | undefined {
    const kept = this.memory.get(digest);
    return kept === undefined || !('window' in kept) ? kept : recordOf(kept);
  }

  /** The registry (account) id DescribeRepositories reported, once repositories were listed. */
  get registryId(): string | undefined {
    return this.registryIdSeen;
  }

  /** Every repository name in the registry, in the order ECR lists them. */
  async listRepositoryNames(): Promise<string[]> {
    return (await this.listRepositories()).map((r) => r.name);
  }

  /** Every repository of the registry (name and ARN), in the order ECR lists them. */
  async listRepositories(): Promise<RepositoryRef[]> {
    const repositories: RepositoryRef[] = [];
    for await (const page of paginateDescribeRepositories({ client: this.client, pageSize: MAX_PAGE_SIZE }, {})) {
      for (const repository of page.repositories ?? []) {
        if (repository.repositoryName) repositories.push({ name: repository.repositoryName, arn: repository.repositoryArn ?? '' });
        this.registryIdSeen ??= repository.registryId;
      }
    }
    return repositories;
  }

  /**
   * A repository's resource tags, key → value (one ListTagsForResource call: it has no pagination,
   * a repository has at most 50 tags). Call-level failures throw.
   */
  async listRepositoryTags(repositoryArn: string): Promise<Record<string, string>> {
    const out = await this.client.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn }));
    const tags: Record<string, string> = {};
    for (const tag of out.tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    return tags;
  }

  /**
   * The lifecycle policy attached to a repository (GetLifecyclePolicy); `{ found: false }` when it
   * has none (LifecyclePolicyNotFoundException). Other failures throw.
   */
  async getLifecyclePolicy(repositoryName: string): Promise<AttachedPolicyText> {
    try {
      const out = await this.client.send(new GetLifecyclePolicyCommand({ repositoryName }));
      return out.lifecyclePolicyText === undefined ? { found: false } : { found: true, text: out.lifecyclePolicyText };
    } catch (error) {
      if (errorCode(error) === 'LifecyclePolicyNotFoundException') return { found: false };
      throw error;
    }
  }

  /** The registry's pull-time update exclusions (IAM principal ARNs). */
  async listPullTimeUpdateExclusions(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    // At most 100 exclusions per account; the page bound guards against a token that never ends.
    for (let page = 0; page < 100; page += 1) {
      const out = await this.client.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: MAX_PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(out.pullTimeUpdateExclusions ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return arns;
  }

  /**
   * Every image of a repository (any tag status, any storage status), with `childDigests` filled
   * for image indexes: from memory when the index was read before (by this run or, through the
   * index store, an earlier one), otherwise from its manifest, read now and remembered with the
   * pull times just before and just after the read. Index pull times are without this tool's own
   * reads; `ownIndexReads` gives the executor the pull time each read left.
   */
  async listImages(repositoryName: string): Promise<ListedRepository> {
    const images: ImageRecord[] = [];
    await this.scanImages(repositoryName, (record) => images.push(record));
    const indexes = images.filter((i) => isIndexMediaType(i.imageManifestMediaType));
    if (indexes.length === 0) return { images };
    for (const index of indexes) this.seen.add(index.imageDigest);
    const unknown = indexes.filter((i) => !this.memory.has(i.imageDigest));
    if (unknown.length > 0) await this.readAndRemember(repositoryName, unknown);
    const ownIndexReads = new Map<string, number>();
    for (const index of indexes) {
      const read = this.readOf(index.imageDigest);
      if (read?.repositoryName === repositoryName && read.pullTimeAfterRead !== undefined) ownIndexReads.set(index.imageDigest, read.pullTimeAfterRead);
    }
    return { images: images.map((image) => this.withMemory(repositoryName, image)), ownIndexReads };
  }

  /** Reads the manifests of indexes never read before and remembers what the reads found and did. */
  private async readAndRemember(repositoryName: string, indexes: readonly ImageRecord[]): Promise<void> {
    const readStartedAt = this.clock();
    const children = await this.readIndexChildren(repositoryName, indexes.map((i) => i.imageDigest));
    const readAt = this.clock();
    const read = indexes.filter((i) => children.has(i.imageDigest));
    if (read.length === 0) return;
    const after = await this.pullTimesAfterOwnReads(repositoryName, read);
    // One window for every index of this read: kept once, not once per index.
    const window: ReadWindow = { repositoryName, readStartedAt, readAt };
    for (const index of read) {
      // The listing came before the read, so its pull time is the one from just before it.
      const record: KeptRead = { children: packDigests(children.get(index.imageDigest) as string[]), window };
      if (index.imageManifestMediaType !== undefined) record.mediaType = index.imageManifestMediaType;
      if (index.lastRecordedPullTime !== undefined) record.lastPulledBefore = index.lastRecordedPullTime;
      const pulled = after.get(index.imageDigest);
      if (pulled !== undefined) record.pullTimeAfterRead = pulled;
      this.memory.set(index.imageDigest, record);
    }
  }

  /** An index with the children and pull time its remembered read gives it; anything else as is. */
  private withMemory(repositoryName: string, image: ImageRecord): ImageRecord {
    if (!isIndexMediaType(image.imageManifestMediaType)) return image;
    const read = this.readOf(image.imageDigest);
    if (read === undefined) return image;
    const out: { -readonly [K in keyof ImageRecord]: ImageRecord[K] } = { ...image, childDigests: [...read.childDigests] };
    const pulled = pullTimeWithoutOwnRead(image.lastRecordedPullTime, repositoryName, read);
    if (pulled === undefined) delete out.lastRecordedPullTime;
    else out.lastRecordedPullTime = pulled;
    return out;
  }

  /**
   * Re-reads the indexes just read (DescribeImages by id, 100 a call) to learn the pull time
   * this sweep's own reads left: BatchGetImage is a pull unless the principal is excluded, and
   * the planner decides on the listing's (earlier) value. The executor's re-read then treats
   * exactly a pull time up to this value as ours, and any later one as a pull after the plan,
   * as for any image. An index gone meanwhile is left out (its re-read before delete says so).
   */
  private async pullTimesAfterOwnReads(repositoryName: string, indexes: readonly ImageRecord[]): Promise<Map<string, number>> {
    const after = await this.rereadImages(repositoryName, indexes.map((i) => i.imageDigest));
    const moved = new Map<string, number>();
    for (const index of indexes) {
      const pull = after.found.get(index.imageDigest)?.lastRecordedPullTime;
      if (pull !== undefined && (index.lastRecordedPullTime === undefined || pull > index.lastRecordedPullTime)) moved.set(index.imageDigest, pull);
    }
    return moved;
  }

  /** Every image of a repository (any tag status, any storage status), page by page of 1000. */
  private async scanImages(repositoryName: string, onImage: (record: ImageRecord) => void): Promise<void> {
    const pages = paginateDescribeImages(
      { client: this.client, pageSize: MAX_PAGE_SIZE },
      { repositoryName, filter: { tagStatus: 'ANY', imageStatus: 'ANY' } },
    );
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) {
        const record = toImageRecord(detail);
        if (record) onImage(record);
      }
    }
  }

  /**
   * Child digests of the given index manifests (BatchGetImage, 100 digests a call, accepting only
   * index media types so ECR never substitutes a platform manifest). Unreadable ones are absent.
   */
  async readIndexChildren(repositoryName: string, digests: readonly string[]): Promise<Map<string, string[]>> {
    const children = new Map<string, string[]>();
    for (const batch of chunk(digests, MAX_IMAGE_IDS_PER_CALL)) {
      const out = await this.client.send(
        new BatchGetImageCommand({
          repositoryName,
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
          acceptedMediaTypes: [...INDEX_MEDIA_TYPES],
        }),
      );
      for (const image of out.images ?? []) {
        const digest = image.imageId?.imageDigest;
        const childDigests = parseIndexChildren(image.imageManifest);
        if (digest && childDigests) children.set(digest, childDigests);
      }
    }
    return children;
  }

  /**
   * The current state of images, by digest (DescribeImages with `imageIds`, 100 a call). ECR
   * fails the whole call with ImageNotFoundException when one id is gone; the batch is then split
   * in halves until each missing image is known, so one vanished image costs O(log n) extra
   * calls. Splitting many vanished images (a batch an interrupted run had already sent) would
   * cost about two calls each, so when `repositorySize` (the planned image count) is given, a
   * batch stops splitting once its extra calls reach what one paginated listing of the
   * repository costs (1000 a page), and what is still unresolved is answered from that one
   * listing, shared by every batch of the call. At most `b + b * L + L` calls for `b` batches and
   * a listing of `L` pages, whatever vanished.
   */
  async rereadImages(repositoryName: string, digests: readonly string[], repositorySize?: number): Promise<RereadResult> {
    const found = new Map<string, ImageRecord>();
    const missing: string[] = [];
    const unresolved: string[] = [];
    const listingCost = repositorySize === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.ceil(repositorySize / MAX_PAGE_SIZE));
    for (const batch of chunk(digests, MAX_IMAGE_IDS_PER_CALL)) {
      let extraCalls = 0;
      const visit = async (part: readonly string[], first: boolean): Promise<void> => {
        if (part.length === 0) return;
        if (!first && extraCalls >= listingCost) {
          unresolved.push(...part);
          return;
        }
        if (!first) extraCalls += 1;
        const details = await this.describeByIds(repositoryName, part);
        if (details === null) {
          if (part.length === 1) {
            missing.push(part[0] as string);
            return;
          }
          const middle = Math.ceil(part.length / 2);
          await visit(part.slice(0, middle), false);
          await visit(part.slice(middle), false);
          return;
        }
        for (const detail of details) {
          const record = toImageRecord(detail);
          if (record) found.set(record.imageDigest, record);
        }
        // A registry that answers with fewer details instead of an error: absent means gone.
        const seen = new Set(details.map((d) => d.imageDigest));
        for (const digest of part) if (!seen.has(digest)) missing.push(digest);
      };
      await visit(batch, true);
    }
    if (unresolved.length > 0) {
      const wanted = new Set(unresolved);
      await this.scanImages(repositoryName, (record) => {
        if (wanted.has(record.imageDigest)) found.set(record.imageDigest, record);
      });
      for (const digest of unresolved) if (!found.has(digest)) missing.push(digest);
    }
    return { found, missing };
  }

  /** Archives one image by digest (UpdateImageStorageClass ARCHIVE); returns ECR's status after the call. */
  async archiveImage(repositoryName: string, imageDigest: string): Promise<string | undefined> {
    return updateStorageClass(this.client, repositoryName, imageDigest, 'ARCHIVE');
  }

  /**
   * The current state of images this run may itself just have deleted (a BatchDeleteImage whose
   * answer was lost), where most or all of them are expected gone: splitting would then cost
   * about two calls per image. DescribeImages by `imageIds`, 100 a call; the chunks ECR refuses
   * with ImageNotFoundException are answered together from one paginated listing of the
   * repository (1000 a page). At most ceil(n / 100) + ceil(images in the repository / 1000)
   * calls; when `repositorySize` (the planned image count) says the listing alone is no dearer
   * than the by-id reads, only the listing is made.
   */
  async recheckImages(repositoryName: string, digests: readonly string[], repositorySize?: number): Promise<RereadResult> {
    const found = new Map<string, ImageRecord>();
    const unresolved: string[] = [];
    const listingSuffices =
      repositorySize !== undefined && Math.ceil(repositorySize / MAX_PAGE_SIZE) <= Math.ceil(digests.length / MAX_IMAGE_IDS_PER_CALL);
    for (const part of listingSuffices ? [] : chunk(digests, MAX_IMAGE_IDS_PER_CALL)) {
      const details = await this.describeByIds(repositoryName, part);
      if (details === null) {
        unresolved.push(...part);
        continue;
      }
      for (const detail of details) {
        const record = toImageRecord(detail);
        if (record) found.set(record.imageDigest, record);
      }
    }
    const wanted = new Set(listingSuffices ? digests : unresolved);
    if (wanted.size > 0) {
      await this.scanImages(repositoryName, (record) => {
        if (wanted.has(record.imageDigest)) found.set(record.imageDigest, record);
      });
    }
    return { found, missing: digests.filter((d) => !found.has(d)) };
  }

  /** One DescribeImages by id; null when ECR refuses it because one of them is gone. */
  private async describeByIds(repositoryName: string, digests: readonly string[]): Promise<ImageDetail[] | null> {
    try {
      const out = await this.client.send(
        new DescribeImagesCommand({
          repositoryName,
          imageIds: digests.map((imageDigest) => ({ imageDigest })),
          filter: { tagStatus: 'ANY', imageStatus: 'ANY' },
        }),
      );
      return out.imageDetails ?? [];
    } catch (error) {
      if (errorCode(error) === 'ImageNotFoundException') return null;
      throw error;
    }
  }

  /** Deletes up to 100 images by digest (never by tag) with one BatchDeleteImage call. */
  async deleteImages(repositoryName: string, digests: readonly string[]): Promise<DeleteBatchResult> {
    if (digests.length === 0) return { deleted: [], failures: [], attempts: 0 };
    if (digests.length > MAX_IMAGE_IDS_PER_CALL) {
      throw new RangeError(`deleteImages: at most ${MAX_IMAGE_IDS_PER_CALL} digests per call, got ${digests.length}`);
    }
    const out = await this.client.send(
      new BatchDeleteImageCommand({ repositoryName, imageIds: digests.map((imageDigest) => ({ imageDigest })) }),
    );
    const requested = new Set(digests);
    const deleted = (out.imageIds ?? [])
      .map((id) => id.imageDigest)
      .filter((d): d is string => d !== undefined && requested.has(d));
    const failures: ImageFailure[] = (out.failures ?? []).flatMap((f) => {
      const imageDigest = f.imageId?.imageDigest;
      if (!imageDigest) return [];
      return [{ imageDigest, code: f.failureCode ?? 'Unknown', message: f.failureReason ?? '' }];
    });
    return { deleted: [...new Set(deleted)], failures, attempts: out.$metadata?.attempts ?? 1 };
  }
}

/**
 * Moves one image, by digest, to `target` storage (UpdateImageStorageClass takes one image per
 * call) and returns the status ECR reports after the call (`ARCHIVED`, `ACTIVATING`, ...).
 * Call-level failures (ImageNotFoundException, ImageStorageClassUpdateNotSupportedException...) throw.
 */
export async function updateStorageClass(
  client: ECRClient,
  repositoryName: string,
  imageDigest: string,
  target: 'ARCHIVE' | 'STANDARD',
): Promise<string | undefined> {
  const out = await client.send(new UpdateImageStorageClassCommand({ repositoryName, imageId: { imageDigest }, targetStorageClass: target }));
  return out.imageStatus;
}
