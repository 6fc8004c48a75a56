/**
 * The registry's state and the behaviour that keeps it consistent: tags move between images, an
 * index pins its children, referrers remember their subject, layers exist while uploaded or used.
 * The wire layer (`operations.ts`) validates requests and shapes answers; the rules live here.
 */
import { EcrApiError, EmulatorStateError, repositoryNotFound } from './errors.js';
import { blobsOf, manifestOf, materializeImages, type Built, type ImageStatus, type MaterializedImage } from './materialize.js';
import { parseStateTime } from './time.js';
import type { ImageSnapshot, RepositorySnapshot, StateFile, StateImage, StateRepository } from './types.js';
import { isValidRepositoryName } from './validate.js';
import { MAX_RESOURCE_TAGS, tagProblem, type ResourceTag } from './operations/resource-tags.js';

/** ECR: a restore "typically takes up to 20 minutes" (archive_restore_image.html). */
export const DEFAULT_RESTORE_DELAY_MS = 20 * 60_000;

/** A stored manifest: the materialised image plus its place in listing order. */
export interface StoredImage extends MaterializedImage {
  /** Monotonic position in the repository's listing order; pagination cursors use it. */
  seq: number;
  removed: boolean;
}

/** An in-progress layer upload. */
export interface Upload {
  id: string;
  parts: Buffer[];
  /** Bytes received so far (the next part must start here). */
  received: number;
  partSizes: number[];
}

/** A layer blob a client uploaded (synthetic layers of state images are not stored as blobs). */
export interface UploadedBlob {
  size: number;
  data: Buffer;
}

/** The clock: frozen when set, otherwise wall time. */
export class Clock {
  private fixed: number | undefined;
  constructor(fixed?: number) {
    this.fixed = fixed;
  }
  /** Epoch ms. */
  now(): number {
    return this.fixed ?? Date.now();
  }
  /** Freezes the clock at `ms`, or lets it follow wall time again with `undefined`. */
  set(ms: number | undefined): void {
    this.fixed = ms;
  }
  /** Whether the clock is frozen. */
  isFixed(): boolean {
    return this.fixed !== undefined;
  }
}

/** One repository. */
export class Repository {
  readonly name: string;
  readonly createdAt: number;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE';
  resourceTags: { Key: string; Value: string }[] = [];
  scanOnPush = false;
  encryptionType = 'AES256';
  kmsKey: string | undefined;
  policyText: string | undefined;
  lifecyclePolicyText: string | undefined;
  readonly images = new Map<string, StoredImage>();
  readonly tags = new Map<string, StoredImage>();
  /** Child digest → digests of the indexes that list it. */
  readonly parents = new Map<string, Set<string>>();
  /** Subject digest → digests of its referrers. */
  readonly referrers = new Map<string, Set<string>>();
  readonly uploads = new Map<string, Upload>();
  readonly uploadedBlobs = new Map<string, UploadedBlob>();
  /** Images in listing order; removed ones linger until compaction. */
  private order: StoredImage[] = [];
  private removedInOrder = 0;
  /**
   * Layer digest → size, images using it, and ACTIVE images using it (only those can be pulled);
   * built on first need, then kept current.
   */
  private layerIndex: Map<string, LayerUse> | null = null;
  /** How many images state loads have added, so later loads derive fresh default digests. */
  loadedCount = 0;

  constructor(name: string, createdAt: number) {
    this.name = name;
    this.createdAt = createdAt;
  }

  /** Number of live images. */
  get size(): number {
    return this.images.size;
  }

  /** Live images in listing order. */
  *list(): IterableIterator<StoredImage> {
    for (const img of this.order) if (!img.removed) yield img;
  }

