/**
 * The ECS read operations the in-use scan makes (JSON 1.1, `AmazonEC2ContainerServiceV20141113.*`),
 * with ECS's page sizes, batch limits and errors.
 */
import type { EcsCluster, EcsContainerImage, EcsService, EcsTask, EcsTaskDefinition } from '../consumers/model.js';
import { EcrApiError } from '../errors.js';
import { toEpochSeconds } from '../time.js';
import type { Shape } from '../validate.js';
import { byText, pageOf, validateAs, type ConsumerCallContext, type ConsumerHandler } from './consumer-support.js';

type Input = Record<string, unknown>;

const INVALID = 'InvalidParameterException';
const maxResults: Shape = { type: 'integer', min: 1, max: 100 };
const str: Shape = { type: 'string' };

function invalidToken(): EcrApiError {
  return new EcrApiError(INVALID, 'Invalid nextToken: it was not returned by this call.');
}

/** ECS's own answer for a cluster that does not exist. */
function clusterNotFound(): EcrApiError {
  return new EcrApiError('ClusterNotFoundException', 'Cluster not found.');
}

/** The cluster a request names (name or ARN; ECS's `default` when none). */
function clusterOf(input: Input, ctx: ConsumerCallContext): EcsCluster {
  const given = typeof input.cluster === 'string' && input.cluster !== '' ? input.cluster : 'default';
  const name = given.startsWith('arn:') ? given.slice(given.lastIndexOf('/') + 1) : given;
  if (given.startsWith('arn:') && given !== ctx.consumers.arn('ecs', `cluster/${name}`)) throw clusterNotFound();
  const cluster = ctx.consumers.ecs.clusters.get(name);
  if (!cluster) throw clusterNotFound();
  return cluster;
}

const listClusters: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { maxResults, nextToken: str });
  const all = [...ctx.consumers.ecs.clusters.values()].map((c) => c.arn).sort(byText);
  const { page, nextToken } = pageOf(all, (a) => a, input.nextToken, (input.maxResults as number | undefined) ?? 100, 'ecs:ListClusters', invalidToken);
  return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
};

const listTasks: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, {
    cluster: str,
    maxResults,
    nextToken: str,
    family: str,
    serviceName: str,
    desiredStatus: { type: 'string', enum: ['RUNNING', 'PENDING', 'STOPPED'] },
    launchType: { type: 'string', enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] },
  });
  if (input.family !== undefined && input.serviceName !== undefined) throw new EcrApiError(INVALID, 'family and serviceName cannot be specified together.');
  const cluster = clusterOf(input, ctx);
  const desired = (input.desiredStatus as string | undefined) ?? 'RUNNING';
  const tasks = [...cluster.tasks.values()]
    .filter((t) => t.desiredStatus === desired)
    .filter((t) => input.family === undefined || t.family === input.family)
    .filter((t) => input.serviceName === undefined || t.group === `service:${String(input.serviceName)}`)
    .map((t) => t.arn)
    .sort(byText);
  const scope = `ecs:ListTasks:${cluster.name}:${desired}:${String(input.family ?? '')}:${String(input.serviceName ?? '')}`;
  const { page, nextToken } = pageOf(tasks, (a) => a, input.nextToken, (input.maxResults as number | undefined) ?? 100, scope, invalidToken);
  return { taskArns: page, ...(nextToken ? { nextToken } : {}) };
};

const describeTasks: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { cluster: str, tasks: { type: 'list', required: true, member: str }, include: { type: 'list', member: str } });
  const wanted = input.tasks as string[];
  if (wanted.length === 0) throw new EcrApiError(INVALID, 'Tasks cannot be empty.');
  if (wanted.length > 100) throw new EcrApiError(INVALID, `Too many tasks were provided (${wanted.length}). The maximum is 100.`);
  const cluster = clusterOf(input, ctx);
  const tasks: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of new Set(wanted)) {
    const id = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    const task = cluster.tasks.get(id);
    if (task && (!ref.startsWith('arn:') || ref === task.arn)) tasks.push(taskShape(task, cluster));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : ctx.consumers.arn('ecs', `task/${cluster.name}/${ref}`), reason: 'MISSING' });
  }
  return { tasks, failures };
};

function taskShape(task: EcsTask, cluster: EcsCluster): Record<string, unknown> {
  return {
    taskArn: task.arn,
    clusterArn: cluster.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    ...(task.group === undefined ? {} : { group: task.group, startedBy: `ecs-svc/${task.group.slice('service:'.length)}` }),
    launchType: 'FARGATE',
    createdAt: toEpochSeconds(task.createdAt),
    version: 1,
    containers: task.containers.map((c) => containerShape(c, task)),
  };
}

