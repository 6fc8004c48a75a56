/**
 * The real sweep and plan handlers (middy, Powertools, config from env) against the ECR emulator
 * and s3rver over HTTP, with a Lambda context stub.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseHistory } from '../../lib/core/report-history.js';
import {
  captureOutput,
  coldStart,
  functionEnv,
  lambdaContext,
  listKeys,
  readObject,
  REPORT_PREFIX,
  scheduledEvent,
  startLocalCloud,
  totalRequests,
  writeRules,
  type LocalCloud,
  type StateFile,
} from './support/harness.js';
import { untaggedAfter7dRules } from './support/rules.js';

/** app/web: 2 old untagged (deleted), 2 tagged and 1 young untagged (kept); app/api: 1 old untagged; other/tools: ungoverned. */
const STATE: StateFile = {
  repositories: [
    {
      name: 'app/web',
      images: [
        { tags: ['v1.0.0'], pushedAt: '-30d', sizeInBytes: 1000 },
        { tags: ['v1.1.0'], pushedAt: '-20d', sizeInBytes: 1000 },
        { pushedAt: '-10d', sizeInBytes: 300 },
        { pushedAt: '-9d', sizeInBytes: 200 },
        { pushedAt: '-1h', sizeInBytes: 100 },
      ],
    },
    { name: 'app/api', images: [{ tags: ['latest'], pushedAt: '-3d' }, { pushedAt: '-15d', sizeInBytes: 400 }] },
    { name: 'other/tools', images: [{ pushedAt: '-40d' }] },
  ],
};

const WEB_KEPT = 3;
const DELETED = 3;

let cloud: LocalCloud;
let applyRules: string;
let dryRunRules: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  applyRules = await writeRules(cloud, 'apply.yml', untaggedAfter7dRules('apply'));
  dryRunRules = await writeRules(cloud, 'dry-run.yml', untaggedAfter7dRules(null));
});

afterAll(async () => {
  await cloud?.stop();
});

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  cloud.emulator.clear();
  cloud.emulator.loadState(STATE);
  cloud.emulator.resetStats();
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

function untaggedOlderThan(repository: string, days: number): number {
  const cutoff = cloud.emulator.now() - days * 86_400_000;
  return cloud.emulator.images(repository).filter((i) => i.imageTags.length === 0 && i.imagePushedAt < cutoff).length;
}

/** The report files of a run's folder (the journal's parts live under `journal/<run-id>/`). */
function runFolderKeys(keys: string[], runId: string): string[] {
  return keys.filter((k) => k.includes(`/${runId}/`) && !k.includes('/journal/')).map((k) => k.slice(k.lastIndexOf('/') + 1)).sort();
}

