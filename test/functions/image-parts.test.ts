/**
 * The sweep and plan functions keep each repository's images in an image part store under their
 * /tmp (the memory of an invocation follows its largest repository), and remove its folder when
 * the invocation ends: after a clean run, after a run that throws, and (left by a killed
 * invocation) at the start of the next one. The real handlers against the emulator and s3rver.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  captureOutput,
  coldStart,
  functionEnv,
  lambdaContext,
  readObject,
  scheduledEvent,
  startLocalCloud,
  writeRules,
  type LocalCloud,
  type StateFile,
} from './support/harness.js';
import { untaggedAfter7dRules } from './support/rules.js';

const STATE: StateFile = {
  repositories: [
    { name: 'app/web', images: [{ tags: ['v1'], pushedAt: '-30d' }, { pushedAt: '-10d', sizeInBytes: 300 }, { pushedAt: '-9d', sizeInBytes: 200 }] },
    { name: 'app/api', images: [{ tags: ['latest'], pushedAt: '-3d' }, { pushedAt: '-15d', sizeInBytes: 400 }] },
  ],
};

let cloud: LocalCloud;
let applyRules: string;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  cloud = await startLocalCloud();
  applyRules = await writeRules(cloud, 'apply.yml', untaggedAfter7dRules('apply'));
});
afterAll(async () => {
  await cloud?.stop();
});
beforeEach(() => {
  cloud.emulator.clear();
  cloud.emulator.loadState(STATE);
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The functions' part folders under their /tmp (`ecr-sweeper-function/`). */
const partsRoot = (): string => join(cloud.tmpDir, 'ecr-sweeper-function');

/**
 * Spies on the image part store the handlers load (the same module instance: imported after the
 * cold start), recording the folder and the repositories whose images it was given.
 */
async function watchParts(): Promise<{ dirs: Set<string>; planned: string[]; results: string[]; disposed: () => number }> {
  const { FileImageParts } = await import('../../lib/adapters/image-parts-file.js');
  const seen = { dirs: new Set<string>(), planned: [] as string[], results: [] as string[] };
  const writePlan = FileImageParts.prototype.writePlanImages;
  const writeResult = FileImageParts.prototype.writeResultImages;
  vi.spyOn(FileImageParts.prototype, 'writePlanImages').mockImplementation(function (this: InstanceType<typeof FileImageParts>, key, images) {
    seen.dirs.add(this.dir);
    // Written to disk: the folder holds the part while the run goes on.
    writePlan.call(this, key, images);
    seen.planned.push(key);
    expect(readdirSync(this.dir).length).toBeGreaterThan(0);
  });
  vi.spyOn(FileImageParts.prototype, 'writeResultImages').mockImplementation(function (this: InstanceType<typeof FileImageParts>, key, images) {
    seen.dirs.add(this.dir);
    writeResult.call(this, key, images);
    seen.results.push(key);
  });
  const dispose = vi.spyOn(FileImageParts.prototype, 'dispose');
  return { ...seen, disposed: () => dispose.mock.calls.length };
}

describe('the functions keep images in an image part store under /tmp', () => {
  it('the sweep plans, deletes and reports from parts in a folder under its /tmp, removed when it returns', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    const parts = await watchParts();
    const summary = (await sweep(scheduledEvent(), lambdaContext())) as { runId: string; totals: { deleted: number }; reports: { resultJson: string; plan: string } };

    expect(summary.totals.deleted).toBe(3);
    expect([...new Set(parts.planned)].sort()).toEqual(['app/api', 'app/web']);
    expect([...new Set(parts.results)].sort()).toEqual(['app/api', 'app/web']);
    expect(parts.dirs.size).toBe(1);
    const [dir] = [...parts.dirs];
    expect(dir!.startsWith(`${partsRoot()}/ecr-sweeper-parts-`)).toBe(true);
    // Gone, and nothing else left under the functions' root.
    expect(existsSync(dir!)).toBe(false);
    expect(readdirSync(partsRoot())).toEqual([]);
    expect(parts.disposed()).toBe(1);
    // The reports were read back from the parts before the folder went: every image is in them.
    const key = summary.reports.resultJson.replace('s3://sweeper-reports/', '');
    const result = JSON.parse((await readObject(cloud.s3, key))!) as { repositories: { repositoryName: string; images: unknown[] }[] };
    expect(Object.fromEntries(result.repositories.map((r) => [r.repositoryName, r.images.length]))).toEqual({ 'app/api': 2, 'app/web': 3 });
    const plan = JSON.parse((await readObject(cloud.s3, summary.reports.plan.replace('s3://sweeper-reports/', '')))!) as { repositories: { images: unknown[] }[] };
    expect(plan.repositories.flatMap((r) => r.images)).toHaveLength(5);
  });

  it('the plan function uses one too, and removes it', async () => {
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const parts = await watchParts();
    const summary = (await plan({}, lambdaContext())) as { plan: { delete: number } };

    expect(summary.plan.delete).toBe(3);
    expect([...new Set(parts.planned)].sort()).toEqual(['app/api', 'app/web']);
    expect(parts.dirs.size).toBe(1);
    expect(existsSync([...parts.dirs][0]!)).toBe(false);
    expect(readdirSync(partsRoot())).toEqual([]);
  });

  it('a sweep that throws after its images were written (plan.json cannot be written) still removes its folder, and deletes nothing', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { REPORT_BUCKET: 'no-such-report-bucket' }));
    const parts = await watchParts();
    const error = await sweep(scheduledEvent(), lambdaContext()).catch((e: unknown) => e);

    expect((error as Error).name).toBe('PlanSinkError');
    expect((error as Error).message).toContain('plan.json');
    expect([...new Set(parts.planned)].sort()).toEqual(['app/api', 'app/web']);
    expect(parts.dirs.size).toBe(1);
    expect(existsSync([...parts.dirs][0]!)).toBe(false);
    expect(readdirSync(partsRoot())).toEqual([]);
    expect(cloud.emulator.images('app/web')).toHaveLength(3);
  });

  it('removes the parts a killed invocation of the same environment left in /tmp before it starts', async () => {
    const stale = join(partsRoot(), 'ecr-sweeper-parts-killed');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'plan-0123.json'), JSON.stringify([{ imageDigest: 'sha256:00' }]));
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    await sweep(scheduledEvent(), lambdaContext());

    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(partsRoot())).toEqual([]);
    const warning = output.lines().find((l) => l.message === 'image parts left by an earlier invocation removed');
    expect(warning).toMatchObject({ level: 'WARN', folders: 1 });
  });
});
