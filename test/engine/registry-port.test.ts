/**
 * The engine's Registry port (lib/engine/ports.ts): runSweep reaches a registry only through the
 * connector it is given. Here the registry is an in-memory one with no AWS SDK behind it, so
 * these tests fail if the engine bypasses the port: the pacing it hands the connector, the
 * deletions it makes through the registry, the stats and identity it takes from the connection,
 * and the connection's pause between attempts of a failed delete.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { IndexMemory, IndexReadRecord } from '../../lib/core/index-memory.js';
import type {
  CallStats,
  DeleteBatchResult,
  ListedRepository,
  Registry,
  RegistryConnection,
  RegistryConnector,
  RegistryIdentity,
  RegistryPacing,
  RepositoryRef,
  RereadResult,
} from '../../lib/engine/ports.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import type { IndexStore } from '../../lib/engine/types.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const OLD = NOW - 30 * DAY;
const FRESH = NOW - DAY;
const REGISTRY_ID = '210987654321';
const digest = (name: string): string => `sha256:${name.padEnd(64, '0')}`;

/** A registry held in memory: what the engine may know of any registry, and nothing of ECR's SDK. */
class MemoryRegistry implements Registry {
  readonly calls: string[] = [];
  /** deleteImages call number (1-based) -> the error it throws instead of deleting. */
  failDelete: ((call: number) => Error | undefined) | undefined;
  private deleteCalls = 0;
  private listed = false;
  constructor(private readonly repositories: Map<string, ImageRecord[]>) {}

  get registryId(): string | undefined {
    return this.listed ? REGISTRY_ID : undefined;
  }
  digests(repositoryName: string): string[] {
    return (this.repositories.get(repositoryName) ?? []).map((i) => i.imageDigest).sort();
  }
  async listRepositories(): Promise<RepositoryRef[]> {
    this.calls.push('listRepositories');
    this.listed = true;
    return [...this.repositories.keys()].map((name) => ({ name, arn: `mem:${name}` }));
  }
  async listRepositoryTags(): Promise<Record<string, string>> {
    return {};
  }
  async getLifecyclePolicy(): Promise<{ found: false }> {
    return { found: false };
  }
  async listPullTimeUpdateExclusions(): Promise<string[]> {
    return [];
  }
  async listImages(repositoryName: string): Promise<ListedRepository> {
    this.calls.push(`listImages ${repositoryName}`);
    return { images: [...(this.repositories.get(repositoryName) ?? [])] };
  }
  remember(_memory: IndexMemory): void {}
  indexesSeen(): Map<string, IndexReadRecord> {
    return new Map();
  }
  forgetIndexReads(): void {}
  async rereadImages(repositoryName: string, digests: readonly string[]): Promise<RereadResult> {
    this.calls.push(`reread ${repositoryName} ${digests.length}`);
    const images = new Map((this.repositories.get(repositoryName) ?? []).map((i) => [i.imageDigest, i]));
    const found = new Map<string, ImageRecord>();
    for (const d of digests) {
      const image = images.get(d);
      if (image) found.set(d, image);
    }
    return { found, missing: digests.filter((d) => !images.has(d)) };
  }
  async recheckImages(repositoryName: string, digests: readonly string[]): Promise<RereadResult> {
    return this.rereadImages(repositoryName, digests);
  }
  async deleteImages(repositoryName: string, digests: readonly string[]): Promise<DeleteBatchResult> {
    this.deleteCalls += 1;
    this.calls.push(`delete ${repositoryName} ${digests.length}`);
    const error = this.failDelete?.(this.deleteCalls);
    if (error) throw error;
    const wanted = new Set(digests);
    this.repositories.set(repositoryName, (this.repositories.get(repositoryName) ?? []).filter((i) => !wanted.has(i.imageDigest)));
    return { deleted: [...digests], failures: [], attempts: 1 };
  }
  async archiveImage(): Promise<string | undefined> {
    throw new Error('not used');
  }
}

interface Connected {
  registry: MemoryRegistry;
  connector: RegistryConnector;
  pacings: RegistryPacing[];
  identities: string[];
  pauses: { operation: string; attempt: number; error: unknown }[];
}

const STATS: CallStats = { apiCalls: { ListImages: 7, BatchDeleteImage: 2 }, retries: 3, throttles: 1 };

