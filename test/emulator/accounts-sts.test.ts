/**
 * STS AssumeRole and GetCallerIdentity on the emulator, through `@aws-sdk/client-sts` and
 * `fromTemporaryCredentials` over HTTP: a session lands in the role's account, its errors have STS's
 * codes and messages, chained sessions are held to one hour, and a session key needs its token.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { A, B, HOME, ecrFor, keyOf, rejectionOf, stsFor } from './accounts-support.js';

const SWEEPER_ROLE = `arn:aws:iam::${HOME}:role/Sweeper`;
const TARGET_A = `arn:aws:iam::${A}:role/EcrSweeperTarget`;
const TARGET_B = `arn:aws:iam::${B}:role/EcrSweeperTarget`;

const STATE: StateFile = {
  repositories: [{ name: 'home/app' }],
  accounts: {
    [HOME]: { roles: [{ name: 'Sweeper', trustedPrincipals: [HOME] }] },
    [A]: {
      roles: [
        { name: 'EcrSweeperTarget', trustedPrincipals: [SWEEPER_ROLE] },
        { name: 'Locked', assumable: false },
        { name: 'WithExternalId', externalId: 'org-secret' },
        { name: 'ops/Long', maxSessionDuration: 7200 },
      ],
      regionsNotEnabled: ['ap-east-1'],
      regions: { 'eu-west-1': { repositories: [{ name: 'a/eu' }] } },
    },
    [B]: { roles: [{ name: 'EcrSweeperTarget', trustedPrincipals: [SWEEPER_ROLE] }], regions: { 'eu-west-1': { repositories: [{ name: 'b/eu' }] } } },
  },
};

let emulator: RunningEmulator;
const destroy: { destroy(): void }[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ state: STATE });
});
afterEach(async () => {
  for (const c of destroy.splice(0)) c.destroy();
  await emulator.stop();
});

function sts(key = 'AKIDHOME', region = 'us-east-1'): STSClient {
  const client = stsFor(emulator, region, keyOf(key));
  destroy.push(client);
  return client;
}

/** Credentials of a fresh session of `roleArn`, assumed by `client`. */
async function assume(client: STSClient, roleArn: string, extra: { ExternalId?: string; DurationSeconds?: number } = {}) {
  const out = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'nightly', ...extra }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials in the AssumeRole answer');
  return { out, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } };
}