  /** Live images with `seq` greater than `after`, in listing order. */
  *listAfter(after: number): IterableIterator<StoredImage> {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.order[mid] as StoredImage).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.order.length; i++) {
      const img = this.order[i] as StoredImage;
      if (!img.removed) yield img;
    }
  }

  /** Stores a new manifest (its digest must not exist yet) and gives it its tags. */
  insert(image: MaterializedImage, seq: number): StoredImage {
    // The materialised object becomes the stored one: copying 200,000 of them would only feed the GC.
    const stored = image as StoredImage;
    const tags = image.tags;
    stored.tags = [];
    stored.seq = seq;
    stored.removed = false;
    this.images.set(stored.digest, stored);
    this.order.push(stored);
    for (const tag of tags) this.setTag(stored, tag);
    for (const child of stored.childDigests ?? []) addToSetMap(this.parents, child, stored.digest);
    if (stored.subjectDigest) addToSetMap(this.referrers, stored.subjectDigest, stored.digest);
    if (this.layerIndex) for (const b of blobsOf(stored)) bumpLayer(this.layerIndex, b.digest, b.size, 1, stored.status === 'ACTIVE' ? 1 : 0);
    return stored;
  }

  /** Points `tag` at `image`, taking it from whichever image held it. */
  setTag(image: StoredImage, tag: string): void {
    const previous = this.tags.get(tag);
    if (previous === image) return;
    if (previous) previous.tags = previous.tags.filter((t) => t !== tag);
    this.tags.set(tag, image);
    image.tags.push(tag);
  }

  /** Removes one tag from its image (the image stays, possibly untagged). */
  untag(image: StoredImage, tag: string): void {
    if (this.tags.get(tag) !== image) return;
    this.tags.delete(tag);
    image.tags = image.tags.filter((t) => t !== tag);
  }

  /** Removes a manifest and all its tags. */
  remove(image: StoredImage): void {
    if (image.removed) return;
    for (const tag of image.tags) this.tags.delete(tag);
    image.tags = [];
    image.removed = true;
    this.images.delete(image.digest);
    for (const child of image.childDigests ?? []) removeFromSetMap(this.parents, child, image.digest);
    if (image.subjectDigest) removeFromSetMap(this.referrers, image.subjectDigest, image.digest);
    if (this.layerIndex) for (const b of blobsOf(image)) bumpLayer(this.layerIndex, b.digest, b.size, -1, image.status === 'ACTIVE' ? -1 : 0);
    this.removedInOrder++;
    if (this.removedInOrder > 1024 && this.removedInOrder * 2 > this.order.length) {
      this.order = this.order.filter((i) => !i.removed);
      this.removedInOrder = 0;
    }
  }

  /**
   * Changes an image's storage status; every change goes through here so the layer index knows
   * which layers an ACTIVE image still serves.
   */
  setStatus(image: StoredImage, status: ImageStatus): void {
    if (image.status === status) return;
    const delta = (status === 'ACTIVE' ? 1 : 0) - (image.status === 'ACTIVE' ? 1 : 0);
    image.status = status;
    if (this.layerIndex && delta !== 0) for (const b of blobsOf(image)) bumpLayer(this.layerIndex, b.digest, b.size, 0, delta);
  }

  /** Live indexes that list this digest as a child. */
  parentsOf(digest: string): string[] {
    return [...(this.parents.get(digest) ?? [])];
  }

  /** Size of a layer blob this repository holds (uploaded, or used by a live image), or undefined. */
  blobSize(digest: string): number | undefined {
    const uploaded = this.uploadedBlobs.get(digest);
    if (uploaded) return uploaded.size;
    return this.layers().get(digest)?.size;
  }

  /** Whether a live image uses the blob. */
  blobInUse(digest: string): boolean {
    return (this.layers().get(digest)?.refs ?? 0) > 0;
  }

  /** Whether an ACTIVE image uses the blob (archived and activating images cannot be pulled). */
  blobInActiveUse(digest: string): boolean {
    return (this.layers().get(digest)?.activeRefs ?? 0) > 0;
  }

  private layers(): Map<string, LayerUse> {
    if (!this.layerIndex) {
      const index = new Map<string, LayerUse>();
      for (const img of this.images.values()) for (const b of blobsOf(img)) bumpLayer(index, b.digest, b.size, 1, img.status === 'ACTIVE' ? 1 : 0);
      this.layerIndex = index;
    }
    return this.layerIndex;
  }
}

/** The whole registry: repositories, clock, sequence numbers. */
export class Registry {
  readonly registryId: string;
  readonly region: string;
  readonly clock: Clock;
  readonly maxRepositories: number;
  readonly maxImagesPerRepository: number;
  /** How long a restore (UpdateImageStorageClass STANDARD) stays ACTIVATING, ms. */
  restoreDelayMs: number;
  private readonly repos = new Map<string, Repository>();
  /** Restores in progress: image → repository and when it becomes ACTIVE (epoch ms). */
  private readonly activations = new Map<StoredImage, { repo: Repository; at: number }>();
  private seq = 0;

  constructor(options: {
    registryId: string;
    region: string;
    clock: Clock;
    maxRepositories: number;
    maxImagesPerRepository?: number;
    restoreDelayMs?: number;
  }) {
    this.registryId = options.registryId;
    this.region = options.region;
    this.clock = options.clock;
    this.maxRepositories = options.maxRepositories;
    this.maxImagesPerRepository = options.maxImagesPerRepository ?? 20_000;
    this.restoreDelayMs = options.restoreDelayMs ?? DEFAULT_RESTORE_DELAY_MS;
  }

