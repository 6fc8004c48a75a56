/**
 * Several accounts and Regions on one emulator, through the real SDK over HTTP: the registry a
 * request reaches is chosen by the caller's account (from its access key) and the SigV4 Region;
 * ARNs and URIs carry both; rate limits and counters are per account and Region; and an emulator
 * without an `accounts` section stays the region-less single registry it always was.
 */
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListImagesCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { A, B, HOME, ecrFor, keyOf, rejectionOf } from './accounts-support.js';

let emulator: RunningEmulator | undefined;
const clients: ECRClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await emulator?.stop();
  emulator = undefined;
});

function ecr(region: string, accessKeyId: string): ECRClient {
  const client = ecrFor(emulator as RunningEmulator, region, keyOf(accessKeyId));
  clients.push(client);
  return client;
}

const TWO_BY_TWO: StateFile = {
  now: '2026-06-01T00:00:00Z',
  repositories: [{ name: 'home/app', images: [{ tags: ['v1'] }] }],
  accounts: {
    [A]: {
      accessKeys: { AKIDA: null },
      regions: { 'eu-west-1': { repositories: [{ name: 'a/eu', images: [{ tags: ['v1'] }, { tags: ['v2'] }] }] }, 'us-west-2': { repositories: [{ name: 'a/us', images: [{}] }] } },
    },
    [B]: {
      accessKeys: { AKIDB: `arn:aws:iam::${B}:user/ci` },
      regions: { 'eu-west-1': { repositories: [{ name: 'b/eu' }] } },
    },
  },
};

async function names(client: ECRClient): Promise<string[]> {
  const out = await client.send(new DescribeRepositoriesCommand({}));
  return (out.repositories ?? []).map((r) => r.repositoryName ?? '?');
}