describe('STS AssumeRole', () => {
  it('answers temporary credentials, an expiration and the assumed-role user, and the session calls as that role in its account', async () => {
    const before = Date.now();
    const hop = await assume(sts(), SWEEPER_ROLE);
    expect(hop.out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${HOME}:assumed-role/Sweeper/nightly`);
    const { out, credentials } = await assume(stsFor(emulator, 'us-east-1', hop.credentials), TARGET_A);
    expect(credentials.accessKeyId).toMatch(/^ASIA[0-9A-Z]{16}$/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/EcrSweeperTarget/nightly`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[0-9A-Z]{17}:nightly$/);
    // Default one hour, on the wall clock the SDK refreshes by.
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(3_590_000);
    expect(expiresIn).toBeLessThanOrEqual(3_600_000);

    const who = await stsFor(emulator, 'us-east-1', credentials).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: A, Arn: `arn:aws:sts::${A}:assumed-role/EcrSweeperTarget/nightly` });
    expect(who.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);
    const repos = await ecrFor(emulator, 'eu-west-1', credentials).send(new DescribeRepositoriesCommand({}));
    expect(repos.repositories?.map((r) => r.repositoryArn)).toEqual([`arn:aws:ecr:eu-west-1:${A}:repository/a/eu`]);
  });

  it('fromTemporaryCredentials lands each client in the assumed account registry, chained through the sweeper role', async () => {
    const master = fromTemporaryCredentials({ params: { RoleArn: SWEEPER_ROLE, RoleSessionName: 'sweeper' }, masterCredentials: keyOf('AKIDHOME'), clientConfig: { endpoint: emulator.url, region: 'us-east-1' } });
    const into = (roleArn: string) => fromTemporaryCredentials({ params: { RoleArn: roleArn }, masterCredentials: master, clientConfig: { endpoint: emulator.url, region: 'eu-west-1' } });
    const a = ecrFor(emulator, 'eu-west-1', into(TARGET_A));
    const b = ecrFor(emulator, 'eu-west-1', into(TARGET_B));
    destroy.push(a, b);
    expect((await a.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(['a/eu']);
    expect((await b.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(['b/eu']);
    await b.send(new CreateRepositoryCommand({ repositoryName: 'b/new' }));
    expect(emulator.repositoriesOf(B, 'eu-west-1').map((r) => r.repositoryName)).toEqual(['b/eu', 'b/new']);
    expect(emulator.repositoriesOf(A, 'eu-west-1').map((r) => r.repositoryName)).toEqual(['a/eu']);
    // The session names follow the SDK's default.
    const who = await stsFor(emulator, 'eu-west-1', into(TARGET_A)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toMatch(new RegExp(`^arn:aws:sts::${A}:assumed-role/EcrSweeperTarget/aws-sdk-js-\\d+$`));
    expect(emulator.stats().requests['sts:AssumeRole']).toBeGreaterThanOrEqual(3);
  });

  it('refuses an unknown role, a trust policy that does not name the caller, and a role that cannot be assumed, with AccessDenied', async () => {
    for (const [key, roleArn] of [
      ['AKIDHOME', `arn:aws:iam::${A}:role/NoSuchRole`],
      ['AKIDHOME', `arn:aws:iam::${'333333333333'}:role/EcrSweeperTarget`],
      ['AKIDHOME', TARGET_A], // trusts only the sweeper role, not a user of its account
      ['AKIDHOME', `arn:aws:iam::${A}:role/Locked`],
    ] as const) {
      const error = await rejectionOf(sts(key).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' })));
      expect(error.name).toBe('AccessDenied');
      expect(error.message).toBe(`User: arn:aws:iam::${HOME}:user/${key} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      expect(error.$metadata?.httpStatusCode).toBe(403);
    }
    expect(emulator.stats().failed['sts:AssumeRole']).toBe(4);
  });

  it('requires the exact external id a role asks for', async () => {
    const role = `arn:aws:iam::${A}:role/WithExternalId`;
    expect((await rejectionOf(assume(sts(), role))).name).toBe('AccessDenied');
    expect((await rejectionOf(assume(sts(), role, { ExternalId: 'wrong-one' }))).name).toBe('AccessDenied');
    const { out } = await assume(sts(), role, { ExternalId: 'org-secret' });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/WithExternalId/nightly`);
  });

  it('holds a chained session to one hour, with the ValidationError STS gives, and a first hop to the role maximum', async () => {
    const first = await assume(sts(), SWEEPER_ROLE);
    const chained = stsFor(emulator, 'us-east-1', first.credentials);
    destroy.push(chained);
    const error = await rejectionOf(assume(chained, TARGET_A, { DurationSeconds: 3601 }));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    const ok = await assume(chained, TARGET_A, { DurationSeconds: 3600 });
    expect(ok.out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/EcrSweeperTarget/nightly`);
    // A first hop may go up to the role's MaxSessionDuration, not beyond.
    expect((await assume(sts(), `arn:aws:iam::${A}:role/ops/Long`, { DurationSeconds: 7200 })).out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/Long/nightly`);
    const tooLong = await rejectionOf(assume(sts(), `arn:aws:iam::${A}:role/ops/Long`, { DurationSeconds: 7201 }));
    expect(tooLong.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const tooShort = await rejectionOf(assume(sts(), TARGET_A.replace('EcrSweeperTarget', 'Locked'), { DurationSeconds: 60 }));
    expect(tooShort.name).toBe('ValidationError');
    expect(tooShort.message).toContain("Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
  });
});

describe('session keys and Regions', () => {
  it('a session key with a wrong or missing token is UnrecognizedClientException (ECR) and InvalidClientTokenId (STS)', async () => {
    const { credentials } = await assume(sts(), SWEEPER_ROLE);
    const forged = { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: 'not-the-token' };
    const ecrError = await rejectionOf(ecrFor(emulator, 'us-east-1', forged).send(new DescribeRepositoriesCommand({})));
    expect(ecrError.name).toBe('UnrecognizedClientException');
    expect(ecrError.message).toBe('The security token included in the request is invalid.');
    const stsError = await rejectionOf(stsFor(emulator, 'us-east-1', { accessKeyId: credentials.accessKeyId, secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(stsError.name).toBe('InvalidClientTokenId');
  });

  it('a Region the account has not enabled refuses its STS and ECR calls', async () => {
    const first = await assume(sts(), SWEEPER_ROLE);
    const { credentials } = await assume(stsFor(emulator, 'us-east-1', first.credentials), TARGET_A);
    expect((await rejectionOf(stsFor(emulator, 'ap-east-1', credentials).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await rejectionOf(ecrFor(emulator, 'ap-east-1', credentials).send(new DescribeRepositoriesCommand({})))).name).toBe('UnrecognizedClientException');
    // The same session works in an enabled Region.
    expect((await ecrFor(emulator, 'eu-west-1', credentials).send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
  });

  it('GetCallerIdentity of a long-term key still answers its user and the default account', async () => {
    const who = await sts('AKIDPLAIN').send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: HOME, Arn: `arn:aws:iam::${HOME}:user/AKIDPLAIN`, UserId: 'AKIDPLAIN' });
  });
});