  /** Moves an image to archive storage now (ARCHIVED, `lastArchivedAt` = now). */
  archive(repo: Repository, image: StoredImage): void {
    this.activations.delete(image);
    repo.setStatus(image, 'ARCHIVED');
    image.lastArchivedAt = this.clock.now();
  }

  /**
   * Starts restoring an archived image: ACTIVATING until `restoreDelayMs` has passed on the
   * emulator's clock, then ACTIVE with `lastActivatedAt` = that moment (0 restores at once).
   */
  restore(repo: Repository, image: StoredImage): void {
    const at = this.clock.now() + this.restoreDelayMs;
    repo.setStatus(image, 'ACTIVATING');
    this.activations.set(image, { repo, at });
    this.completeRestores();
  }

  /** Makes an archived or activating image ACTIVE at once (a push of the same manifest does this). */
  activateNow(repo: Repository, image: StoredImage): void {
    this.activations.delete(image);
    repo.setStatus(image, 'ACTIVE');
    image.lastActivatedAt = this.clock.now();
  }

  /**
   * Finishes the restores whose time has come. Called before every look at a repository, so a
   * frozen clock moved past a restore's end (setNow) sees the image ACTIVE.
   */
  completeRestores(): void {
    if (this.activations.size === 0) return;
    const now = this.clock.now();
    for (const [image, { repo, at }] of this.activations) {
      if (image.removed || image.status !== 'ACTIVATING') {
        this.activations.delete(image);
      } else if (at <= now) {
        this.activations.delete(image);
        repo.setStatus(image, 'ACTIVE');
        image.lastActivatedAt = at;
      }
    }
  }

