/**
 * The ECS in-use source: the images that tasks run (or ran until recently), that services deploy
 * and pin, and that recent task definition revisions can roll back to. See docs/in-use.md (ECS)
 * for what it reads, what it costs in calls and which IAM actions it needs.
 */
import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type ECSClient,
  type Failure,
} from '@aws-sdk/client-ecs';
import type { InUseUsage } from '../core/in-use.js';
import { compileRepositoryGlob } from '../core/repository-glob.js';
import type { EcsInUseSettings } from '../core/rules-model.js';
import { InUseSourceError } from '../engine/errors.js';
import type { InUseScan, InUseSourceReader } from '../engine/types.js';
import { arnTail, chunks, digestReference, InUseCaller, isUnsupportedOperation, stopOnFailure, type InUseReaderOptions } from './in-use-calls.js';

/** ECS batch limits (API reference): ARNs per DescribeTasks, DescribeServices, DescribeServiceRevisions. */
export const ECS_DESCRIBE_TASKS_MAX = 100;
export const ECS_DESCRIBE_SERVICES_MAX = 10;
export const ECS_DESCRIBE_SERVICE_REVISIONS_MAX = 20;
/** Largest page of the List calls. */
export const ECS_LIST_PAGE_MAX = 100;
/** Describes in flight at once: ECS throttles per account and Region, shared with every other caller. */
export const ECS_DEFAULT_CONCURRENCY = 5;

/** `arn:aws:ecs:r:a:task-definition/web:12` → `web:12`. */
function taskDefinitionName(arn: string): string {
  return arnTail(arn);
}

/** A task definition's family and revision from its ARN (or `family:revision`). */
function familyAndRevision(arn: string): { family: string; revision: number } | null {
  const name = taskDefinitionName(arn);
  const colon = name.lastIndexOf(':');
  if (colon <= 0) return null;
  const revision = Number(name.slice(colon + 1));
  return Number.isInteger(revision) ? { family: name.slice(0, colon), revision } : null;
}

function isClusterGone(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ClusterNotFoundException';
}

/** Reads the in-use images of ECS in the client's account and Region. */
export class EcsInUseReader implements InUseSourceReader {
  readonly source = 'ecs' as const;
  readonly label: string;
  private readonly matchesCluster: (name: string) => boolean;

  /**
   * @param client an ECSClient for the registry's account and Region (adaptive retries recommended).
   * @param settings which clusters, how many rollback revisions per family.
   * @throws RepositoryGlobError when a cluster glob is outside the supported syntax.
   */
  constructor(
    private readonly client: ECSClient,
    private readonly settings: EcsInUseSettings,
    private readonly options: InUseReaderOptions = {},
  ) {
    const globs = settings.clusters;
    if (globs === null) {
      this.matchesCluster = () => true;
      this.label = 'ECS (all clusters)';
    } else {
      const matchers = globs.map((g) => compileRepositoryGlob(g));
      this.matchesCluster = (name) => matchers.some((m) => m(name));
      this.label = `ECS (clusters ${globs.join(', ')})`;
    }
  }

  /**
   * Lists every cluster (those matching the globs), their RUNNING and STOPPED tasks, their services'
   * PRIMARY and ACTIVE deployments and current service revisions, and the newest ACTIVE revisions
   * of every task definition family, then describes each task definition once.
   *
   * @throws InUseSourceError naming the cluster, service or task definition whose read failed.
   */
  async scan(options: { now: number; signal?: AbortSignal }): Promise<InUseScan> {
    return stopOnFailure(options.signal, async (signal) => {
      const caller = new InUseCaller('ecs', signal, { ...this.options, defaultConcurrency: ECS_DEFAULT_CONCURRENCY });
      const scan = new EcsScan(this.client, this.settings, caller);
      const clusters = (await scan.listClusters()).filter((arn) => this.matchesCluster(arnTail(arn)));
      await Promise.all([...clusters.map((arn) => scan.readCluster(arn)), scan.readFamilies()]);
      await scan.describeTaskDefinitions();
      return { usages: scan.usages, calls: { ...caller.calls }, ...(scan.notes.length > 0 ? { notes: scan.notes } : {}) };
    });
  }
}

/** The state of one scan: usages found so far, task definitions to describe and who uses each. */
class EcsScan {
  readonly usages: InUseUsage[] = [];
  readonly notes: string[] = [];
  /** Task definition ARN → the consumers that use it (services, rollback targets). */
  private readonly taskDefinitions = new Map<string, Set<string>>();
  private revisionsUnsupported = false;
  private revisionFailures = 0;

  constructor(
    private readonly client: ECSClient,
    private readonly settings: EcsInUseSettings,
    private readonly caller: InUseCaller,
  ) {}

