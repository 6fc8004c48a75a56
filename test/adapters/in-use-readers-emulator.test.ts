/**
 * The four AWS in-use readers through the real SDK over HTTP against the emulator, on a generated
 * account big enough to page and batch (hundreds of tasks, tens of services, versions past a
 * page of 50): the calls each reader counts are the requests the emulator received (its SDK
 * retries included), they meet the per-operation formulas of docs/in-use.md, every generated
 * reference resolves to an image of this registry, throttles are retried to the same result,
 * and a denied call fails the scan naming where.
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { BatchClient } from '@aws-sdk/client-batch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { generateConsumers, startEmulator, type ImageSource, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { AppRunnerInUseReader } from '../../lib/adapters/in-use-apprunner.js';
import { BatchInUseReader } from '../../lib/adapters/in-use-batch.js';
import { EcsInUseReader } from '../../lib/adapters/in-use-ecs.js';
import { LambdaInUseReader } from '../../lib/adapters/in-use-lambda.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import type { RepositoryInventory } from '../../lib/core/inventory.js';
import type { InUseScan, InUseSourceReader } from '../../lib/engine/types.js';

const NOW = '2026-06-01T00:00:00Z';
const REPOSITORIES = ['team/web', 'team/api', 'batch/nightly', 'fn/resize'];
const unpaced = { rates: { controlPerSecond: Infinity, getFunctionPerSecond: Infinity } };
const FAST = { sleep: async (): Promise<void> => {} };

let emulator: RunningEmulator | undefined;
let destroy: (() => void) | undefined;

afterEach(async () => {
  destroy?.();
  await emulator?.stop();
  emulator = undefined;
});

/** Repositories of 8 images each (every other one tagged), then consumers generated over them, kept as the ground truth. */
async function account(): Promise<{ emulator: RunningEmulator; sections: StateFile }> {
  const state: StateFile = {
    repositories: REPOSITORIES.map((name) => ({ name, images: Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? { tags: [`v${i}`] } : {})) })),
  };
  const e = await startEmulator({ now: NOW, state });
  const source: ImageSource = {
    repositories: REPOSITORIES,
    imagesOf: (name) => e.images(name).map((i) => ({ digest: i.imageDigest, tags: i.imageTags })),
  };
  const sections: StateFile = {
    repositories: [],
    ...generateConsumers(
      { seed: 11, clusters: 3, services: 34, tasks: 420, families: 14, revisionsPerFamily: [1, 9], functions: 24, versionsPerFunction: [0, 70], jobDefinitions: 130, appRunnerServices: 23 },
      source,
    ),
  };
  e.loadState(sections);
  return { emulator: e, sections };
}

function clients(e: RunningEmulator, maxAttempts = 1) {
  const config = { endpoint: e.url, region: e.region, credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'not-a-secret' }, maxAttempts };
  const c = { ecs: new ECSClient(config), lambda: new LambdaClient(config), batch: new BatchClient(config), apprunner: new AppRunnerClient(config) };
  destroy = () => Object.values(c).forEach((x) => x.destroy());
  return c;
}

function readers(c: ReturnType<typeof clients>, options: { retry?: { maxAttempts: number } } = {}): InUseSourceReader[] {
  const fast = { ...FAST, ...options };
  return [
    new EcsInUseReader(c.ecs, { clusters: null, taskDefinitionRevisions: 3 }, fast),
    new LambdaInUseReader(c.lambda, { versions: 4 }, { ...fast, ...unpaced }),
    new BatchInUseReader(c.batch, fast),
    new AppRunnerInUseReader(c.apprunner, fast),
  ];
}

async function scanAll(rs: InUseSourceReader[], now: number): Promise<InUseScan[]> {
  const out: InUseScan[] = [];
  for (const r of rs) out.push(await r.scan({ now }));
  return out;
}

const ceil = (n: number, d: number): number => Math.ceil(n / d);
const key = (u: InUseUsage): string => `${u.source}|${u.consumer}|${u.reference}`;

