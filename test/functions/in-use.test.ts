/**
 * Both functions scan the in-use sources on every run, through the function's clients at the
 * emulator (AWS_ENDPOINT_URL serves ECR, STS, ECS and Lambda): the digest an ECS task still runs
 * after its tag moved on is kept, with its consumer named in plan.json; a source that cannot be
 * read blocks deletion and fails the sweep invocation (the alarm), after the report is written.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import {
  captureOutput,
  coldStart,
  functionEnv,
  lambdaContext,
  readObject,
  REPORT_BUCKET,
  scheduledEvent,
  startLocalCloud,
  writeRules,
  type LocalCloud,
  type StateFile,
} from './support/harness.js';
import { untaggedAfter7dRules } from './support/rules.js';

/** app/web v1 runs on ECS (service web, task definition web:1); then v1 moves to a newer image. */
const STATE: StateFile = {
  repositories: [{ name: 'app/web', images: [{ tags: ['v1'], pushedAt: '-30d' }, { tags: ['v2'], pushedAt: '-20d' }] }],
  ecs: {
    taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'app/web:v1' }] }],
    clusters: [{ name: 'prod', services: [{ name: 'web', taskDefinition: 'web:1' }], tasks: [{ taskDefinition: 'web:1', service: 'web' }] }],
  },
};

let cloud: LocalCloud;
let applyRules: string;
let output: ReturnType<typeof captureOutput>;
let pinned: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  applyRules = await writeRules(cloud, 'in-use-apply.yml', untaggedAfter7dRules('apply'));
});

afterAll(async () => {
  await cloud?.stop();
});

