import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'AllowPull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
});
const LIFECYCLE = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'expire untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }],
});

describe('repositories', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ now: '2026-01-15T08:00:00Z', maxRepositories: 30 });
  });
  afterEach(() => stopFixture(f));

  it('CreateRepository returns the repository with ARN, URI and creation time', async () => {
    const out = await f.ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'project-a/nginx-web-app', tags: [{ Key: 'team', Value: 'web' }], imageScanningConfiguration: { scanOnPush: true } }),
    );
    expect(out.repository).toEqual({
      repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/project-a/nginx-web-app',
      registryId: '123456789012',
      repositoryName: 'project-a/nginx-web-app',
      repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/project-a/nginx-web-app',
      createdAt: new Date('2026-01-15T08:00:00Z'),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    await expectEcrError(
      f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'project-a/nginx-web-app' })),
      'RepositoryAlreadyExistsException',
      "The repository with name 'project-a/nginx-web-app' already exists in the registry with id '123456789012'",
    );
  });

  it.each([
    ['A', /Member must have length greater than or equal to 2/],
    ['UPPER', /Member must satisfy regular expression pattern/],
    ['a/', /Member must satisfy regular expression pattern/],
    ['-lead', /Member must satisfy regular expression pattern/],
    ['x'.repeat(257), /Member must have length less than or equal to 256/],
  ])('CreateRepository rejects the name %j', async (name, message) => {
    const error = await expectEcrError(f.ecr.send(new CreateRepositoryCommand({ repositoryName: name })), 'InvalidParameterException', message);
    expect(error.message).toContain("at 'repositoryName'");
  });

  it.each(['ab', 'a-b', 'a--b', 'a__b', 'team/sub.team/app_1'])('CreateRepository accepts the name %j', async (name) => {
    const out = await f.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    expect(out.repository?.repositoryName).toBe(name);
  });

  it('CreateRepository: LimitExceededException past the repository limit', async () => {
    for (let i = 0; i < 30; i++) await f.ecr.send(new CreateRepositoryCommand({ repositoryName: `r/n${i}` }));
    await expectEcrError(f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'r/one-more' })), 'LimitExceededException');
  });

  it('DescribeRepositories paginates in name order, and by name fails on the first missing one', async () => {
    for (const name of ['c/three', 'a/one', 'b/two', 'd/four', 'e/five']) await f.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const names: string[][] = [];
    for await (const page of paginateDescribeRepositories({ client: f.ecr, pageSize: 2 }, {})) names.push((page.repositories ?? []).map((r) => r.repositoryName as string));
    expect(names).toEqual([['a/one', 'b/two'], ['c/three', 'd/four'], ['e/five']]);
    const some = await f.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['d/four', 'a/one'] }));
    expect(some.repositories?.map((r) => r.repositoryName)).toEqual(['d/four', 'a/one']);
    await expectEcrError(
      f.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['a/one', 'zz/missing'] })),
      'RepositoryNotFoundException',
      "The repository with name 'zz/missing' does not exist in the registry with id '123456789012'",
    );
    await expectEcrError(f.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [] })), 'InvalidParameterException', /Member must have length greater than or equal to 1/);
    await expectEcrError(f.ecr.send(new DescribeRepositoriesCommand({ maxResults: 1001 })), 'InvalidParameterException', /less than or equal to 1000/);
  });

  it('DeleteRepository: RepositoryNotEmptyException without force, deletes with force', async () => {
    f.emulator.addImages('team/full', [{ tags: ['v1'] }]);
    await expectEcrError(
      f.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/full' })),
      'RepositoryNotEmptyException',
      "The repository with name 'team/full' in registry with id '123456789012' cannot be deleted because it still contains images",
    );
    const out = await f.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/full', force: true }));
    expect(out.repository?.repositoryName).toBe('team/full');
    expect(f.emulator.repositories()).toEqual([]);
    await expectEcrError(f.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/full' })), 'RepositoryNotFoundException');
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/empty' }));
    await f.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/empty' }));
    expect(f.emulator.repositories()).toEqual([]);
  });

  it('repository policies: set, get, delete, not found, invalid JSON', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    await expectEcrError(
      f.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'team/app' })),
      'RepositoryPolicyNotFoundException',
      "Repository policy does not exist for the repository with name 'team/app' in the registry with id '123456789012'",
    );
    const set = await f.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'team/app', policyText: POLICY }));
    expect(set).toMatchObject({ registryId: '123456789012', repositoryName: 'team/app', policyText: POLICY });
    expect((await f.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'team/app' }))).policyText).toBe(POLICY);
    expect((await f.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'team/app' }))).policyText).toBe(POLICY);
    await expectEcrError(f.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'team/app' })), 'RepositoryPolicyNotFoundException');
    await expectEcrError(
      f.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'team/app', policyText: '{nope' })),
      'InvalidParameterException',
      /Invalid repository policy provided/,
    );
    await expectEcrError(
      f.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'team/app', policyText: 'x'.repeat(10241) })),
      'InvalidParameterException',
      /at 'policyText' failed to satisfy constraint: Member must have length less than or equal to 10240/,
    );
  });

  it('lifecycle policies: put, get (never evaluated), delete, not found, length limits', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    await expectEcrError(f.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'team/app' })), 'LifecyclePolicyNotFoundException', /Lifecycle policy does not exist/);
    await f.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'team/app', lifecyclePolicyText: LIFECYCLE }));
    const got = await f.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'team/app' }));
    expect(got.lifecyclePolicyText).toBe(LIFECYCLE);
    expect(got.lastEvaluatedAt?.getTime()).toBe(0);
    expect((await f.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'team/app' }))).lifecyclePolicyText).toBe(LIFECYCLE);
    await expectEcrError(f.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'team/app' })), 'LifecyclePolicyNotFoundException');
    await expectEcrError(
      f.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'team/app', lifecyclePolicyText: '{"rules":[]}' })),
      'InvalidParameterException',
      /Member must have length greater than or equal to 100/,
    );
    await expectEcrError(
      f.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'team/app', lifecyclePolicyText: `{"rules": [], "pad": "${'x'.repeat(100)}"}` })),
      'InvalidParameterException',
      /Lifecycle policy validation failure/,
    );
  });

  it('GetAuthorizationToken returns a base64 AWS:token valid for 12 hours', async () => {
    const out = await f.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    expect(Buffer.from(data?.authorizationToken ?? '', 'base64').toString()).toMatch(/^AWS:\S+$/);
    expect(data?.expiresAt?.toISOString()).toBe('2026-01-15T20:00:00.000Z');
    expect(data?.proxyEndpoint).toBe('https://123456789012.dkr.ecr.us-east-1.amazonaws.com');
    await expectEcrError(f.ecr.send(new GetAuthorizationTokenCommand({ registryIds: ['1'] })), 'InvalidParameterException', /registryIds.1.member/);
  });
});
