/**
 * "Before the first deletion of an apply run, the full plan is written": observed at the moment
 * the first BatchDeleteImage leaves the client, for `ecr-sweeper apply --out DIR` (in-process,
 * so the SDK can be watched; every call still goes to the emulator unchanged).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import { runCli } from '../../lib/cli/main.js';
import { useCliScenario } from './cli-harness.js';
import { EXPECTED_DELETES, liveState, rulesYaml } from './fixtures.js';
import { capturedIo } from './in-process-io.js';

const CREDENTIALS = { ecrClientExtra: { credentials: { accessKeyId: 'AKIDPLANFIRST', secretAccessKey: 'x' } } };
const scenario = useCliScenario({ state: liveState, rulesFile: 'rules.yml', rulesText: rulesYaml() });
afterEach(() => {
  vi.restoreAllMocks();
});

describe('apply --out DIR', () => {
  it('has plan.json, with every planned deletion, on disk before the first BatchDeleteImage is sent', async () => {
    const out = join(scenario.dir, 'ordered');
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

    const cap = capturedIo({ env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: scenario.emulator.url, XDG_CACHE_HOME: `${scenario.dir}/cache` }, cwd: scenario.dir });
    const code = await runCli(['apply', '--rules', scenario.rules, '--yes', '--out', out], cap.io, CREDENTIALS);

    expect(code).toBe(0);
    expect(scenario.emulator.stats().requests.BatchDeleteImage).toBeGreaterThan(0);
    expect(seenAtFirstDelete).toHaveLength(1);
    const [first] = seenAtFirstDelete;
    expect(first?.planOnDisk).toBe(true);
    expect(first?.resultOnDisk).toBe(false);
    expect(first?.plan?.summary.delete).toBe(EXPECTED_DELETES.length);
  });
});
