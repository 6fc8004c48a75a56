/**
 * A sweep whose images wait in an image part store (`deps.imageParts`): the plan and the result
 * are exactly those of a sweep that holds everything in memory, the engine writes each
 * repository's images as it is planned (before the plan is recorded) and keeps none itself, a
 * resumed run and in-use blocking work the same, and a store that fails stops the sweep before
 * any deletion.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { FileImageParts, ImagePartError } from '../../lib/adapters/image-parts-file.js';
import type { Plan, PlannedImage } from '../../lib/core/plan-model.js';
import type { ResultImage, SweepResult } from '../../lib/core/result-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { ImagePartStore, ProgressEvent } from '../../lib/engine/types.js';
import { imageKeys, startFixture, type EmulatorFixture } from './support/emulator.js';
import { keepNewest, ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const GENERATE = { seed: 11, repositories: 8, imagesPerRepository: [20, 40] as [number, number] };
const RULES = ruleSet([untaggedOlderThan(7), taggedOlderThan(30, ['pr-*'], 'old-prs'), keepNewest(3, ['main-*'], 'main-3')]);

const fixtures: EmulatorFixture[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, generate: GENERATE }, true);
  fixtures.push(f);
  return f;
}

/** A file part store that records what the engine writes and reads, and when. */
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

/** The plan and result as documents, less what differs between two runs (ids, times, call counts). */
function documents(plan: Plan, result: SweepResult): { plan: unknown; result: unknown } {
  const { runId: _r, ...planRest } = JSON.parse(JSON.stringify(plan)) as Plan;
  const { runId: _id, startedAt: _s, finishedAt: _f, durationMs: _d, apiCalls: _a, retries: _t, throttles: _th, ...resultRest } = JSON.parse(JSON.stringify(result)) as SweepResult;
  return { plan: planRest, result: resultRest };
}

describe('runSweep with an image part store', () => {
  it('gives the same plan and result as a sweep holding everything in memory, and deletes the same images', async () => {
    const inMemory = await fixture();
    const parted = await fixture();
    expect(imageKeys(parted.emulator)).toEqual(imageKeys(inMemory.emulator));
    const a = await runSweep({ registry: ecrRegistry(inMemory.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    const parts = new RecordingParts();
    const b = await runSweep({ registry: ecrRegistry(parted.ecr), imageParts: parts }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(b.result.totals.deleted).toBeGreaterThan(20);
    expect(documents(b.plan, b.result)).toEqual(documents(a.plan, a.result));
    expect(imageKeys(parted.emulator)).toEqual(imageKeys(inMemory.emulator));
  });

  it('writes each repository\'s images as it is planned, before the plan is recorded, and keeps none itself', async () => {
    const { ecr } = await fixture();
    const parts = new RecordingParts();
    const listed: number[] = [];
    let planRecordedAt = -1;
    const { plan, result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        imageParts: parts,
        onProgress: (e: ProgressEvent) => {
          if (e.phase === 'list') listed.push(parts.events.filter((x) => x.startsWith('write-plan')).length);
        },
        planSink: async () => {
          planRecordedAt = parts.events.length;
        },
      },
      { ruleSet: RULES, now: NOW, mode: 'apply', concurrency: 1 },
    );
    const planWrites = parts.events.filter((x) => x.startsWith('write-plan'));
    expect(planWrites).toHaveLength(8);
    // One repository's images written after each one listed (the first progress is before any listing).
    expect(listed.slice(1, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Every plan part before the plan sink; result parts after it.
    expect(parts.events.slice(0, planRecordedAt).every((x) => x.startsWith('write-plan'))).toBe(true);
    expect(parts.events.slice(planRecordedAt).filter((x) => x.startsWith('write-result'))).toHaveLength(8);
    // The engine's documents hold no image array of their own: each reads its part when asked.
    for (const repository of [...plan.repositories, ...result.repositories]) {
      expect(Object.getOwnPropertyDescriptor(repository, 'images')?.get, repository.repositoryName).toBeTypeOf('function');
    }
    expect(result.repositories.flatMap((r) => r.images)).toHaveLength(result.totals.images);
    parts.inner.dispose();
    expect(() => plan.repositories[0]!.images).toThrow(ImagePartError);
  });

  it('an image part that cannot be written stops the sweep before any deletion', async () => {
    const { emulator, ecr } = await fixture();
    const before = imageKeys(emulator);
    const failing: ImagePartStore = {
      writePlanImages: () => {
        throw new ImagePartError('disk full');
      },
      readPlanImages: () => [],
      writeResultImages: () => undefined,
      readResultImages: () => [],
    };
    await expect(runSweep({ registry: ecrRegistry(ecr), imageParts: failing }, { ruleSet: RULES, now: NOW, mode: 'apply' })).rejects.toThrow('disk full');
    expect(imageKeys(emulator)).toEqual(before);
  });

  it('a run resumed from a parted checkpoint with its stored plans in the part store finishes the sweep', async () => {
    const { emulator, ecr } = await fixture();
    const dir = await mkdtemp(join(tmpdir(), 'parts-resume-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const reference = await fixture();
    const expected = await runSweep({ registry: ecrRegistry(reference.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    // The first run stops (deadline) after a few repositories are listed; the second resumes.
    let clock = NOW;
    const first = await runSweep(
      { registry: ecrRegistry(ecr), imageParts: new RecordingParts(), checkpoint, clock: () => (clock += 400) },
      { ruleSet: RULES, now: NOW, mode: 'apply', deadline: NOW + 4_000, concurrency: 1 },
    );
    expect(first.result.remainingRepositories.length).toBeGreaterThan(0);
    const second = await runSweep({ registry: ecrRegistry(ecr), imageParts: new RecordingParts(), checkpoint, clock: () => NOW + 60_000 }, { ruleSet: RULES, mode: 'apply' });
    expect(second.result.runId).toBe(first.result.runId);
    expect(second.result.remainingRepositories).toEqual([]);
    expect(imageKeys(emulator)).toEqual(imageKeys(reference.emulator));
    expect(expected.result.totals.deleted).toBeGreaterThan(0);
  });
});
