/**
 * A sweep lets go of what it no longer needs, so a long run's memory follows its largest
 * repository, not the registry (issue 10 §3): the listener it adds to the caller's abort signal is
 * removed when it returns (a caller that reuses one signal for many sweeps, as a run over targets
 * does, would otherwise keep every finished sweep reachable), and with an image part store each
 * executed repository's result is written to the store as soon as that repository is done, not
 * after the whole registry is executed; the registry's index reads are let go once the listing is
 * saved.
 */
import { getEventListeners } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';
import { FileImageParts } from '../../lib/adapters/image-parts-file.js';
import { FileIndexStore } from '../../lib/adapters/index-store-file.js';
import type { PlannedImage } from '../../lib/core/plan-model.js';
import type { ResultImage } from '../../lib/core/result-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { Registry, RegistryConnector } from '../../lib/engine/ports.js';
import type { ImagePartStore } from '../../lib/engine/types.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { keepNewest, ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const GENERATE = { seed: 23, repositories: 6, imagesPerRepository: [20, 40] as [number, number] };
const RULES = ruleSet([untaggedOlderThan(7), taggedOlderThan(30, ['pr-*'], 'old-prs'), keepNewest(3, ['main-*'], 'main-3')]);

const fixtures: EmulatorFixture[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, generate: GENERATE }, true);
  fixtures.push(f);
  return f;
}

/** A file part store that records, in order, which repository's part is read or written. */
class RecordingParts implements ImagePartStore {
  readonly inner = new FileImageParts();
  readonly events: string[] = [];
  constructor() {
    cleanups.push(() => this.inner.dispose());
  }
  writePlanImages(key: string, images: readonly PlannedImage[]): void {
    this.events.push(`write-plan ${key}`);
    this.inner.writePlanImages(key, images);
  }
  readPlanImages(key: string): PlannedImage[] {
    this.events.push(`read-plan ${key}`);
    return this.inner.readPlanImages(key);
  }
  writeResultImages(key: string, images: readonly ResultImage[]): void {
    this.events.push(`write-result ${key}`);
    this.inner.writeResultImages(key, images);
  }
  readResultImages(key: string): ResultImage[] {
    return this.inner.readResultImages(key);
  }
}

describe('a sweep releases what it no longer needs', () => {
  it('removes its abort listener from the caller\'s signal when it returns, for a dry run and an apply alike', async () => {
    const { ecr } = await fixture();
    const stop = new AbortController();
    for (const mode of ['dry-run', 'apply', 'apply'] as const) {
      const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode, signal: stop.signal });
      expect(result.interrupted).toBeUndefined();
      expect(getEventListeners(stop.signal, 'abort'), mode).toHaveLength(0);
    }
  });

  it('still interrupts the sweep it belongs to while it runs', async () => {
    const { ecr } = await fixture();
    const stop = new AbortController();
    let listeners = -1;
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        planSink: async () => {
          listeners = getEventListeners(stop.signal, 'abort').length;
          stop.abort('SIGINT');
        },
      },
      { ruleSet: RULES, now: NOW, mode: 'apply', signal: stop.signal },
    );
    expect(listeners).toBe(1);
    expect(result.interrupted).toBe('SIGINT');
    expect(result.totals.deleted).toBe(0);
    expect(result.totals.planned).toBeGreaterThan(0);
  });

  it('writes each executed repository\'s result to the part store as soon as it is done, before the next one starts', async () => {
    const { ecr } = await fixture();
    const parts = new RecordingParts();
    const { result } = await runSweep({ registry: ecrRegistry(ecr), imageParts: parts }, { ruleSet: RULES, now: NOW, mode: 'apply', concurrency: 1 });
    const executed = result.repositories.filter((r) => r.counts.deleted > 0).map((r) => r.repositoryName);
    expect(executed.length).toBeGreaterThanOrEqual(3);
    // After the plan is recorded: each repository's plan is read to execute it, and its result is
    // written before the next repository's plan is read.
    const afterPlanning = parts.events.slice(parts.events.findIndex((e) => e.startsWith('read-plan')));
    const execution = afterPlanning.filter((e) => executed.some((name) => e.endsWith(` ${name}`)));
    const order = execution.filter((e, i) => i === 0 || e !== execution[i - 1]);
    expect(order.slice(0, executed.length * 2)).toEqual(executed.flatMap((name) => [`read-plan ${name}`, `write-result ${name}`]));
    expect(result.repositories.flatMap((r) => r.images)).toHaveLength(result.totals.images);
  });

  it('lets go of the registry\'s index reads once the listing is saved, before the plan is recorded', async () => {
    const { ecr } = await fixture();
    const dir = mkdtempSync(join(tmpdir(), 'release-index-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const connect = ecrRegistry(ecr);
    const registries: Registry[] = [];
    const registry: RegistryConnector = (pacing) => {
      const connection = connect(pacing);
      registries.push(connection.registry);
      return connection;
    };
    let heldAtPlan = -1;
    let storedAtPlan = -1;
    const { plan } = await runSweep(
      {
        registry,
        indexStore: new FileIndexStore(dir),
        planSink: async () => {
          heldAtPlan = registries[0]!.indexesSeen(NOW).size;
          const [file] = readdirSync(dir);
          storedAtPlan = Object.keys((JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { indexes: object }).indexes).length;
        },
      },
      { ruleSet: RULES, now: NOW, mode: 'apply' },
    );
    const indexes = plan.repositories.flatMap((r) => r.images).filter((i) => i.role === 'index').length;
    expect(indexes).toBeGreaterThan(0);
    expect(storedAtPlan).toBe(indexes);
    expect(heldAtPlan).toBe(0);
    expect(registries).toHaveLength(1);
  });
});
