/**
 * A small stateful ECS double on aws-sdk-client-mock: what moto cannot give (containers'
 * imageDigest, service revisions, ListTaskDefinitions' sort and maxResults, familyPrefix as a
 * prefix) and the precise failures (throttles, access denied) a test scripts per call.
 * It enforces the real batch limits, so a reader sending too many ARNs fails here as it would on AWS.
 */
import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}`;

export interface FakeTask {
  id: string;
  status: 'RUNNING' | 'STOPPED';
  taskDefinition: string;
  containers: { image: string; imageDigest?: string }[];
}
export interface FakeService {
  name: string;
  deployments: { taskDefinition: string; status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE' }[];
  /** Current service revisions: the images with the digests ECS pinned. */
  revisions?: { id: string; taskDefinition: string; containerImages: { image: string; imageDigest: string }[] }[];
}
export interface FakeCluster {
  name: string;
  tasks?: FakeTask[];
  services?: FakeService[];
}
export interface FakeTaskDefinition {
  family: string;
  revision: number;
  status?: 'ACTIVE' | 'INACTIVE';
  images: string[];
}

/** An error shaped like the SDK's. */
export function awsError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode, attempts: 1 }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
}

export const tdArn = (family: string, revision: number): string => `${ARN}:task-definition/${family}:${revision}`;

/** Hook run before each call; throw to fail it. `n` counts calls of that operation from 1. */
export type Hook = (operation: string, input: Record<string, unknown>, n: number) => void;

export class FakeEcs {
  readonly client = new ECSClient({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  readonly mock = mockClient(this.client);
  /** Answer ListTaskDefinitions in ascending order and all at once (as moto does). */
  ignoreSort = false;
  revisionsUnsupported: Error | null = null;
  hook: Hook = () => {};
  private readonly counts = new Map<string, number>();

  constructor(
    readonly clusters: FakeCluster[],
    readonly taskDefinitions: FakeTaskDefinition[],
  ) {
    const page = <T>(items: T[], input: { maxResults?: number; nextToken?: string }, defaultSize: number): { items: T[]; nextToken?: string } => {
      const size = input.maxResults ?? defaultSize;
      if (size < 1 || size > 100) throw awsError('InvalidParameterException', `maxResults ${size}`);
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const end = start + size;
      return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
    };
    const cluster = (ref: unknown): FakeCluster => {
      const name = String(ref).split('/').pop();
      const found = this.clusters.find((c) => c.name === name);
      if (!found) throw awsError('ClusterNotFoundException', `cluster ${String(ref)}`);
      return found;
    };
    // Typed loosely: aws-sdk-client-mock's `on` wants the client's union of inputs.
    const mockOn = this.mock.on.bind(this.mock) as unknown as (command: unknown) => { callsFake(fn: (input: never) => Promise<unknown>): unknown };
    const on = <I extends object>(op: string, command: unknown, answer: (input: I) => unknown): void => {
      mockOn(command).callsFake(async (input: I) => {
        const n = (this.counts.get(op) ?? 0) + 1;
        this.counts.set(op, n);
        this.hook(op, input as Record<string, unknown>, n);
        return answer(input);
      });
    };
    on<{ maxResults?: number; nextToken?: string }>('ListClusters', ListClustersCommand, (input) => {
      const p = page(this.clusters.map((c) => `${ARN}:cluster/${c.name}`), input, 100);
      return { clusterArns: p.items, nextToken: p.nextToken };
    });
    on<{ cluster: string; desiredStatus: string; maxResults?: number; nextToken?: string }>('ListTasks', ListTasksCommand, (input) => {
      const c = cluster(input.cluster);
      const tasks = (c.tasks ?? []).filter((t) => t.status === input.desiredStatus).map((t) => `${ARN}:task/${c.name}/${t.id}`);
      const p = page(tasks, input, 100);
      return { taskArns: p.items, nextToken: p.nextToken };
    });
    on<{ cluster: string; tasks: string[] }>('DescribeTasks', DescribeTasksCommand, (input) => {
      if (input.tasks.length > 100) throw awsError('InvalidParameterException', 'too many tasks');
      const c = cluster(input.cluster);
      const tasks = [];
      const failures = [];
      for (const arn of input.tasks) {
        const t = (c.tasks ?? []).find((x) => arn.endsWith(`/${x.id}`));
        if (!t) failures.push({ arn, reason: 'MISSING' });
        else tasks.push({ taskArn: arn, taskDefinitionArn: tdArn(...splitTd(t.taskDefinition)), lastStatus: t.status, containers: t.containers.map((x, i) => ({ name: `c${i}`, ...x })) });
      }
      return { tasks, failures };
    });
    on<{ cluster: string; maxResults?: number; nextToken?: string }>('ListServices', ListServicesCommand, (input) => {
      const c = cluster(input.cluster);
      const p = page((c.services ?? []).map((s) => `${ARN}:service/${c.name}/${s.name}`), input, 10);
      return { serviceArns: p.items, nextToken: p.nextToken };
    });
    on<{ cluster: string; services: string[] }>('DescribeServices', DescribeServicesCommand, (input) => {
      if (input.services.length > 10) throw awsError('InvalidParameterException', 'too many services');
      const c = cluster(input.cluster);
      return {
        services: input.services.map((arn) => {
          const s = (c.services ?? []).find((x) => arn.endsWith(`/${x.name}`))!;
          return {
            serviceName: s.name,
            serviceArn: arn,
            deployments: s.deployments.map((d) => ({ status: d.status, taskDefinition: tdArn(...splitTd(d.taskDefinition)) })),
            currentServiceRevisions: (s.revisions ?? []).map((r) => ({ arn: `${ARN}:service-revision/${c.name}/${s.name}/${r.id}` })),
          };
        }),
        failures: [],
      };
    });
    on<{ serviceRevisionArns: string[] }>('DescribeServiceRevisions', DescribeServiceRevisionsCommand, (input) => {
      if (this.revisionsUnsupported) throw this.revisionsUnsupported;
      if (input.serviceRevisionArns.length > 20) throw awsError('InvalidParameterException', 'too many revisions');
      const serviceRevisions = [];
      for (const arn of input.serviceRevisionArns) {
        for (const c of this.clusters)
          for (const s of c.services ?? [])
            for (const r of s.revisions ?? [])
              if (arn === `${ARN}:service-revision/${c.name}/${s.name}/${r.id}`) serviceRevisions.push({ serviceRevisionArn: arn, taskDefinition: tdArn(...splitTd(r.taskDefinition)), containerImages: r.containerImages });
      }
      return { serviceRevisions, failures: [] };
    });
    on<{ status?: string; maxResults?: number; nextToken?: string }>('ListTaskDefinitionFamilies', ListTaskDefinitionFamiliesCommand, (input) => {
      const families = [...new Set(this.taskDefinitions.filter((t) => (t.status ?? 'ACTIVE') === 'ACTIVE').map((t) => t.family))].sort();
      const p = page(families, input, 100);
      return { families: p.items, nextToken: p.nextToken };
    });
    on<{ familyPrefix?: string; status?: string; sort?: string; maxResults?: number; nextToken?: string }>('ListTaskDefinitions', ListTaskDefinitionsCommand, (input) => {
      let list = this.taskDefinitions
        .filter((t) => (t.status ?? 'ACTIVE') === (input.status ?? 'ACTIVE') && t.family.startsWith(input.familyPrefix ?? ''))
        .sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.revision - b.revision));
      if (this.ignoreSort) return { taskDefinitionArns: list.map((t) => tdArn(t.family, t.revision)) };
      if (input.sort === 'DESC') list = list.reverse();
      const p = page(list.map((t) => tdArn(t.family, t.revision)), input, 100);
      return { taskDefinitionArns: p.items, nextToken: p.nextToken };
    });
    on<{ taskDefinition: string }>('DescribeTaskDefinition', DescribeTaskDefinitionCommand, (input) => {
      const [family, revision] = splitTd(input.taskDefinition);
      const t = this.taskDefinitions.find((x) => x.family === family && x.revision === revision);
      if (!t) throw awsError('ClientException', `Unable to describe task definition ${input.taskDefinition}`);
      return { taskDefinition: { family, revision, containerDefinitions: t.images.map((image, i) => ({ name: `c${i}`, image })) } };
    });
  }

  /** The inputs sent for one command. */
  inputs<I>(command: unknown): I[] {
    const calls = (this.mock.commandCalls as unknown as (c: unknown) => { args: [{ input: unknown }] }[])(command);
    return calls.map((c) => c.args[0].input as I);
  }
}

function splitTd(ref: string): [string, number] {
  const name = ref.split('/').pop()!;
  const colon = name.lastIndexOf(':');
  return [name.slice(0, colon), Number(name.slice(colon + 1))];
}
