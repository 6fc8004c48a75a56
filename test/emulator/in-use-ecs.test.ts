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
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/index.js';
import { consumerEmulatorPerTest, failure, uri, type ConsumerClients } from './in-use-support.js';

const harness = consumerEmulatorPerTest();

async function start(state: StateFile): Promise<ConsumerClients> {
  return harness.start({ now: '2026-06-01T00:00:00Z', state });
}

const REPOS: StateFile['repositories'] = [{ name: 'team/web', images: [{ tags: ['v1'] }, { tags: ['v2', 'latest'] }, { tags: ['v3'] }] }];

describe('ECS in the emulator: tasks', () => {
  const many = (n: number, lastStatus: 'RUNNING' | 'STOPPED' = 'RUNNING') => Array.from({ length: n }, () => ({ taskDefinition: 'web:1', lastStatus }));

  it('pages ListTasks by 100 (or maxResults) and keeps RUNNING and STOPPED apart', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: { taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web:v2' }] }], clusters: [{ name: 'prod', tasks: [...many(230), ...many(7, 'STOPPED')] }] },
    });
    const sizes: number[] = [];
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: 'prod', nextToken }));
      sizes.push(page.taskArns?.length ?? 0);
      for (const arn of page.taskArns ?? []) seen.add(arn);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(sizes).toEqual([100, 100, 30]);
    expect(seen.size).toBe(230);
    const small = await ecs.send(new ListTasksCommand({ cluster: 'prod', maxResults: 7 }));
    expect(small.taskArns).toHaveLength(7);
    expect(small.nextToken).toBeDefined();
    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'prod', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toHaveLength(7);
    expect(stopped.taskArns?.some((a) => seen.has(a))).toBe(false);
    expect(await failure(ecs.send(new ListTasksCommand({ cluster: 'prod', maxResults: 101 })))).toMatchObject({ name: 'InvalidParameterException' });
    expect(await failure(ecs.send(new ListTasksCommand({ cluster: 'prod', nextToken: 'bogus' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('DescribeTasks reports the image as written and the digest its tag named when the task started; at most 100 at once', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: {
        taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web:v2' }, { name: 'sidecar', image: 'docker.io/library/nginx:1.27' }] }],
        clusters: [{ name: 'prod', tasks: [{ id: 't1', taskDefinition: 'web:1' }, { id: 't2', taskDefinition: 'web:1', containers: [{ name: 'app', image: 'team/web:v1', imageDigest: `sha256:${'a'.repeat(64)}` }] }, ...many(150)] }],
      },
    });
    const v2 = harness.emulator?.findImage('team/web', { tag: 'v2' })?.imageDigest;
    harness.emulator?.tagImage('team/web', harness.emulator.findImage('team/web', { tag: 'v3' })?.imageDigest as string, 'v2'); // the tag moves on; the task keeps its digest
    const answer = await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['t1', 'arn:aws:ecs:us-east-1:123456789012:task/prod/t2', 'missing'] }));
    const t1 = answer.tasks?.find((t) => t.taskArn?.endsWith('/t1'));
    expect(t1?.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');
    expect(t1?.containers?.map((c) => [c.name, c.image, c.imageDigest])).toEqual([
      ['app', uri('team/web:v2'), v2],
      ['sidecar', 'docker.io/library/nginx:1.27', undefined],
    ]);
    expect(answer.tasks?.find((t) => t.taskArn?.endsWith('/t2'))?.containers?.[0]).toMatchObject({ image: uri('team/web:v1'), imageDigest: `sha256:${'a'.repeat(64)}` });
    expect(answer.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/missing', reason: 'MISSING' }]);

    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns ?? [];
    const listed = [...arns, ...((await ecs.send(new ListTasksCommand({ cluster: 'prod', nextToken: (await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).nextToken }))).taskArns ?? [])];
    expect(listed.length).toBe(152);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: listed.slice(0, 100) }))).tasks).toHaveLength(100);
    expect(await failure(ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: listed.slice(0, 101) })))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/maximum is 100/) });
  });

  it('answers ClusterNotFoundException for a cluster that does not exist (and for the implied default one)', async () => {
    const { ecs } = await start({ repositories: [], ecs: { clusters: [{ name: 'prod' }] } });
    for (const call of [
      ecs.send(new ListTasksCommand({ cluster: 'staging' })),
      ecs.send(new ListServicesCommand({})),
      ecs.send(new DescribeTasksCommand({ cluster: 'arn:aws:ecs:us-east-1:999999999999:cluster/prod', tasks: ['x'] })),
      ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] })),
    ]) {
      expect(await failure(call)).toMatchObject({ name: 'ClusterNotFoundException', status: 400 });
    }
  });
});

