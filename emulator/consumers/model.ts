/**
 * What the emulator holds about the consumers of its images: ECS clusters, services, tasks and task
 * definitions, Lambda functions, Batch job definitions and App Runner services. Read-only over the
 * API (the in-use scan only reads); filled from state file sections and the generator.
 */

/** One ECS container image as a task or a service revision reports it. */
export interface EcsContainerImage {
  name: string;
  /** As written in the task definition (expanded to a full URI). */
  image: string;
  /** The digest ECS resolved the image to; absent when the image names nothing this registry holds. */
  imageDigest?: string;
}

/** One task definition revision. */
export interface EcsTaskDefinition {
  family: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  containerDefinitions: { name: string; image: string }[];
  registeredAt: number;
}

/** One task. */
export interface EcsTask {
  id: string;
  arn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** `service:<name>` for a service's tasks. */
  group?: string;
  family: string;
  containers: EcsContainerImage[];
  createdAt: number;
}

/** A service revision (what DescribeServiceRevisions returns). */
export interface EcsServiceRevision {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerImages: EcsContainerImage[];
  createdAt: number;
}

/** One service. */
export interface EcsService {
  name: string;
  arn: string;
  status: string;
  deployments: { id: string; status: string; taskDefinitionArn: string; createdAt: number }[];
  /** ARNs of the current revisions (each also in {@link EcsState.revisions}). */
  currentRevisionArns: string[];
  createdAt: number;
}

/** One cluster. */
export interface EcsCluster {
  name: string;
  arn: string;
  services: Map<string, EcsService>;
  tasks: Map<string, EcsTask>;
}

/** All of ECS. */
export interface EcsState {
  clusters: Map<string, EcsCluster>;
  /** `family:revision` → task definition. */
  taskDefinitions: Map<string, EcsTaskDefinition>;
  /** Service revision ARN → revision. */
  revisions: Map<string, EcsServiceRevision>;
}

/** One Lambda version (`$LATEST` or a published number). */
export interface LambdaVersion {
  version: string;
  imageUri?: string;
  resolvedImageUri?: string;
  /** For Image functions the image digest's hex, as Lambda reports it; for Zip a stable fake. */
  codeSha256: string;
  lastModified: number;
}

/** One Lambda alias. */
export interface LambdaAlias {
  name: string;
  functionVersion: string;
  additionalVersionWeights?: Record<string, number>;
}

/** One Lambda function. */
export interface LambdaFunction {
  name: string;
  arn: string;
  packageType: 'Image' | 'Zip';
  latest: LambdaVersion;
  /** Published versions in ascending order. */
  versions: LambdaVersion[];
  aliases: LambdaAlias[];
}

/** One Batch job definition revision, already in the API's shape (images expanded). */
export interface BatchJobDefinition {
  name: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  type: 'container' | 'multinode';
  /** `containerProperties`, `nodeProperties`, `ecsProperties`, `eksProperties` as the API returns them. */
  properties: Record<string, unknown>;
}

/** One App Runner service. */
export interface AppRunnerService {
  name: string;
  id: string;
  arn: string;
  imageIdentifier: string;
  imageRepositoryType: 'ECR' | 'ECR_PUBLIC';
  status: string;
  createdAt: number;
}

/** Everything the emulator knows about consumers; empty until a state section or the generator fills it. */
export class Consumers {
  readonly ecs: EcsState = { clusters: new Map(), taskDefinitions: new Map(), revisions: new Map() };
  readonly lambda = new Map<string, LambdaFunction>();
  /** `name:revision` → job definition. */
  readonly batch = new Map<string, BatchJobDefinition>();
  /** ARN → service. */
  readonly apprunner = new Map<string, AppRunnerService>();

  constructor(
    readonly registryId: string,
    readonly region: string,
  ) {}

  /** `arn:aws:<service>:<region>:<account>:<resource>`. */
  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.registryId}:${resource}`;
  }

  /** Forgets every consumer. */
  clear(): void {
    this.ecs.clusters.clear();
    this.ecs.taskDefinitions.clear();
    this.ecs.revisions.clear();
    this.lambda.clear();
    this.batch.clear();
    this.apprunner.clear();
  }
}