function connect(images: Record<string, ImageRecord[]>): Connected {
  const registry = new MemoryRegistry(new Map(Object.entries(images)));
  const out: Connected = { registry, connector: () => connection, pacings: [], identities: [], pauses: [] };
  const connection: RegistryConnection = {
    registry,
    stats: () => STATS,
    pause: async (operation, attempt, error) => void out.pauses.push({ operation, attempt, error }),
    identity: async (registryId): Promise<RegistryIdentity> => {
      out.identities.push(registryId);
      return { registryId, region: 'mem-west-1', endpoint: 'mem://registry' };
    },
  };
  out.connector = (pacing) => {
    out.pacings.push(pacing);
    return connection;
  };
  return out;
}

const image = (name: string, pushedAt: number, tags: string[] = []): ImageRecord => ({ imageDigest: digest(name), imageTags: tags, imagePushedAt: pushedAt, imageSizeInBytes: 10 });
const RULES = ruleSet([untaggedOlderThan(7)]);

describe('the Registry port', () => {
  it('runSweep deletes exactly the plan through the registry it is given, and reports the connection stats', async () => {
    const c = connect({
      app: [image('old-a', OLD), image('old-b', OLD), image('fresh', FRESH), image('tagged', OLD, ['v1'])],
      web: [image('web-old', OLD, ['latest'])],
    });
    const { plan, result } = await runSweep({ registry: c.connector, clock: () => NOW }, { ruleSet: RULES, mode: 'apply', now: NOW });
    expect(plan.repositories.find((r) => r.repositoryName === 'app')?.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest).sort()).toEqual(
      [digest('old-a'), digest('old-b')].sort(),
    );
    expect(c.registry.digests('app')).toEqual([digest('fresh'), digest('tagged')].sort());
    expect(c.registry.digests('web')).toEqual([digest('web-old')]);
    expect(result.totals.deleted).toBe(2);
    // The batch was re-read just before its delete, through the port.
    expect(c.registry.calls.filter((x) => x.startsWith('reread app') || x.startsWith('delete app'))).toEqual(['reread app 2', 'delete app 2']);
    expect({ apiCalls: result.apiCalls, retries: result.retries, throttles: result.throttles }).toEqual(STATS);
  });

  it('connects once per sweep with the engine pacing: its rate controller, concurrency, clock and deadline', async () => {
    const c = connect({ app: [image('old', OLD)] });
    const clock = (): number => NOW;
    await buildPlan({ registry: c.connector, clock }, { ruleSet: RULES, now: NOW, concurrency: 3, deadline: NOW + 60_000 });
    expect(c.pacings).toHaveLength(1);
    const [pacing] = c.pacings;
    expect(pacing?.rate).toBeInstanceOf(RateController);
    expect(pacing?.maxInFlight).toBe(3);
    expect(pacing?.clock).toBe(clock);
    expect(pacing?.deadline).toBe(NOW + 60_000);
    // Without a deadline, none is passed (the connection retries without one).
    await buildPlan({ registry: c.connector, clock }, { ruleSet: RULES, now: NOW });
    expect(c.pacings[1]?.maxInFlight).toBe(4);
    expect(c.pacings[1] && 'deadline' in c.pacings[1]).toBe(false);
  });

  it('keys the index store by the connection identity of the registry id the listing reported', async () => {
    const c = connect({ app: [image('old', OLD)] });
    const keys: RegistryIdentity[] = [];
    const store: IndexStore = {
      location: (r) => `mem:${r.registryId}`,
      load: async (r) => {
        keys.push(r);
        return new Map();
      },
      save: async (r) => void keys.push(r),
    };
    await buildPlan({ registry: c.connector, clock: () => NOW, indexStore: store }, { ruleSet: RULES, now: NOW });
    expect(c.identities).toContain(REGISTRY_ID);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toEqual({ registryId: REGISTRY_ID, region: 'mem-west-1', endpoint: 'mem://registry' });
  });

  it('retries a failed delete only after the connection pause, re-reading the batch first', async () => {
    const c = connect({ app: [image('old-a', OLD), image('old-b', OLD)] });
    const failure = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    c.registry.failDelete = (call) => (call === 1 ? failure : undefined);
    const { result } = await runSweep({ registry: c.connector, clock: () => NOW }, { ruleSet: RULES, mode: 'apply', now: NOW });
    expect(c.pauses).toEqual([{ operation: 'BatchDeleteImage', attempt: 1, error: failure }]);
    expect(c.registry.calls.filter((x) => x.startsWith('reread app') || x.startsWith('delete app'))).toEqual(['reread app 2', 'delete app 2', 'reread app 2', 'delete app 2']);
    expect(c.registry.digests('app')).toEqual([]);
    expect(result.totals.deleted).toBe(2);
  });
});