beforeEach(() => {
  cloud.emulator.clear();
  cloud.emulator.setFaults({});
  cloud.emulator.loadState(STATE);
  // The release tag moves on to v2's image: ECS keeps running the digest it pinned at deployment,
  // which is now untagged and 30 days old, exactly what the rules expire.
  pinned = cloud.emulator.findImage('app/web', { tag: 'v1' })!.imageDigest;
  const v2 = cloud.emulator.findImage('app/web', { tag: 'v2' })!.imageDigest;
  cloud.emulator.tagImage('app/web', v2, 'v1');
  cloud.emulator.resetStats();
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

async function planJson(location: string): Promise<Plan> {
  const key = location.replace(/^s3:\/\/[^/]+\//, '');
  return JSON.parse((await readObject(cloud.s3, key))!) as Plan;
}

describe('the functions scan the in-use sources', () => {
  it('sweep keeps the digest an ECS service still runs after its tag moved, naming the consumer in plan.json', async () => {
    expect(cloud.emulator.findImage('app/web', { digest: pinned })!.imageTags).toEqual([]);
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    const summary = (await sweep(scheduledEvent(), lambdaContext())) as { reports: { plan: string }; totals: { deleted: number } };
    expect(summary.totals.deleted).toBe(0);
    expect(cloud.emulator.findImage('app/web', { digest: pinned })).toBeDefined();
    const requests = cloud.emulator.stats().requests;
    expect(requests['ecs:ListClusters']).toBeGreaterThanOrEqual(1);
    expect(requests['lambda:ListFunctions']).toBeGreaterThanOrEqual(1);
    expect(requests.BatchDeleteImage ?? 0).toBe(0);

    const plan = await planJson(summary.reports.plan);
    const image = plan.repositories[0]!.images.find((i) => i.imageDigest === pinned)!;
    expect(image.decision).toBe('keep');
    expect(image.reason).toMatch(/^keep: in use by ECS (service prod\/web|task prod\/[0-9a-f]+) \(task definition web:1\)/);
    expect(image.usages?.map((u) => u.source)).toEqual(expect.arrayContaining(['ecs']));
    expect(plan.inUse?.sources.map((s) => [s.source, s.status])).toEqual([
      ['ecs', 'scanned'],
      ['lambda', 'scanned'],
      ['batch', 'off'],
      ['apprunner', 'off'],
      ['file', 'off'],
    ]);
  });

  it('the plan function scans too', async () => {
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const summary = (await plan({}, lambdaContext(300_000, 'ecr-sweeper-test-plan'))) as { reports: { plan: string } };
    const written = await planJson(summary.reports.plan);
    expect(written.repositories[0]!.images.find((i) => i.imageDigest === pinned)!.decision).toBe('keep');
    expect(cloud.emulator.stats().requests['ecs:ListClusters']).toBeGreaterThanOrEqual(1);
  });

  it('a source the role cannot read blocks deletion; the sweep writes its report, then fails the invocation naming the source', async () => {
    cloud.emulator.setFaults({ accessDenied: ['lambda:*'] });
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    const error = (await sweep(scheduledEvent(), lambdaContext()).then(
      () => null,
      (e: unknown) => e,
    )) as (Error & { details?: { failedInUseSources?: string[]; reportLocation?: string } }) | null;
    expect(error?.name).toBe('SweepFailedError');
    expect(error?.message).toContain('in-use source(s) could not be read, nothing deleted: Lambda (image functions): AccessDeniedException');
    expect(error?.details?.reportLocation).toBeDefined();
    expect(cloud.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(cloud.emulator.findImage('app/web', { digest: pinned })).toBeDefined();
  });
});

describe('in-use files from the deployment prefix (IN_USE_S3_URI)', () => {
  const IN_USE_URI = `s3://${REPORT_BUCKET}/in-use/`;
  const filesRules = (expectSources: string) =>
    `${untaggedAfter7dRules('apply')}inUse:\n  ecs: false\n  lambda: false\n  files:\n    expect: [${expectSources}]\n`;

  it("keeps what a cluster's file lists when the rules name no location: the functions read the stack's in-use prefix", async () => {
    const rules = await writeRules(cloud, 'files-apply.yml', filesRules('prod-eks'));
    const file = { generatedAt: new Date(cloud.emulator.now()).toISOString(), source: 'prod-eks', images: [`123456789012.dkr.ecr.us-east-1.amazonaws.com/app/web@${pinned}`] };
    await cloud.s3.send(new PutObjectCommand({ Bucket: REPORT_BUCKET, Key: 'in-use/prod-eks.json', Body: JSON.stringify(file) }));
    try {
      const { sweep } = await coldStart(functionEnv(cloud, rules, { IN_USE_S3_URI: IN_USE_URI }));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as { reports: { plan: string } };
      const plan = await planJson(summary.reports.plan);
      const image = plan.repositories[0]!.images.find((i) => i.imageDigest === pinned)!;
      expect(image.reason).toMatch(/^keep: in use by Kubernetes prod-eks \(from in-use file s3:\/\/sweeper-reports\/in-use\/prod-eks\.json\)/);
      expect(cloud.emulator.findImage('app/web', { digest: pinned })).toBeDefined();
      expect(plan.inUse?.sources.find((s) => s.source === 'file')).toMatchObject({ status: 'scanned', label: `in-use files (${IN_USE_URI})` });
      // ECS and Lambda turned off are not asked.
      expect(Object.keys(cloud.emulator.stats().requests).filter((op) => op.includes(':') && !op.startsWith('sts:'))).toEqual([]);
    } finally {
      await cloud.s3.send(new DeleteObjectCommand({ Bucket: REPORT_BUCKET, Key: 'in-use/prod-eks.json' }));
    }
  });

  it('an expected cluster with no file fails closed: nothing deleted, the invocation fails naming the files source', async () => {
    const rules = await writeRules(cloud, 'files-missing.yml', filesRules('staging-eks'));
    const { sweep } = await coldStart(functionEnv(cloud, rules, { IN_USE_S3_URI: IN_USE_URI }));
    const error = await sweep(scheduledEvent(), lambdaContext()).then(() => null, (e: unknown) => e as Error);
    expect(error?.name).toBe('SweepFailedError');
    expect(error?.message).toContain(`in-use files (${IN_USE_URI})`);
    expect(cloud.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(cloud.emulator.findImage('app/web', { digest: pinned })).toBeDefined();
  });
});