function containerShape(c: EcsContainerImage, task: EcsTask): Record<string, unknown> {
  const shape: Record<string, unknown> = {
    containerArn: `${task.arn.replace(':task/', ':container/')}/${c.name}`,
    taskArn: task.arn,
    name: c.name,
    image: c.image,
    lastStatus: task.lastStatus,
  };
  if (c.imageDigest !== undefined) shape.imageDigest = c.imageDigest;
  return shape;
}

const listServices: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, {
    cluster: str,
    maxResults,
    nextToken: str,
    launchType: { type: 'string', enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] },
    schedulingStrategy: { type: 'string', enum: ['REPLICA', 'DAEMON'] },
  });
  const cluster = clusterOf(input, ctx);
  const services = [...cluster.services.values()].filter((s) => s.status !== 'INACTIVE').map((s) => s.arn).sort(byText);
  // ECS's default page here is 10, the most DescribeServices takes at once.
  const { page, nextToken } = pageOf(services, (a) => a, input.nextToken, (input.maxResults as number | undefined) ?? 10, `ecs:ListServices:${cluster.name}`, invalidToken);
  return { serviceArns: page, ...(nextToken ? { nextToken } : {}) };
};

const describeServices: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { cluster: str, services: { type: 'list', required: true, member: str }, include: { type: 'list', member: str } });
  const wanted = input.services as string[];
  if (wanted.length === 0) throw new EcrApiError(INVALID, 'Services cannot be empty.');
  if (wanted.length > 10) throw new EcrApiError(INVALID, `Too many services were provided (${wanted.length}). The maximum is 10.`);
  const cluster = clusterOf(input, ctx);
  const services: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of new Set(wanted)) {
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    const service = cluster.services.get(name);
    if (service && (!ref.startsWith('arn:') || ref === service.arn)) services.push(serviceShape(service, cluster, ctx));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : ctx.consumers.arn('ecs', `service/${cluster.name}/${ref}`), reason: 'MISSING' });
  }
  return { services, failures };
};

function serviceShape(service: EcsService, cluster: EcsCluster, ctx: ConsumerCallContext): Record<string, unknown> {
  const running = [...cluster.tasks.values()].filter((t) => t.group === `service:${service.name}` && t.lastStatus === 'RUNNING');
  const runningOf = (taskDefinitionArn: string): number => running.filter((t) => t.taskDefinitionArn === taskDefinitionArn).length;
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: cluster.arn,
    status: service.status,
    desiredCount: running.length,
    runningCount: running.length,
    pendingCount: 0,
    launchType: 'FARGATE',
    taskDefinition: primary?.taskDefinitionArn,
    deployments: service.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinitionArn,
      desiredCount: runningOf(d.taskDefinitionArn),
      runningCount: runningOf(d.taskDefinitionArn),
      pendingCount: 0,
      createdAt: toEpochSeconds(d.createdAt),
      updatedAt: toEpochSeconds(d.createdAt),
      rolloutState: d.status === 'PRIMARY' && service.deployments.length === 1 ? 'COMPLETED' : 'IN_PROGRESS',
    })),
    currentServiceRevisions: service.currentRevisionArns.map((arn) => {
      const count = runningOf(ctx.consumers.ecs.revisions.get(arn)?.taskDefinitionArn ?? '');
      return { arn, requestedTaskCount: count, runningTaskCount: count, pendingTaskCount: 0 };
    }),
    createdAt: toEpochSeconds(service.createdAt),
    schedulingStrategy: 'REPLICA',
  };
}

const describeServiceRevisions: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { serviceRevisionArns: { type: 'list', required: true, member: str } });
  const wanted = input.serviceRevisionArns as string[];
  if (wanted.length === 0) throw new EcrApiError(INVALID, 'serviceRevisionArns cannot be empty.');
  if (wanted.length > 20) throw new EcrApiError(INVALID, `Too many service revisions were provided (${wanted.length}). The maximum is 20.`);
  const serviceRevisions: unknown[] = [];
  const failures: unknown[] = [];
  for (const arn of new Set(wanted)) {
    const rev = ctx.consumers.ecs.revisions.get(arn);
    if (!rev) {
      failures.push({ arn, reason: 'MISSING' });
      continue;
    }
    serviceRevisions.push({
      serviceRevisionArn: rev.arn,
      serviceArn: rev.serviceArn,
      clusterArn: rev.clusterArn,
      taskDefinition: rev.taskDefinitionArn,
      launchType: 'FARGATE',
      containerImages: rev.containerImages.map((c) => ({ containerName: c.name, image: c.image, ...(c.imageDigest === undefined ? {} : { imageDigest: c.imageDigest }) })),
      createdAt: toEpochSeconds(rev.createdAt),
    });
  }
  return { serviceRevisions, failures };
};

