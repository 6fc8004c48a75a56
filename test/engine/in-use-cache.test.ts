/**
 * The in-use scan shared by the targets of one run (`InUseDeps.cache`): N targets scan each
 * source once per window, a rescan due to age still scans, and a failed scan is shared, so every
 * target fails closed on it. The guards are the real ones; the readers are in-memory ports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { MemoryInUseScanCache } from '../../lib/engine/in-use-cache.js';
import { InUseGuard } from '../../lib/engine/in-use-guard.js';
import type { InUseScanOutcome } from '../../lib/engine/in-use-scan.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { InUseSourceReader } from '../../lib/engine/types.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { HOST, accessDenied, ecs, fixedReader, scriptedReader } from './support/in-use.js';
import { ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const SETTINGS = { ...DEFAULT_IN_USE_SETTINGS, rescanAfterMs: 60_000 };
const REGISTRY = { accountId: '123456789012', region: 'us-east-1' };

function guards(n: number, readers: readonly InUseSourceReader[], clock: () => number, cache: MemoryInUseScanCache): InUseGuard[] {
  return Array.from({ length: n }, () => new InUseGuard(readers, SETTINGS, clock, { cache }));
}

function outcome(startedAt: number): InUseScanOutcome {
  return { startedAt, usages: [], sources: [] };
}

describe('MemoryInUseScanCache', () => {
  it('coalesces a scan in flight: callers during it get the same outcome, one scan', async () => {
    const cache = new MemoryInUseScanCache();
    let release: (o: InUseScanOutcome) => void = () => {};
    let started = 0;
    const fresh = (): Promise<InUseScanOutcome> => {
      started += 1;
      return new Promise((resolve) => (release = resolve));
    };
    const a = cache.scan({ now: 1000, maxAgeMs: 10 }, fresh);
    const b = cache.scan({ now: 1005, maxAgeMs: 10 }, fresh);
    release(outcome(1000));
    expect(await a).toBe(await b);
    expect(started).toBe(1);
    expect(cache.scans).toBe(1);
  });

  it('reuses a scan that started within maxAgeMs, scans again when it started earlier', async () => {
    const cache = new MemoryInUseScanCache();
    let started = 0;
    const fresh = (at: number) => async (): Promise<InUseScanOutcome> => {
      started += 1;
      return outcome(at);
    };
    const first = await cache.scan({ now: 1000, maxAgeMs: 100 }, fresh(1000));
    expect(await cache.scan({ now: 1100, maxAgeMs: 100 }, fresh(1100))).toBe(first);
    const later = await cache.scan({ now: 1101, maxAgeMs: 100 }, fresh(1101));
    expect(later).not.toBe(first);
    expect(later.startedAt).toBe(1101);
    expect(started).toBe(2);
    // A tighter window than the cached scan's age scans again even right after it.
    expect((await cache.scan({ now: 1102, maxAgeMs: 0 }, fresh(1102))).startedAt).toBe(1102);
    expect(started).toBe(3);
  });

  it('a scan that rejects is not kept: the next caller scans again', async () => {
    const cache = new MemoryInUseScanCache();
    await expect(cache.scan({ now: 1, maxAgeMs: 100 }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await cache.scan({ now: 2, maxAgeMs: 100 }, async () => outcome(2))).startedAt).toBe(2);
  });
});

describe('InUseGuard with a shared cache', () => {
  it('N targets scan each source once per window, and once more after the window', async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const readerEcs = fixedReader('ecs', 'ECS (all clusters) in 111111111111/eu-west-1', []);
    const readerLambda = fixedReader('lambda', 'Lambda in 222222222222/eu-west-1', []);
    const cache = new MemoryInUseScanCache();
    const all = guards(5, [readerEcs, readerLambda], clock, cache);
    await Promise.all(all.map((g) => g.ready()));
    expect([readerEcs.scans, readerLambda.scans]).toEqual([1, 1]);
    now += 30_000;
    await Promise.all(all.map((g) => g.refreshIfStale()));
    expect([readerEcs.scans, readerLambda.scans]).toEqual([1, 1]);
    // Past the window: a rescan due to age still scans, once for all of them.
    now += 31_000;
    await Promise.all(all.map((g) => g.refreshIfStale()));
    expect([readerEcs.scans, readerLambda.scans]).toEqual([2, 2]);
    expect(all.map((g) => g.rescans)).toEqual([1, 1, 1, 1, 1]);
    const reports = all.map((g) => g.report([], new Set()).scannedAt);
    expect(new Set(reports)).toEqual(new Set([new Date(now).toISOString()]));
  });

  it('a guard whose own scan is stale rescans even when another target did not need to', async () => {
    let now = 0;
    const clock = (): number => now;
    const reader = fixedReader('ecs', 'ECS', []);
    const cache = new MemoryInUseScanCache();
    const [a, b] = guards(2, [reader], clock, cache);
    await a!.ready();
    now = 59_000;
    await b!.ready(); // shares a's scan, started at 0
    now = 61_000;
    await b!.refreshIfStale();
    expect(reader.scans).toBe(2);
    expect(b!.report([], new Set()).scannedAt).toBe(new Date(61_000).toISOString());
  });

  it('a failed scan is shared: every target sees the failure, from one scan', async () => {
    const clock = (): number => 5_000;
    const failing = scriptedReader('ecs', 'ECS (all clusters) in 222222222222/eu-west-1', () => accessDenied());
    const cache = new MemoryInUseScanCache();
    const all = guards(3, [failing], clock, cache);
    await Promise.all(all.map((g) => g.ready()));
    expect(failing.scans).toBe(1);
    for (const guard of all) expect(guard.failure()).toContain('in-use source ECS (all clusters) in 222222222222/eu-west-1 could not be read (AccessDeniedException');
  });
});

describe('runSweep with a shared cache (emulator)', () => {
  const fixtures: EmulatorFixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) {
      f.ecr.destroy();
      await f.emulator.stop();
    }
  });

  it('two sweeps sharing a cache scan once; each keeps what the shared scan finds in use', async () => {
    const rules: RuleSet = { ...ruleSet([taggedOlderThan(1, ['*'], 'old-tagged'), untaggedOlderThan(1)]), inUse: { ...DEFAULT_IN_USE_SETTINGS } };
    const state = { repositories: [{ name: 'app', images: [{ tags: ['v1'], pushedAt: '-30d' }, { tags: ['v2'], pushedAt: '-30d' }] }] };
    const a = await startFixture({ state });
    const b = await startFixture({ state });
    fixtures.push(a, b);
    const reader = fixedReader('ecs', 'ECS (all clusters)', [ecs('ECS service prod/api', `${HOST}/app:v1`)]);
    const lambda = fixedReader('lambda', 'Lambda', []);
    const cache = new MemoryInUseScanCache();
    const runs = await Promise.all(
      [a, b].map((f) => runSweep({ registry: ecrRegistry(f.ecr), inUse: { readers: [reader, lambda], cache } }, { ruleSet: rules, mode: 'apply', rateControl: { minRate: 200 } })),
    );
    expect(reader.scans).toBe(1);
    expect(lambda.scans).toBe(1);
    for (const [i, f] of [a, b].entries()) {
      expect(f.emulator.images('app').map((img) => img.imageTags)).toEqual([['v1']]);
      expect(runs[i]!.result.totals.deleted).toBe(1);
    }
  });
});
