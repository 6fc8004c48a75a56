/**
 * The ECS in-use reader on a scripted ECS double (test/adapters/fake-ecs.ts): the fields and
 * behaviours moto lacks (imageDigest, service revisions, DESC + maxResults, familyPrefix as a
 * prefix), the batch limits, and every fault failing the scan closed with where it happened.
 */
import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { EcsInUseReader } from '../../lib/adapters/in-use-ecs.js';
import type { InUseUsage } from '../../lib/core/in-use.js';
import { InUseSourceError } from '../../lib/engine/errors.js';
import { awsError, FakeEcs, HOST, type FakeCluster, type FakeTaskDefinition } from './fake-ecs.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const fast = { sleep: async (): Promise<void> => {}, random: () => 0 };
const settings = (over: Partial<{ clusters: string[] | null; taskDefinitionRevisions: number }> = {}) => ({ clusters: null, taskDefinitionRevisions: 5, ...over });

function byConsumer(usages: readonly InUseUsage[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of usages) {
    expect(u.source).toBe('ecs');
    (out[u.consumer] ??= []).push(u.reference);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

async function expectScanError(promise: Promise<unknown>): Promise<InUseSourceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InUseSourceError);
  return error as InUseSourceError;
}

describe('EcsInUseReader: what it finds', () => {
  it('names tasks (image and imageDigest), service deployments and revisions, and rollback targets', async () => {
    const clusters: FakeCluster[] = [
      {
        name: 'prod',
        tasks: [
          { id: 'aaa111', status: 'RUNNING', taskDefinition: 'web:7', containers: [{ image: `${HOST}/web:v7`, imageDigest: D1 }, { image: 'public.ecr.aws/nginx/nginx:1' }] },
          { id: 'bbb222', status: 'STOPPED', taskDefinition: 'web:6', containers: [{ image: `${HOST}/web@${D2}`, imageDigest: D2 }] },
        ],
        services: [
          {
            name: 'payments-api',
            deployments: [
              { taskDefinition: 'payments-api:42', status: 'PRIMARY' },
              { taskDefinition: 'payments-api:41', status: 'ACTIVE' },
              { taskDefinition: 'payments-api:40', status: 'INACTIVE' },
            ],
            revisions: [{ id: '9001', taskDefinition: 'payments-api:42', containerImages: [{ image: `${HOST}/payments:latest`, imageDigest: D3 }] }],
          },
        ],
      },
    ];
    const taskDefinitions: FakeTaskDefinition[] = [
      ...[40, 41, 42].map((revision) => ({ family: 'payments-api', revision, images: [`${HOST}/payments:r${revision}`] })),
      { family: 'web', revision: 7, images: [`${HOST}/web:v7`] },
    ];
    const ecs = new FakeEcs(clusters, taskDefinitions);
    const scan = await new EcsInUseReader(ecs.client, settings({ taskDefinitionRevisions: 1 }), fast).scan({ now: NOW });

    expect(byConsumer(scan.usages)).toEqual({
      'ECS task prod/aaa111 (task definition web:7)': [`${HOST}/web:v7`, `${HOST}/web@${D1}`, 'public.ecr.aws/nginx/nginx:1'].sort(),
      // A digest image and its imageDigest are one reference, not two.
      'ECS task prod/bbb222 (task definition web:6)': [`${HOST}/web@${D2}`],
      'ECS service prod/payments-api (task definition payments-api:42)': [`${HOST}/payments:latest`, `${HOST}/payments@${D3}`, `${HOST}/payments:r42`].sort(),
      'ECS service prod/payments-api (task definition payments-api:41)': [`${HOST}/payments:r41`],
      'ECS task definition payments-api:42 (rollback target)': [`${HOST}/payments:r42`],
      'ECS task definition web:7 (rollback target)': [`${HOST}/web:v7`],
    });
    expect(scan.notes).toBeUndefined();
    // payments-api:42 is used by the service and as a rollback target: described once.
    expect(ecs.inputs<{ taskDefinition: string }>(DescribeTaskDefinitionCommand).map((i) => i.taskDefinition.split('/').pop()).sort()).toEqual(['payments-api:41', 'payments-api:42', 'web:7']);
    expect(scan.calls).toEqual({
      'ecs:ListClusters': 1,
      'ecs:ListTasks': 2,
      'ecs:DescribeTasks': 1,
      'ecs:ListServices': 1,
      'ecs:DescribeServices': 1,
      'ecs:DescribeServiceRevisions': 1,
      'ecs:ListTaskDefinitionFamilies': 1,
      'ecs:ListTaskDefinitions': 2,
      'ecs:DescribeTaskDefinition': 3,
    });
  });

  it('takes the newest N ACTIVE revisions of exactly the family, though familyPrefix also lists longer families', async () => {
    const taskDefinitions: FakeTaskDefinition[] = [
      ...Array.from({ length: 8 }, (_, i) => ({ family: 'web', revision: i + 1, images: [`${HOST}/web:r${i + 1}`] })),
      // Sorted DESC, `web-worker` comes before `web`: a first page of 3 holds only web-worker.
      ...Array.from({ length: 12 }, (_, i) => ({ family: 'web-worker', revision: i + 1, images: [`${HOST}/worker:r${i + 1}`] })),
      { family: 'web', revision: 9, status: 'INACTIVE' as const, images: [`${HOST}/web:r9`] },
    ];
    const ecs = new FakeEcs([], taskDefinitions);
    const scan = await new EcsInUseReader(ecs.client, settings({ taskDefinitionRevisions: 3 }), fast).scan({ now: NOW });
    const consumers = Object.keys(byConsumer(scan.usages)).sort();
    expect(consumers).toEqual(
      ['web:8', 'web:7', 'web:6', 'web-worker:12', 'web-worker:11', 'web-worker:10'].map((n) => `ECS task definition ${n} (rollback target)`).sort(),
    );
    const lists = ecs.inputs<{ familyPrefix: string; sort: string; status: string; maxResults: number }>(ListTaskDefinitionsCommand);
    expect(lists.every((l) => l.sort === 'DESC' && l.status === 'ACTIVE')).toBe(true);
    // web-worker: one page of 3 suffices; web: a page of 3 (all web-worker), then a full page.
    expect(lists.filter((l) => l.familyPrefix === 'web-worker').map((l) => l.maxResults)).toEqual([3]);
    expect(lists.filter((l) => l.familyPrefix === 'web').map((l) => l.maxResults)).toEqual([3, 100]);
  });

  it('still takes the newest revisions from an endpoint that ignores sort and maxResults (moto)', async () => {
    const ecs = new FakeEcs([], Array.from({ length: 7 }, (_, i) => ({ family: 'api', revision: i + 1, images: [`${HOST}/api:r${i + 1}`] })));
    ecs.ignoreSort = true;
    const scan = await new EcsInUseReader(ecs.client, settings({ taskDefinitionRevisions: 2 }), fast).scan({ now: NOW });
    expect(Object.keys(byConsumer(scan.usages)).sort()).toEqual(['ECS task definition api:6 (rollback target)', 'ECS task definition api:7 (rollback target)']);
  });

  it('reads only the clusters its globs match', async () => {
    const ecs = new FakeEcs(
      ['prod-eu', 'prod-us', 'staging'].map((name) => ({ name, tasks: [{ id: `t-${name}`, status: 'RUNNING' as const, taskDefinition: 'x:1', containers: [{ image: `${HOST}/x:${name}` }] }] })),
      [],
    );
    const reader = new EcsInUseReader(ecs.client, settings({ clusters: ['prod-*'] }), fast);
    expect(reader.label).toBe('ECS (clusters prod-*)');
    const scan = await reader.scan({ now: NOW });
    expect(scan.usages.map((u) => u.reference).sort()).toEqual([`${HOST}/x:prod-eu`, `${HOST}/x:prod-us`]);
    expect(new Set(ecs.inputs<{ cluster: string }>(ListTasksCommand).map((i) => i.cluster.split('/').pop()))).toEqual(new Set(['prod-eu', 'prod-us']));
  });

  it('pages the lists and sends describes within the batch limits (100 tasks, 10 services, 20 revisions)', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({ id: `t${i}`, status: (i % 5 === 0 ? 'STOPPED' : 'RUNNING') as 'RUNNING' | 'STOPPED', taskDefinition: 'app:1', containers: [{ image: `${HOST}/app:v1`, imageDigest: D1 }] }));
    const services = Array.from({ length: 25 }, (_, i) => ({
      name: `svc${i}`,
      deployments: [{ taskDefinition: 'app:1', status: 'PRIMARY' as const }],
      revisions: [{ id: `r${i}a`, taskDefinition: 'app:1', containerImages: [{ image: `${HOST}/app:v1`, imageDigest: D1 }] }, { id: `r${i}b`, taskDefinition: 'app:1', containerImages: [] }],
    }));
    const ecs = new FakeEcs([{ name: 'big', tasks, services }], [{ family: 'app', revision: 1, images: [`${HOST}/app:v1`] }]);
    const scan = await new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW });

    const listTasks = ecs.inputs<{ desiredStatus: string; maxResults: number }>(ListTasksCommand);
    expect(listTasks.every((l) => l.maxResults === 100)).toBe(true);
    expect(listTasks.filter((l) => l.desiredStatus === 'RUNNING')).toHaveLength(2);
    expect(listTasks.filter((l) => l.desiredStatus === 'STOPPED')).toHaveLength(1);
    expect(ecs.inputs<{ tasks: string[] }>(DescribeTasksCommand).map((i) => i.tasks.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(ecs.inputs<{ maxResults: number }>(ListServicesCommand).map((i) => i.maxResults)).toEqual([100]);
    expect(ecs.inputs<{ services: string[] }>(DescribeServicesCommand).map((i) => i.services.length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(ecs.inputs<{ serviceRevisionArns: string[] }>(DescribeServiceRevisionsCommand).map((i) => i.serviceRevisionArns.length).sort((a, b) => b - a)).toEqual([20, 20, 10]);
    expect(scan.usages.filter((u) => /^ECS task prod|^ECS task big\//.test(u.consumer)).length).toBe(500);
    expect(ecs.inputs(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });

  it('notes, rather than fails, an endpoint without DescribeServiceRevisions, and revisions it cannot describe', async () => {
    const cluster = { name: 'prod', services: Array.from({ length: 25 }, (_, i) => ({ name: `s${i}`, deployments: [{ taskDefinition: 'a:1', status: 'PRIMARY' as const }], revisions: [{ id: `r${i}`, taskDefinition: 'a:1', containerImages: [] }] })) };
    for (const unsupported of [awsError('UnknownOperationException', 'Unknown operation'), awsError('InternalServerError', 'NotImplementedError: DescribeServiceRevisions is not yet implemented', 500)]) {
      const ecs = new FakeEcs([cluster], [{ family: 'a', revision: 1, images: [`${HOST}/a:1`] }]);
      ecs.revisionsUnsupported = unsupported;
      const scan = await new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW });
      expect(scan.notes).toEqual([expect.stringContaining('does not support DescribeServiceRevisions')]);
      // Not retried: an unknown operation will not become known.
      expect(scan.calls['ecs:DescribeServiceRevisions']).toBeLessThanOrEqual(2);
      expect(Object.keys(byConsumer(scan.usages))).toContain('ECS service prod/s3 (task definition a:1)');
    }
  });
});

describe('EcsInUseReader: fails closed', () => {
  const cluster = (name: string): FakeCluster => ({ name, tasks: [{ id: `t-${name}`, status: 'RUNNING', taskDefinition: 'x:1', containers: [{ image: `${HOST}/x:1` }] }] });

  it('AccessDenied on one cluster fails the scan, naming the cluster, without retrying', async () => {
    const ecs = new FakeEcs([cluster('dev'), cluster('prod')], []);
    ecs.hook = (op, input) => {
      if (op === 'ListTasks' && String(input.cluster).endsWith('/prod')) throw awsError('AccessDeniedException', 'User is not authorized to perform: ecs:ListTasks on cluster/prod');
    };
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW }));
    expect(error.source).toBe('ecs');
    expect(error.code).toBe('AccessDeniedException');
    expect(error.location).toBe('cluster prod');
    expect(error.message).toContain('cluster prod');
    expect(error.message).toContain('ecs:ListTasks');
    expect(ecs.inputs<{ cluster: string }>(ListTasksCommand).filter((i) => i.cluster.endsWith('/prod')).length).toBeLessThanOrEqual(2);
  });

  it('a throttle is retried, and the scan completes', async () => {
    const ecs = new FakeEcs([cluster('prod')], []);
    ecs.hook = (op, _input, n) => {
      if (op === 'DescribeTasks' && n <= 2) throw awsError('ThrottlingException', 'Rate exceeded');
    };
    const waits: number[] = [];
    const scan = await new EcsInUseReader(ecs.client, settings(), { sleep: async (ms) => void waits.push(ms), random: () => 0.5 }).scan({ now: NOW });
    expect(scan.usages.map((u) => u.reference)).toEqual([`${HOST}/x:1`]);
    expect(scan.calls['ecs:DescribeTasks']).toBe(3);
    // Full jitter on an exponential ceiling: half of 250 ms, then half of 500 ms.
    expect(waits).toEqual([125, 250]);
  });

  it('throttled past its retries: InUseSourceError with the code, the operation and the attempts', async () => {
    const ecs = new FakeEcs([cluster('prod')], []);
    ecs.hook = (op) => {
      if (op === 'DescribeTasks') throw awsError('ThrottlingException', 'Rate exceeded');
    };
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), { ...fast, retry: { maxAttempts: 3 } }).scan({ now: NOW }));
    expect(error.code).toBe('ThrottlingException');
    expect(error.location).toBe('cluster prod');
    expect(error.message).toContain('ecs:DescribeTasks failed (after 3 attempts)');
    expect(ecs.inputs(DescribeTasksCommand)).toHaveLength(3);
  });

  it.each([
    ['a 5xx', awsError('ServerException', 'internal', 500)],
    ['a timeout', Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
  ])('%s that persists fails the scan', async (_name, fault) => {
    const ecs = new FakeEcs([cluster('prod')], [{ family: 'x', revision: 1, images: [`${HOST}/x:1`] }]);
    ecs.hook = (op) => {
      if (op === 'DescribeTaskDefinition') throw fault;
    };
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW }));
    expect(error.code).toBe(fault.name);
    expect(error.location).toBe('task definition x:1');
    expect(ecs.inputs(DescribeTaskDefinitionCommand)).toHaveLength(4);
  });

  it('AccessDenied on DescribeServiceRevisions is a failure, not "unsupported"', async () => {
    const ecs = new FakeEcs([{ name: 'prod', services: [{ name: 's', deployments: [{ taskDefinition: 'a:1', status: 'PRIMARY' }], revisions: [{ id: 'r1', taskDefinition: 'a:1', containerImages: [] }] }] }], [{ family: 'a', revision: 1, images: [] }]);
    ecs.revisionsUnsupported = awsError('AccessDeniedException', 'not authorized to perform ecs:DescribeServiceRevisions');
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW }));
    expect(error.code).toBe('AccessDeniedException');
    expect(error.location).toBe('cluster prod');
  });

  it('a cluster deleted after ListClusters is a note; the other clusters are still read', async () => {
    const ecs = new FakeEcs([cluster('old'), cluster('prod')], []);
    ecs.hook = (op, input) => {
      if (op === 'ListServices' && String(input.cluster).endsWith('/old')) throw awsError('ClusterNotFoundException', 'Cluster not found.');
    };
    const scan = await new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW });
    expect(scan.notes).toEqual(['ECS: cluster old was deleted during the scan']);
    expect(Object.keys(byConsumer(scan.usages))).toContain('ECS task prod/t-prod (task definition x:1)');
    // Not retried: a deleted cluster does not come back.
    expect(ecs.inputs<{ cluster: string }>(ListServicesCommand).filter((i) => i.cluster.endsWith('/old'))).toHaveLength(1);
  });

  it('a DescribeTasks failure other than MISSING fails the scan; MISSING (gone since listed) does not', async () => {
    const ecs = new FakeEcs([cluster('prod')], []);
    ecs.mock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: 'arn:t', reason: 'MISSING' }] });
    await expect(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW })).resolves.toMatchObject({ usages: [] });
    ecs.mock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: 'arn:t', reason: 'ACCESS_DENIED', detail: 'no' }] });
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW }));
    expect(error.code).toBe('ACCESS_DENIED');
  });

  it('stops when its signal fires: no call after, and the scan fails (never a partial result)', async () => {
    const clusters = Array.from({ length: 6 }, (_, i) => cluster(`c${i}`));
    const ecs = new FakeEcs(clusters, []);
    const controller = new AbortController();
    let callsAfterAbort = 0;
    ecs.hook = (op) => {
      if (controller.signal.aborted) callsAfterAbort++;
      if (op === 'ListTasks') controller.abort('interrupted (SIGINT)');
    };
    const error = await expectScanError(new EcsInUseReader(ecs.client, settings(), { ...fast, concurrency: 1 }).scan({ now: NOW, signal: controller.signal }));
    expect(error.code).toBe('Aborted');
    expect(error.message).toContain('interrupted (SIGINT)');
    expect(callsAfterAbort).toBe(0);

    const before = new AbortController();
    before.abort('deadline');
    const early = await expectScanError(new EcsInUseReader(ecs.client, settings(), fast).scan({ now: NOW, signal: before.signal }));
    expect(early.code).toBe('Aborted');
  });
});