const listTaskDefinitionFamilies: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { familyPrefix: str, status: { type: 'string', enum: ['ACTIVE', 'INACTIVE', 'ALL'] }, maxResults, nextToken: str });
  const status = (input.status as string | undefined) ?? 'ALL';
  const prefix = (input.familyPrefix as string | undefined) ?? '';
  const active = new Set<string>();
  const all = new Set<string>();
  for (const td of ctx.consumers.ecs.taskDefinitions.values()) {
    all.add(td.family);
    if (td.status === 'ACTIVE') active.add(td.family);
  }
  const families = [...all]
    .filter((f) => f.startsWith(prefix))
    .filter((f) => status === 'ALL' || (status === 'ACTIVE') === active.has(f))
    .sort(byText);
  const scope = `ecs:ListTaskDefinitionFamilies:${status}:${prefix}`;
  const { page, nextToken } = pageOf(families, (f) => f, input.nextToken, (input.maxResults as number | undefined) ?? 100, scope, invalidToken);
  return { families: page, ...(nextToken ? { nextToken } : {}) };
};

const listTaskDefinitions: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, {
    familyPrefix: str,
    status: { type: 'string', enum: ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] },
    sort: { type: 'string', enum: ['ASC', 'DESC'] },
    maxResults,
    nextToken: str,
  });
  const status = (input.status as string | undefined) ?? 'ACTIVE';
  const sort = (input.sort as string | undefined) ?? 'ASC';
  // familyPrefix is, despite its name, the whole family name.
  const family = input.familyPrefix as string | undefined;
  const defs = [...ctx.consumers.ecs.taskDefinitions.values()]
    .filter((td) => td.status === status && (family === undefined || td.family === family))
    .sort((a, b) => byText(a.family, b.family) || a.revision - b.revision);
  if (sort === 'DESC') defs.reverse();
  const scope = `ecs:ListTaskDefinitions:${status}:${sort}:${family ?? ''}`;
  const { page, nextToken } = pageOf(defs, (td) => td.arn, input.nextToken, (input.maxResults as number | undefined) ?? 100, scope, invalidToken);
  return { taskDefinitionArns: page.map((td) => td.arn), ...(nextToken ? { nextToken } : {}) };
};

const describeTaskDefinition: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { taskDefinition: { type: 'string', required: true }, include: { type: 'list', member: str } });
  const td = findTaskDefinition(input.taskDefinition as string, ctx);
  if (!td) throw new EcrApiError('ClientException', 'Unable to describe task definition.');
  return {
    taskDefinition: {
      taskDefinitionArn: td.arn,
      family: td.family,
      revision: td.revision,
      status: td.status,
      containerDefinitions: td.containerDefinitions.map((c) => ({ name: c.name, image: c.image, essential: true })),
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      networkMode: 'awsvpc',
      registeredAt: toEpochSeconds(td.registeredAt),
    },
    tags: [],
  };
};

/** `family` (its newest ACTIVE revision), `family:revision`, or an ARN. */
function findTaskDefinition(ref: string, ctx: ConsumerCallContext): EcsTaskDefinition | undefined {
  const defs = ctx.consumers.ecs.taskDefinitions;
  if (ref.startsWith('arn:')) {
    const key = ref.slice(ref.indexOf('task-definition/') + 'task-definition/'.length);
    const td = defs.get(key);
    return td && td.arn === ref ? td : undefined;
  }
  if (ref.includes(':')) return defs.get(ref);
  let newest: EcsTaskDefinition | undefined;
  for (const td of defs.values()) if (td.family === ref && td.status === 'ACTIVE' && (!newest || td.revision > newest.revision)) newest = td;
  return newest;
}

/** Every ECS operation the emulator serves. */
export const ECS_OPERATIONS: Readonly<Record<string, ConsumerHandler>> = {
  ListClusters: listClusters,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  ListServices: listServices,
  DescribeServices: describeServices,
  DescribeServiceRevisions: describeServiceRevisions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  ListTaskDefinitions: listTaskDefinitions,
  DescribeTaskDefinition: describeTaskDefinition,
};
