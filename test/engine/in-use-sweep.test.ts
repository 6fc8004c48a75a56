/**
 * In-use protection in the sweep, end to end on the ECR emulator through the real SDK over HTTP,
 * with in-memory in-use sources (the reader port): what the scan keeps (by tag, by digest, by
 * index, by child), how references to other registries and unknown ones are counted, and that a
 * source that cannot be read blocks every deletion with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';
import type { InUseUsage } from '../../lib/core/in-use.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { runFigures } from '../../lib/core/report-summary.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import type { InUseScan } from '../../lib/engine/types.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { HOST, accessDenied, ecs, fixedReader, scriptedReader } from './support/in-use.js';
import { ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const SERVICE = 'ECS service prod/payments-api (task definition payments-api:42)';
const ALIAS = 'Lambda function resize, alias live';
const ROLLBACK = 'ECS task definition web:12 (rollback target)';
const KUBERNETES = 'Kubernetes prod-eks (from in-use file s3://b/in-use/prod-eks.json)';

/** Everything older than a day goes, unless something keeps it. */
function rules(inUse: Partial<NonNullable<RuleSet['inUse']>> = {}): RuleSet {
  return {
    ...ruleSet([taggedOlderThan(1, ['*'], 'old-tagged'), untaggedOlderThan(1, 'old-untagged')]),
    inUse: { ...DEFAULT_IN_USE_SETTINGS, files: { locations: [], maxAgeMs: 86_400_000, expect: [] }, ...inUse },
  };
}

let fixture: EmulatorFixture | undefined;
afterEach(async () => {
  fixture?.ecr.destroy();
  await fixture?.emulator.stop();
  fixture = undefined;
});

async function start(): Promise<EmulatorFixture> {
  fixture = await startFixture({
    state: {
      repositories: [
        {
          name: 'app',
          images: [
            { tags: ['v1'], pushedAt: '-30d' },
            { tags: ['v2'], pushedAt: '-30d' },
            { tags: ['v3'], pushedAt: '-30d' },
            { tags: ['v4'], pushedAt: '-30d' },
            { pushedAt: '-30d', seed: 'untagged' },
            { tags: ['multi'], pushedAt: '-30d', children: [{}, {}] },
            { tags: ['multi2'], pushedAt: '-30d', children: [{ seed: 'm2a' }, { seed: 'm2b' }] },
            { tags: ['fresh'], pushedAt: '-1h' },
          ],
        },
        { name: 'web', images: [{ tags: ['w1'], pushedAt: '-30d' }, { tags: ['w2'], pushedAt: '-30d' }] },
      ],
    },
  });
  return fixture;
}

function digest(f: EmulatorFixture, repository: string, tag: string): string {
  const found = f.emulator.images(repository).find((i) => i.imageTags.includes(tag));
  if (!found) throw new Error(`no ${repository}:${tag}`);
  return found.imageDigest;
}

function childrenOf(f: EmulatorFixture, tag: string): string[] {
  const index = f.emulator.images('app').find((i) => i.imageTags.includes(tag));
  return [...(index?.childDigests ?? [])];
}

function untaggedPlain(f: EmulatorFixture): string {
  const children = new Set([...childrenOf(f, 'multi'), ...childrenOf(f, 'multi2')]);
  const found = f.emulator.images('app').find((i) => i.imageTags.length === 0 && !children.has(i.imageDigest));
  return found!.imageDigest;
}

function present(f: EmulatorFixture, repository: string): Set<string> {
  return new Set(f.emulator.images(repository).map((i) => i.imageDigest));
}

function decisions(plan: Plan, repository: string): Map<string, { decision: string; reason: string; usages?: InUseUsage[] }> {
  return new Map(plan.repositories.find((r) => r.repositoryName === repository)!.images.map((i) => [i.imageDigest, i]));
}

