/**
 * `generateOrganization`: N accounts × M Regions of generated registries, each with its own rate
 * limits and an assumable role, reached through assumed-role sessions over HTTP (the ground
 * `bench:org` runs on).
 */
import { DescribeRepositoriesCommand, ListImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorStateError, generateOrganization, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { ecrFor, keyOf, rejectionOf } from './accounts-support.js';

let emulator: RunningEmulator | undefined;
const clients: ECRClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await emulator?.stop();
  emulator = undefined;
});

describe('generateOrganization', () => {
  it('gives every account × Region a registry of its own content, an assumable role and its own rate limit', async () => {
    const regions = ['eu-west-1', 'us-east-1'];
    const accounts = generateOrganization({ accounts: 2, regions, generate: { repositories: 3, imagesPerRepository: 4 }, rateLimits: { ListImages: { rate: 0, burst: 2 } }, externalId: 'org-secret' });
    expect(Object.keys(accounts)).toEqual(['111111111111', '222222222222']);
    emulator = await startEmulator({ accounts });
    const url = emulator.url;
    const ecrIn = (account: string, region: string, externalId = 'org-secret'): ECRClient => {
      const credentials = fromTemporaryCredentials({ params: { RoleArn: `arn:aws:iam::${account}:role/EcrSweeperTarget`, RoleSessionName: 'bench', ExternalId: externalId }, masterCredentials: keyOf('AKIDHOME'), clientConfig: { endpoint: url, region } });
      const c = ecrFor(emulator as RunningEmulator, region, credentials);
      clients.push(c);
      return c;
    };

    const contents = new Set<string>();
    for (const account of Object.keys(accounts)) {
      for (const region of regions) {
        const client = ecrIn(account, region);
        const repos = (await client.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
        expect(repos).toHaveLength(3);
        for (const r of repos) expect(r.repositoryArn).toBe(`arn:aws:ecr:${region}:${account}:repository/${r.repositoryName}`);
        const first = repos[0]?.repositoryName as string;
        // Each target's own bucket of 2: the third call in it is throttled, whatever the others did.
        const listed = await client.send(new ListImagesCommand({ repositoryName: first }));
        contents.add(JSON.stringify(listed.imageIds));
        await client.send(new ListImagesCommand({ repositoryName: first }));
        expect((await rejectionOf(client.send(new ListImagesCommand({ repositoryName: first })))).name).toBe('ThrottlingException');
        expect(emulator.statsOf(account, region).throttled).toEqual({ ListImages: 1 });
      }
    }
    // Seeds differ per target: four different registries, not one copied four times.
    expect(contents.size).toBe(4);
    expect((await rejectionOf(ecrIn('111111111111', 'eu-west-1', 'wrong-id').send(new DescribeRepositoriesCommand({})))).message).toContain('not authorized to perform: sts:AssumeRole');
  });

  it('refuses a count of accounts it cannot name', () => {
    expect(() => generateOrganization({ accounts: 10, regions: ['eu-west-1'], generate: {} })).toThrow(EmulatorStateError);
  });
});
