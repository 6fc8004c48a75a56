/**
 * The sweep function writes `<prefix>/<date>/<run-id>/plan.json` to S3 before its first
 * deletion: observed at the moment the first BatchDeleteImage leaves the client (the SDK is
 * watched, every call still goes to the emulator unchanged; S3 is s3rver).
 */
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  captureOutput,
  coldStart,
  functionEnv,
  lambdaContext,
  listKeys,
  readObject,
  scheduledEvent,
  startLocalCloud,
  writeRules,
  type LocalCloud,
} from './support/harness.js';
import { untaggedAfter7dRules } from './support/rules.js';

let cloud: LocalCloud;
let rules: string;
beforeAll(async () => {
  cloud = await startLocalCloud();
  rules = await writeRules(cloud, 'apply.yml', untaggedAfter7dRules('apply'));
});
afterAll(async () => {
  await cloud?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('sweep function', () => {
  it('has the full plan in S3 before the first BatchDeleteImage, and the result files only after', async () => {
    cloud.emulator.loadState({
      repositories: [
        { name: 'app/web', images: [{ tags: ['v1'], pushedAt: '-30d' }, { pushedAt: '-10d' }, { pushedAt: '-9d' }] },
        { name: 'app/api', images: [{ pushedAt: '-15d' }] },
      ],
    });
    const output = captureOutput();
    const atFirstDelete: string[][] = [];
    let planText: string | null = null;
    let deletesSeen = 0;
    const realSend = ECRClient.prototype.send as (this: ECRClient, command: unknown) => Promise<unknown>;
    vi.spyOn(ECRClient.prototype, 'send').mockImplementation(async function (this: ECRClient, command: any) {
      // Counted before any await: two repositories may send their first deletes together.
      if (command instanceof BatchDeleteImageCommand && deletesSeen++ === 0) {
        const keys = await listKeys(cloud.s3);
        atFirstDelete.push(keys);
        const planKey = keys.find((k) => k.endsWith('/plan.json'));
        if (planKey) planText = await readObject(cloud.s3, planKey);
      }
      return realSend.call(this, command);
    } as never);
    try {
      const { sweep } = await coldStart(functionEnv(cloud, rules));
      const summary = (await sweep(scheduledEvent(), lambdaContext())) as any;
      expect(summary.totals.deleted).toBe(3);
    } finally {
      output.restore();
    }

    expect(atFirstDelete).toHaveLength(1);
    const keys = atFirstDelete[0]!;
    expect(keys.filter((k) => k.endsWith('/plan.json'))).toHaveLength(1);
    expect(keys.some((k) => /result\.(json|csv)$|report\.html$/.test(k))).toBe(false);
    const plan = JSON.parse(planText!);
    expect(plan.summary.delete).toBe(3);
    expect(plan.repositories.map((r: { repositoryName: string }) => r.repositoryName).sort()).toEqual(['app/api', 'app/web']);
  });
});