describe('in-use protection in a sweep (emulator)', () => {
  it('keeps images in use by tag, by digest, by index (with its children) and by child (with its index), naming the consumer; deletes the rest', async () => {
    const f = await start();
    const v1 = digest(f, 'app', 'v1');
    const untagged = untaggedPlain(f);
    const multi = digest(f, 'app', 'multi');
    const multi2 = digest(f, 'app', 'multi2');
    const [childA, childB] = childrenOf(f, 'multi');
    const [child2a, child2b] = childrenOf(f, 'multi2');
    const readers = [
      fixedReader('ecs', 'ECS (all clusters)', [ecs(SERVICE, `${HOST}/app:v1`), ecs(ROLLBACK, `${HOST}/app@${multi}`)]),
      fixedReader('lambda', 'Lambda', [{ consumer: ALIAS, source: 'lambda', reference: `${HOST}/app@${untagged}` }]),
      fixedReader('file', 'in-use files (s3://b/in-use/)', [{ consumer: KUBERNETES, source: 'file', reference: `${HOST}/app@${child2a}` }]),
    ];

    const { plan, result } = await runSweep({ registry: ecrRegistry(f.ecr), inUse: { readers } }, { ruleSet: rules(), mode: 'apply' });

    const json = JSON.parse(JSON.stringify(plan)) as Plan;
    const app = decisions(json, 'app');
    expect(app.get(v1)).toMatchObject({ decision: 'keep', usages: [ecs(SERVICE, `${HOST}/app:v1`)] });
    expect(app.get(v1)!.reason).toContain(`in use by ${SERVICE}`);
    expect(app.get(untagged)!.reason).toContain(`in use by ${ALIAS}`);
    expect(app.get(untagged)!.usages).toEqual([{ consumer: ALIAS, source: 'lambda', reference: `${HOST}/app@${untagged}` }]);
    expect(app.get(multi)!.reason).toContain(`in use by ${ROLLBACK}`);
    expect(app.get(child2a!)!.reason).toContain(`in use by ${KUBERNETES}`);
    expect(app.get(multi2)!.reason).toContain('index of in-use child');
    for (const kept of [v1, untagged, multi, childA!, childB!, multi2, child2a!, child2b!]) expect(app.get(kept)!.decision).toBe('keep');

    // The registry afterwards: exactly the old, unused images are gone.
    const left = present(f, 'app');
    for (const kept of [v1, untagged, multi, childA!, childB!, multi2, child2a!, child2b!, digest(f, 'app', 'fresh')]) expect(left.has(kept)).toBe(true);
    expect(left.size).toBe(9);
    expect(present(f, 'web').size).toBe(0);
    expect(result.totals.deleted).toBe(3 + 2);

    expect(plan.inUse).toMatchObject({
      rescans: 0,
      counts: { resolved: 4, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 },
      imagesKept: 8,
    });
    expect(plan.inUse!.sources.map((s) => [s.source, s.status, s.usages])).toEqual([
      ['ecs', 'scanned', 2],
      ['lambda', 'scanned', 1],
      ['batch', 'off', 0],
      ['apprunner', 'off', 0],
      ['file', 'scanned', 1],
    ]);
    expect(plan.inUse!.sources[0]!.calls).toEqual({ 'ecs:Scan': 1 });
    // One definition of the figure: the report's and every renderer's.
    expect(runFigures(result).inUseKept).toBe(8);
    expect(result.inUse!.imagesKept).toBe(8);
  });

  it('references to other registries are counted, never matched by repository name; unknown and malformed ones are counted', async () => {
    const f = await start();
    const v2 = digest(f, 'app', 'v2');
    const usages = [
      ecs('ECS task prod/3f2a (task definition hub:1)', 'app:v2'), // Docker Hub
      ecs('ECS task prod/3f2b (task definition other:1)', '999999999999.dkr.ecr.us-east-1.amazonaws.com/app:v2'),
      ecs('ECS task prod/3f2c (task definition region:1)', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2'),
      ecs('ECS task prod/3f2d (task definition gone:1)', `${HOST}/nope:v1`),
      ecs('ECS task prod/3f2e (task definition tag:1)', `${HOST}/app:v9`),
      ecs('ECS task prod/3f2f (task definition digest:1)', `${HOST}/app@sha256:${'e'.repeat(64)}`),
      ecs('ECS task prod/3f30 (task definition bad:1)', `${HOST}/App:v1`),
    ];
    const readers = [fixedReader('ecs', 'ECS (all clusters)', usages), fixedReader('lambda', 'Lambda', [])];
    const plan = await buildPlan({ registry: ecrRegistry(f.ecr), inUse: { readers } }, { ruleSet: rules({ files: null }) });
    expect(decisions(plan, 'app').get(v2)!.decision).toBe('delete');
    expect(plan.inUse!.counts).toEqual({ resolved: 0, otherRegistry: 3, unknownRepository: 1, unknownTag: 1, unknownDigest: 1, malformed: 1 });
    expect(plan.warnings).toContainEqual({
      code: 'in-use-reference-malformed',
      message: expect.stringMatching(/^1 in-use image reference could not be read and protects nothing: '.*\/App:v1' of ECS task prod\/3f30 \(task definition bad:1\) \(/),
    });
    expect(plan.inUse!.imagesKept).toBe(0);
    expect(plan.inUse!.sources.find((s) => s.source === 'file')!.status).toBe('off');
  });

  it('a source that cannot be read blocks every repository that would delete, with the reason; nothing is deleted and the plan still shows the rules', async () => {
    const f = await start();
    const before = { app: present(f, 'app'), web: present(f, 'web') };
    const readers = [scriptedReader('ecs', 'ECS (all clusters)', () => accessDenied()), fixedReader('lambda', 'Lambda', [])];
    const { plan, result } = await runSweep({ registry: ecrRegistry(f.ecr), inUse: { readers } }, { ruleSet: rules({ files: null }), mode: 'apply' });

    expect(f.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(present(f, 'app')).toEqual(before.app);
    expect(present(f, 'web')).toEqual(before.web);
    const expected =
      'in-use source ECS (all clusters) could not be read (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/sweeper is not authorized to perform: ecs:ListTasks (cluster prod)): nothing is deleted in this registry';
    for (const repository of plan.repositories) {
      expect(repository).toMatchObject({ status: 'blocked', statusReason: expected });
      // No count promises a deletion that cannot happen; each reason still says what the rules would do.
      expect(repository.counts).toMatchObject({ delete: 0, transition: 0, bytesToFree: 0 });
      const held = repository.images.filter((i) => i.reason.startsWith(`keep: repository blocked, ${expected}; without the block: delete: `));
      expect(held.length).toBeGreaterThan(0);
      expect(held.every((i) => i.decision === 'keep' && i.rule === null)).toBe(true);
    }
    expect(plan.summary).toMatchObject({ blockedRepositories: 2, delete: 0, bytesToFree: 0 });
    for (const repository of result.repositories) {
      expect(repository.status).toBe('blocked');
      expect(repository.images.some((i) => i.decision === 'delete')).toBe(false);
    }
    expect(result.totals.deleted).toBe(0);
    expect(result.inUse!.sources.find((s) => s.source === 'ecs')).toMatchObject({
      status: 'failed',
      error: { code: 'AccessDeniedException' },
    });
  });

  it('an enabled source with no reader fails closed; a source turned off is reported off and not scanned', async () => {
    const f = await start();
    const lambda = fixedReader('lambda', 'Lambda', []);
    const ecsReader = fixedReader('ecs', 'ECS (all clusters)', []);
    // ECS is on by default but no ECS reader is wired.
    const missing = await buildPlan({ registry: ecrRegistry(f.ecr), inUse: { readers: [lambda] } }, { ruleSet: rules({ files: null }) });
    expect(missing.inUse!.sources.find((s) => s.source === 'ecs')).toMatchObject({ status: 'failed', error: { code: 'NoReaderWired' } });
    expect(missing.repositories.every((r) => r.status === 'blocked' && r.statusReason!.includes('no reader was wired for ECS'))).toBe(true);

    // ECS turned off explicitly: reported off, its reader never asked, nothing blocked.
    const off = await buildPlan({ registry: ecrRegistry(f.ecr), inUse: { readers: [lambda, ecsReader] } }, { ruleSet: rules({ ecs: false, files: null }) });
    expect(off.inUse!.sources.find((s) => s.source === 'ecs')).toMatchObject({ status: 'off', label: 'ECS (all clusters)' });
    expect(ecsReader.scans).toBe(0);
    expect(off.repositories.every((r) => r.status === 'planned')).toBe(true);
  });

  it('a reader that answers no list of usages has not read its source: failed, and the registry blocked', async () => {
    const f = await start();
    const broken = { source: 'lambda' as const, label: 'Lambda', scan: async () => ({ calls: {} }) as unknown as InUseScan };
    const plan = await buildPlan({ registry: ecrRegistry(f.ecr), inUse: { readers: [fixedReader('ecs', 'ECS', []), broken] } }, { ruleSet: rules({ files: null }) });
    expect(plan.inUse!.sources.find((s) => s.source === 'lambda')).toMatchObject({ status: 'failed', error: { code: 'InvalidScanResult' } });
    expect(plan.repositories.every((r) => r.status === 'blocked')).toBe(true);
  });

  it('without in-use sources the plan has no in-use report and is unchanged', async () => {
    const f = await start();
    const now = Date.now();
    const plain = await buildPlan({ registry: ecrRegistry(f.ecr) }, { ruleSet: rules(), now });
    expect(plain.inUse).toBeUndefined();
    const empty = await buildPlan(
      { registry: ecrRegistry(f.ecr), inUse: { readers: [fixedReader('ecs', 'ECS', []), fixedReader('lambda', 'Lambda', []), fixedReader('file', 'files', [])] } },
      { ruleSet: rules(), now },
    );
    const strip = (p: Plan) => ({ ...p, inUse: undefined });
    expect(strip(empty)).toEqual(strip(plain));
  });
});
