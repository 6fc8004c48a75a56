import { DescribeServiceCommand, ListServicesCommand, type ListServicesCommandOutput } from '@aws-sdk/client-apprunner';
import { DescribeJobDefinitionsCommand, type DescribeJobDefinitionsCommandOutput } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/index.js';
import { consumerEmulatorPerTest, failure, uri, type ConsumerClients } from './in-use-support.js';

const harness = consumerEmulatorPerTest();

async function start(state: StateFile): Promise<ConsumerClients> {
  return harness.start({ now: '2026-06-01T00:00:00Z', state });
}

const REPOS: StateFile['repositories'] = [{ name: 'team/job', images: [{ tags: ['v1'] }] }];

describe('Batch in the emulator: DescribeJobDefinitions', () => {
  it('reports the images of container, multi-node, ECS and EKS job definitions', async () => {
    const { batch } = await start({
      repositories: REPOS,
      batch: {
        jobDefinitions: [
          { name: 'single', image: 'team/job:v1' },
          { name: 'multi', nodeProperties: { nodeRangeProperties: [{ targetNodes: '0:', container: { image: 'team/job@sha256:' + 'e'.repeat(64) } }] } },
          { name: 'on-ecs', ecsProperties: { taskProperties: [{ containers: [{ name: 'main', image: 'team/job:v1' }, { name: 'log', image: 'public.ecr.aws/aws-observability/fluent-bit:2' }] }] } },
          { name: 'on-eks', eksProperties: { podProperties: { containers: [{ name: 'main', image: 'team/job:v1' }], initContainers: [{ name: 'init', image: 'team/job:init' }] } } },
        ],
      },
    });
    const { jobDefinitions = [] } = await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE' }));
    const byName = new Map(jobDefinitions.map((j) => [j.jobDefinitionName, j]));
    expect(byName.get('single')).toMatchObject({ type: 'container', revision: 1, containerProperties: { image: uri('team/job:v1') } });
    expect(byName.get('multi')).toMatchObject({ type: 'multinode', nodeProperties: { nodeRangeProperties: [{ container: { image: uri(`team/job@sha256:${'e'.repeat(64)}`) } }] } });
    expect(byName.get('on-ecs')?.ecsProperties?.taskProperties?.[0]?.containers?.map((c) => c.image)).toEqual([uri('team/job:v1'), 'public.ecr.aws/aws-observability/fluent-bit:2']);
    expect(byName.get('on-eks')?.eksProperties?.podProperties).toMatchObject({ containers: [{ image: uri('team/job:v1') }], initContainers: [{ image: uri('team/job:init') }] });
  });

  it('filters by status and pages by maxResults (default 100)', async () => {
    const defs = Array.from({ length: 130 }, (_, i) => ({ name: `job-${String(i).padStart(3, '0')}`, image: 'team/job:v1', status: i % 13 === 0 ? ('INACTIVE' as const) : ('ACTIVE' as const) }));
    const { batch } = await start({ repositories: REPOS, batch: { jobDefinitions: [...defs, { name: 'job-000', image: 'team/job:v1' }] } });
    const collect = async (maxResults?: number) => {
      const sizes: number[] = [];
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page: DescribeJobDefinitionsCommandOutput = await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE', maxResults, nextToken }));
        sizes.push(page.jobDefinitions?.length ?? 0);
        arns.push(...(page.jobDefinitions ?? []).map((j) => j.jobDefinitionArn as string));
        nextToken = page.nextToken;
      } while (nextToken);
      return { sizes, arns };
    };
    const all = await collect();
    expect(all.sizes).toEqual([100, 21]); // 120 ACTIVE of the 130, plus job-000's revision 2
    expect(all.arns).toContain('arn:aws:batch:us-east-1:123456789012:job-definition/job-000:2');
    expect(all.arns).not.toContain('arn:aws:batch:us-east-1:123456789012:job-definition/job-000:1');
    expect((await collect(50)).sizes).toEqual([50, 50, 21]);
    expect((await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ['job-000'] }))).jobDefinitions?.map((j) => j.revision)).toEqual([1, 2]);
    expect(await failure(batch.send(new DescribeJobDefinitionsCommand({ maxResults: 101 })))).toMatchObject({ name: 'ClientException', status: 400 });
    expect(await failure(batch.send(new DescribeJobDefinitionsCommand({ nextToken: 'bogus' })))).toMatchObject({ name: 'ClientException' });
  });

  it('lists nothing without a batch section', async () => {
    const { batch } = await start({ repositories: REPOS });
    expect((await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE' }))).jobDefinitions).toEqual([]);
  });
});

describe('App Runner in the emulator', () => {
  const services = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `svc-${String(i).padStart(2, '0')}`, image: i === 0 ? 'public.ecr.aws/nginx/nginx:1' : 'team/job:v1' }));

  it('ListServices answers all at once without MaxResults, else pages of at most 20; DescribeService names the image', async () => {
    const { apprunner } = await start({ repositories: REPOS, apprunner: { services: [...services(45), { name: 'gone-svc', image: 'team/job:v1', status: 'DELETED' }] } });
    expect((await apprunner.send(new ListServicesCommand({}))).ServiceSummaryList).toHaveLength(45);
    const sizes: number[] = [];
    const arns: string[] = [];
    let NextToken: string | undefined;
    do {
      const page: ListServicesCommandOutput = await apprunner.send(new ListServicesCommand({ MaxResults: 20, NextToken }));
      sizes.push(page.ServiceSummaryList?.length ?? 0);
      arns.push(...(page.ServiceSummaryList ?? []).map((s) => s.ServiceArn as string));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(sizes).toEqual([20, 20, 5]);
    expect(await failure(apprunner.send(new ListServicesCommand({ MaxResults: 21 })))).toMatchObject({ name: 'InvalidRequestException' });
    const described = await Promise.all(arns.slice(0, 2).map((ServiceArn) => apprunner.send(new DescribeServiceCommand({ ServiceArn }))));
    expect(described.map((d) => d.Service?.SourceConfiguration?.ImageRepository)).toEqual([
      expect.objectContaining({ ImageIdentifier: 'public.ecr.aws/nginx/nginx:1', ImageRepositoryType: 'ECR_PUBLIC' }),
      expect.objectContaining({ ImageIdentifier: uri('team/job:v1'), ImageRepositoryType: 'ECR' }),
    ]);
    expect(await failure(apprunner.send(new DescribeServiceCommand({ ServiceArn: 'arn:aws:apprunner:us-east-1:123456789012:service/nope/0' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists nothing without an apprunner section', async () => {
    const { apprunner } = await start({ repositories: REPOS });
    expect((await apprunner.send(new ListServicesCommand({}))).ServiceSummaryList).toEqual([]);
  });
});
