/**
 * The sweep function killed before it could write its report (as a Lambda timeout does): the
 * journal parts and the checkpoint are left in S3, and the next invocation resumes the same run
 * and merges the journal into its report. Real handlers against the emulator and s3rver.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SweepResult } from '../../lib/core/result-model.js';
import type { JournalRecord } from '../../lib/engine/types.js';
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
  writeRules,
  type LocalCloud,
  type StateFile,
} from './support/harness.js';
import { untaggedAfter7dRules } from './support/rules.js';

/** app/api: 1 old untagged image; app/web: 2 old untagged, 1 tagged. Both repositories delete something. */
const STATE: StateFile = {
  repositories: [
    { name: 'app/api', images: [{ tags: ['latest'], pushedAt: '-3d' }, { pushedAt: '-15d', sizeInBytes: 400 }] },
    { name: 'app/web', images: [{ tags: ['v1'], pushedAt: '-30d' }, { pushedAt: '-10d', sizeInBytes: 300 }, { pushedAt: '-9d', sizeInBytes: 200 }] },
  ],
};

let cloud: LocalCloud;
let rules: string;
beforeAll(async () => {
  cloud = await startLocalCloud();
  rules = await writeRules(cloud, 'apply.yml', untaggedAfter7dRules('apply'));
});
afterAll(async () => {
  await cloud?.stop();
});

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  cloud.emulator.clear();
  cloud.emulator.loadState(STATE);
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  cloud.emulator.setFaults({ latencyMs: undefined });
});

function journalRecords(text: string): JournalRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JournalRecord);
}

describe('sweep function after a timeout', () => {
  it('leaves journal and checkpoint; the next invocation resumes the run and its report includes the first one\'s deletions', async () => {
    // One repository at a time, and a delete call that outlasts the deadline (3 s: 10 s left, 7 s margin):
    // app/api is swept, app/web is not. (Middy itself gives up only when the 10 s are gone.)
    const env = functionEnv(cloud, rules, { CONCURRENCY: '1', DEADLINE_MARGIN_MS: '7000' });
    cloud.emulator.setFaults({ latencyMs: { BatchDeleteImage: 4000 } });
    // Then the function dies before its report is written, as when the margin is not enough: every result file upload fails.
    const realSend = S3Client.prototype.send as (this: S3Client, command: unknown) => Promise<unknown>;
    const spy = vi.spyOn(S3Client.prototype, 'send').mockImplementation(async function (this: S3Client, command: any) {
      if (command instanceof PutObjectCommand && /result\.(json|csv)$|report\.html$/.test(command.input.Key ?? '')) throw new Error('killed by the Lambda timeout');
      return realSend.call(this, command);
    } as never);
    const { sweep } = await coldStart(env);
    await expect(sweep(scheduledEvent(), lambdaContext(10_000))).rejects.toThrow(/killed by the Lambda timeout/);
    spy.mockRestore();
    cloud.emulator.setFaults({ latencyMs: undefined });

    expect(cloud.emulator.images('app/api')).toHaveLength(1);
    expect(cloud.emulator.images('app/web')).toHaveLength(3);
    const keys = await listKeys(cloud.s3);
    expect(keys.filter((k) => /result\.json$/.test(k))).toEqual([]);
    const checkpoint = JSON.parse((await readObject(cloud.s3, `${REPORT_PREFIX}/checkpoints/sweep.json`))!) as { runId: string; finishedRepositories: string[] };
    expect(checkpoint.finishedRepositories).toContain('app/api');
    const parts = keys.filter((k) => k.startsWith(`${REPORT_PREFIX}/journal/${checkpoint.runId}/`));
    expect(parts.length).toBeGreaterThan(0);
    const journal = (await Promise.all(parts.map((k) => readObject(cloud.s3, k)))).flatMap((t) => journalRecords(t!));
    expect(journal.filter((r) => r.event === 'delete-answer' && r.answer === 'deleted').map((r) => r.repositoryName)).toEqual(['app/api']);

    // The next scheduled invocation (a new container).
    const { sweep: next } = await coldStart(functionEnv(cloud, rules));
    const summary = (await next(scheduledEvent(), lambdaContext())) as { runId: string; totals: SweepResult['totals']; reports: { folder: string }; stoppedByDeadline: boolean };
    expect(summary.runId).toBe(checkpoint.runId);
    expect(summary.stoppedByDeadline).toBe(false);
    expect(cloud.emulator.images('app/api')).toHaveLength(1);
    expect(cloud.emulator.images('app/web')).toHaveLength(1);
    // The report covers the whole sweep: app/api's deletion by the killed invocation included.
    expect(summary.totals.deleted).toBe(3);
    const folder = summary.reports.folder.replace(/^s3:\/\/[^/]+\//, '');
    const result = JSON.parse((await readObject(cloud.s3, `${folder}/result.json`))!) as SweepResult;
    expect(result.runId).toBe(checkpoint.runId);
    expect(result.totals.deleted).toBe(3);
    expect(result.totals.bytesFreed).toBe(900);
    const api = result.repositories.find((r) => r.repositoryName === 'app/api')!;
    expect(api.status).toBe('completed');
    expect(api.images.filter((i) => i.outcome.status === 'deleted').map((i) => i.outcome)).toEqual([{ status: 'deleted' }]);
    expect(await readObject(cloud.s3, `${REPORT_PREFIX}/checkpoints/sweep.json`)).toBeNull();
  }, 60_000);
});
