/**
 * The ports of the engine: what it needs from a registry, stated by the engine and implemented by
 * the adapters (`lib/adapters/`), which the drivers (CLI, Lambda handlers, benchmarks) wire in.
 * The engine imports no adapter; the dependency points one way.
 */
import type { AttachedPolicyText } from '../core/attached-policy.js';
import type { IndexMemory, IndexReadRecord } from '../core/index-memory.js';
import type { ImageRecord } from '../core/inventory.js';
import type { RateController } from './rate-controller.js';

/** ECR's cap on `imageIds` in BatchDeleteImage, BatchGetImage and DescribeImages: the engine batches by it. */
export const MAX_IMAGE_IDS_PER_CALL = 100;

/** Which registry an index store's memory belongs to: account, Region and (custom) endpoint. */
export interface RegistryIdentity {
  registryId: string;
  region: string;
  /** Set only for a custom endpoint (an emulator, a proxy): another endpoint is another registry. */
  endpoint?: string;
}

/** One per-image failure of BatchDeleteImage / BatchGetImage, as the registry reported it. */
export interface ImageFailure {
  imageDigest: string;
  code: string;
  message: string;
}

/** What BatchDeleteImage did with one batch. */
export interface DeleteBatchResult {
  deleted: string[];
  failures: ImageFailure[];
  /**
   * Requests sent for this one call (the SDK's `$metadata.attempts`; 1 when unknown). Above 1,
   * an earlier attempt may have been carried out with its answer lost, so an `ImageNotFound` in
   * this answer can be this call's own earlier deletion.
   */
  attempts: number;
}

/** What a re-read by digest found. */
export interface RereadResult {
  /** Current state of each image still present, by digest. */
  found: Map<string, ImageRecord>;
  /** Digests the registry no longer has. */
  missing: string[];
}

/**
 * Index digest -> the `lastRecordedPullTime` the index had just after this sweep read its
 * manifest, for the indexes whose pull time that read moved (the sweep's principal is not a
 * pull-time update exclusion). A pull time no later than this is the sweep's own read.
 */
export type OwnIndexReads = ReadonlyMap<string, number>;

/** A repository's inventory plus what this tool's own index reads did to pull times. */
export interface ListedRepository {
  /** Index pull times are without this tool's own reads (the value from just before the read). */
  images: ImageRecord[];
  /** Undefined when the repository has no index. */
  ownIndexReads?: OwnIndexReads;
}

/** A repository as the registry lists it. */
export interface RepositoryRef {
  name: string;
  /** What the tag read (ListTagsForResource) takes. */
  arn: string;
}

/**
 * One registry (an account's ECR in one Region) as the sweep reads and changes it: exactly the
 * calls the engine makes. Per-image problems come back as data; a call that still fails after
 * the connection's retries throws. `lib/adapters/ecr-registry.ts` implements it over ECR.
 */
export interface Registry {
  /** The registry (account) id the repository listing reported; undefined until repositories were listed. */
  readonly registryId: string | undefined;
  /** Every repository of the registry (name and ARN), in the order the registry lists them. */
  listRepositories(): Promise<RepositoryRef[]>;
  /** A repository's resource tags, key -> value. */
  listRepositoryTags(repositoryArn: string): Promise<Record<string, string>>;
  /** The lifecycle policy attached to a repository; `{ found: false }` when it has none. */
  getLifecyclePolicy(repositoryName: string): Promise<AttachedPolicyText>;
  /** The registry's pull-time update exclusions (IAM principal ARNs). */
  listPullTimeUpdateExclusions(): Promise<string[]>;
  /**
   * Every image of a repository (any tag status, any storage status), indexes with their
   * children, index pull times without this tool's own reads (see {@link ListedRepository}).
   */
  listImages(repositoryName: string): Promise<ListedRepository>;
  /** Adds remembered index reads (from the index store); what this run read itself wins. */
  remember(memory: IndexMemory): void;
  /** Every index this run found in a listing, as remembered now, with `seenAt` set to `now`. */
  indexesSeen(now: number): Map<string, IndexReadRecord>;
  /**
   * Forgets the index reads it holds (given and made) and which indexes it saw. The sweep calls it
   * once its listing is over and saved: they grow with the registry and nothing later needs them.
   */
  forgetIndexReads(): void;
  /**
   * The current state of images by digest, just before a delete or an archive; `repositorySize`
   * (the planned image count) bounds the calls when many of them are gone.
   */
  rereadImages(repositoryName: string, digests: readonly string[], repositorySize?: number): Promise<RereadResult>;
  /** The current state of images this run may itself just have deleted (a delete whose answer was lost). */
  recheckImages(repositoryName: string, digests: readonly string[], repositorySize?: number): Promise<RereadResult>;
  /** Deletes up to {@link MAX_IMAGE_IDS_PER_CALL} images by digest (never by tag) in one call. */
  deleteImages(repositoryName: string, digests: readonly string[]): Promise<DeleteBatchResult>;
  /** Archives one image by digest; returns the storage status the registry reports after the call. */
  archiveImage(repositoryName: string, imageDigest: string): Promise<string | undefined>;
}

/** Call counters of one sweep's registry connection. */
export interface CallStats {
  /** Attempts sent, per operation (every retry counted). */
  apiCalls: Record<string, number>;
  /** Attempts beyond the first of each call: the client's own retries plus the outer loop's. */
  retries: number;
  /** Attempts the service answered with a throttling error. */
  throttles: number;
}

/** What the engine owns of a sweep's calls, handed to the connector: pacing, bounds and time. */
export interface RegistryPacing {
  /** Every call waits for its operation's slot and reports throttles back (adaptive pacing). */
  rate: RateController;
  /** Logical calls in flight at once across the sweep (backoff waits hold their slot). */
  maxInFlight: number;
  /** Epoch ms; the sweep's clock. */
  clock: () => number;
  /** Epoch ms after which nothing is retried, and a call still in flight is cut off after a grace. */
  deadline?: number;
}

/**
 * The outer retry decision for a call the registry leaves to its caller (a delete or an archive,
 * which the engine re-reads before each retry): resolves after the backoff when attempt
 * `attempt + 1` may be made; rejects with `error` when it is not retryable or the attempts are
 * spent, and with `DeadlineReachedError` when the deadline has passed or the backoff would cross it.
 */
export type RetryPause = (operation: string, attempt: number, error: unknown) => Promise<void>;

/** One sweep's paced, counted connection to a registry, made by a {@link RegistryConnector}. */
export interface RegistryConnection {
  /** Every call of the sweep goes through it. */
  registry: Registry;
  /** A snapshot of the calls made so far, for the result. */
  stats(): CallStats;
  /** The outer retry pause the executor and archiver use between attempts of a delete or an archive. */
  pause: RetryPause;
  /** Which registry this is (account `registryId`, Region, custom endpoint), as the index store keys it. */
  identity(registryId: string): Promise<RegistryIdentity>;
}

/**
 * How a sweep reaches its registry: called once per sweep with the sweep's pacing. The drivers
 * build it from their client (`ecrRegistry(client)` in `lib/adapters/ecr-registry-connector.ts`).
 *
 * @example
 * ```ts
 * const { result } = await runSweep({ registry: ecrRegistry(clients.ecr) }, { ruleSet });
 * ```
 */
export type RegistryConnector = (pacing: RegistryPacing) => RegistryConnection;
