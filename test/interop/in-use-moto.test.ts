/**
 * The AWS in-use readers through the real SDK against moto's ECS and Lambda (a second, independent
 * implementation of the wire protocols): clusters, task definitions, a service, a Fargate task
 * and an image function with versions and an alias, referencing images pushed to moto's ECR.
 * moto runs with MOTO_LAMBDA_STUB_ECR=false so Lambda resolves image URIs against its ECR.
 * Known moto gaps (docs/interop.md): ListTaskDefinitions ignores sort and maxResults,
 * DescribeTasks has no imageDigest, DescribeServiceRevisions is not implemented; the readers
 * cope with each, and test/adapters/ covers those fields on scripted doubles.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, DescribeServiceRevisionsCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateAliasCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnsupportedOperation } from '../../lib/adapters/in-use-calls.js';
import { EcsInUseReader } from '../../lib/adapters/in-use-ecs.js';
import { LambdaInUseReader } from '../../lib/adapters/in-use-lambda.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import type { RepositoryInventory } from '../../lib/core/inventory.js';
import { startMoto, type MotoServer } from './support/moto-server.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
// moto's Lambda takes the last path segment of an image URI as the repository name: no slashes.
const REPO = 'inuse-web';

let moto: MotoServer;
let ecr: ECRClient;
let ecs: ECSClient;
let lambda: LambdaClient;
const digests = new Map<string, string>();

function manifest(seed: string): string {
  const hex = (s: string): string => Buffer.from(s).toString('hex').padEnd(64, '0').slice(0, 64);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: `sha256:${hex(`cfg-${seed}`)}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: `sha256:${hex(`layer-${seed}`)}` }],
  });
}

/** moto's Lambda wants a role it knows; IAM speaks the query protocol (no IAM client in the dependencies). */
async function createLambdaRole(): Promise<string> {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const res = await fetch(moto.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDMOTO/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'inuse-lambda', AssumeRolePolicyDocument: policy }),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await res.text())?.[1];
  if (arn === undefined) throw new Error(`moto IAM CreateRole answered ${res.status} without a role ARN`);
  return arn;
}

const uri = (tag: string): string => `${HOST}/${REPO}:${tag}`;

beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_LAMBDA_STUB_ECR: 'false' } });
  const config = { endpoint: moto.url, region: REGION, credentials: { accessKeyId: 'AKIDMOTO', secretAccessKey: 'x' } };
  ecr = new ECRClient(config);
  ecs = new ECSClient(config);
  lambda = new LambdaClient(config);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  for (const tag of ['v1', 'v2', 'v3', 'v4', 'fn1', 'fn2']) {
    const out = await ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest(tag), imageManifestMediaType: MANIFEST_TYPE, imageTag: tag }));
    digests.set(tag, out.image?.imageId?.imageDigest ?? '');
  }

  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await ecs.send(new CreateClusterCommand({ clusterName: 'sandbox' }));
  // web:1..3 by tag; web:4 by digest. With 2 rollback revisions, web:3 and web:4 are targets.
  for (const image of [uri('v1'), uri('v2'), uri('v3'), `${HOST}/${REPO}@${digests.get('v4')}`]) {
    // Not awsvpc: moto 5.2.1's RunTask fails on an awsvpc task (its ENI has no private DNS name).
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image, memory: 128 }] }));
  }
  // A longer family sharing the prefix: familyPrefix 'web' lists it too.
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web-worker', containerDefinitions: [{ name: 'w', image: uri('v1'), memory: 128 }] }));
  await ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'api', taskDefinition: 'web:2', desiredCount: 1 }));
  await ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: 'web:1', launchType: 'FARGATE' }));

  const role = await createLambdaRole();
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'resize', PackageType: 'Image', Code: { ImageUri: uri('fn1') }, Role: role }));
  await lambda.send(new PublishVersionCommand({ FunctionName: 'resize' }));
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'resize', ImageUri: uri('fn2') }));
  await lambda.send(new CreateAliasCommand({ FunctionName: 'resize', Name: 'live', FunctionVersion: '1' }));
}, 120_000);

afterAll(async () => {
  for (const client of [ecr, ecs, lambda]) client?.destroy();
  await moto?.stop();
});