describe('in-use readers against the emulator (real SDK over HTTP)', () => {
  it('count exactly the requests sent, meet the call formulas, and find references that all resolve in this registry', async () => {
    const built = await account();
    emulator = built.emulator;
    const { sections } = built;
    const scans = await scanAll(readers(clients(emulator)), emulator.now());

    // What each reader counted is what the emulator received, operation by operation.
    const counted: Record<string, number> = {};
    for (const s of scans) for (const [op, n] of Object.entries(s.calls)) counted[op] = (counted[op] ?? 0) + n;
    const received = Object.fromEntries(Object.entries(emulator.stats().requests).filter(([op]) => /^(ecs|lambda|batch|apprunner):/.test(op)));
    expect(counted).toEqual(received);

    // The formulas of docs/in-use.md, from the generated account.
    const clusters = sections.ecs?.clusters ?? [];
    const tasksOf = (c: (typeof clusters)[number]) => c.tasks ?? [];
    const stopped = (c: (typeof clusters)[number]) => tasksOf(c).filter((t) => t.lastStatus === 'STOPPED').length;
    const families = new Set((sections.ecs?.taskDefinitions ?? []).filter((t) => (t.status ?? 'ACTIVE') === 'ACTIVE').map((t) => t.family));
    expect(counted['ecs:ListClusters']).toBe(1);
    expect(counted['ecs:ListTasks']).toBe(clusters.reduce((s, c) => s + Math.max(1, ceil(tasksOf(c).length - stopped(c), 100)) + Math.max(1, ceil(stopped(c), 100)), 0));
    expect(counted['ecs:DescribeTasks']).toBe(clusters.reduce((s, c) => s + ceil(tasksOf(c).length, 100), 0));
    expect(counted['ecs:ListServices']).toBe(clusters.reduce((s, c) => s + Math.max(1, ceil((c.services ?? []).length, 100)), 0));
    expect(counted['ecs:DescribeServices']).toBe(clusters.reduce((s, c) => s + ceil((c.services ?? []).length, 10), 0));
    expect(counted['ecs:ListTaskDefinitionFamilies']).toBe(1);
    expect(counted['ecs:ListTaskDefinitions']).toBeGreaterThanOrEqual(families.size);
    const functions = (sections.lambda?.functions ?? []).filter((f) => (f.packageType ?? 'Image') === 'Image');
    expect(counted['lambda:ListFunctions']).toBe(Math.max(1, ceil((sections.lambda?.functions ?? []).length, 50)));
    expect(counted['lambda:ListAliases']).toBe(functions.reduce((s, f) => s + Math.max(1, ceil((f.aliases ?? []).length, 50)), 0));
    expect(counted['lambda:ListVersionsByFunction']).toBe(functions.reduce((s, f) => s + ceil((f.versions ?? []).length + 1, 50), 0));
    expect(functions.some((f) => (f.versions ?? []).length >= 50)).toBe(true);
    const jobs = (sections.batch?.jobDefinitions ?? []).filter((j) => (j.status ?? 'ACTIVE') === 'ACTIVE').length;
    expect(counted['batch:DescribeJobDefinitions']).toBe(Math.max(1, ceil(jobs, 100)));
    // Without MaxResults App Runner answers every service in one page.
    expect(counted['apprunner:ListServices']).toBe(1);
    expect(counted['apprunner:DescribeService']).toBe((sections.apprunner?.services ?? []).length);

    // Every consumer the account has is named.
    const usages = scans.flatMap((s) => s.usages);
    const consumers = new Set(usages.map((u) => u.consumer));
    const taskConsumers = [...consumers].filter((c) => /^ECS task [^ ]+\/[^ ]+ \(task definition /.test(c));
    expect(taskConsumers).toHaveLength(clusters.reduce((s, c) => s + tasksOf(c).length, 0));
    expect([...consumers].filter((c) => c.endsWith(' ($LATEST)'))).toHaveLength(functions.length);
    expect([...consumers].filter((c) => c.startsWith('Batch job definition '))).toHaveLength(jobs);
    expect([...consumers].filter((c) => c.startsWith('App Runner service '))).toHaveLength((sections.apprunner?.services ?? []).length);

    // The generated references all name images of this registry, by tag or digest.
    const inventories: RepositoryInventory[] = REPOSITORIES.map((name) => ({
      repositoryName: name,
      images: emulator!.images(name).map((i) => ({ imageDigest: i.imageDigest, imageTags: i.imageTags, imagePushedAt: i.imagePushedAt, imageSizeInBytes: i.imageSizeInBytes })),
    }));
    const resolved = resolveInUse({ accountId: emulator.registryId, region: emulator.region }, usages, inventories);
    expect(resolved.counts).toMatchObject({ resolved: usages.length, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 });
  });

  it('throttled calls are retried (by the SDK and the reader) to the same usages, and every retry is counted', async () => {
    const built = await account();
    emulator = built.emulator;
    const calm = await scanAll(readers(clients(emulator)), emulator.now());
    destroy?.();
    emulator.resetStats();
    // Operations with few calls: the SDK waits about half a second before retrying a throttle.
    emulator.setFaults({ throttleProbability: { 'ecs:DescribeTasks': 0.3, 'ecs:ListServices': 0.3, 'lambda:ListFunctions': 0.3, 'batch:DescribeJobDefinitions': 0.3, 'apprunner:ListServices': 0.3 } });
    // 2 SDK attempts × 6 of the reader's: a call fails only after 12 throttles in a row (0.3^12).
    const stormy = await scanAll(readers(clients(emulator, 2), { retry: { maxAttempts: 6 } }), emulator.now());

    for (let i = 0; i < calm.length; i++) {
      expect(new Set(stormy[i]!.usages.map(key))).toEqual(new Set(calm[i]!.usages.map(key)));
    }
    const stats = emulator.stats();
    expect(Object.values(stats.throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(2);
    const counted: Record<string, number> = {};
    for (const s of stormy) for (const [op, n] of Object.entries(s.calls)) counted[op] = (counted[op] ?? 0) + n;
    expect(counted).toEqual(Object.fromEntries(Object.entries(stats.requests).filter(([op]) => /^(ecs|lambda|batch|apprunner):/.test(op))));
  });

  it('a denied call fails the scan naming the cluster, the function or the service', async () => {
    const built = await account();
    emulator = built.emulator;
    emulator.setFaults({ accessDenied: ['ecs:ListServices', 'lambda:ListAliases', 'apprunner:DescribeService', 'batch:DescribeJobDefinitions'] });
    const outcomes = await Promise.all(readers(clients(emulator)).map((r) => r.scan({ now: emulator!.now() }).then(() => null, (e: unknown) => e)));
    expect(outcomes.map((e) => (e as { code?: string } | null)?.code)).toEqual(['AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException']);
    const [ecs, lambda, batch, apprunner] = outcomes as { location?: string; source: string }[];
    expect(ecs).toMatchObject({ source: 'ecs', location: expect.stringMatching(/^cluster /) });
    expect(lambda).toMatchObject({ source: 'lambda', location: expect.stringMatching(/^function /) });
    expect(batch).toMatchObject({ source: 'batch', location: 'job definitions' });
    expect(apprunner).toMatchObject({ source: 'apprunner', location: expect.stringMatching(/^service /) });
  });
});
