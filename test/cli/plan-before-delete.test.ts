/**
 * "Before the first deletion of an apply run, the full plan is written": observed at the moment
 * the first BatchDeleteImage leaves the client, for `ecr-sweeper apply --out DIR` (in-process,
 * so the SDK can be watched; every call still goes to the emulator unchanged).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { runCli } from '../../lib/cli/main.js';
import { tempDir, writeText } from './cli-harness.js';
import { EXPECTED_DELETES, liveState, rulesYaml } from './fixtures.js';
import { capturedIo } from './in-process-io.js';

const CREDENTIALS = { ecrClientExtra: { credentials: { accessKeyId: 'AKIDPLANFIRST', secretAccessKey: 'x' } } };
let emulator: RunningEmulator;
let dir: string;
let cleanup: () => Promise<void>;
let rules: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  rules = await writeText(dir, 'rules.yml', rulesYaml());
});
afterAll(async () => {
  await cleanup();
});
beforeEach(async () => {
  emulator = await startEmulator({ port: 0, state: liveState() });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await emulator.stop();
});

describe('apply --out DIR', () => {
  it('has plan.json, with every planned deletion, on disk before the first BatchDeleteImage is sent', async () => {
    const out = join(dir, 'ordered');
    const seenAtFirstDelete: { planOnDisk: boolean; plan?: Plan; resultOnDisk: boolean }[] = [];
    const realSend = ECRClient.prototype.send as (this: ECRClient, command: unknown) => Promise<unknown>;
    vi.spyOn(ECRClient.prototype, 'send').mockImplementation(async function (this: ECRClient, command: any) {
      if (command instanceof BatchDeleteImageCommand && seenAtFirstDelete.length === 0) {
        const planFile = join(out, 'plan.json');
        const planOnDisk = existsSync(planFile);
        seenAtFirstDelete.push({
          planOnDisk,
          ...(planOnDisk ? { plan: JSON.parse(readFileSync(planFile, 'utf8')) as Plan } : {}),
          resultOnDisk: existsSync(join(out, 'result.json')),
        });
      }
      return realSend.call(this, command);
    } as never);

    const cap = capturedIo({ env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECR: emulator.url }, cwd: dir });
    const code = await runCli(['apply', '--rules', rules, '--yes', '--out', out], cap.io, CREDENTIALS);

    expect(code).toBe(0);
    expect(emulator.stats().requests.BatchDeleteImage).toBeGreaterThan(0);
    expect(seenAtFirstDelete).toHaveLength(1);
    const [first] = seenAtFirstDelete;
    expect(first?.planOnDisk).toBe(true);
    expect(first?.resultOnDisk).toBe(false);
    expect(first?.plan?.summary.delete).toBe(EXPECTED_DELETES.length);
  });
});
