/**
 * Public types of the ECR emulator: the state file format (stable: tests, the demo, bug reports and
 * users' fixtures rely on it), the start options, and the handle a running emulator returns.
 */
import type { StateOrganization } from './organization.js';
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

/** The state file: `{ "now"?: ISO-8601, "repositories": [...] }` and the optional consumer sections. */
export interface StateFile {
  now?: string;
  repositories: StateRepository[];
  /** ECS clusters (services, tasks) and task definitions; without it every ECS list is empty. */
  ecs?: StateEcs;
  /** Lambda functions with their versions and aliases; without it ListFunctions is empty. */
  lambda?: StateLambda;
  /** AWS Batch job definitions; without it DescribeJobDefinitions is empty. */
  batch?: StateBatch;
  /** App Runner services; without it ListServices is empty. */
  apprunner?: StateAppRunner;
  /**
   * More accounts and Regions, keyed by 12-digit account id. The top-level sections above stay the
   * default account's default Region. With this section the emulator routes every request by the
   * caller's account and the SigV4 Region (see SPEC.md "Accounts and Regions").
   */
  accounts?: Record<string, StateAccount>;
  /**
   * The AWS Organization the accounts belong to (Organizations ListAccounts, the OU tree). Without
   * it every Organizations call is AWSOrganizationsNotInUseException. See SPEC.md "Organizations".
   */
  organization?: StateOrganization;
}

/** One account of the `accounts` section. */
export interface StateAccount {
  /** Region → that Region's registry and consumers (the same sections as the top level). */
  regions?: Record<string, StateRegion>;
  /** IAM roles of this account that STS AssumeRole knows; any other role ARN is AccessDenied. */
  roles?: StateRole[];
  /** Access key id → principal ARN in this account (default `arn:aws:iam::<account>:user/<key>`). */
  accessKeys?: Record<string, string | null>;
  /** Regions this account has not enabled (opt-in Regions): every call there is UnrecognizedClientException. */
  regionsNotEnabled?: string[];
  /**
   * What EC2 DescribeRegions lists as enabled (less `regionsNotEnabled`); default the keys of
   * `regions` (and, for the default account, the default Region).
   */
  enabledRegions?: string[];
}

/** One Region of an account: a registry, its consumers, its own generated content and rate limits. */
export interface StateRegion extends Omit<StateFile, 'now' | 'accounts' | 'repositories'> {
  repositories?: StateRepository[];
  /** Generated repositories (and consumers) for this account and Region, after `repositories`. */
  generate?: GeneratorOptions;
  /** This account and Region's own token buckets, replacing the emulator-wide `rateLimits` here. */
  rateLimits?: Partial<Record<string, RateLimit>>;
}

/** A role STS AssumeRole may assume. */
export interface StateRole {
  /** The role name (`EcrSweeperTarget`, or a path `team/Deployer`); its ARN is `arn:aws:iam::<account>:role/<name>`. */
  name: string;
  /**
   * Who may assume it (the trust policy's principals): account ids, `arn:aws:iam::<id>:root`, user or
   * role ARNs (a role covers its sessions), or `*`. Default `*`: every caller.
   */
  trustedPrincipals?: string[];
  /** The `sts:ExternalId` condition: AssumeRole without this exact ExternalId is AccessDenied. */
  externalId?: string;
  /** `false`: every AssumeRole of this role is AccessDenied (a role that refuses everyone). */
  assumable?: boolean;
  /** Longest DurationSeconds for a first-hop session; default 3600 (IAM's default). */
  maxSessionDuration?: number;
}

/**
 * An image as a consumer names it. A reference without a registry host (`team/app:v1`,
 * `team/app@sha256:…`, `team/app`) means this emulator's registry and is expanded to
 * `<registryId>.dkr.ecr.<region>.amazonaws.com/team/app:v1`; one with a host (another account,
 * `public.ecr.aws/…`, `docker.io/library/nginx:1`) is served as written.
 */
export type StateImageRef = string;

/** The `ecs` section. */
export interface StateEcs {
  clusters?: StateEcsCluster[];
  /** Registered task definitions; `revision` defaults to the family's next number, in file order. */
  taskDefinitions?: StateTaskDefinition[];
}

/** One task definition revision. */
export interface StateTaskDefinition {
  family: string;
  revision?: number;
  /** Default ACTIVE. */
  status?: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  containerDefinitions: { name?: string; image: StateImageRef }[];
}

/** One ECS cluster. */
export interface StateEcsCluster {
  name: string;
  services?: StateEcsService[];
  tasks?: StateEcsTask[];
}