  async listClusters(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'ecs:ListClusters' }, (abortSignal) =>
        this.client.send(new ListClustersCommand({ maxResults: ECS_LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
      );
      arns.push(...(out.clusterArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return arns;
  }

  async readCluster(clusterArn: string): Promise<void> {
    const cluster = arnTail(clusterArn);
    try {
      await Promise.all([this.readTasks(clusterArn, cluster), this.readServices(clusterArn, cluster)]);
    } catch (error) {
      // Deleted since ListClusters: a cluster that no longer exists runs nothing.
      if (!isClusterGone(error)) throw error;
      this.notes.push(`ECS: cluster ${cluster} was deleted during the scan`);
    }
  }

  private async readTasks(clusterArn: string, cluster: string): Promise<void> {
    const location = `cluster ${cluster}`;
    const lists = await Promise.all(
      (['RUNNING', 'STOPPED'] as const).map(async (desiredStatus) => {
        const arns: string[] = [];
        let nextToken: string | undefined;
        do {
          const out = await this.caller.run({ operation: 'ecs:ListTasks', location, passThrough: isClusterGone }, (abortSignal) =>
            this.client.send(new ListTasksCommand({ cluster: clusterArn, desiredStatus, maxResults: ECS_LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
          );
          arns.push(...(out.taskArns ?? []));
          nextToken = out.nextToken;
        } while (nextToken);
        return arns;
      }),
    );
    // A task that stopped between the two lists is in both.
    const taskArns = [...new Set(lists.flat())];
    await Promise.all(
      chunks(taskArns, ECS_DESCRIBE_TASKS_MAX).map(async (tasks) => {
        const out = await this.caller.run({ operation: 'ecs:DescribeTasks', location, passThrough: isClusterGone }, (abortSignal) =>
          this.client.send(new DescribeTasksCommand({ cluster: clusterArn, tasks }), { abortSignal }),
        );
        this.checkFailures(out.failures, 'ecs:DescribeTasks', location);
        for (const task of out.tasks ?? []) {
          const detail = task.taskDefinitionArn ? ` (task definition ${taskDefinitionName(task.taskDefinitionArn)})` : '';
          const consumer = `ECS task ${cluster}/${arnTail(task.taskArn ?? '?')}${detail}`;
          for (const container of task.containers ?? []) this.addImage(consumer, container.image, container.imageDigest);
        }
      }),
    );
  }

  private async readServices(clusterArn: string, cluster: string): Promise<void> {
    const location = `cluster ${cluster}`;
    const serviceArns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'ecs:ListServices', location, passThrough: isClusterGone }, (abortSignal) =>
        this.client.send(new ListServicesCommand({ cluster: clusterArn, maxResults: ECS_LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
      );
      serviceArns.push(...(out.serviceArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    /** Service revision ARN → the service's consumer name (without the task definition). */
    const revisions = new Map<string, string>();
    await Promise.all(
      chunks(serviceArns, ECS_DESCRIBE_SERVICES_MAX).map(async (services) => {
        const out = await this.caller.run({ operation: 'ecs:DescribeServices', location, passThrough: isClusterGone }, (abortSignal) =>
          this.client.send(new DescribeServicesCommand({ cluster: clusterArn, services }), { abortSignal }),
        );
        this.checkFailures(out.failures, 'ecs:DescribeServices', location);
        for (const service of out.services ?? []) {
          const name = `ECS service ${cluster}/${service.serviceName ?? arnTail(service.serviceArn ?? '?')}`;
          for (const deployment of service.deployments ?? []) {
            // INACTIVE deployments are finished and replaced; PRIMARY and ACTIVE run tasks now.
            if (deployment.status !== 'PRIMARY' && deployment.status !== 'ACTIVE') continue;
            if (deployment.taskDefinition) this.useTaskDefinition(deployment.taskDefinition, `${name} (task definition ${taskDefinitionName(deployment.taskDefinition)})`);
          }
          // A service without deployments (EXTERNAL controller) names its task definition only.
          if ((service.deployments ?? []).length === 0 && service.taskDefinition) {
            this.useTaskDefinition(service.taskDefinition, `${name} (task definition ${taskDefinitionName(service.taskDefinition)})`);
          }
          for (const revision of service.currentServiceRevisions ?? []) if (revision.arn) revisions.set(revision.arn, name);
        }
      }),
    );
    await this.readServiceRevisions(revisions, location);
  }

  /**
   * The digests ECS resolved each service's images to when it deployed them: after a tag moves
   * on, only these (and the running tasks' digests) name what the service runs and scales to.
   */
  private async readServiceRevisions(revisions: Map<string, string>, location: string): Promise<void> {
    await Promise.all(
      chunks([...revisions.keys()], ECS_DESCRIBE_SERVICE_REVISIONS_MAX).map(async (serviceRevisionArns) => {
        if (this.revisionsUnsupported) return;
        let out;
        try {
          out = await this.caller.run({ operation: 'ecs:DescribeServiceRevisions', location, passThrough: isUnsupportedOperation }, (abortSignal) =>
            this.client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns }), { abortSignal }),
          );
        } catch (error) {
          if (!isUnsupportedOperation(error)) throw error;
          if (!this.revisionsUnsupported) {
            this.revisionsUnsupported = true;
            const code = (error as { name?: string }).name ?? 'unsupported';
            this.notes.push(`ECS: this endpoint does not support DescribeServiceRevisions (${code}); the digests services pinned at deployment are seen only through their tasks`);
          }
          return;
        }
        // Revisions created before 2024-10-25 cannot be described; their services' task
        // definitions and tasks are still read, so this is a note, not a failure.
        this.revisionFailures += (out.failures ?? []).length;
        for (const revision of out.serviceRevisions ?? []) {
          const service = revisions.get(revision.serviceRevisionArn ?? '');
          if (service === undefined) continue;
          const detail = revision.taskDefinition ? `task definition ${taskDefinitionName(revision.taskDefinition)}` : `service revision ${arnTail(revision.serviceRevisionArn ?? '?')}`;
          for (const image of revision.containerImages ?? []) this.addImage(`${service} (${detail})`, image.image, image.imageDigest);
        }
      }),
    );
  }

  /** The newest N ACTIVE revisions of every ACTIVE family: what a rollback, a schedule or a state machine can run. */
  async readFamilies(): Promise<void> {
    const keep = this.settings.taskDefinitionRevisions;
    if (keep <= 0) return;
    const families: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'ecs:ListTaskDefinitionFamilies' }, (abortSignal) =>
        this.client.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', maxResults: ECS_LIST_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
      );
      families.push(...(out.families ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    await Promise.all(families.map((family) => this.readFamily(family, keep)));
  }

  private async readFamily(family: string, keep: number): Promise<void> {
    const location = `task definition family ${family}`;
    const revisions: { arn: string; revision: number }[] = [];
    let descending = true;
    let nextToken: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'ecs:ListTaskDefinitions', location }, (abortSignal) =>
        this.client.send(
          new ListTaskDefinitionsCommand({
            familyPrefix: family,
            status: 'ACTIVE',
            sort: 'DESC',
            // One page of N answers the usual family; past it (a longer family sharing the prefix,
            // an endpoint ignoring sort) full pages keep the call count down.
            maxResults: nextToken ? ECS_LIST_PAGE_MAX : Math.min(keep, ECS_LIST_PAGE_MAX),
            ...(nextToken ? { nextToken } : {}),
          }),
          { abortSignal },
        ),
      );
      for (const arn of out.taskDefinitionArns ?? []) {
        const parsed = familyAndRevision(arn);
        // familyPrefix is a prefix: `web` lists `web-worker` too (before `web`, in DESC order).
        if (parsed?.family !== family) continue;
        const last = revisions[revisions.length - 1];
        if (last && parsed.revision > last.revision) descending = false;
        revisions.push({ arn, revision: parsed.revision });
      }
      nextToken = out.nextToken;
      // An endpoint that ignores sort (moto does) is read to the end, so "newest" is still true.
    } while (nextToken && (revisions.length < keep || !descending));
    revisions.sort((a, b) => b.revision - a.revision);
    for (const { arn } of revisions.slice(0, keep)) this.useTaskDefinition(arn, `ECS task definition ${taskDefinitionName(arn)} (rollback target)`);
  }

  private useTaskDefinition(arn: string, consumer: string): void {
    const consumers = this.taskDefinitions.get(arn);
    if (consumers) consumers.add(consumer);
    else this.taskDefinitions.set(arn, new Set([consumer]));
  }

  /** Describes every task definition named by a service or a family once, and credits its images to all their consumers. */
  async describeTaskDefinitions(): Promise<void> {
    await Promise.all(
      [...this.taskDefinitions].map(async ([arn, consumers]) => {
        const location = `task definition ${taskDefinitionName(arn)}`;
        const out = await this.caller.run({ operation: 'ecs:DescribeTaskDefinition', location }, (abortSignal) =>
          this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal }),
        );
        if (!out.taskDefinition) throw new InUseSourceError('ecs', 'EmptyAnswer', 'ecs:DescribeTaskDefinition answered without a task definition', { location });
        for (const consumer of [...consumers].sort()) for (const container of out.taskDefinition.containerDefinitions ?? []) this.addImage(consumer, container.image, undefined);
      }),
    );
    if (this.revisionFailures > 0) {
      this.notes.push(`ECS: ${this.revisionFailures} service revision(s) could not be described (created before 2024-10-25, or gone); their services' task definitions and tasks were read`);
    }
  }

  /** A DescribeTasks/DescribeServices failure other than MISSING (gone since it was listed) means the scan is incomplete. */
  private checkFailures(failures: Failure[] | undefined, operation: string, location: string): void {
    const real = (failures ?? []).filter((f) => f.reason !== 'MISSING');
    const first = real[0];
    if (!first) return;
    throw new InUseSourceError('ecs', first.reason ?? 'Failure', `${operation} could not describe ${real.length} resource(s), e.g. ${first.arn ?? '?'}: ${first.detail ?? first.reason ?? 'no detail'}`, { location });
  }

  private addImage(consumer: string, image: string | undefined, digest: string | undefined): void {
    if (image) this.usages.push({ consumer, source: 'ecs', reference: image });
    if (image && digest) {
      const reference = digestReference(image, digest);
      if (reference !== image) this.usages.push({ consumer, source: 'ecs', reference });
    }
  }
}
