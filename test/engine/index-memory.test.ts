/**
 * Planning must not change the registry (issue 11 §2): reading an index manifest is a pull in ECR,
 * so without a memory of its own reads every plan made the next one see each multi-arch index as
 * just pulled. On the emulator through the real SDK, with the sweeper NOT a pull-time update
 * exclusion: three plans in a row give identical decisions, the second and third read no index
 * again, a real pull after the tool's read still counts, and deletes are not stopped by the
 * tool's own read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stsCallerIdentity } from '../../lib/adapters/caller-identity.js';
import { createAwsClients } from '../../lib/adapters/aws-clients.js';
import { FileIndexStore } from '../../lib/adapters/index-store-file.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { IndexStoreError } from '../../lib/engine/errors.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import type { IndexStore, SweepDeps } from '../../lib/engine/types.js';
import { SWEEPER_KEY, startFixture, type EmulatorFixture } from './support/emulator.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const REPO = 'team/multi';
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

/** Expire images (any tag status) not pulled for `days`. */
function notPulledFor(days: number, id = 'stale-pulls'): Rule {
  return {
    id,
    selection: { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' },
    condition: { type: 'sinceImagePulled', ms: days * DAY },
    action: { type: 'expire' },
  };
}

const RULES = ruleSet([notPulledFor(90)]);

let fixture: EmulatorFixture;
let dir: string;
beforeEach(async () => {
  // The sweeper is not excluded: every BatchGetImage it sends is recorded as a pull.
  fixture = await startFixture({ now: new Date(T0).toISOString() }, false);
  dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-index-memory-'));
  fixture.emulator.addImages(REPO, [
    ...Array.from({ length: 6 }, (_, i) => ({ tags: [`v${i}`], pushedAt: '-200d', lastPulledAt: '-101d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }] })),
    // Never pulled: judged by its push time, and the read must not give it a first pull.
    { tags: ['never'], pushedAt: '-200d', children: [{ sizeInBytes: 5 }] },
    // Pulled recently by someone: kept.
    { tags: ['busy'], pushedAt: '-200d', lastPulledAt: '-2d', children: [{ sizeInBytes: 5 }] },
  ]);
});
afterEach(async () => {
  await fixture.emulator.stop();
  await rm(dir, { recursive: true, force: true });
});

/** STS on the fixture's emulator, signing as the sweeper (one --endpoint-url serves every client). */
function stsOf(f: EmulatorFixture) {
  return createAwsClients({ endpoint: f.emulator.url, region: 'us-east-1', env: {}, credentials: { accessKeyId: SWEEPER_KEY, secretAccessKey: 'test-secret' } }).sts;
}

function deps(store: IndexStore | undefined, extra: Partial<SweepDeps> = {}): SweepDeps {
  return { registry: ecrRegistry(fixture.ecr), clock: () => fixture.emulator.now(), ...(store ? { indexStore: store } : {}), ...extra };
}

/** digest -> "decision rule reason" for every image of the plan. */
function decisions(plan: Plan): Map<string, string> {
  return new Map(plan.repositories.flatMap((r) => r.images.map((i) => [i.imageDigest, `${i.decision} ${i.rule ?? '-'} ${i.reason}`] as const)));
}

function indexDigests(): string[] {
  return fixture.emulator.images(REPO).filter((i) => i.imageManifestMediaType === INDEX_TYPE).map((i) => i.imageDigest);
}

function batchGetImageCalls(): number {
  return fixture.emulator.stats().requests.BatchGetImage ?? 0;
}

describe('index memory across runs (sweeper not a pull-time update exclusion)', () => {
  it('three plans in a row give identical decisions, and the second and third read no index again', async () => {
    const store = new FileIndexStore(dir);
    const first = await buildPlan(deps(store), { ruleSet: RULES });
    expect(batchGetImageCalls()).toBeGreaterThan(0);
    expect(first.summary.delete).toBe(6 * 3 + 2);
    // Every index read was recorded as a pull by the emulator, as ECR does.
    for (const digest of indexDigests()) expect(fixture.emulator.findImage(REPO, { digest })?.lastRecordedPullTime).toBe(T0);

    for (const later of [1, 2]) {
      fixture.emulator.setNow(T0 + later * 3_600_000);
      fixture.emulator.resetStats();
      const plan = await buildPlan(deps(store), { ruleSet: RULES, now: T0 });
      expect(batchGetImageCalls(), `plan ${later + 1} read an index again`).toBe(0);
      expect(decisions(plan)).toEqual(decisions(first));
    }
    // Plan JSON shows the pull time from before the tool's read, not the read.
    const v0 = first.repositories[0]!.images.find((i) => i.imageTags.includes('v0'))!;
    expect(v0.lastPulledAt).toBe(new Date(T0 - 101 * DAY).toISOString());
  });

  it('without the memory the second plan flips every stale index to keep (the bug it prevents)', async () => {
    const first = await buildPlan(deps(undefined), { ruleSet: RULES });
    fixture.emulator.setNow(T0 + 3_600_000);
    const second = await buildPlan(deps(undefined), { ruleSet: RULES, now: T0 + 3_600_000 });
    expect(first.summary.delete).toBe(20);
    expect(second.summary.delete).toBe(0);
  });

  it('a real pull after the tool read the index still counts as a pull', async () => {
    const store = new FileIndexStore(dir);
    await buildPlan(deps(store), { ruleSet: RULES });
    const pulledTag = 'v3';
    const pulled = fixture.emulator.findImage(REPO, { tag: pulledTag })!.imageDigest;
    fixture.emulator.setNow(T0 + 10 * 60_000);
    const someoneElse = new ECRClient({ endpoint: fixture.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDDEPLOYER', secretAccessKey: 'x' } });
    await someoneElse.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageDigest: pulled }], acceptedMediaTypes: [INDEX_TYPE] }));
    someoneElse.destroy();

    fixture.emulator.setNow(T0 + 20 * 60_000);
    const plan = await buildPlan(deps(store), { ruleSet: RULES });
    const images = plan.repositories[0]!.images;
    const index = images.find((i) => i.imageDigest === pulled)!;
    expect(index.decision).toBe('keep');
    expect(index.lastPulledAt).toBe(new Date(T0 + 10 * 60_000).toISOString());
    // Its children follow it; the other stale indexes are still deleted.
    expect(images.filter((i) => i.decision === 'delete')).toHaveLength(5 * 3 + 2);
  });

  it('a real pull two seconds after the tool read the index counts too: the read left an exact pull time', async () => {
    const store = new FileIndexStore(dir);
    await buildPlan(deps(store), { ruleSet: RULES });
    const pulled = fixture.emulator.findImage(REPO, { tag: 'v1' })!.imageDigest;
    fixture.emulator.setNow(T0 + 2_000);
    const someoneElse = new ECRClient({ endpoint: fixture.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDDEPLOYER', secretAccessKey: 'x' } });
    await someoneElse.send(new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageDigest: pulled }], acceptedMediaTypes: [INDEX_TYPE] }));
    someoneElse.destroy();
    const plan = await buildPlan(deps(store), { ruleSet: RULES });
    const index = plan.repositories[0]!.images.find((i) => i.imageDigest === pulled)!;
    expect(index).toMatchObject({ decision: 'keep', lastPulledAt: new Date(T0 + 2_000).toISOString() });
  });

  it('an apply run after plans deletes the stale indexes: its re-read does not take the earlier read for a pull', async () => {
    const store = new FileIndexStore(dir);
    await buildPlan(deps(store), { ruleSet: RULES });
    fixture.emulator.setNow(T0 + 3_600_000);
    fixture.emulator.resetStats();
    const { result } = await runSweep(deps(store), { ruleSet: RULES, mode: 'apply' });
    expect(result.totals.skipped).toBe(0);
    expect(result.totals.deleted).toBe(20);
    expect(batchGetImageCalls()).toBe(0);
    expect(fixture.emulator.images(REPO).map((i) => i.imageTags).flat()).toEqual(['busy']);
  });

  it('an apply run that reads an index for the first time does not take its own read for a pull', async () => {
    const { result } = await runSweep(deps(undefined), { ruleSet: RULES, mode: 'apply' });
    expect(result.totals.skipped).toBe(0);
    expect(result.totals.deleted).toBe(20);
  });

  it('forgets an index once it is gone from the repository it was read in', async () => {
    const store = new FileIndexStore(dir);
    await buildPlan(deps(store), { ruleSet: RULES });
    const registry = { registryId: fixture.emulator.registryId, region: 'us-east-1', endpoint: fixture.emulator.url };
    expect([...(await store.load(registry)).keys()].sort()).toEqual(indexDigests().sort());
    await runSweep(deps(store), { ruleSet: RULES, mode: 'apply' });
    await buildPlan(deps(store), { ruleSet: RULES });
    expect([...(await store.load(registry)).keys()]).toEqual(indexDigests());
    expect(indexDigests()).toHaveLength(1);
  });

  it('an unreadable store: the plan goes on reading every index, says so, and rewrites the store', async () => {
    const store = new FileIndexStore(dir);
    await buildPlan(deps(store), { ruleSet: ruleSet([untaggedOlderThan(7)]) });
    const registry = { registryId: fixture.emulator.registryId, region: 'us-east-1', endpoint: fixture.emulator.url };
    await writeFile(store.location(registry), '{"version":1,', 'utf8');
    fixture.emulator.resetStats();
    const plan = await buildPlan(deps(store), { ruleSet: ruleSet([untaggedOlderThan(7)]) });
    expect(plan.warnings.map((w) => w.code)).toEqual(['index-store-unavailable']);
    expect(plan.warnings[0]!.message).toContain(store.location(registry));
    expect(batchGetImageCalls()).toBeGreaterThan(0);
    expect((await store.load(registry)).size).toBe(8);
  });

  it('a store that cannot be written: the plan is complete and says the reads were not remembered', async () => {
    // Readable (nothing stored yet), but every write fails: a full disk, a read-only mount.
    const store = new FileIndexStore(dir);
    store.save = () => Promise.reject(new IndexStoreError('cannot write index store file: ENOSPC'));
    const plan = await buildPlan(deps(store), { ruleSet: RULES });
    expect(plan.summary.delete).toBe(20);
    expect(plan.warnings.map((w) => w.code)).toEqual(['index-store-not-saved']);
    expect(plan.warnings[0]!.message).toContain('ENOSPC');
  });
});