describe('accounts and Regions: routing', () => {
  it('each account and Region sees only its own registry; an unseeded pair is empty', async () => {
    emulator = await startEmulator({ state: TWO_BY_TWO });
    expect(await names(ecr('us-east-1', 'AKIDHOME'))).toEqual(['home/app']);
    expect(await names(ecr('eu-west-1', 'AKIDA'))).toEqual(['a/eu']);
    expect(await names(ecr('us-west-2', 'AKIDA'))).toEqual(['a/us']);
    expect(await names(ecr('eu-west-1', 'AKIDB'))).toEqual(['b/eu']);
    expect(await names(ecr('us-west-2', 'AKIDB'))).toEqual([]);
    // The default account in another Region is a fresh Region too, once the emulator routes.
    expect(await names(ecr('eu-west-1', 'AKIDHOME'))).toEqual([]);
  });

  it('create, list and delete in one account and Region do not show in another', async () => {
    emulator = await startEmulator({ state: TWO_BY_TWO });
    await ecr('us-west-2', 'AKIDB').send(new CreateRepositoryCommand({ repositoryName: 'shared/name' }));
    await ecr('eu-west-1', 'AKIDA').send(new CreateRepositoryCommand({ repositoryName: 'shared/name' }));
    expect(await names(ecr('us-west-2', 'AKIDB'))).toEqual(['shared/name']);
    expect(await names(ecr('eu-west-1', 'AKIDB'))).toEqual(['b/eu']);
    expect(emulator.repositoriesOf(A, 'eu-west-1').map((r) => r.repositoryName)).toEqual(['a/eu', 'shared/name']);

    const aEu = ecr('eu-west-1', 'AKIDA');
    const deleted = await aEu.send(new BatchDeleteImageCommand({ repositoryName: 'a/eu', imageIds: [{ imageTag: 'v1' }] }));
    expect(deleted.failures).toEqual([]);
    expect((await aEu.send(new ListImagesCommand({ repositoryName: 'a/eu' }))).imageIds?.map((i) => i.imageTag)).toEqual(['v2']);
    // Same repository name elsewhere is another repository (or none).
    const notThere = await rejectionOf(ecr('eu-west-1', 'AKIDB').send(new ListImagesCommand({ repositoryName: 'a/eu' })));
    expect(notThere.name).toBe('RepositoryNotFoundException');
    expect(notThere.message).toContain(`registry with id '${B}'`);
    expect(emulator.repositories().map((r) => r.repositoryName)).toEqual(['home/app']);
  });

  it('ARNs, URIs and registry ids carry the account and the Region', async () => {
    emulator = await startEmulator({ state: TWO_BY_TWO });
    const out = await ecr('us-west-2', 'AKIDA').send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.[0]).toMatchObject({
      registryId: A,
      repositoryArn: `arn:aws:ecr:us-west-2:${A}:repository/a/us`,
      repositoryUri: `${A}.dkr.ecr.us-west-2.amazonaws.com/a/us`,
    });
    const images = await ecr('eu-west-1', 'AKIDB').send(new CreateRepositoryCommand({ repositoryName: 'b/new' }));
    expect(images.repository?.repositoryUri).toBe(`${B}.dkr.ecr.eu-west-1.amazonaws.com/b/new`);
    const described = await ecr('eu-west-1', 'AKIDA').send(new DescribeImagesCommand({ repositoryName: 'a/eu' }));
    expect(new Set(described.imageDetails?.map((d) => d.registryId))).toEqual(new Set([A]));
    // Another account's registry id is not this caller's registry.
    expect((await ecr('eu-west-1', 'AKIDA').send(new DescribeRepositoriesCommand({ registryId: B }))).repositories).toEqual([]);
  });

  it('consumer services follow the same routing (ECS in one account and Region only)', async () => {
    emulator = await startEmulator({
      state: { repositories: [], accounts: { [A]: { accessKeys: { AKIDA: null }, regions: { 'eu-west-1': { repositories: [{ name: 'web', images: [{ tags: ['v1'] }] }], ecs: { clusters: [{ name: 'prod' }] } } } } } },
    });
    const ecs = (region: string, key: string): ECSClient => new ECSClient({ endpoint: (emulator as RunningEmulator).url, region, credentials: keyOf(key), maxAttempts: 1 });
    const here = ecs('eu-west-1', 'AKIDA');
    const elsewhere = ecs('us-east-1', 'AKIDA');
    const home = ecs('eu-west-1', 'AKIDHOME');
    expect((await here.send(new ListClustersCommand({}))).clusterArns).toEqual([`arn:aws:ecs:eu-west-1:${A}:cluster/prod`]);
    expect((await elsewhere.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    expect((await home.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    for (const c of [here, elsewhere, home]) c.destroy();
  });

  it('a Region the account has not enabled answers UnrecognizedClientException, and other Regions still work', async () => {
    emulator = await startEmulator({ state: { repositories: [], accounts: { [A]: { accessKeys: { AKIDA: null }, regionsNotEnabled: ['ap-east-1'], regions: { 'eu-west-1': { repositories: [{ name: 'a/eu' }] } } } } } });
    const error = await rejectionOf(ecr('ap-east-1', 'AKIDA').send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(await names(ecr('eu-west-1', 'AKIDA'))).toEqual(['a/eu']);
    // Another account has that Region enabled.
    expect(await names(ecr('ap-east-1', 'AKIDHOME'))).toEqual([]);
  });

  it('generates N accounts × M Regions, each its own registry with ARNs of its own', async () => {
    const regions = Object.fromEntries(['eu-west-1', 'us-east-1'].map((r, i) => [r, { generate: { repositories: 2, imagesPerRepository: 3, seed: 7 + i, namePrefix: `${r}/` } }]));
    emulator = await startEmulator({ accounts: { [A]: { accessKeys: { AKIDA: null }, regions }, [B]: { accessKeys: { AKIDB: null }, regions } } });
    for (const [key, account] of [['AKIDA', A], ['AKIDB', B]] as const) {
      for (const region of ['eu-west-1', 'us-east-1']) {
        const out = await ecr(region, key).send(new DescribeRepositoriesCommand({}));
        expect(out.repositories).toHaveLength(2);
        for (const r of out.repositories ?? []) {
          expect(r.repositoryName?.startsWith(`${region}/`)).toBe(true);
          expect(r.repositoryArn).toBe(`arn:aws:ecr:${region}:${account}:repository/${r.repositoryName}`);
        }
      }
    }
    expect(emulator.repositoriesOf(A, 'eu-west-1').map((r) => r.imageCount)).toEqual(emulator.repositoriesOf(B, 'eu-west-1').map((r) => r.imageCount));
  });
});

describe('accounts and Regions: rate limits and counters', () => {
  it('a rate limit applies per account and Region: exhausting one target does not throttle another', async () => {
    emulator = await startEmulator({ state: TWO_BY_TWO, rateLimits: { ListImages: { rate: 0, burst: 2 } } });
    const aEu = ecr('eu-west-1', 'AKIDA');
    for (let i = 0; i < 2; i++) await aEu.send(new ListImagesCommand({ repositoryName: 'a/eu' }));
    expect((await rejectionOf(aEu.send(new ListImagesCommand({ repositoryName: 'a/eu' })))).name).toBe('ThrottlingException');
    // Same account, other Region; other account, same Region: fresh buckets.
    for (let i = 0; i < 2; i++) await ecr('us-west-2', 'AKIDA').send(new ListImagesCommand({ repositoryName: 'a/us' }));
    for (let i = 0; i < 2; i++) await ecr('eu-west-1', 'AKIDB').send(new ListImagesCommand({ repositoryName: 'b/eu' }));
    expect(emulator.statsOf(A, 'eu-west-1')).toEqual({ requests: { ListImages: 3 }, throttled: { ListImages: 1 }, failed: {} });
    expect(emulator.statsOf(A, 'us-west-2')).toEqual({ requests: { ListImages: 2 }, throttled: {}, failed: {} });
    expect(emulator.statsOf(B, 'eu-west-1').requests).toEqual({ ListImages: 2 });
    expect(emulator.stats().requests.ListImages).toBe(7);
    const served = (await (await fetch(`${emulator.url}/_emulator/stats?account=${A}&region=us-west-2`)).json()) as unknown;
    expect(served).toEqual(emulator.statsOf(A, 'us-west-2'));
  });

  it("a Region's own rateLimits replace the emulator-wide ones there only", async () => {
    emulator = await startEmulator({
      rateLimits: { ListImages: { rate: 0, burst: 1 } },
      accounts: { [A]: { accessKeys: { AKIDA: null }, regions: { 'eu-west-1': { repositories: [{ name: 'a/eu' }], rateLimits: { ListImages: { rate: 0, burst: 3 } } }, 'us-west-2': { repositories: [{ name: 'a/us' }] } } } },
    });
    const eu = ecr('eu-west-1', 'AKIDA');
    for (let i = 0; i < 3; i++) await eu.send(new ListImagesCommand({ repositoryName: 'a/eu' }));
    expect((await rejectionOf(eu.send(new ListImagesCommand({ repositoryName: 'a/eu' })))).name).toBe('ThrottlingException');
    const us = ecr('us-west-2', 'AKIDA');
    await us.send(new ListImagesCommand({ repositoryName: 'a/us' }));
    expect((await rejectionOf(us.send(new ListImagesCommand({ repositoryName: 'a/us' })))).name).toBe('ThrottlingException');
  });
});

describe('accounts and Regions: what exists keeps working', () => {
  it('without an accounts section the emulator is region-less: every Region and key reaches the one registry', async () => {
    emulator = await startEmulator({ state: { repositories: [{ name: 'team/app', images: [{ tags: ['v1'] }] }] }, region: 'eu-west-1' });
    for (const [region, key] of [['eu-west-1', 'AKID1'], ['us-east-1', 'AKID2'], ['ap-south-1', 'AKID3']] as const) {
      const out = await ecr(region, key).send(new DescribeRepositoriesCommand({}));
      expect(out.repositories?.map((r) => r.repositoryArn)).toEqual([`arn:aws:ecr:eu-west-1:${HOME}:repository/team/app`]);
    }
    // Nothing is counted per account and Region until the emulator routes by them.
    expect(emulator.statsOf(HOME, 'eu-west-1')).toEqual({ requests: {}, throttled: {}, failed: {} });
    expect(emulator.stats().requests.DescribeRepositories).toBe(3);
  });

  it('the top-level sections of a state file with accounts stay the default account and Region', async () => {
    emulator = await startEmulator({ state: TWO_BY_TWO });
    expect(emulator.repositories().map((r) => r.repositoryName)).toEqual(['home/app']);
    expect(await names(ecr('us-east-1', 'UNKNOWNKEY'))).toEqual(['home/app']);
  });

  it('a bad accounts section is refused with the path of the bad entry', async () => {
    const bad: [unknown, RegExp][] = [
      [{ '1111': {} }, /accounts\.1111: an account id is 12 digits/],
      [{ [A]: { regions: { 'eu-west-1': { repositories: [{ name: 'Bad Name' }] } } } }, new RegExp(`accounts\\.${A}\\.regions\\.eu-west-1\\.repositories\\[0\\]\\.name`)],
      [{ [A]: { roles: [{ name: 'r', maxSessionDuration: 60 }] } }, new RegExp(`accounts\\.${A}\\.roles\\[0\\]\\.maxSessionDuration`)],
      [{ [A]: { accessKeys: { K: `arn:aws:iam::${B}:user/x` } } }, new RegExp(`accounts\\.${A}\\.accessKeys\\.K: must be a principal ARN of account ${A}`)],
      [{ [A]: { region: {} } }, new RegExp(`accounts\\.${A}\\.region: unknown member`)],
      [{ [A]: { regions: { 'eu-west-1': { rateLimits: { ListImages: { rate: -1 } } } } } }, new RegExp(`accounts\\.${A}\\.regions\\.eu-west-1\\.rateLimits`)],
      [[], /accounts: must be an object keyed by 12-digit account id/],
    ];
    for (const [accounts, message] of bad) {
      await expect(startEmulator({ state: { repositories: [], accounts } as StateFile })).rejects.toThrow(message);
    }
  });
});