  /** The next listing sequence number. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** All repositories, sorted by name (the listing order). */
  repositories(): Repository[] {
    return [...this.repos.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A repository or undefined. */
  find(name: string): Repository | undefined {
    this.completeRestores();
    return this.repos.get(name);
  }

  /** A repository, or RepositoryNotFoundException. */
  get(name: string, registryId?: string): Repository {
    this.completeRestores();
    const repo = registryId === undefined || registryId === this.registryId ? this.repos.get(name) : undefined;
    if (!repo) throw repositoryNotFound(name, registryId ?? this.registryId);
    return repo;
  }

  /** Creates a repository; RepositoryAlreadyExistsException / LimitExceededException as ECR does. */
  create(name: string, createdAt = this.clock.now()): Repository {
    if (this.repos.has(name)) {
      throw new EcrApiError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${this.registryId}'`,
      );
    }
    if (this.repos.size >= this.maxRepositories) {
      throw new EcrApiError(
        'LimitExceededException',
        `The maximum number of repositories (${this.maxRepositories}) has been reached for the registry with id '${this.registryId}'`,
      );
    }
    const repo = new Repository(name, createdAt);
    this.repos.set(name, repo);
    return repo;
  }

  /** Deletes a repository and everything in it. */
  delete(name: string): void {
    this.repos.delete(name);
  }

  /** Removes every repository. */
  clear(): void {
    this.repos.clear();
  }

  /**
   * Loads a state file: repositories are created when missing, images added as if pushed (a tag
   * already in the repository moves to the new image). Relative times resolve against the clock.
   */
  loadState(state: StateFile, path = ''): void {
    if (typeof state !== 'object' || state === null || !Array.isArray(state.repositories)) {
      throw new EmulatorStateError(`${path}repositories`, 'a state file needs a "repositories" array');
    }
    const now = this.clock.now();
    state.repositories.forEach((r, i) => this.loadRepository(r, now, `${path}repositories[${i}]`));
  }

  /** Loads one repository description (see `loadState`). */
  loadRepository(r: StateRepository, now: number, where: string): Repository {
    if (typeof r !== 'object' || r === null) throw new EmulatorStateError(where, 'expected an object');
    if (typeof r.name !== 'string' || !isValidRepositoryName(r.name)) {
      throw new EmulatorStateError(`${where}.name`, `${JSON.stringify(r.name)} is not a valid repository name (2-256 chars, lowercase, like "team/app")`);
    }
    if (r.images !== undefined && !Array.isArray(r.images)) throw new EmulatorStateError(`${where}.images`, 'must be an array');
    let repo = this.repos.get(r.name);
    if (!repo) {
      const createdAt = r.createdAt === undefined ? now : parseStateTime(r.createdAt, now, `${where}.createdAt`);
      repo = this.create(r.name, createdAt);
    }
    if (r.imageTagMutability !== undefined) {
      if (r.imageTagMutability !== 'MUTABLE' && r.imageTagMutability !== 'IMMUTABLE') {
        throw new EmulatorStateError(`${where}.imageTagMutability`, 'must be MUTABLE or IMMUTABLE');
      }
      repo.imageTagMutability = r.imageTagMutability;
    }
    if (r.policyText !== undefined) repo.policyText = r.policyText;
    if (r.lifecyclePolicyText !== undefined) repo.lifecyclePolicyText = r.lifecyclePolicyText;
    if (r.tags !== undefined) repo.resourceTags = stateTags(repo.resourceTags, r.tags, `${where}.tags`);
    this.addImages(repo, r.images ?? [], now, where);
    return repo;
  }

  /** Adds state-format images to a repository; returns the materialised manifests (children first). */
  addImages(repo: Repository, images: readonly StateImage[], now: number, where: string): StoredImage[] {
    const target = repo;
    const materialized = materializeImages(repo.name, images, now, where, {
      keyOffset: repo.loadedCount,
      lookupSubject: (tag) => {
        const img = target.tags.get(tag);
        return img ? subjectRef(img) : undefined;
      },
    });
    repo.loadedCount += images.length;
    const stored: StoredImage[] = [];
    for (const m of materialized) {
      const existing = repo.images.get(m.digest);
      if (existing) {
        for (const tag of m.tags) repo.setTag(existing, tag);
        stored.push(existing);
      } else {
        stored.push(repo.insert(m, this.nextSeq()));
      }
    }
    return stored;
  }

  /** Snapshot of every repository, for assertions. */
  snapshotRepositories(): RepositorySnapshot[] {
    return this.repositories().map(repositorySnapshot);
  }

  /** Snapshot of a repository's images in listing order, for assertions. */
  snapshotImages(name: string): ImageSnapshot[] {
    return [...this.get(name).list()].map(toSnapshot);
  }
}

/** A repository as `repositories()` shows it. */
export function repositorySnapshot(r: Repository): RepositorySnapshot {
  return {
    repositoryName: r.name,
    createdAt: r.createdAt,
    imageCount: r.size,
    resourceTags: Object.fromEntries(r.resourceTags.map((t) => [t.Key, t.Value])),
  };
}

/**
 * A state file's `tags` map applied over a repository's current tags (a later load of the same
 * repository adds to them, as TagResource does), refused with the path when ECR would refuse it.
 */
function stateTags(current: readonly ResourceTag[], tags: unknown, where: string): ResourceTag[] {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new EmulatorStateError(where, 'must be an object of tag keys to string values, e.g. { "team": "data" }');
  }
  const merged = new Map(current.map((t) => [t.Key, t.Value]));
  for (const [key, value] of Object.entries(tags as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new EmulatorStateError(`${where}.${key}`, `a tag value must be a string, got ${JSON.stringify(value)}`);
    const problem = tagProblem(key, value);
    if (problem) throw new EmulatorStateError(`${where}.${key}`, problem);
    merged.set(key, value);
  }
  if (merged.size > MAX_RESOURCE_TAGS) throw new EmulatorStateError(where, `${merged.size} tags; a repository has at most ${MAX_RESOURCE_TAGS}`);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** The descriptor a referrer uses to point at `img`. */
export function subjectRef(img: StoredImage): Built {
  return { image: { digest: img.digest, mediaType: img.mediaType }, manifestSize: Buffer.byteLength(manifestOf(img)) };
}

/** Public view of a stored image. */
export function toSnapshot(img: StoredImage): ImageSnapshot {
  const s: ImageSnapshot = {
    imageDigest: img.digest,
    imageTags: [...img.tags],
    imagePushedAt: img.pushedAt,
    imageSizeInBytes: img.sizeInBytes,
    imageManifestMediaType: img.mediaType,
    imageStatus: img.status,
  };
  if (img.lastPulledAt !== undefined) s.lastRecordedPullTime = img.lastPulledAt;
  if (img.artifactMediaType !== undefined) s.artifactMediaType = img.artifactMediaType;
  if (img.artifactType !== undefined) s.artifactType = img.artifactType;
  if (img.subjectDigest !== undefined) s.subjectManifestDigest = img.subjectDigest;
  if (img.childDigests !== undefined) s.childDigests = [...img.childDigests];
  if (img.lastArchivedAt !== undefined) s.lastArchivedAt = img.lastArchivedAt;
  if (img.lastActivatedAt !== undefined) s.lastActivatedAt = img.lastActivatedAt;
  return s;
}

function addToSetMap(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFromSetMap(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

interface LayerUse {
  size: number;
  refs: number;
  activeRefs: number;
}

function bumpLayer(index: Map<string, LayerUse>, digest: string, size: number, by: number, activeBy: number): void {
  const entry = index.get(digest);
  if (entry) {
    entry.refs += by;
    entry.activeRefs += activeBy;
    if (entry.refs <= 0) index.delete(digest);
  } else if (by > 0) {
    index.set(digest, { size, refs: by, activeRefs: activeBy });
  }
}
