/**
 * The metered client resolves each command's SDK middleware once, not on every send (it costs
 * about a third of the SDK's CPU for a small request), with or without a deadline, against the
 * emulator through the real SDK; calls still meet every middleware (counted, signed, answered), a
 * test double installed on the base client still answers, and the one deadline signal every call
 * shares aborts what is in flight and keeps no listener behind.
 */
import { getEventListeners } from 'node:events';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeteredEcrClient } from '../../lib/adapters/ecr-metered-client.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { DeadlineReachedError } from '../../lib/engine/errors.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { after, startHangingServer, type HangingServer } from './support/hanging-server.js';

const DAY = 86_400_000;

describe('MeteredEcrClient: SDK middleware resolved once per command class', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startFixture({ state: { repositories: [{ name: 'app', images: [{ tags: ['v1'] }, { tags: ['v2'] }] }] } });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    fixture.ecr.destroy();
    await fixture.emulator.stop();
  });

  it.each([
    ['no deadline', undefined],
    ['a deadline', Date.now() + DAY],
    ['a deadline further away than a timer can hold', Date.now() + 40 * DAY],
  ] as const)('with %s: 20 sends of a command resolve its middleware once, and every send is counted and answered', async (_label, deadline) => {
    const resolveImages = vi.spyOn(DescribeImagesCommand.prototype, 'resolveMiddleware');
    const resolveRepositories = vi.spyOn(DescribeRepositoriesCommand.prototype, 'resolveMiddleware');
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}), deadline === undefined ? {} : { deadline });
    for (let i = 0; i < 20; i++) {
      const out = await metered.client.send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'ANY' } }));
      expect(out.imageDetails?.flatMap((d) => d.imageTags ?? []).sort()).toEqual(['v1', 'v2']);
    }
    const repositories = await metered.client.send(new DescribeRepositoriesCommand({}));
    expect(repositories.repositories?.map((r) => r.repositoryName)).toEqual(['app']);
    expect(resolveImages).toHaveBeenCalledTimes(1);
    expect(resolveRepositories).toHaveBeenCalledTimes(1);
    expect(metered.stats().apiCalls).toEqual({ DescribeImages: 20, DescribeRepositories: 1 });
    expect(fixture.emulator.stats().requests).toMatchObject({ DescribeImages: 20, DescribeRepositories: 1 });
  });

  it("a caller's own options (its abort signal) are sent as given, without the shared handler", async () => {
    const resolve = vi.spyOn(DescribeRepositoriesCommand.prototype, 'resolveMiddleware');
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}), { deadline: Date.now() + DAY });
    const controller = new AbortController();
    await metered.client.send(new DescribeRepositoriesCommand({}), { abortSignal: controller.signal });
    await metered.client.send(new DescribeRepositoriesCommand({}), { abortSignal: controller.signal });
    expect(resolve).toHaveBeenCalledTimes(2);
    expect(resolve.mock.calls.map((c) => (c[2] as { abortSignal?: unknown } | undefined)?.abortSignal)).toEqual([controller.signal, controller.signal]);
  });

  it('a test double installed on the base client after the metered client was made still answers', async () => {
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}));
    await metered.client.send(new DescribeRepositoriesCommand({}));
    const double = vi.fn(async () => ({ repositories: [{ repositoryName: 'from-the-double' }], $metadata: {} }));
    (fixture.ecr as unknown as { send: unknown }).send = double;
    const out = await metered.client.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.[0]?.repositoryName).toBe('from-the-double');
    expect(double).toHaveBeenCalledTimes(1);
  });

  it('a test double on the client class (installed before the metered client) still answers', async () => {
    const double = vi.spyOn(ECRClient.prototype, 'send').mockImplementation(async () => ({ repositories: [{ repositoryName: 'from-the-class-double' }], $metadata: {} }));
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}));
    const out = await metered.client.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.[0]?.repositoryName).toBe('from-the-class-double');
    expect(double).toHaveBeenCalledTimes(1);
  });

  it('the shared deadline signal keeps no listener once its calls are done', async () => {
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}), { deadline: Date.now() + DAY, maxInFlight: 4 });
    const resolve = vi.spyOn(DescribeRepositoriesCommand.prototype, 'resolveMiddleware');
    await Promise.all(Array.from({ length: 30 }, () => metered.client.send(new DescribeRepositoriesCommand({}))));
    const signal = (resolve.mock.calls[0]![2] as { abortSignal: AbortSignal }).abortSignal;
    expect(signal.aborted).toBe(false);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('MeteredEcrClient: the shared deadline signal', () => {
  let server: HangingServer;
  beforeEach(async () => {
    server = await startHangingServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('aborts every call in flight when the deadline and its grace pass, each as DeadlineReachedError', async () => {
    const ecr = createEcrClient({ endpoint: server.url, region: 'us-east-1', env: {}, maxAttempts: 1, timeouts: { requestTimeoutMs: 600_000 }, extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } });
    const metered = new MeteredEcrClient(ecr, new RateController({}), { deadline: Date.now() + 200, deadlineGraceMs: 200, maxInFlight: 3 });
    try {
      const calls = Array.from({ length: 3 }, () => metered.client.send(new DescribeRepositoriesCommand({})).then(() => 'answered', (e: unknown) => e));
      const outcomes = await Promise.race([Promise.all(calls), after(5_000, 'still waiting after 5 s')]);
      expect(outcomes).toHaveLength(3);
      for (const outcome of outcomes as unknown[]) expect(outcome).toBeInstanceOf(DeadlineReachedError);
      expect(server.requests).toHaveLength(3);
      // A call made after the moment fails at once, without a request.
      await expect(metered.client.send(new DescribeRepositoriesCommand({}))).rejects.toBeInstanceOf(DeadlineReachedError);
      expect(server.requests).toHaveLength(3);
    } finally {
      ecr.destroy();
    }
  });
});
