/**
 * The Batch and App Runner in-use readers on scripted doubles, and the pure helpers the readers
 * share (digest references, "unsupported operation", chunks).
 */
import { AppRunnerClient, DescribeServiceCommand, ListServicesCommand } from '@aws-sdk/client-apprunner';
import { BatchClient, DescribeJobDefinitionsCommand, type JobDefinition } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AppRunnerInUseReader } from '../../lib/adapters/in-use-apprunner.js';
import { BatchInUseReader, jobDefinitionImages } from '../../lib/adapters/in-use-batch.js';
import { chunks, digestReference, isUnsupportedOperation } from '../../lib/adapters/in-use-calls.js';
import { InUseSourceError } from '../../lib/engine/errors.js';
import { awsError, HOST } from './fake-ecs.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const fast = { sleep: async (): Promise<void> => {}, random: () => 0 };
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' };
const D = `sha256:${'d'.repeat(64)}`;

function inputs<I>(mock: { commandCalls: unknown }, command: unknown): I[] {
  return (mock.commandCalls as (c: unknown) => { args: [{ input: I }] }[])(command).map((c) => c.args[0].input);
}

describe('BatchInUseReader', () => {
  const definitions: JobDefinition[] = [
    { jobDefinitionName: 'nightly', jobDefinitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/nightly:3', revision: 3, type: 'container', status: 'ACTIVE', containerProperties: { image: `${HOST}/nightly:v3` } },
    {
      jobDefinitionName: 'mpi',
      jobDefinitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/mpi:1',
      revision: 1,
      type: 'multinode',
      status: 'ACTIVE',
      nodeProperties: {
        numNodes: 2,
        mainNode: 0,
        nodeRangeProperties: [
          { targetNodes: '0', container: { image: `${HOST}/mpi-main:1` } },
          { targetNodes: '1:', ecsProperties: { taskProperties: [{ containers: [{ image: `${HOST}/mpi-ecs@${D}` }] }] } },
        ],
      },
    },
    { jobDefinitionName: 'ecs-job', jobDefinitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/ecs-job:2', revision: 2, type: 'container', status: 'ACTIVE', ecsProperties: { taskProperties: [{ containers: [{ image: `${HOST}/a:1` }, { image: `${HOST}/sidecar:2` }] }] } },
    { jobDefinitionName: 'eks-job', jobDefinitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/eks-job:5', revision: 5, type: 'container', status: 'ACTIVE', eksProperties: { podProperties: { initContainers: [{ image: `${HOST}/init:1` }], containers: [{ image: `${HOST}/eks:5` }] } } },
  ];

  it('finds the images of container, multi-node, ECS and EKS job definitions, paging through ACTIVE ones', async () => {
    const client = new BatchClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(client);
    mock.on(DescribeJobDefinitionsCommand).callsFake(async (input: { nextToken?: string }) =>
      input.nextToken === undefined ? { jobDefinitions: definitions.slice(0, 2), nextToken: 'p2' } : { jobDefinitions: definitions.slice(2) },
    );
    const scan = await new BatchInUseReader(client, fast).scan({ now: NOW });
    expect(scan.usages.map((u) => `${u.source}|${u.consumer}|${u.reference}`)).toEqual([
      `batch|Batch job definition nightly:3|${HOST}/nightly:v3`,
      `batch|Batch job definition mpi:1|${HOST}/mpi-main:1`,
      `batch|Batch job definition mpi:1|${HOST}/mpi-ecs@${D}`,
      `batch|Batch job definition ecs-job:2|${HOST}/a:1`,
      `batch|Batch job definition ecs-job:2|${HOST}/sidecar:2`,
      `batch|Batch job definition eks-job:5|${HOST}/init:1`,
      `batch|Batch job definition eks-job:5|${HOST}/eks:5`,
    ]);
    expect(inputs<{ status: string; maxResults: number; nextToken?: string }>(mock, DescribeJobDefinitionsCommand)).toEqual([
      { status: 'ACTIVE', maxResults: 100 },
      { status: 'ACTIVE', maxResults: 100, nextToken: 'p2' },
    ]);
    expect(scan.calls).toEqual({ 'batch:DescribeJobDefinitions': 2 });
  });

  it('a page that cannot be read fails the scan (never the first page alone)', async () => {
    const client = new BatchClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(client);
    mock.on(DescribeJobDefinitionsCommand).callsFake(async (input: { nextToken?: string }) => {
      if (input.nextToken) throw awsError('ClientException', 'User is not authorized to perform batch:DescribeJobDefinitions');
      return { jobDefinitions: definitions.slice(0, 1), nextToken: 'p2' };
    });
    const error = await new BatchInUseReader(client, fast).scan({ now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InUseSourceError);
    expect(error).toMatchObject({ source: 'batch', code: 'ClientException', location: 'job definitions' });
  });

  it('jobDefinitionImages is empty for a definition without images', () => {
    expect(jobDefinitionImages({ jobDefinitionName: 'x', jobDefinitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/x:1', revision: 1, type: 'container' } as JobDefinition)).toEqual([]);
  });
});

describe('AppRunnerInUseReader', () => {
  /** Without MaxResults App Runner answers every service at once (API reference); `pageWithout` makes it page anyway. */
  function fake(services: { name: string; type: 'ECR' | 'ECR_PUBLIC' | 'code'; image?: string }[], hook: (arn: string) => void = () => {}, pageWithout?: number) {
    const client = new AppRunnerClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(client);
    const arn = (name: string): string => `arn:aws:apprunner:eu-west-1:123456789012:service/${name}/0123`;
    mock.on(ListServicesCommand).callsFake(async (input: { NextToken?: string; MaxResults?: number }) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const size = input.MaxResults ?? pageWithout ?? services.length;
      const page = services.slice(start, start + size).map((s) => ({ ServiceName: s.name, ServiceArn: arn(s.name) }));
      return { ServiceSummaryList: page, ...(start + size < services.length ? { NextToken: String(start + size) } : {}) };
    });
    mock.on(DescribeServiceCommand).callsFake(async (input: { ServiceArn: string }) => {
      hook(input.ServiceArn);
      const s = services.find((x) => arn(x.name) === input.ServiceArn)!;
      return {
        Service: {
          ServiceName: s.name,
          SourceConfiguration:
            s.type === 'code' ? { CodeRepository: { RepositoryUrl: 'https://github.com/o/r' } } : { ImageRepository: { ImageIdentifier: s.image, ImageRepositoryType: s.type } },
        },
      };
    });
    return { client, mock };
  }

  it('names the ECR image of every service (public ECR and code services left out), listing them all in one call', async () => {
    const services = [
      { name: 'api', type: 'ECR' as const, image: `${HOST}/api:prod` },
      { name: 'public', type: 'ECR_PUBLIC' as const, image: 'public.ecr.aws/x/y:1' },
      { name: 'src', type: 'code' as const },
      ...Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, type: 'ECR' as const, image: `${HOST}/s@${D}` })),
    ];
    const { client, mock } = fake(services);
    const scan = await new AppRunnerInUseReader(client, fast).scan({ now: NOW });
    expect(scan.usages).toHaveLength(21);
    expect(scan.usages).toContainEqual({ consumer: 'App Runner service api', source: 'apprunner', reference: `${HOST}/api:prod` });
    expect(scan.usages.some((u) => u.consumer === 'App Runner service public' || u.consumer === 'App Runner service src')).toBe(false);
    // MaxResults would cap pages at 20; without it the whole list comes in one answer.
    expect(inputs<{ MaxResults?: number }>(mock, ListServicesCommand).map((i) => i.MaxResults)).toEqual([undefined]);
    expect(scan.calls).toEqual({ 'apprunner:ListServices': 1, 'apprunner:DescribeService': 23 });
  });

  it('still follows NextToken when the answer is paged', async () => {
    const services = Array.from({ length: 25 }, (_, i) => ({ name: `s${i}`, type: 'ECR' as const, image: `${HOST}/s${i}:1` }));
    const { client, mock } = fake(services, () => {}, 10);
    const scan = await new AppRunnerInUseReader(client, fast).scan({ now: NOW });
    expect(new Set(scan.usages.map((u) => u.consumer)).size).toBe(25);
    expect(inputs<{ NextToken?: string }>(mock, ListServicesCommand).map((i) => i.NextToken)).toEqual([undefined, '10', '20']);
    expect(scan.calls['apprunner:ListServices']).toBe(3);
  });

  it('AccessDenied on one service fails the scan naming it', async () => {
    const { client } = fake([{ name: 'api', type: 'ECR', image: `${HOST}/api:1` }], () => {
      throw awsError('AccessDeniedException', 'not authorized to perform apprunner:DescribeService', 403);
    });
    const error = await new AppRunnerInUseReader(client, fast).scan({ now: NOW }).catch((e: unknown) => e);
    expect(error).toMatchObject({ source: 'apprunner', code: 'AccessDeniedException', location: 'service api' });
  });
});

describe('shared helpers', () => {
  it.each([
    [`${HOST}/web:v1`, `${HOST}/web@${D}`],
    [`${HOST}/team/web`, `${HOST}/team/web@${D}`],
    [`${HOST}/web:v1@sha256:${'e'.repeat(64)}`, `${HOST}/web@${D}`],
    [`123456789012.dkr-ecr.eu-west-1.on.aws/web:v2`, `123456789012.dkr-ecr.eu-west-1.on.aws/web@${D}`],
    ['localhost:5000/web:v1', `localhost:5000/web@${D}`],
    ['localhost:5000/web', `localhost:5000/web@${D}`],
    ['nginx', `nginx@${D}`],
  ])('digestReference(%s)', (image, expected) => {
    expect(digestReference(image, D)).toBe(expected);
  });

  it.each([
    [awsError('UnknownOperationException'), true],
    [awsError('InternalServerError', 'NotImplementedError: not yet implemented', 500), true],
    [awsError('NotImplemented', 'x', 501), true],
    // moto's HTML page for an unimplemented action: the SDK's JSON parser fails on it.
    [awsError('SyntaxError', "Unexpected token '<', \"<!doctype \"... is not valid JSON", 500), true],
    [awsError('SyntaxError', 'Unexpected token', 502), false],
    [awsError('AccessDeniedException'), false],
    [awsError('ThrottlingException'), false],
    [awsError('ServerException', 'internal error', 500), false],
    [new Error('plain'), false],
  ])('isUnsupportedOperation %#', (error, expected) => {
    expect(isUnsupportedOperation(error)).toBe(expected);
  });

  it('chunks', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
  });
});