/** One ECS service. */
export interface StateEcsService {
  name: string;
  /** Shorthand for `deployments: [{ taskDefinition, status: 'PRIMARY' }]`. */
  taskDefinition?: string;
  /** `taskDefinition` is `family:revision` (or a task definition ARN); status default PRIMARY. */
  deployments?: { taskDefinition: string; status?: 'PRIMARY' | 'ACTIVE' | 'INACTIVE' }[];
  /**
   * The service's current revisions. Default: one per PRIMARY/ACTIVE deployment, its images those of
   * the deployment's task definition with the digest each tag names at load time (as ECS pins them).
   * `[]` models a service whose revisions predate the API.
   */
  revisions?: { taskDefinition?: string; containerImages: { containerName?: string; image: StateImageRef; imageDigest?: string }[] }[];
  /** Default ACTIVE. */
  status?: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
}

/** One ECS task. */
export interface StateEcsTask {
  /** Task id (the last part of its ARN); default a stable 32-hex id. */
  id?: string;
  /** `family:revision` (or an ARN). */
  taskDefinition: string;
  /** Default RUNNING. STOPPED tasks are listed with `desiredStatus: STOPPED`. */
  lastStatus?: 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
  /** The service that started it (its group is `service:<name>`). */
  service?: string;
  /**
   * Default: the task definition's containers, `imageDigest` the digest each image's tag names at
   * load time (absent when it names nothing in this registry).
   */
  containers?: { name?: string; image: StateImageRef; imageDigest?: string }[];
}

/** The `lambda` section. */
export interface StateLambda {
  functions?: StateLambdaFunction[];
}

/** One Lambda function. */
export interface StateLambdaFunction {
  name: string;
  /** Default Image. Zip functions have no image. */
  packageType?: 'Image' | 'Zip';
  /** `$LATEST`'s image (required for Image functions). */
  image?: StateImageRef;
  /** `$LATEST`'s resolved digest; default the digest `image` names at load time. */
  imageDigest?: string;
  /**
   * Published versions 1, 2, …, in order: an image reference, or `{ image?, imageDigest? }` (image
   * defaults to the function's). Each resolves its tag at load time ("when it was published").
   */
  versions?: (StateImageRef | { image?: StateImageRef; imageDigest?: string })[];
  /** `{ name, version, additionalVersionWeights?: { "3": 0.1 } }`; `version` is a number or `$LATEST`. */
  aliases?: { name: string; version: number | string; additionalVersionWeights?: Record<string, number> }[];
}

/** The `batch` section. */
export interface StateBatch {
  jobDefinitions?: StateBatchJobDefinition[];
}

/**
 * One Batch job definition: `image` is shorthand for `containerProperties.image`; the API's
 * `containerProperties`, `nodeProperties`, `ecsProperties` and `eksProperties` may be given instead.
 */
export interface StateBatchJobDefinition {
  name: string;
  /** Default: the name's next number, in file order. */
  revision?: number;
  /** Default ACTIVE. */
  status?: 'ACTIVE' | 'INACTIVE';
  image?: StateImageRef;
  containerProperties?: { image: StateImageRef };
  nodeProperties?: { nodeRangeProperties: { targetNodes?: string; container?: { image: StateImageRef } }[] };
  ecsProperties?: { taskProperties: { containers: { name?: string; image: StateImageRef }[] }[] };
  eksProperties?: { podProperties: { containers: { name?: string; image: StateImageRef }[]; initContainers?: { name?: string; image: StateImageRef }[] } };
}

/** The `apprunner` section. */
export interface StateAppRunner {
  services?: StateAppRunnerService[];
}

/** One App Runner service with an image source. */
export interface StateAppRunnerService {
  name: string;
  image: StateImageRef;
  /** Default RUNNING. */
  status?: 'CREATE_FAILED' | 'RUNNING' | 'DELETED' | 'DELETE_FAILED' | 'PAUSED' | 'OPERATION_IN_PROGRESS';
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
  /**
   * Operations answered with AccessDeniedException, as the stats name them (`DescribeImages`,
   * `ecs:DescribeTasks`), or a whole service (`ecs:*`, `lambda:*`, `batch:*`, `apprunner:*`).
   */
  accessDenied?: string[];
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
  /**
   * More accounts and Regions, as in a state file's `accounts` section (merged after the state's).
   * With any, requests route by the caller's account and the SigV4 Region.
   */
  accounts?: Record<string, StateAccount>;
  /** The organization (Organizations API), as in a state file's `organization` section; replaces the state's. */
  organization?: StateOrganization;
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
