/**
 * The point of the emulator's consumer services: ecr-sweeper's own in-use readers scan an account
 * offline through the real SDK clients at the emulator's one endpoint, and fail closed on its faults.
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { BatchClient } from '@aws-sdk/client-batch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { AppRunnerInUseReader } from '../../lib/adapters/in-use-apprunner.js';
import { BatchInUseReader } from '../../lib/adapters/in-use-batch.js';
import { EcsInUseReader } from '../../lib/adapters/in-use-ecs.js';
import { LambdaInUseReader } from '../../lib/adapters/in-use-lambda.js';
import { InUseSourceError } from '../../lib/engine/errors.js';
import { ACCESS_KEY } from './support.js';
import { uri } from './in-use-support.js';

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const STATE: StateFile = {
  repositories: [{ name: 'team/web', images: [{ tags: ['v1'] }, { tags: ['v2'] }, { tags: ['v3', 'latest'] }] }],
  ecs: {
    taskDefinitions: [
      { family: 'payments-api', containerDefinitions: [{ name: 'app', image: 'team/web:v1' }] },
      { family: 'payments-api', containerDefinitions: [{ name: 'app', image: 'team/web:v2' }] },
    ],
    clusters: [{ name: 'prod', services: [{ name: 'payments-api', taskDefinition: 'payments-api:2' }], tasks: [{ id: 'task1', taskDefinition: 'payments-api:2', service: 'payments-api' }] }],
  },
  lambda: { functions: [{ name: 'resize', image: 'team/web:v3', versions: ['team/web:v1'], aliases: [{ name: 'live', version: 1 }] }] },
  batch: { jobDefinitions: [{ name: 'nightly', image: 'team/web:v2' }] },
  apprunner: { services: [{ name: 'api-service', image: 'team/web:latest' }] },
};

function config(url: string) {
  return { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-a-secret' }, maxAttempts: 1 };
}

describe('the in-use readers against the emulator', () => {
  it('scan ECS, Lambda, Batch and App Runner offline and name each consumer of each image', async () => {
    emulator = await startEmulator({ now: '2026-06-01T00:00:00Z', state: STATE });
    const digest = (tag: string) => emulator?.findImage('team/web', { tag })?.imageDigest as string;
    const c = config(emulator.url);
    const ecs = await new EcsInUseReader(new ECSClient(c), { clusters: null, taskDefinitionRevisions: 5 }).scan({ now: emulator.now() });
    const lambda = await new LambdaInUseReader(new LambdaClient(c), { versions: 5 }, { rates: { controlPerSecond: Infinity, getFunctionPerSecond: Infinity } }).scan({ now: emulator.now() });
    const batch = await new BatchInUseReader(new BatchClient(c)).scan({ now: emulator.now() });
    const apprunner = await new AppRunnerInUseReader(new AppRunnerClient(c)).scan({ now: emulator.now() });
    const seen = (usages: { consumer: string; reference: string }[]) => [...new Set(usages.map((u) => `${u.consumer} → ${u.reference}`))].sort();
    const task = 'ECS task prod/task1 (task definition payments-api:2)';
    const service = 'ECS service prod/payments-api (task definition payments-api:2)';
    expect(seen(ecs.usages)).toEqual(
      [
        `${task} → ${uri('team/web:v2')}`,
        `${task} → ${uri(`team/web@${digest('v2')}`)}`,
        `${service} → ${uri('team/web:v2')}`,
        `${service} → ${uri(`team/web@${digest('v2')}`)}`,
        `ECS task definition payments-api:2 (rollback target) → ${uri('team/web:v2')}`,
        `ECS task definition payments-api:1 (rollback target) → ${uri('team/web:v1')}`,
      ].sort(),
    );
    expect(seen(lambda.usages)).toEqual(
      [
        `Lambda function resize ($LATEST) → ${uri('team/web:v3')}`,
        `Lambda function resize ($LATEST) → ${uri(`team/web@${digest('v3')}`)}`,
        `Lambda function resize, alias live → ${uri('team/web:v1')}`,
        `Lambda function resize, alias live → ${uri(`team/web@${digest('v1')}`)}`,
        `Lambda function resize, version 1 → ${uri('team/web:v1')}`,
        `Lambda function resize, version 1 → ${uri(`team/web@${digest('v1')}`)}`,
      ].sort(),
    );
    expect(seen(batch.usages)).toEqual([`Batch job definition nightly:1 → ${uri('team/web:v2')}`]);
    expect(seen(apprunner.usages)).toEqual([`App Runner service api-service → ${uri('team/web:latest')}`]);
    expect(emulator.stats().failed).toEqual({});
  });

  it('a denied or throttled call fails the scan closed', async () => {
    emulator = await startEmulator({ now: '2026-06-01T00:00:00Z', state: STATE, accessDenied: ['ecs:DescribeTasks'], throttleProbability: { 'lambda:GetFunction': 1 } });
    const c = config(emulator.url);
    await expect(new EcsInUseReader(new ECSClient(c), { clusters: null, taskDefinitionRevisions: 5 }).scan({ now: emulator.now() })).rejects.toThrow(InUseSourceError);
    await expect(new LambdaInUseReader(new LambdaClient(c), { versions: 5 }, { rates: { controlPerSecond: Infinity, getFunctionPerSecond: Infinity } }).scan({ now: emulator.now() })).rejects.toThrow(InUseSourceError);
    expect(emulator.stats().failed['ecs:DescribeTasks']).toBe(1);
    expect(emulator.stats().throttled['lambda:GetFunction']).toBeGreaterThan(0);
  });
});