function byConsumer(usages: readonly InUseUsage[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of usages) (out[u.consumer] ??= []).push(u.reference);
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** The inventory of the repository as the engine would hold it: digests and tags. */
function inventory(): RepositoryInventory[] {
  const images = [...digests].map(([tag, imageDigest]) => ({ imageDigest, imageTags: [tag], imagePushedAt: 0 }));
  return [{ repositoryName: REPO, images } as unknown as RepositoryInventory];
}

describe('in-use readers against moto', () => {
  it('ECS: the running task, the service deployment, the newest revisions of exactly the family', async () => {
    const scan = await new EcsInUseReader(ecs, { clusters: null, taskDefinitionRevisions: 2 }).scan({ now: Date.now() });
    const found = byConsumer(scan.usages);
    const task = Object.keys(found).find((c) => /^ECS task prod\/[0-9a-f-]+ \(task definition web:1\)$/.test(c));
    expect(task).toBeDefined();
    expect(found[task!]).toEqual([uri('v1')]);
    expect(found['ECS service prod/api (task definition web:2)']).toEqual([uri('v2')]);
    expect(found['ECS task definition web:4 (rollback target)']).toEqual([`${HOST}/${REPO}@${digests.get('v4')}`]);
    expect(found['ECS task definition web:3 (rollback target)']).toEqual([uri('v3')]);
    expect(found['ECS task definition web-worker:1 (rollback target)']).toEqual([uri('v1')]);
    // moto ignores sort and maxResults: the reader still keeps exactly the newest 2 of `web`.
    expect(Object.keys(found).filter((c) => c.startsWith('ECS task definition web:')).sort()).toEqual(['ECS task definition web:3 (rollback target)', 'ECS task definition web:4 (rollback target)']);
    // moto's services have no currentServiceRevisions, so nothing asks for them.
    expect(scan.calls['ecs:DescribeServiceRevisions']).toBeUndefined();
    expect(scan.calls['ecs:ListTasks']).toBe(4);

    const resolved = resolveInUse({ accountId: ACCOUNT, region: REGION }, scan.usages, inventory());
    expect(resolved.counts.resolved).toBe(scan.usages.length);
    expect([...(resolved.byRepository.get(REPO)?.keys() ?? [])].sort()).toEqual(['v1', 'v2', 'v3', 'v4'].map((t) => digests.get(t)).sort());
  });

  it("moto's answer to DescribeServiceRevisions (not implemented) is classed unsupported, so the reader notes it", async () => {
    const error = await ecs
      .send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/api/1`] }))
      .then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    expect(isUnsupportedOperation(error)).toBe(true);
  });

  it('ECS: cluster globs leave the other clusters unread', async () => {
    const scan = await new EcsInUseReader(ecs, { clusters: ['sand*'], taskDefinitionRevisions: 1 }).scan({ now: Date.now() });
    expect(scan.usages.some((u) => u.consumer.startsWith('ECS task prod/') || u.consumer.startsWith('ECS service prod/'))).toBe(false);
    expect(scan.calls['ecs:ListTasks']).toBe(2);
  });

  it('Lambda: $LATEST, the aliased version and the newest versions, ImageUri and ResolvedImageUri', async () => {
    const scan = await new LambdaInUseReader(lambda, { versions: 5 }, { rates: { controlPerSecond: Infinity, getFunctionPerSecond: Infinity } }).scan({ now: Date.now() });
    const found = byConsumer(scan.usages);
    expect(found['Lambda function resize ($LATEST)']).toEqual([uri('fn2'), `${HOST}/${REPO}@${digests.get('fn2')}`].sort());
    // moto reports $LATEST's ImageUri for a version published before UpdateFunctionCode (real
    // Lambda reports the version's own); its ResolvedImageUri is the version's digest, and that
    // is what keeps the image the alias runs.
    expect(found['Lambda function resize, alias live']).toContain(`${HOST}/${REPO}@${digests.get('fn1')}`);
    expect(found['Lambda function resize, version 1']).toEqual(found['Lambda function resize, alias live']);
    expect(scan.calls).toEqual({ 'lambda:ListFunctions': 1, 'lambda:ListAliases': 1, 'lambda:ListVersionsByFunction': 1, 'lambda:GetFunction': 2 });
    const resolved = resolveInUse({ accountId: ACCOUNT, region: REGION }, scan.usages, inventory());
    expect(resolved.counts.resolved).toBe(scan.usages.length);
    expect([...(resolved.byRepository.get(REPO)?.keys() ?? [])].sort()).toEqual([digests.get('fn1'), digests.get('fn2')].sort());
  });
});
