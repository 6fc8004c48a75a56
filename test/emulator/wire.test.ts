import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startFixture, stopFixture, type Fixture } from './support.js';

describe('the AWS JSON 1.1 wire', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ state: { now: '2026-02-03T04:05:06.789Z', repositories: [{ name: 'team/app', images: [{ tags: ['v1'], pushedAt: '-1500ms' }] }] } });
  });
  afterAll(() => stopFixture(f));

  it('binds 127.0.0.1 only', () => {
    expect(f.emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(f.emulator.port).toBeGreaterThan(0);
  });

  it('answers with application/x-amz-json-1.1 and epoch-second (fractional) timestamps', async () => {
    const res = await rawCall(f.emulator.url, 'DescribeImages', JSON.stringify({ repositoryName: 'team/app' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const detail = (res.json.imageDetails as Record<string, unknown>[])[0];
    expect(detail?.imagePushedAt).toBe((Date.parse('2026-02-03T04:05:06.789Z') - 1500) / 1000);
    expect(typeof detail?.imagePushedAt).toBe('number');
  });

  it('errors carry __type, message and the x-amzn-ErrorType header', async () => {
    const res = await rawCall(f.emulator.url, 'DescribeImages', JSON.stringify({ repositoryName: 'no/such' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('RepositoryNotFoundException');
    expect(res.json).toEqual({
      __type: 'RepositoryNotFoundException',
      message: "The repository with name 'no/such' does not exist in the registry with id '123456789012'",
    });
  });

  it('a request without a SigV4 Authorization header gets 403 MissingAuthenticationTokenException', async () => {
    const res = await rawCall(f.emulator.url, 'DescribeRepositories', '{}', { Authorization: '' });
    expect(res.status).toBe(403);
    expect(res.json.__type).toBe('MissingAuthenticationTokenException');
  });

  it('an Authorization header without Credential= is IncompleteSignatureException', async () => {
    const res = await rawCall(f.emulator.url, 'DescribeRepositories', '{}', { Authorization: 'Bearer abc' });
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('IncompleteSignatureException');
  });

  it.each([
    ['AmazonEC2ContainerRegistry_V20150921.FlyToTheMoon'],
    ['SomeOtherService_20200101.DescribeRepositories'],
  ])('an unknown target %s gets InvalidAction', async (target) => {
    const res = await rawCall(f.emulator.url, undefined, '{}', { 'X-Amz-Target': target });
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('InvalidAction');
    expect(res.json.message).toContain(target);
  });

  it('a body that is not a JSON object is a SerializationException; wrong member types too', async () => {
    const bad = await rawCall(f.emulator.url, 'DescribeRepositories', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.json.__type).toBe('SerializationException');
    const wrongType = await rawCall(f.emulator.url, 'DescribeRepositories', JSON.stringify({ maxResults: 'ten' }));
    expect(wrongType.json.__type).toBe('SerializationException');
    expect(wrongType.json.message).toContain("'maxResults'");
  });

  it('an empty body is an empty input', async () => {
    const res = await rawCall(f.emulator.url, 'DescribeRepositories', '');
    expect(res.status).toBe(200);
    expect((res.json.repositories as unknown[]).length).toBe(1);
  });

  it('GET /_emulator/stats counts every request per operation, failures included', async () => {
    f.emulator.resetStats();
    await rawCall(f.emulator.url, 'DescribeRepositories', '{}');
    await rawCall(f.emulator.url, 'DescribeImages', JSON.stringify({ repositoryName: 'no/such' }));
    await rawCall(f.emulator.url, 'DescribeImages', JSON.stringify({ repositoryName: 'team/app' }));
    const stats = (await (await fetch(`${f.emulator.url}/_emulator/stats`)).json()) as unknown;
    expect(stats).toEqual({ requests: { DescribeRepositories: 1, DescribeImages: 2 }, throttled: {}, failed: { DescribeImages: 1 } });
    expect(f.emulator.stats()).toEqual(stats);
    const reset = await fetch(`${f.emulator.url}/_emulator/stats/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ requests: {}, throttled: {}, failed: {} });
  });

  it('stats count requests refused before reaching an operation', async () => {
    f.emulator.resetStats();
    await rawCall(f.emulator.url, 'DescribeRepositories', '{}', { Authorization: '' });
    await rawCall(f.emulator.url, 'FlyToTheMoon', '{}');
    expect(f.emulator.stats()).toEqual({
      requests: { DescribeRepositories: 1, FlyToTheMoon: 1 },
      throttled: {},
      failed: { DescribeRepositories: 1, FlyToTheMoon: 1 },
    });
  });

  it('GET /_emulator/repositories lists repositories, and ?name= one repository\'s images', async () => {
    const all = (await (await fetch(`${f.emulator.url}/_emulator/repositories`)).json()) as { now: string; repositories: { repositoryName: string; imageCount: number }[] };
    expect(all.now).toBe('2026-02-03T04:05:06.789Z');
    expect(all.repositories).toEqual([expect.objectContaining({ repositoryName: 'team/app', imageCount: 1 })]);
    const one = (await (await fetch(`${f.emulator.url}/_emulator/repositories?name=team/app`)).json()) as { images: { imageTags: string[] }[] };
    expect(one.images[0]?.imageTags).toEqual(['v1']);
    expect((await fetch(`${f.emulator.url}/_emulator/repositories?name=nope`)).status).toBe(404);
  });

  it('POST /_emulator/now sets the clock; GET reads it; null returns to wall time', async () => {
    const post = (body: string) => fetch(`${f.emulator.url}/_emulator/now`, { method: 'POST', body });
    expect(await (await post('{"now":"2030-01-01T00:00:00Z"}')).json()).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    expect(f.emulator.now()).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(await (await fetch(`${f.emulator.url}/_emulator/now`)).json()).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    const bad = await post('{"now":"someday"}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^now: "someday" is not a time/);
    expect(((await (await post('{"now":null}')).json()) as { frozen: boolean }).frozen).toBe(false);
    f.emulator.setNow('2026-02-03T04:05:06.789Z');
  });

  it('POST /_emulator/faults changes fault knobs at runtime', async () => {
    const post = (body: string) => fetch(`${f.emulator.url}/_emulator/faults`, { method: 'POST', body });
    expect(await (await post('{"serverErrorProbability":{"ListImages":1}}')).json()).toMatchObject({ serverErrorProbability: { ListImages: 1 } });
    expect((await rawCall(f.emulator.url, 'ListImages', JSON.stringify({ repositoryName: 'team/app' }))).status).toBe(500);
    const bad = await post('{"throttleProbability":7}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('throttleProbability');
    await post('{"serverErrorProbability":null}');
    expect((await rawCall(f.emulator.url, 'ListImages', JSON.stringify({ repositoryName: 'team/app' }))).status).toBe(200);
  });

  it('other paths and methods get 404', async () => {
    expect((await fetch(`${f.emulator.url}/somewhere`)).status).toBe(404);
    expect((await fetch(`${f.emulator.url}/`)).status).toBe(404);
  });

  it('the SDK reads the region-less defaults: a client with another region still works', async () => {
    const other = new ECRClient({ endpoint: f.emulator.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKID2', secretAccessKey: 's' } });
    const out = await other.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.[0]?.repositoryName).toBe('team/app');
    other.destroy();
  });
});
