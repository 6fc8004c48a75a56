/**
 * Callers and pull-time update exclusions on the emulator, through the real SDKs: STS
 * GetCallerIdentity (awsQuery on the same endpoint), ListPullTimeUpdateExclusions (ARNs, pages),
 * and BatchGetImage honouring an exclusion named by role ARN for an assumed-role session.
 */
import { BatchGetImageCommand, ListPullTimeUpdateExclusionsCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const SESSION = 'arn:aws:sts::123456789012:assumed-role/SweepRole/nightly-1';
const ROLE = 'arn:aws:iam::123456789012:role/SweepRole';

let f: Fixture | undefined;
afterEach(async () => {
  await stopFixture(f);
  f = undefined;
});

function stsFor(url: string, accessKeyId: string): STSClient {
  return new STSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
}

describe('STS GetCallerIdentity', () => {
  it('answers the principal configured for the access key, else an IAM user named after it', async () => {
    f = await startFixture({ principals: { AKIDSESSION: SESSION } });
    const session = stsFor(f.emulator.url, 'AKIDSESSION');
    const plain = stsFor(f.emulator.url, 'AKIDPLAIN');
    await expect(session.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: SESSION, Account: '123456789012', UserId: 'AKIDSESSION' });
    await expect(plain.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: 'arn:aws:iam::123456789012:user/AKIDPLAIN', Account: '123456789012' });
    session.destroy();
    plain.destroy();
    expect(f.emulator.stats().requests['sts:GetCallerIdentity']).toBe(2);
  });
});

describe('ListPullTimeUpdateExclusions', () => {
  it('lists exclusions as principal ARNs (an access key id as its principal, a session as its role), sorted, in pages', async () => {
    f = await startFixture({ principals: { AKIDSESSION: SESSION }, pullTimeUpdateExclusions: ['AKIDSESSION', 'AKIDPLAIN', 'arn:aws:iam::123456789012:role/Scanner'] });
    const all = await f.ecr.send(new ListPullTimeUpdateExclusionsCommand({}));
    expect(all.pullTimeUpdateExclusions).toEqual([ROLE, 'arn:aws:iam::123456789012:role/Scanner', 'arn:aws:iam::123456789012:user/AKIDPLAIN'].sort());
    expect(all.nextToken).toBeUndefined();
    const first = await f.ecr.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2 }));
    expect(first.pullTimeUpdateExclusions).toHaveLength(2);
    const second = await f.ecr.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect([...first.pullTimeUpdateExclusions!, ...second.pullTimeUpdateExclusions!]).toEqual(all.pullTimeUpdateExclusions);
    expect(second.nextToken).toBeUndefined();
    await expectEcrError(f.ecr.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 1001 })), 'InvalidParameterException');
    await expectEcrError(f.ecr.send(new ListPullTimeUpdateExclusionsCommand({ nextToken: 'bogus' })), 'InvalidParameterException');
  });

  it("an exclusion by role ARN keeps that role's sessions from updating pull times", async () => {
    f = await startFixture({ principals: { AKIDSESSION: SESSION }, pullTimeUpdateExclusions: [ROLE], now: '2026-06-01T00:00:00Z' });
    f.emulator.addImages('team/app', [{ tags: ['v1'], pushedAt: '-10d', lastPulledAt: '-5d' }]);
    const before = f.emulator.findImage('team/app', { tag: 'v1' })?.lastRecordedPullTime;
    const session = clientFor(f.emulator, { accessKeyId: 'AKIDSESSION' });
    await session.send(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }));
    session.destroy();
    expect(f.emulator.findImage('team/app', { tag: 'v1' })?.lastRecordedPullTime).toBe(before);
    await f.ecr.send(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }));
    expect(f.emulator.findImage('team/app', { tag: 'v1' })?.lastRecordedPullTime).toBe(Date.parse('2026-06-01T00:00:00Z'));
  });
});
