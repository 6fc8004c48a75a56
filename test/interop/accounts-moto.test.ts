/**
 * One multi-account scenario run against the emulator and against moto (which isolates accounts by
 * assumed role): sessions from `fromTemporaryCredentials` land in the role's account, each account
 * and Region is its own registry, ARNs and URIs carry both, and GetCallerIdentity names the session.
 * Both servers must observe the same. moto checks neither that a role exists nor its trust policy,
 * so the refusals are tested on the emulator only (test/emulator/accounts-sts.test.ts).
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { startMoto, type MotoServer } from './support/moto-server.js';

const A = '111111111111';
const B = '222222222222';
const ROLE = 'EcrSweeperTarget';
const HOME_KEY = { accessKeyId: 'AKIDHOMEKEY', secretAccessKey: 'x' };

interface Observed {
  callerA: string | undefined;
  accountA: string | undefined;
  reposAEu: (string | undefined)[];
  reposAUs: (string | undefined)[];
  reposBEu: (string | undefined)[];
  uriBEu: string | undefined;
}

/** Creates repositories through assumed roles in two accounts and two Regions, then reads back what each sees. */
async function scenario(endpoint: string): Promise<Observed> {
  const session = (account: string, region: string) =>
    fromTemporaryCredentials({ params: { RoleArn: `arn:aws:iam::${account}:role/${ROLE}`, RoleSessionName: 'interop' }, masterCredentials: HOME_KEY, clientConfig: { endpoint, region } });
  const clients: { destroy(): void }[] = [];
  const ecr = (account: string, region: string): ECRClient => {
    const c = new ECRClient({ endpoint, region, credentials: session(account, region), maxAttempts: 2 });
    clients.push(c);
    return c;
  };
  const names = async (c: ECRClient) => ((await c.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryArn).sort();
  try {
    await ecr(A, 'eu-west-1').send(new CreateRepositoryCommand({ repositoryName: 'team/a-eu' }));
    await ecr(A, 'us-west-2').send(new CreateRepositoryCommand({ repositoryName: 'team/a-us' }));
    const created = await ecr(B, 'eu-west-1').send(new CreateRepositoryCommand({ repositoryName: 'team/b-eu' }));
    const sts = new STSClient({ endpoint, region: 'eu-west-1', credentials: session(A, 'eu-west-1') });
    clients.push(sts);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    return {
      callerA: who.Arn,
      accountA: who.Account,
      reposAEu: await names(ecr(A, 'eu-west-1')),
      reposAUs: await names(ecr(A, 'us-west-2')),
      reposBEu: await names(ecr(B, 'eu-west-1')),
      uriBEu: created.repository?.repositoryUri,
    };
  } finally {
    for (const c of clients) c.destroy();
  }
}

const EXPECTED: Observed = {
  callerA: `arn:aws:sts::${A}:assumed-role/${ROLE}/interop`,
  accountA: A,
  reposAEu: [`arn:aws:ecr:eu-west-1:${A}:repository/team/a-eu`],
  reposAUs: [`arn:aws:ecr:us-west-2:${A}:repository/team/a-us`],
  reposBEu: [`arn:aws:ecr:eu-west-1:${B}:repository/team/b-eu`],
  uriBEu: `${B}.dkr.ecr.eu-west-1.amazonaws.com/team/b-eu`,
};

let moto: MotoServer;
let emulator: RunningEmulator;

beforeAll(async () => {
  moto = await startMoto();
  emulator = await startEmulator({ accounts: { [A]: { roles: [{ name: ROLE }] }, [B]: { roles: [{ name: ROLE }] } } });
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  await emulator?.stop();
});

describe('several accounts and Regions through assumed roles: emulator and moto agree', () => {
  it('moto isolates the accounts and Regions as expected', async () => {
    expect(await scenario(moto.url)).toEqual(EXPECTED);
  });

  it('the emulator observes the same', async () => {
    expect(await scenario(emulator.url)).toEqual(EXPECTED);
  });
});
