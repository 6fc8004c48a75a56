import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServiceCommand, ListServicesCommand as ListAppRunnerServicesCommand } from '@aws-sdk/client-apprunner';
import { DescribeJobDefinitionsCommand } from '@aws-sdk/client-batch';
import { DescribeTasksCommand, ListClustersCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetFunctionCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../emulator/cli-args.js';
import { EmulatorStateError, startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { consumerEmulatorPerTest, failure, type ConsumerClients } from './in-use-support.js';
import { ACCESS_KEY, clientFor } from './support.js';

const harness = consumerEmulatorPerTest();

const STATE: StateFile = {
  repositories: [{ name: 'team/web', images: [{ tags: ['v1'] }] }],
  ecs: { taskDefinitions: [{ family: 'web', containerDefinitions: [{ image: 'team/web:v1' }] }], clusters: [{ name: 'prod', tasks: [{ id: 't1', taskDefinition: 'web:1' }] }] },
  lambda: { functions: [{ name: 'resize', image: 'team/web:v1' }] },
  batch: { jobDefinitions: [{ name: 'nightly', image: 'team/web:v1' }] },
  apprunner: { services: [{ name: 'api-svc', image: 'team/web:v1' }] },
};

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<ConsumerClients> {
  return harness.start({ now: '2026-06-01T00:00:00Z', state: STATE, ...options });
}

async function raw(path: string, init: { method?: string; target?: string; contentType?: string; auth?: boolean } = {}): Promise<{ status: number; type: string | null; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': init.contentType ?? 'application/x-amz-json-1.1' };
  if (init.auth !== false) headers.Authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/x/aws4_request, SignedHeaders=host, Signature=abc`;
  if (init.target) headers['X-Amz-Target'] = init.target;
  const res = await fetch(`${harness.emulator?.url as string}${path}`, { method: init.method ?? 'POST', headers, ...(init.method === 'GET' ? {} : { body: '{}' }) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('one endpoint for every service', () => {
  it('serves ECR, ECS, Lambda, Batch and App Runner on the same port, each counted as <service>:<Operation>', async () => {
    const { ecs, lambda, batch, apprunner } = await start();
    const ecr = clientFor(harness.emulator as RunningEmulator);
    await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }));
    await ecs.send(new ListClustersCommand({}));
    await lambda.send(new ListFunctionsCommand({}));
    expect((await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE' }))).jobDefinitions).toHaveLength(1);
    const arn = (await apprunner.send(new ListAppRunnerServicesCommand({}))).ServiceSummaryList?.[0]?.ServiceArn as string;
    await apprunner.send(new DescribeServiceCommand({ ServiceArn: arn }));
    ecr.destroy();
    expect(harness.emulator?.stats().requests).toEqual({
      DescribeImages: 1,
      'ecs:ListClusters': 1,
      'lambda:ListFunctions': 1,
      'batch:DescribeJobDefinitions': 1,
      'apprunner:ListServices': 1,
      'apprunner:DescribeService': 1,
    });
  });

  it('answers an unknown operation in the service\'s own error shape, never a crash', async () => {
    await start();
    expect(await raw('/', { target: 'AmazonEC2ContainerServiceV20141113.CreateCluster' })).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(await raw('/', { target: 'AppRunner.CreateService', contentType: 'application/x-amz-json-1.0' })).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(await raw('/2015-03-31/functions/resize/policy', { method: 'GET' })).toMatchObject({ status: 404, type: 'UnknownOperationException' });
    expect(await raw('/2015-03-31/functions', { method: 'POST' })).toMatchObject({ status: 404, type: 'UnknownOperationException' });
    expect(await raw('/v1/describejobqueues')).toMatchObject({ status: 404, type: 'UnknownOperationException' });
    expect(await raw('/', { target: 'AmazonEC2ContainerRegistry_V20150921.Nope' })).toMatchObject({ status: 400, json: { __type: 'InvalidAction' } });
    expect(await raw('/2015-03-31/functions', { method: 'GET', auth: false })).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
    expect(harness.emulator?.stats().failed['ecs:CreateCluster']).toBe(1);
  });
});

describe('faults on the new operations', () => {
  it('throttles one operation (ecs:DescribeTasks) and leaves the others alone', async () => {
    const { ecs } = await start({ throttleProbability: { 'ecs:DescribeTasks': 1 } });
    expect((await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns).toHaveLength(1);
    expect(await failure(ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['t1'] })))).toMatchObject({ name: 'ThrottlingException', status: 400 });
    expect(harness.emulator?.stats().throttled).toEqual({ 'ecs:DescribeTasks': 1 });
  });

  it('throttles Lambda with 429 TooManyRequestsException, by dice or by a rate limit on the operation', async () => {
    const { lambda } = await start({ throttleProbability: { 'lambda:GetFunction': 1 } });
    expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'resize' })))).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    harness.emulator?.setFaults({ throttleProbability: undefined, rateLimits: { 'lambda:GetFunction': { rate: 0.001, burst: 1 } } });
    await lambda.send(new GetFunctionCommand({ FunctionName: 'resize' }));
    expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'resize' })))).toMatchObject({ name: 'TooManyRequestsException' });
  });

  it('denies access to an operation or a whole service with AccessDeniedException naming the action', async () => {
    const { ecs, lambda, batch } = await start({ accessDenied: ['ecs:DescribeTasks', 'lambda:*'] });
    expect((await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns).toHaveLength(1);
    expect(await failure(ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['t1'] })))).toMatchObject({ name: 'AccessDeniedException', status: 400, message: expect.stringMatching(/not authorized to perform: ecs:DescribeTasks/) });
    expect(await failure(lambda.send(new ListFunctionsCommand({})))).toMatchObject({ name: 'AccessDeniedException', status: 403, message: expect.stringMatching(/lambda:ListFunctions/) });
    expect((await batch.send(new DescribeJobDefinitionsCommand({}))).jobDefinitions).toHaveLength(1);
    harness.emulator?.setFaults({ accessDenied: ['DescribeImages'] });
    const ecr = clientFor(harness.emulator as RunningEmulator);
    expect(await failure(ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' })))).toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/ecr:DescribeImages/) });
    ecr.destroy();
  });

  it('injects each service\'s server error', async () => {
    const { apprunner, batch, lambda } = await start({ serverErrorProbability: { 'apprunner:ListServices': 1, 'batch:DescribeJobDefinitions': 1, 'lambda:ListFunctions': 1 } });
    expect(await failure(apprunner.send(new ListAppRunnerServicesCommand({})))).toMatchObject({ name: 'InternalServiceErrorException', status: 500 });
    expect(await failure(batch.send(new DescribeJobDefinitionsCommand({})))).toMatchObject({ name: 'ServerException', status: 500 });
    expect(await failure(lambda.send(new ListFunctionsCommand({})))).toMatchObject({ name: 'ServiceException', status: 500 });
  });

  it('checks accessDenied and reads the new knobs from the command line', async () => {
    await expect(startEmulator({ accessDenied: [''] })).rejects.toThrow(EmulatorStateError);
    expect(parseCommandLine(['--access-denied', 'ecs:*', '--access-denied', 'lambda:GetFunction', '--rate-limit', 'ecs:DescribeTasks=5:10'])).toMatchObject({
      accessDenied: ['ecs:*', 'lambda:GetFunction'],
      rateLimits: { 'ecs:DescribeTasks': { rate: 5, burst: 10 } },
    });
  });
});

describe('consumer sections of the state file are checked, with the path', () => {
  const repositories = STATE.repositories;
  const td = [{ family: 'web', containerDefinitions: [{ image: 'team/web:v1' }] }];
  it.each<[string, Omit<StateFile, 'repositories'>, string]>([
    ['an unknown task definition', { ecs: { taskDefinitions: td, clusters: [{ name: 'prod', tasks: [{ taskDefinition: 'web:9' }] }] } }, 'ecs.clusters[0].tasks[0].taskDefinition: no task definition web:9'],
    ['a misspelt field', { ecs: { clusters: [{ name: 'prod', service: [] } as never] } }, 'ecs.clusters[0].service: unknown field'],
    ['a bad image reference', { ecs: { taskDefinitions: [{ family: 'web', containerDefinitions: [{ image: 'Team/Web:v1' }] }] } }, 'ecs.taskDefinitions[0].containerDefinitions[0].image: "Team/Web:v1" is not an image reference'],
    ['two PRIMARY deployments', { ecs: { taskDefinitions: td, clusters: [{ name: 'p', services: [{ name: 's', deployments: [{ taskDefinition: 'web:1' }, { taskDefinition: 'web:1' }] }] }] } }, 'ecs.clusters[0].services[0].deployments: a service has exactly one PRIMARY deployment'],
    ['a duplicate revision', { ecs: { taskDefinitions: [...td, { ...td[0]!, revision: 1 }] } }, 'ecs.taskDefinitions[1].revision: task definition web:1 is already registered'],
    ['a Lambda image that names nothing', { lambda: { functions: [{ name: 'f', image: 'team/web:v9' }] } }, 'lambda.functions[0].image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v9 names no image'],
    ['an alias to a missing version', { lambda: { functions: [{ name: 'f', image: 'team/web:v1', aliases: [{ name: 'live', version: 2 }] }] } }, 'lambda.functions[0].aliases[0].version: 2 is not a version of f'],
    ['a weight over 1', { lambda: { functions: [{ name: 'f', image: 'team/web:v1', versions: ['team/web:v1'], aliases: [{ name: 'live', version: 1, additionalVersionWeights: { '1': 2 } }] }] } }, 'lambda.functions[0].aliases[0].additionalVersionWeights.1'],
    ['a bad digest', { lambda: { functions: [{ name: 'f', image: 'team/web:v1', imageDigest: 'sha256:xyz' }] } }, 'lambda.functions[0].imageDigest: expected "sha256:<64 lowercase hex>"'],
    ['a job definition with two kinds', { batch: { jobDefinitions: [{ name: 'j', image: 'team/web:v1', containerProperties: { image: 'team/web:v1' } }] } }, 'batch.jobDefinitions[0]: give exactly one of'],
    ['an App Runner service without an image', { apprunner: { services: [{ name: 'api-svc' } as never] } }, 'apprunner.services[0].image: expected an image reference'],
    ['a section that is not an object', { ecs: [] as never }, 'ecs: expected an object'],
  ])('%s', async (_, sections, message) => {
    const error = await startEmulator({ state: { repositories, ...sections } }).then(
      (e) => e.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmulatorStateError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  it('loadState adds consumers to a running emulator; clear() forgets them', async () => {
    const { ecs } = await start();
    harness.emulator?.loadState({ repositories: [], ecs: { clusters: [{ name: 'staging' }] } });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toHaveLength(2);
    harness.emulator?.clear();
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
  });
});