describe('ECS in the emulator: services and their revisions', () => {
  const services = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `svc-${String(i).padStart(2, '0')}`, taskDefinition: 'web:1' }));

  it('pages ListServices by 10 by default (DescribeServices takes 10), up to maxResults 100', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: { taskDefinitions: [{ family: 'web', containerDefinitions: [{ image: 'team/web:v1' }] }], clusters: [{ name: 'prod', services: services(25) }] },
    });
    const sizes: number[] = [];
    let nextToken: string | undefined;
    const arns: string[] = [];
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: 'prod', nextToken }));
      sizes.push(page.serviceArns?.length ?? 0);
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(arns).size).toBe(25);
    expect((await ecs.send(new ListServicesCommand({ cluster: 'prod', maxResults: 100 }))).serviceArns).toHaveLength(25);
    expect((await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: arns.slice(0, 10) }))).services).toHaveLength(10);
    expect(await failure(ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: arns.slice(0, 11) })))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/maximum is 10/) });
  });

  it('DescribeServices lists PRIMARY and ACTIVE deployments; DescribeServiceRevisions gives the digests each revision pinned', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: {
        taskDefinitions: [
          { family: 'payments-api', containerDefinitions: [{ name: 'app', image: 'team/web:v1' }] },
          { family: 'payments-api', containerDefinitions: [{ name: 'app', image: 'team/web:v2' }] },
        ],
        clusters: [{ name: 'prod', services: [{ name: 'payments-api', deployments: [{ taskDefinition: 'payments-api:2' }, { taskDefinition: 'payments-api:1', status: 'ACTIVE' }] }] }],
      },
    });
    const v1 = harness.emulator?.findImage('team/web', { tag: 'v1' })?.imageDigest;
    const v2 = harness.emulator?.findImage('team/web', { tag: 'v2' })?.imageDigest;
    const { services: [service] = [], failures } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['payments-api', 'gone'] }));
    expect(failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/gone', reason: 'MISSING' }]);
    expect(service?.deployments?.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', 'arn:aws:ecs:us-east-1:123456789012:task-definition/payments-api:2'],
      ['ACTIVE', 'arn:aws:ecs:us-east-1:123456789012:task-definition/payments-api:1'],
    ]);
    const revisionArns = service?.currentServiceRevisions?.map((r) => r.arn as string) ?? [];
    expect(revisionArns).toHaveLength(2);
    const { serviceRevisions, failures: missing } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...revisionArns, 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/payments-api/1'] }));
    expect(serviceRevisions?.map((r) => r.containerImages)).toEqual([
      [{ containerName: 'app', image: uri('team/web:v2'), imageDigest: v2 }],
      [{ containerName: 'app', image: uri('team/web:v1'), imageDigest: v1 }],
    ]);
    expect(missing).toHaveLength(1);
    const tooMany = Array.from({ length: 21 }, (_, i) => `${revisionArns[0] as string}${i}`);
    expect(await failure(ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: tooMany })))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/maximum is 20/) });
  });

  it('a service can have explicit revisions, or none (revisions older than the API)', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: {
        taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web:latest' }] }],
        clusters: [{ name: 'prod', services: [
          { name: 'old', taskDefinition: 'web:1', revisions: [] },
          { name: 'pinned', taskDefinition: 'web:1', revisions: [{ containerImages: [{ containerName: 'app', image: 'team/web:latest', imageDigest: `sha256:${'b'.repeat(64)}` }] }] },
        ] }],
      },
    });
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['old', 'pinned'] }));
    expect(services.find((s) => s.serviceName === 'old')?.currentServiceRevisions).toEqual([]);
    const arns = services.find((s) => s.serviceName === 'pinned')?.currentServiceRevisions?.map((r) => r.arn as string) ?? [];
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }));
    expect(serviceRevisions?.[0]?.containerImages?.[0]?.imageDigest).toBe(`sha256:${'b'.repeat(64)}`);
  });
});

describe('ECS in the emulator: task definitions', () => {
  it('ListTaskDefinitions honours sort DESC and maxResults (the newest N of a family), status and pages', async () => {
    const revisions = Array.from({ length: 12 }, (_, i) => ({ family: 'web', status: i === 10 ? ('INACTIVE' as const) : ('ACTIVE' as const), containerDefinitions: [{ image: `team/web:v${(i % 3) + 1}` }] }));
    const { ecs } = await start({
      repositories: REPOS,
      ecs: { taskDefinitions: [...revisions, { family: 'api', containerDefinitions: [{ image: 'team/web:v1' }] }, { family: 'gone', status: 'INACTIVE', containerDefinitions: [{ image: 'team/web:v1' }] }] },
    });
    const arn = (family: string, n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`;
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', maxResults: 5 }))).taskDefinitionArns).toEqual([12, 10, 9, 8, 7].map((n) => arn('web', n)));
    const asc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', maxResults: 3 }));
    expect(asc.taskDefinitionArns).toEqual([1, 2, 3].map((n) => arn('web', n)));
    const next = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', maxResults: 3, nextToken: asc.nextToken }));
    expect(next.taskDefinitionArns).toEqual([4, 5, 6].map((n) => arn('web', n)));
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'INACTIVE' }))).taskDefinitionArns).toEqual([arn('web', 11)]);
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toHaveLength(12); // api:1 + 11 ACTIVE web
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE' }))).families).toEqual(['api', 'web']);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual(['api', 'gone', 'web']);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }))).families).toEqual(['gone']);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 1 }))).nextToken).toBeDefined();
  });

  it('DescribeTaskDefinition takes family (newest ACTIVE), family:revision or ARN; ClientException when missing', async () => {
    const { ecs } = await start({
      repositories: REPOS,
      ecs: { taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web:v1' }] }, { family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web@sha256:' + 'c'.repeat(64) }] }, { family: 'web', status: 'INACTIVE', containerDefinitions: [{ image: 'team/web:v3' }] }] },
    });
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))).taskDefinition).toMatchObject({ revision: 2, containerDefinitions: [{ name: 'app', image: uri(`team/web@sha256:${'c'.repeat(64)}`) }] });
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:3' }))).taskDefinition).toMatchObject({ status: 'INACTIVE' });
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' }))).taskDefinition?.containerDefinitions?.[0]?.image).toBe(uri('team/web:v1'));
    expect(await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:9' })))).toMatchObject({ name: 'ClientException' });
  });
});

describe('ECS in the emulator: without an ecs section', () => {
  it('lists nothing, so existing state files keep working', async () => {
    const { ecs } = await start({ repositories: REPOS });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE' }))).families).toEqual([]);
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([]);
  });
});
