import {
  CreateRepositoryCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { EmulatorStateError } from '../../emulator/errors.js';
import { expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const ARN = 'arn:aws:ecr:us-east-1:123456789012:repository/team/app';

describe('repository resource tags over the SDK', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ now: '2026-01-15T08:00:00Z' });
  });
  afterEach(() => stopFixture(f));

  const list = async (arn = ARN) => (await f.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;

  it('CreateRepository tags are listed; TagResource adds and overwrites; UntagResource removes and ignores absent keys', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app', tags: [{ Key: 'team', Value: 'web' }, { Key: 'tier', Value: '' }] }));
    expect(await list()).toEqual([{ Key: 'team', Value: 'web' }, { Key: 'tier', Value: '' }]);
    expect(await f.ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '1234' }] }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(await list()).toEqual([{ Key: 'team', Value: 'data' }, { Key: 'tier', Value: '' }, { Key: 'cost-center', Value: '1234' }]);
    await f.ecr.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['tier', 'never-there'] }));
    expect(await list()).toEqual([{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '1234' }]);
    expect(f.emulator.repositories()[0]?.resourceTags).toEqual({ team: 'data', 'cost-center': '1234' });
  });

  it('a repository without tags lists none', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    expect(await list()).toEqual([]);
  });

  it.each([
    ['not an ARN', 'team/app'],
    ['another service', 'arn:aws:s3:::bucket'],
    ['no repository part', 'arn:aws:ecr:us-east-1:123456789012:team/app'],
  ])('InvalidParameterException for a resourceArn that is %s', async (_what, arn) => {
    for (const call of [
      new ListTagsForResourceCommand({ resourceArn: arn }),
      new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'a', Value: 'b' }] }),
      new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }),
    ]) {
      await expectEcrError(f.ecr.send(call as never), 'InvalidParameterException', "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
    }
  });

  it('RepositoryNotFoundException for a missing repository, or one of another Region or registry', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    await expectEcrError(
      f.ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/team/gone' })),
      'RepositoryNotFoundException',
      "The repository with name 'team/gone' does not exist in the registry with id '123456789012'",
    );
    await expectEcrError(f.ecr.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app', tags: [] })), 'RepositoryNotFoundException');
    await expectEcrError(f.ecr.send(new UntagResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:210987654321:repository/team/app', tagKeys: ['a'] })), 'RepositoryNotFoundException');
  });

  it.each([
    ['an empty key', { Key: '', Value: 'v' }, /at least 1 character/],
    ['a 129-character key', { Key: 'k'.repeat(129), Value: 'v' }, /longer than 128/],
    ['a 257-character value', { Key: 'k', Value: 'v'.repeat(257) }, /longer than 256/],
    ['a reserved aws: key', { Key: 'AWS:owner', Value: 'me' }, /reserved for AWS/],
  ])('InvalidTagParameterException for %s, in TagResource and CreateRepository, and nothing changes', async (_what, tag, message) => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app', tags: [{ Key: 'team', Value: 'web' }] }));
    await expectEcrError(f.ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: 'ok', Value: 'fine' }, tag] })), 'InvalidTagParameterException', message);
    expect(await list()).toEqual([{ Key: 'team', Value: 'web' }]);
    await expectEcrError(f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/other', tags: [tag] })), 'InvalidTagParameterException', message);
    expect(f.emulator.repositories().map((r) => r.repositoryName)).toEqual(['team/app']);
  });

  it('the limits themselves are accepted: 128-character key, 256-character value, 50 tags', async () => {
    const fifty = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app', tags: [...fifty, { Key: 'k'.repeat(128), Value: 'v'.repeat(256) }] }));
    expect(await list()).toHaveLength(50);
  });

  it('TooManyTagsException past 50 tags on the repository (counting the ones it has), and nothing changes', async () => {
    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app', tags: tags(0, 30) }));
    await expectEcrError(f.ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: tags(30, 21) })), 'TooManyTagsException', /51 tags; the maximum number of tags on a repository is 50/);
    expect(await list()).toHaveLength(30);
    // Overwriting keys it already has does not count twice.
    await f.ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [...tags(0, 30), ...tags(30, 20)] }));
    expect(await list()).toHaveLength(50);
    await expectEcrError(f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/other', tags: tags(0, 51) })), 'TooManyTagsException');
  });

  it('a key twice in one request is an InvalidTagParameterException; tags and tagKeys are required', async () => {
    await f.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    await expectEcrError(f.ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'InvalidTagParameterException', /more than once/);
    await expectEcrError(f.ecr.send(new TagResourceCommand({ resourceArn: ARN } as never)), 'InvalidParameterException', /'tags' failed to satisfy constraint: Member must not be null/);
    await expectEcrError(f.ecr.send(new UntagResourceCommand({ resourceArn: ARN } as never)), 'InvalidParameterException', /'tagKeys' failed to satisfy constraint: Member must not be null/);
  });
});

describe('repository tags in state files', () => {
  it('a repository\'s tags map is what ListTagsForResource returns; a second load adds to it', async () => {
    const f = await startFixture({ state: { repositories: [{ name: 'data/etl', tags: { team: 'data', env: 'prod' } }] } });
    try {
      f.emulator.loadState({ repositories: [{ name: 'data/etl', tags: { env: 'dev', owner: 'ana' } }] });
      const out = await f.ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/data/etl' }));
      expect(out.tags).toEqual([{ Key: 'team', Value: 'data' }, { Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ana' }]);
    } finally {
      await stopFixture(f);
    }
  });

  it.each([
    [{ team: 42 }, 'repositories[0].tags.team: a tag value must be a string, got 42'],
    [['team=data'], 'repositories[0].tags: must be an object'],
    [{ 'aws:x': 'y' }, "repositories[0].tags.aws:x: Tag key 'aws:x' starts with 'aws:'"],
    [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])), 'repositories[0].tags: 51 tags; a repository has at most 50'],
  ])('refuses %j with the path', async (tags, message) => {
    const start = startEmulator({ port: 0, state: { repositories: [{ name: 'data/etl', tags: tags as never }] } });
    const error = await start.then(async (e) => { await e.stop(); return undefined; }, (e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStateError);
    expect((error as Error).message).toContain(message);
  });
});
