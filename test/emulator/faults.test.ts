import { DescribeImagesCommand, DescribeRepositoriesCommand, ListImagesCommand } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorStateError, startEmulator } from '../../emulator/index.js';
import { Faults } from '../../emulator/faults.js';
import { clientFor, expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

describe('Faults (token buckets and dice)', () => {
  it('a token bucket allows a burst, then refills at the rate', () => {
    let t = 0;
    const faults = new Faults({ rateLimits: { DescribeImages: { rate: 1, burst: 2 } } }, 1, () => t);
    expect([faults.decide('DescribeImages'), faults.decide('DescribeImages'), faults.decide('DescribeImages')]).toEqual(['pass', 'pass', 'throttle']);
    expect(faults.decide('ListImages')).toBe('pass'); // other operations are not limited
    t = 1000;
    expect(faults.decide('DescribeImages')).toBe('pass');
    t = 1500;
    expect(faults.decide('DescribeImages')).toBe('throttle');
    t = 10_000;
    expect([faults.decide('DescribeImages'), faults.decide('DescribeImages'), faults.decide('DescribeImages')]).toEqual(['pass', 'pass', 'throttle']);
  });

  it('the same seed throws the same dice', () => {
    const roll = (seed: number) => {
      const faults = new Faults({ throttleProbability: 0.3, serverErrorProbability: { ListImages: 0.3 } }, seed, () => 0);
      return Array.from({ length: 40 }, (_, i) => faults.decide(i % 2 ? 'ListImages' : 'DescribeImages'));
    };
    expect(roll(7)).toEqual(roll(7));
    expect(roll(7)).not.toEqual(roll(8));
    const verdicts = roll(7);
    // Server errors only where configured.
    expect(verdicts.filter((v, i) => v === 'server-error' && i % 2 === 0)).toEqual([]);
    expect(verdicts).toContain('throttle');
  });

  it.each([
    [{ throttleProbability: 2 }, 'throttleProbability'],
    [{ serverErrorProbability: { ListImages: -0.1 } }, 'serverErrorProbability.ListImages'],
    [{ latencyMs: -5 }, 'latencyMs'],
    [{ rateLimits: { ListImages: { rate: -1 } } }, 'rateLimits.ListImages'],
    [{ rateLimits: { ListImages: { rate: 1, burst: 0 } } }, 'rateLimits.ListImages'],
  ])('rejects %o naming %s', (options, path) => {
    expect(() => new Faults(options, 1)).toThrow(EmulatorStateError);
    expect(() => new Faults(options, 1)).toThrow(path);
  });
});

describe('faults over HTTP', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await stopFixture(f);
    f = undefined;
  });

  it('rate-limit throttling is absorbed by the SDK standard retry and shows in stats', async () => {
    f = await startFixture({ rateLimits: { DescribeRepositories: { rate: 5, burst: 1 } } }, { maxAttempts: 10 });
    const results = await Promise.all(Array.from({ length: 8 }, () => f?.ecr.send(new DescribeRepositoriesCommand({}))));
    expect(results.every((r) => Array.isArray(r?.repositories))).toBe(true);
    const stats = f.emulator.stats();
    expect(stats.throttled.DescribeRepositories).toBeGreaterThan(0);
    expect(stats.requests.DescribeRepositories).toBe(8 + (stats.throttled.DescribeRepositories ?? 0));
    expect(results.reduce((sum, r) => sum + (r?.$metadata.attempts ?? 0), 0)).toBe(stats.requests.DescribeRepositories);
  });

  it('a throttled call answers HTTP 400 ThrottlingException "Rate exceeded" when retries are off', async () => {
    f = await startFixture({ throttleProbability: 1 });
    const error = await expectEcrError(f.ecr.send(new DescribeRepositoriesCommand({})), 'ThrottlingException', 'Rate exceeded');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('server errors are HTTP 500 ServerException, retried by the SDK, counted as failed', async () => {
    f = await startFixture({ serverErrorProbability: { ListImages: 1 } }, { maxAttempts: 3 });
    f.emulator.createRepository('team/app');
    const error = await expectEcrError(f.ecr.send(new ListImagesCommand({ repositoryName: 'team/app' })), 'ServerException');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect((error.$metadata as { attempts?: number }).attempts).toBe(3);
    expect(f.emulator.stats()).toEqual({ requests: { ListImages: 3 }, throttled: {}, failed: { ListImages: 3 } });
    // Other operations are unaffected; switching the knob off at runtime heals ListImages.
    await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    f.emulator.setFaults({ serverErrorProbability: undefined });
    const ok = await f.ecr.send(new ListImagesCommand({ repositoryName: 'team/app' }));
    expect(ok.imageIds).toEqual([]);
  });

  it('seeded probabilistic throttling gives the same request counts on every run', async () => {
    const run = async () => {
      const emulator = await startEmulator({ port: 0, seed: 42, throttleProbability: 0.3 });
      const ecr = clientFor(emulator, { maxAttempts: 20 });
      for (let i = 0; i < 8; i++) await ecr.send(new DescribeRepositoriesCommand({}));
      ecr.destroy();
      const stats = emulator.stats();
      await emulator.stop();
      return stats;
    };
    const first = await run();
    expect(first.throttled.DescribeRepositories).toBeGreaterThan(0);
    expect(await run()).toEqual(first);
  });

  it('added latency still answers correctly', async () => {
    f = await startFixture({ latencyMs: { DescribeRepositories: 30 } });
    const out = await f.ecr.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories).toEqual([]);
  });
});