describe('sweep handler', () => {
  it('sweeps on the schedule: deletes what apply rules expire, writes plan and reports to S3, logs and metrics', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;

    expect(summary.mode).toBe('apply');
    expect(summary.totals.deleted).toBe(DELETED);
    expect(summary.totals.failed).toBe(0);
    expect(summary.stoppedByDeadline).toBe(false);
    // The registry: old untagged images gone, tagged and young ones kept, ungoverned untouched.
    expect(untaggedOlderThan('app/web', 7)).toBe(0);
    expect(untaggedOlderThan('app/api', 7)).toBe(0);
    expect(cloud.emulator.images('app/web')).toHaveLength(WEB_KEPT);
    expect(cloud.emulator.images('app/web').flatMap((i) => i.imageTags).sort()).toEqual(['v1.0.0', 'v1.1.0']);
    expect(cloud.emulator.images('other/tools')).toHaveLength(1);
    expect(cloud.emulator.stats().requests.BatchDeleteImage).toBeGreaterThan(0);

    // Reports: plan, result JSON/CSV and HTML in the run's folder, under the prefix.
    const keys = await listKeys(cloud.s3);
    expect(runFolderKeys(keys, summary.runId)).toEqual(['plan.json', 'report.html', 'result.csv', 'result.json']);
    expect(keys.every((k) => k.startsWith(`${REPORT_PREFIX}/`))).toBe(true);
    const planKey = keys.find((k) => k.endsWith(`${summary.runId}/plan.json`))!;
    expect(summary.reports.plan).toBe(`s3://sweeper-reports/${planKey}`);
    const plan = JSON.parse((await readObject(cloud.s3, planKey))!);
    expect(plan.summary.delete).toBe(DELETED);
    const result = JSON.parse((await readObject(cloud.s3, planKey.replace('plan.json', 'result.json')))!);
    expect(result.totals.deleted).toBe(DELETED);
    expect(result.runId).toBe(summary.runId);
    expect(summary.reports.reportUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sweeper-reports\/.*report\.html\?.*X-Amz-Signature=/);
    // A finished sweep leaves no checkpoint behind.
    expect(keys.filter((k) => k.includes('checkpoints/'))).toEqual([]);

    // Logs: JSON, every line of the run carries its run id; one summary line per repository.
    const lines = output.lines();
    const logs = lines.filter((l) => typeof l.message === 'string');
    expect(logs.length).toBeGreaterThan(3);
    const runLogs = logs.filter((l) => l.message !== 'Lambda invocation event');
    expect(runLogs.every((l) => l.runId === summary.runId)).toBe(true);
    const perRepository = logs.filter((l) => l.message === 'repository summary');
    expect(perRepository.map((l) => l.repository).sort()).toEqual(['app/api', 'app/web', 'other/tools']);
    expect(perRepository.every((l) => l.level === 'INFO')).toBe(true);
    expect(logs.some((l) => l.message === 'image')).toBe(false); // per-image lines only at DEBUG
    // Metrics: one EMF document with the run's figures.
    const emf = lines.find((l) => '_aws' in l && 'ImagesDeleted' in l)!;
    expect(emf).toBeDefined();
    expect(emf).toMatchObject({ ImagesDeleted: DELETED, ImagesArchived: 0, DeleteFailures: 0, Throttles: 0, RepositoriesBlocked: 0, BytesFreed: expect.any(Number), mode: 'apply' });
    const declared = (emf._aws as any).CloudWatchMetrics[0];
    expect(declared.Namespace).toBe('EcrSweeper');
    expect(declared.Metrics.map((m: { Name: string }) => m.Name)).toEqual(
      expect.arrayContaining(['ImagesDeleted', 'BytesFreed', 'DeleteFailures', 'Throttles']),
    );
  });

  it('deletes an untagged multi-arch index with its children, keeping the tagged one (role registered as pull-time exclusion)', async () => {
    // As docs/deploy.md requires: the sweep's own index reads must not count as pulls.
    cloud.emulator.setPullTimeUpdateExclusions(['S3RVER']);
    try {
      cloud.emulator.addImages('app/multi', [
        { pushedAt: '-20d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }] },
        { tags: ['v2'], pushedAt: '-20d', children: [{ sizeInBytes: 30 }, { sizeInBytes: 40 }] },
      ]);
      const { sweep } = await coldStart(functionEnv(cloud, applyRules));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.totals.failed).toBe(0);
      const multi = summary.repositories.find((r: any) => r.repositoryName === 'app/multi');
      expect(multi).toMatchObject({ planned: 3, deleted: 3, failed: 0 });
      const left = cloud.emulator.images('app/multi');
      expect(left).toHaveLength(3);
      const index = left.find((i) => i.imageTags.includes('v2'))!;
      expect(left.map((i) => i.imageDigest).sort()).toEqual([index.imageDigest, ...index.childDigests!].sort());
      expect(cloud.emulator.stats().requests.BatchGetImage).toBeGreaterThan(0);
    } finally {
      cloud.emulator.setPullTimeUpdateExclusions([]);
    }
  });

  it('stays a dry run unless the rules say apply, and logs each image at DEBUG', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, dryRunRules, { POWERTOOLS_LOG_LEVEL: 'DEBUG' }));
    const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
    expect(summary.mode).toBe('dry-run');
    expect(summary.plan.delete).toBe(DELETED);
    expect(summary.totals.deleted).toBe(0);
    expect(cloud.emulator.stats().requests.BatchDeleteImage).toBeUndefined();
    expect(cloud.emulator.images('app/web')).toHaveLength(5);
    const images = output.lines().filter((l) => l.message === 'image');
    expect(images.length).toBe(7); // the governed images: 5 in app/web, 2 in app/api
    expect(images.every((l) => l.level === 'DEBUG' && typeof l.reason === 'string')).toBe(true);
  });

  it('deletes nothing when the plan cannot be written to S3', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { REPORT_BUCKET: 'no-such-bucket' }));
    await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toThrow(/plan could not be recorded, so nothing was deleted/);
    expect(cloud.emulator.stats().requests.BatchDeleteImage).toBeUndefined();
    expect(cloud.emulator.images('app/web')).toHaveLength(5);
  });

  it('stops cleanly at the deadline, leaves a checkpoint, and the next run resumes to the same end state', async () => {
    const env = functionEnv(cloud, applyRules, { DEADLINE_MARGIN_MS: '60000' });
    const { sweep } = await coldStart(env);
    // Lambda says 60 s are left: all of it is the margin, so the deadline is now.
    const first = (await sweep(scheduledEvent(), lambdaContext(60_000))) as any;
    expect(first.stoppedByDeadline).toBe(true);
    expect(first.totals.deleted).toBe(0);
    expect(first.remainingRepositories).toEqual(['app/api', 'app/web']);
    expect(cloud.emulator.images('app/web')).toHaveLength(5);
    const checkpoint = JSON.parse((await readObject(cloud.s3, `${REPORT_PREFIX}/checkpoints/sweep.json`))!);
    expect(checkpoint.finishedRepositories).not.toContain('app/web');
    expect(checkpoint.finishedRepositories).not.toContain('app/api');
    // The stopped run still wrote its report.
    expect(runFolderKeys(await listKeys(cloud.s3), first.runId)).toContain('report.html');

    const second = (await sweep(scheduledEvent(), lambdaContext())) as any;
    expect(second.stoppedByDeadline).toBe(false);
    expect(second.totals.deleted).toBe(DELETED);
    expect(untaggedOlderThan('app/web', 7)).toBe(0);
    expect(untaggedOlderThan('app/api', 7)).toBe(0);
    expect(await readObject(cloud.s3, `${REPORT_PREFIX}/checkpoints/sweep.json`)).toBeNull();
  });

  it('fails the invocation with SweepFailedError after writing the report when a deletion failed', async () => {
    // The emulator cannot make one image's delete fail on demand, so BatchDeleteImage is wrapped:
    // the real call goes to the emulator without one digest, which is answered as a per-image failure.
    const realSend = ECRClient.prototype.send as (this: ECRClient, command: unknown) => Promise<unknown>;
    let failedDigest: string | undefined;
    const spy = vi.spyOn(ECRClient.prototype, 'send').mockImplementation(async function (this: ECRClient, command: any) {
      if (!(command instanceof BatchDeleteImageCommand)) return realSend.call(this, command);
      const ids = command.input.imageIds ?? [];
      failedDigest ??= ids[0]?.imageDigest;
      const victim = ids.find((id) => id.imageDigest === failedDigest);
      if (!victim) return realSend.call(this, command);
      const rest = ids.filter((id) => id !== victim);
      const out: any = rest.length
        ? await realSend.call(this, new BatchDeleteImageCommand({ ...command.input, imageIds: rest }))
        : { imageIds: [], failures: [] };
      const failure = { imageId: victim, failureCode: 'KmsError', failureReason: 'KMS key arn:aws:kms:us-east-1:111122223333:key/test is disabled' };
      return { ...out, failures: [...(out.failures ?? []), failure] };
    } as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, applyRules));
      const error = await sweep(scheduledEvent(), lambdaContext()).then(
        () => null,
        (e: unknown) => e as Error & { details?: any },
      );
      expect(error?.name).toBe('SweepFailedError');
      expect(error?.message).toMatch(/1 deletion\(s\) failed/);
      expect(error?.details.failedDeletions).toBe(1);
      // The report was written before the error: it records the failure with its code.
      const folder = error!.details.reportLocation as string;
      const prefix = folder.replace('s3://sweeper-reports/', '');
      const result = JSON.parse((await readObject(cloud.s3, `${prefix}/result.json`))!);
      expect(result.totals.failed).toBe(1);
      expect(result.totals.deleted).toBe(DELETED - 1);
      expect(await readObject(cloud.s3, `${prefix}/result.csv`)).toContain('KmsError');
      expect(await readObject(cloud.s3, `${prefix}/report.html`)).toContain('KmsError');
      // The failed image is still in the registry.
      const remaining = [...cloud.emulator.images('app/web'), ...cloud.emulator.images('app/api')].map((i) => i.imageDigest);
      expect(remaining).toContain(failedDigest);
      expect(output.lines().some((l) => l.message === 'sweep failed' && l.level === 'ERROR')).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses an event that is not a schedule before doing anything', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules));
    const keysBefore = await listKeys(cloud.s3);
    await expect(sweep({ repositories: 'app/*' }, lambdaContext())).rejects.toThrow(
      /invalid sweep event: expected an EventBridge "Scheduled Event" or an empty payload/,
    );
    expect(totalRequests(cloud.emulator)).toBe(0);
    const logged = output.lines().find((l) => l.message === 'sweep failed');
    expect(logged).toMatchObject({ level: 'ERROR', error: { name: 'ConfigError' } });
    expect(await listKeys(cloud.s3)).toEqual(keysBefore);
  });
});

