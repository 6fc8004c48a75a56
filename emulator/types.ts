/**
 * Public types of the ECR emulator: the state file format (stable: tests, the demo, bug reports and
 * users' fixtures rely on it), the start options, and the handle a running emulator returns.
 */
import type { GeneratorOptions } from './generator.js';

/**
 * A point in time in a state file: ISO-8601 (`2026-01-31T12:00:00Z`) or relative to the
 * emulator's `now`: `-10d`, `-36h`, `-90m`, `-30s`, `-1500ms` (decimals allowed, `+` for the future).
 */
export type StateTime = string;

/** One manifest in a state file. Every field is optional; `{}` is a valid untagged image. */
export interface StateImage {
  tags?: string[];
  pushedAt?: StateTime;
  lastPulledAt?: StateTime;
  /** Sum of the layer sizes (an index reports its largest child instead). */
  sizeInBytes?: number;
  /** Makes this image a multi-arch index; each child is stored as its own (normally untagged) manifest. */
  children?: StateImage[];
  /** The TAG of another image in the same repository: makes this image an OCI 1.1 referrer of it. */
  subject?: string;
  /** OCI `artifactType` of a referrer, e.g. `application/vnd.dev.cosign.artifact.sig.v1+json`. */
  artifactType?: string;
  /** Storage status; default ACTIVE. */
  status?: 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';
  lastArchivedAt?: StateTime;
  lastActivatedAt?: StateTime;
  /** Platform of a child, e.g. `linux/arm64`; defaults by position (amd64, arm64, arm/v7...). */
  platform?: string;
  /**
   * Distinguishes otherwise identical images. By default an image's digest is derived from the
   * repository name and its position in the list, so identical entries still get distinct digests.
   */
  seed?: string;
}

/** One repository in a state file. */
export interface StateRepository {
  name: string;
  images?: StateImage[];
  /** ISO-8601 or relative; defaults to the emulator's now at load time. */
  createdAt?: StateTime;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  /** A repository policy (JSON text). */
  policyText?: string;
  /** A lifecycle policy (JSON text), returned by GetLifecyclePolicy as stored (not validated). */
  lifecyclePolicyText?: string;
  /**
   * Resource tags (`{ "team": "data" }`), as TagResource sets them: at most 50, keys 1-128
   * characters not starting with `aws:`, values 0-256 characters.
   */
  tags?: Record<string, string>;
}

/** The state file: `{ "now"?: ISO-8601, "repositories": [...] }`. */
export interface StateFile {
  now?: string;
  repositories: StateRepository[];
}

/** A per-operation value, or one value for every operation. */
export type PerOperation<T> = T | Partial<Record<string, T>>;

/** Token bucket for one operation: `rate` requests per second refill, up to `burst` at once. */
export interface RateLimit {
  rate: number;
  burst?: number;
}

/** Fault knobs; every field can be changed at runtime with `setFaults`. */
export interface FaultOptions {
  /** `{ DescribeImages: { rate: 20, burst: 20 } }`; over the limit → HTTP 400 ThrottlingException. */
  rateLimits?: Partial<Record<string, RateLimit>>;
  /** Probability (0..1) that a request is answered with ThrottlingException. */
  throttleProbability?: PerOperation<number>;
  /** Probability (0..1) that a request is answered with HTTP 500 ServerException. */
  serverErrorProbability?: PerOperation<number>;
  /** Delay added before every answer, in milliseconds. */
  latencyMs?: PerOperation<number>;
}

/** Options of `startEmulator`. */
export interface EmulatorOptions extends FaultOptions {
  /** 0 (default) picks an ephemeral port. The server always binds 127.0.0.1. */
  port?: number;
  /** A state object, or the path of a JSON state file. */
  state?: StateFile | string;
  /** Adds a generated registry (after `state`, if both are given). */
  generate?: GeneratorOptions;
  /** Freezes the clock at this time (ISO-8601, Date or epoch ms). Overrides the state file's `now`. */
  now?: string | number | Date;
  /** Seed of the fault dice and upload ids, so runs are reproducible. Default 1. */
  seed?: number;
  /**
   * Pull-time update exclusions: access key ids or principal ARNs whose BatchGetImage calls do not
   * update lastRecordedPullTime (a role ARN covers its assumed-role sessions).
   */
  pullTimeUpdateExclusions?: string[];
  /**
   * Access key id → the principal ARN STS GetCallerIdentity reports for it (e.g. an assumed-role
   * session ARN). Unlisted keys are `arn:aws:iam::<registryId>:user/<accessKeyId>`.
   */
  principals?: Record<string, string>;
  /** Default `123456789012`. */
  registryId?: string;
  /** Default `us-east-1`; used in ARNs and URIs. */
  region?: string;
  /** Most repositories the registry accepts (LimitExceededException beyond). Default 100,000. */
  maxRepositories?: number;
  /**
   * Most images PutImage lets a repository hold (LimitExceededException beyond; ECR's default quota
   * is 20,000). State files and `addImages` may exceed it. Default 20,000.
   */
  maxImagesPerRepository?: number;
  /**
   * How long a restore (UpdateImageStorageClass to STANDARD) stays ACTIVATING before the image is
   * ACTIVE again, in ms of the emulator's clock (move a frozen clock with `setNow`). Default
   * 1,200,000 (20 minutes, ECR's documented typical upper bound); 0 restores at once.
   */
  restoreDelayMs?: number;
}

/** Per-operation request counters, as served at `GET /_emulator/stats`. */
export interface EmulatorStats {
  /** Every request received, throttled and failed ones included. */
  requests: Record<string, number>;
  /** Requests answered with ThrottlingException. */
  throttled: Record<string, number>;
  /** Requests answered with any other error (ServerException, validation, not found...). */
  failed: Record<string, number>;
}

/** One image as the emulator holds it; returned by `images()` for assertions. */
export interface ImageSnapshot {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: number;
  lastRecordedPullTime?: number;
  imageSizeInBytes: number;
  imageManifestMediaType: string;
  artifactMediaType?: string;
  artifactType?: string;
  subjectManifestDigest?: string;
  childDigests?: string[];
  imageStatus: 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';
  lastArchivedAt?: number;
  lastActivatedAt?: number;
}

/** One repository as the emulator holds it. */
export interface RepositorySnapshot {
  repositoryName: string;
  createdAt: number;
  imageCount: number;
  /** Resource tags (TagResource), key → value. */
  resourceTags: Record<string, string>;
}
