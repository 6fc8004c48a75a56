import { DescribeTasksCommand, ListClustersCommand, ListServicesCommand, ListTaskDefinitionFamiliesCommand, ListTasksCommand, type ListTasksCommandOutput } from '@aws-sdk/client-ecs';
import { GetFunctionCommand, ListFunctionsCommand, type ListFunctionsCommandOutput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { parseGenerate } from '../../emulator/cli-args.js';
import { EmulatorStateError, generateConsumers, type ImageSource } from '../../emulator/index.js';
import { consumerEmulatorPerTest } from './in-use-support.js';

const harness = consumerEmulatorPerTest();

const SOURCE: ImageSource = {
  repositories: ['team/a', 'team/b'],
  imagesOf: (name) => Array.from({ length: 6 }, (_, i) => ({ digest: `sha256:${String(i).repeat(64)}`, tags: i % 2 === 0 ? [`${name.slice(-1)}-v${i}`] : [] })),
};

describe('generated consumers', () => {
  it('have exactly the sizes asked, are the same for the same seed and differ for another', () => {
    const options = { clusters: 3, services: 12, tasks: 80, families: 7, functions: 20, jobDefinitions: 4, appRunnerServices: 2 };
    const a = generateConsumers(options, SOURCE);
    expect(a.ecs.clusters).toHaveLength(3);
    expect(a.ecs.clusters?.flatMap((c) => c.services ?? [])).toHaveLength(12);
    expect(a.ecs.clusters?.flatMap((c) => c.tasks ?? [])).toHaveLength(80);
    expect(new Set(a.ecs.taskDefinitions?.map((t) => t.family)).size).toBe(7);
    expect(a.lambda.functions).toHaveLength(20);
    expect(a.batch.jobDefinitions).toHaveLength(4);
    expect(a.apprunner.services).toHaveLength(2);
    expect(generateConsumers(options, SOURCE)).toEqual(a);
    expect(generateConsumers({ ...options, seed: 2 }, SOURCE)).not.toEqual(a);
    const images = JSON.stringify(a).match(/team\/[ab][:@][^"]+/g) ?? [];
    expect(images.some((r) => r.includes('@sha256:'))).toBe(true);
    expect(images.some((r) => /:[ab]-v\d$/.test(r))).toBe(true);
  });

  it('refuses bad options with the path, and consumers without images to reference', () => {
    expect(() => generateConsumers({ tasks: -1 }, SOURCE)).toThrow(/generate\.consumers\.tasks/);
    expect(() => generateConsumers({ revisionsPerFamily: [3, 1] }, SOURCE)).toThrow(/generate\.consumers\.revisionsPerFamily/);
    expect(() => generateConsumers({ tasks: 5, families: 2 }, SOURCE)).toThrow(/clusters > 0/);
    expect(() => generateConsumers({ functions: 1 }, { repositories: [], imagesOf: () => [] })).toThrow(EmulatorStateError);
    expect(parseGenerate('repos=2,clusters=20,tasks=2000,services=300,families=500,revisions=1-10,functions=1000,versions=3,jobs=5,apprunner=2').consumers).toEqual({
      clusters: 20, tasks: 2000, services: 300, families: 500, revisionsPerFamily: [1, 10], functions: 1000, versionsPerFunction: 3, jobDefinitions: 5, appRunnerServices: 2,
    });
  });

  it('the benchmark account (20 clusters, 2,000 tasks, 300 services, 500 families, 1,000 functions) is served over the SDK', async () => {
    const clients = await harness.start({
      now: '2026-06-01T00:00:00Z',
      generate: { repositories: 40, imagesPerRepository: [10, 30], seed: 3, consumers: { clusters: 20, tasks: 2000, services: 300, families: 500, functions: 1000 } },
    });
    const { ecs, lambda } = clients;
    const clusterArns = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    expect(clusterArns).toHaveLength(20);
    let tasks = 0;
    let services = 0;
    for (const cluster of clusterArns) {
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        let nextToken: string | undefined;
        do {
          const page: ListTasksCommandOutput = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken }));
          tasks += page.taskArns?.length ?? 0;
          nextToken = page.nextToken;
        } while (nextToken);
      }
      services += (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns?.length ?? 0;
    }
    expect(tasks).toBe(2000);
    expect(services).toBe(300);
    let families = 0;
    let token: string | undefined;
    do {
      const page = await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken: token }));
      families += page.families?.length ?? 0;
      token = page.nextToken;
    } while (token);
    expect(families).toBe(500);
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page: ListFunctionsCommandOutput = await lambda.send(new ListFunctionsCommand({ Marker }));
      names.push(...(page.Functions ?? []).filter((f) => f.PackageType === 'Image').map((f) => f.FunctionName as string));
      Marker = page.NextMarker;
    } while (Marker);
    expect(names.length).toBeGreaterThan(700);
    // References resolve to images the registry holds.
    const code = (await lambda.send(new GetFunctionCommand({ FunctionName: names[0] }))).Code;
    const [repo, digest] = (code?.ResolvedImageUri ?? '').replace('123456789012.dkr.ecr.us-east-1.amazonaws.com/', '').split('@') as [string, string];
    expect(harness.emulator!.findImage(repo, { digest })).toBeDefined();
    const someTasks = (await ecs.send(new ListTasksCommand({ cluster: clusterArns[0] }))).taskArns ?? [];
    const described = await ecs.send(new DescribeTasksCommand({ cluster: clusterArns[0], tasks: someTasks.slice(0, 10) }));
    for (const c of described.tasks?.flatMap((t) => t.containers ?? []) ?? []) {
      const [r] = (c.image ?? '').replace('123456789012.dkr.ecr.us-east-1.amazonaws.com/', '').split(/[:@]/) as [string];
      expect(harness.emulator!.findImage(r, { digest: c.imageDigest as string }), c.image).toBeDefined();
    }
  });
});