describe('pull-time update exclusion check', () => {
  it('warns in the plan and the result when the rules use last-pull time and the principal is not excluded', async () => {
    const identity = stsCallerIdentity(stsOf(fixture));
    const { plan, result } = await runSweep(deps(undefined, { callerIdentity: identity }), { ruleSet: RULES });
    const arn = `arn:aws:iam::123456789012:user/${SWEEPER_KEY}`;
    expect(plan.warnings).toEqual([{ code: 'pull-time-not-excluded', message: expect.stringContaining(`${arn} is not a pull-time update exclusion`) }]);
    expect(plan.warnings[0]!.message).toContain(`--principal-arn ${arn}`);
    expect(result.warnings).toEqual(plan.warnings);
    expect(fixture.emulator.stats().requests.ListPullTimeUpdateExclusions).toBe(1);
  });

  it("says nothing when the run's assumed-role session belongs to an excluded role", async () => {
    await fixture.emulator.stop();
    fixture = await startFixture({
      now: new Date(T0).toISOString(),
      principals: { [SWEEPER_KEY]: 'arn:aws:sts::123456789012:assumed-role/SweepRole/nightly' },
    }, false);
    fixture.emulator.setPullTimeUpdateExclusions(['arn:aws:iam::123456789012:role/SweepRole']);
    fixture.emulator.addImages(REPO, [{ tags: ['v0'], pushedAt: '-200d', lastPulledAt: '-101d', children: [{}] }]);
    const plan = await buildPlan(deps(undefined, { callerIdentity: stsCallerIdentity(stsOf(fixture)) }), { ruleSet: RULES });
    expect(plan.warnings).toEqual([]);
    // And the emulator agrees: the read was not recorded as a pull.
    expect(fixture.emulator.findImage(REPO, { tag: 'v0' })?.lastRecordedPullTime).toBe(T0 - 101 * DAY);
  });

  it('says the principal is unknown when it cannot be learned', async () => {
    const plan = await buildPlan(deps(undefined, { callerIdentity: () => Promise.reject(new Error('no route to STS')) }), { ruleSet: RULES });
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]!.code).toBe('pull-time-not-excluded');
    expect(plan.warnings[0]!.message).toMatch(/principal this run uses is unknown \(GetCallerIdentity failed: .*no route to STS\)/);
    expect(plan.summary.delete).toBe(20);
  });

  it('asks nothing when no rule uses last-pull time', async () => {
    let asked = false;
    const plan = await buildPlan(deps(undefined, { callerIdentity: async () => ((asked = true), 'arn:aws:iam::1:user/x') }), { ruleSet: ruleSet([untaggedOlderThan(7)]) });
    expect(plan.warnings).toEqual([]);
    expect(asked).toBe(false);
    expect(fixture.emulator.stats().requests.ListPullTimeUpdateExclusions).toBeUndefined();
  });
});
