/**
 * `ecr-sweeper plan` is a dry run whatever the rules say: with `mode: apply` rules it plans the
 * same deletions and sends no BatchDeleteImage (the emulator's own counters).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { cliEnv, runCliProcess, tempDir, writeText } from './cli-harness.js';
import { EXPECTED_DELETES, NOW, rulesYaml, STATE } from './fixtures.js';

let emulator: RunningEmulator;
let dir: string;
let cleanup: () => Promise<void>;
let applyRules: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  applyRules = await writeText(dir, 'apply-rules.yml', rulesYaml('mode: apply\n  maxDeletionsPerRun: null\n  maxDeletePercentPerRepository: null'));
});
afterAll(async () => {
  await cleanup();
});
beforeEach(async () => {
  emulator = await startEmulator({ port: 0, state: STATE });
});
afterEach(async () => {
  await emulator.stop();
});

describe('ecr-sweeper plan with mode: apply rules', () => {
  it('plans the deletions, deletes nothing, and says it is a dry run', async () => {
    const before = emulator.repositories().map((r) => [r.repositoryName, emulator.images(r.repositoryName).map((i) => i.imageDigest).sort()]);
    const run = await runCliProcess(['plan', '--rules', applyRules, '--now', NOW, '--format', 'json'], { env: cliEnv(emulator.url), cwd: dir });
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.mode).toBe('dry-run');
    expect(plan.summary.delete).toBe(EXPECTED_DELETES.length);
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(emulator.repositories().map((r) => [r.repositoryName, emulator.images(r.repositoryName).map((i) => i.imageDigest).sort()])).toEqual(before);
  });
});