describe('plan handler', () => {
  it('plans a dry run even when the rules say apply, and says where the report is', async () => {
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const summary = (await plan({}, lambdaContext(300_000, 'ecr-sweeper-test-plan'))) as any;
    expect(summary.mode).toBe('dry-run');
    expect(summary.plan.delete).toBe(DELETED);
    expect(summary.totals.deleted).toBe(0);
    expect(summary.repositories.find((r: any) => r.repositoryName === 'app/web')).toMatchObject({ planned: 2, deleted: 0, bytesToFree: 500 });
    expect(cloud.emulator.stats().requests.BatchDeleteImage).toBeUndefined();
    expect(cloud.emulator.images('app/web')).toHaveLength(5);
    expect(summary.reports.plan).toMatch(new RegExp(`^s3://sweeper-reports/${REPORT_PREFIX}/\\d{4}-\\d{2}-\\d{2}/${summary.runId}/plan\\.json$`));
    const keys = await listKeys(cloud.s3);
    expect(runFolderKeys(keys, summary.runId)).toEqual(['plan.json', 'report.html', 'result.csv', 'result.json']);
    // The plan function never touches the sweep's checkpoint.
    expect(keys.filter((k) => k.includes('checkpoints/'))).toEqual([]);
  });

  it('remembers index reads in the report bucket: the next plan reads no index again, decides the same, and names the role as not excluded', async () => {
    // The function's principal (S3RVER's key) is not a pull-time update exclusion: every read is a pull.
    cloud.emulator.addImages('app/multi', [
      { tags: ['v1'], pushedAt: '-200d', lastPulledAt: '-101d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }] },
      { tags: ['v2'], pushedAt: '-200d', lastPulledAt: '-101d', children: [{ sizeInBytes: 30 }] },
    ]);
    const inline = `version: 1
defaults: { minAge: 1d, maxDeletePercentPerRepository: null }
policies:
  - name: pulls
    repositories: { include: ["app/multi"] }
    rules:
      - id: not-pulled-90d
        select: { tagStatus: any }
        when: { sinceImagePulled: 90d }
`;
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const first = (await plan({ rules: inline }, lambdaContext())) as any;
    expect(first.plan.delete).toBe(5);
    expect(cloud.emulator.stats().requests.BatchGetImage).toBeGreaterThan(0);
    const keys = await listKeys(cloud.s3);
    expect(keys.filter((k) => k.includes('/index-store/'))).toEqual([expect.stringMatching(new RegExp(`^${REPORT_PREFIX}/index-store/index-123456789012-us-east-1-[0-9a-f]{12}\\.json$`))]);

    cloud.emulator.resetStats();
    const { plan: coldAgain } = await coldStart(functionEnv(cloud, applyRules));
    const second = (await coldAgain({ rules: inline }, lambdaContext())) as any;
    expect(second.plan.delete).toBe(5);
    expect(cloud.emulator.stats().requests.BatchGetImage).toBeUndefined();

    const planKey = (await listKeys(cloud.s3)).find((k) => k.endsWith(`${second.runId}/plan.json`))!;
    const written = JSON.parse((await readObject(cloud.s3, planKey))!);
    expect(written.warnings).toEqual([
      { code: 'pull-time-not-excluded', message: expect.stringContaining('arn:aws:iam::123456789012:user/S3RVER is not a pull-time update exclusion') },
    ]);
    const result = JSON.parse((await readObject(cloud.s3, planKey.replace('plan.json', 'result.json')))!);
    expect(result.warnings).toEqual(written.warnings);
  });

  it('narrows repositories, takes inline rules and evaluates at the given time', async () => {
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const inline = `version: 1
defaults: { mode: apply, minAge: 1d }
policies:
  - name: everything
    repositories: { include: ["**"] }
    rules:
      - id: older-than-2d
        select: { tagStatus: any }
        when: { sinceImagePushed: 2d }
`;
    // Ten days ago, app/api's "latest" (pushed 3 days ago) did not exist yet; its untagged image was 5 days old.
    const tenDaysAgo = new Date(cloud.emulator.now() - 10 * 86_400_000).toISOString();
    const then = (await plan({ repositories: 'app/api', rules: inline, now: tenDaysAgo }, lambdaContext())) as any;
    expect(then.repositories.map((r: any) => r.repositoryName)).toEqual(['app/api']);
    expect(then.rulesSource).toBe('event.rules');
    expect(then.now).toBe(tenDaysAgo);
    expect(then.plan.delete).toBe(1);
    const today = (await plan({ repositories: 'app/api', rules: inline }, lambdaContext())) as any;
    expect(today.plan.delete).toBe(2);
    expect(cloud.emulator.stats().requests.BatchDeleteImage).toBeUndefined();
  });

  it.each([
    [{ repositories: 5 }, /repositories: .*string/i],
    [{ repository: 'app/*' }, /unknown field\(s\) "repository"/],
    [{ now: 'yesterday' }, /now: expected an ISO-8601 time/],
    [{ rules: '' }, /rules: expected rules YAML text/],
    ['plan everything', /invalid plan event/],
    [{ rules: 'version: 1\npolicies:\n  - name: x\n    repositories: { include: ["**"] }\n    rules:\n      - id: Bad Id\n' }, /invalid rules/],
  ])('rejects a malformed event %j with a clear error and runs nothing', async (event, message) => {
    const { plan } = await coldStart(functionEnv(cloud, applyRules));
    const keysBefore = await listKeys(cloud.s3);
    await expect(plan(event, lambdaContext())).rejects.toThrow(message);
    expect(totalRequests(cloud.emulator)).toBe(0);
    expect(await listKeys(cloud.s3)).toEqual(keysBefore);
  });
});

describe('sweep handler: Slack and rules sources', () => {
  it('posts the summary to the webhook read from an SSM SecureString, and never logs the URL', async () => {
    const received: { path: string; body: any }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const secretPath = '/services/T000/B000/s3cr3t-t0k3n';
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${secretPath}`;
    // SSM is out of the emulators' reach: its client answers from here.
    const asked: unknown[] = [];
    const ssmSpy = vi.spyOn(SSMClient.prototype, 'send').mockImplementation((async (command: GetParameterCommand) => {
      asked.push(command.input);
      return { Parameter: { Name: command.input.Name, Type: 'SecureString', Value: webhookUrl } };
    }) as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, applyRules, { SLACK_WEBHOOK_SSM_PARAMETER: '/ecr-sweeper/test/slack' }));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.slackSent).toBe(true);
      expect(asked).toEqual([{ Name: '/ecr-sweeper/test/slack', WithDecryption: true }]);
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe(secretPath);
      const text = JSON.stringify(received[0]!.body);
      expect(text).toContain('report.html'); // the presigned link to the HTML report
      expect(received[0]!.body.text).toContain(`ECR sweep ${summary.runId}: ${DELETED} images deleted`);
      expect(output.text()).not.toContain('s3cr3t-t0k3n');
      expect(output.text()).not.toContain(secretPath);
    } finally {
      ssmSpy.mockRestore();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('counts an undeliverable Slack summary as a SlackFailures metric and still succeeds', async () => {
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(404).end('no_service'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/T000/B000/gone`;
    const ssmSpy = vi.spyOn(SSMClient.prototype, 'send').mockImplementation((async (command: GetParameterCommand) => {
      return { Parameter: { Name: command.input.Name, Type: 'SecureString', Value: webhookUrl } };
    }) as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, applyRules, { SLACK_WEBHOOK_SSM_PARAMETER: '/ecr-sweeper/test/slack' }));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.totals.deleted).toBe(DELETED);
      expect(summary.slackSent).toBe(false);
      const emf = output.lines().find((l) => '_aws' in l && 'SlackFailures' in l);
      expect(emf).toMatchObject({ SlackFailures: 1 });
      expect(output.text()).not.toContain('/services/T000/B000/gone');
    } finally {
      ssmSpy.mockRestore();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('still sweeps and reports when the webhook parameter cannot be read', async () => {
    const ssmSpy = vi.spyOn(SSMClient.prototype, 'send').mockImplementation((async () => {
      throw Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' });
    }) as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, applyRules, { SLACK_WEBHOOK_SSM_PARAMETER: '/ecr-sweeper/test/slack' }));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.totals.deleted).toBe(DELETED);
      expect(summary.slackSent).toBeNull();
      expect(runFolderKeys(await listKeys(cloud.s3), summary.runId)).toContain('report.html');
      const warning = output.lines().find((l) => l.level === 'WARN' && String(l.message).includes('Slack'));
      expect(warning).toMatchObject({ source: 'ssm:/ecr-sweeper/test/slack' });
    } finally {
      ssmSpy.mockRestore();
    }
  });

  it('reads the rules from RULES_S3_URI instead of the bundled file', async () => {
    await cloud.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'team/rules.yml', Body: untaggedAfter7dRules('apply') }));
    const { sweep } = await coldStart(
      functionEnv(cloud, '/nonexistent/rules.yml', { RULES_S3_URI: 's3://rules-bucket/team/rules.yml' }),
    );
    const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
    expect(summary.rulesSource).toBe('s3://rules-bucket/team/rules.yml');
    expect(summary.totals.deleted).toBe(DELETED);
  });

  it('fails before any ECR call when the configured rules object cannot be read', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { RULES_S3_URI: 's3://rules-bucket/missing.yml' }));
    await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toMatchObject({
      name: 'RulesSourceError',
      message: expect.stringMatching(/^cannot read rules from s3:\/\/rules-bucket\/missing\.yml: /),
    });
    expect(totalRequests(cloud.emulator)).toBe(0);
  });

  it('refuses a rules object over the 1 MiB rules file limit, by its size, before any ECR call', async () => {
    const big = `${untaggedAfter7dRules('apply')}# ${'x'.repeat(2 * 1024 * 1024)}\n`;
    await cloud.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'big.yml', Body: big }));
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { RULES_S3_URI: 's3://rules-bucket/big.yml' }));
    await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toMatchObject({
      name: 'RulesSourceError',
      message: `rules object s3://rules-bucket/big.yml is ${Buffer.byteLength(big).toLocaleString('en-US')} bytes; a rules file is at most 1 MiB (1,048,576 bytes)`,
    });
    expect(totalRequests(cloud.emulator)).toBe(0);
  });

  it('reads an empty rules object as an empty rules file (invalid, by its source)', async () => {
    await cloud.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'empty.yml', Body: '' }));
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { RULES_S3_URI: 's3://rules-bucket/empty.yml' }));
    await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toThrow(/s3:\/\/rules-bucket\/empty\.yml.*the rules file is empty/s);
    expect(totalRequests(cloud.emulator)).toBe(0);
  });

  it('reads the rules from RULES_SSM_PARAMETER, and reports invalid rules there by their source', async () => {
    let value = untaggedAfter7dRules(null);
    const ssmSpy = vi.spyOn(SSMClient.prototype, 'send').mockImplementation((async (command: GetParameterCommand) => ({
      Parameter: { Name: command.input.Name, Type: 'String', Value: value },
    })) as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, '/nonexistent/rules.yml', { RULES_SSM_PARAMETER: '/ecr-sweeper/rules' }));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.rulesSource).toBe('ssm:/ecr-sweeper/rules');
      expect(summary.mode).toBe('dry-run');
      expect(summary.plan.delete).toBe(DELETED);

      value = 'version: 1\npolicies: []\n';
      cloud.emulator.resetStats();
      await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toThrow(/ssm:\/ecr-sweeper\/rules.*policies/s);
      expect(totalRequests(cloud.emulator)).toBe(0);
    } finally {
      ssmSpy.mockRestore();
    }
  });

  it('fails with a message naming the variable when the configuration is invalid, before any call', async () => {
    const { sweep } = await coldStart(functionEnv(cloud, applyRules, { REPORT_BUCKET: '', CONCURRENCY: 'lots' }));
    await expect(sweep(scheduledEvent(), lambdaContext())).rejects.toThrow(
      /invalid function configuration[\s\S]*REPORT_BUCKET: required[\s\S]*CONCURRENCY: expected an integer from 1 to 64, got "lots"/,
    );
    expect(totalRequests(cloud.emulator)).toBe(0);
  });
});
