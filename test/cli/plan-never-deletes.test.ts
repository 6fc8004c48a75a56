/**
 * `ecr-sweeper plan` is a dry run whatever the rules say: with `mode: apply` rules it plans the
 * same deletions and sends no BatchDeleteImage (the emulator's own counters).
 */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import { cliEnv, runCliProcess, useCliScenario } from './cli-harness.js';
import { EXPECTED_DELETES, NOW, rulesYaml, STATE } from './fixtures.js';

const scenario = useCliScenario({ state: () => STATE, rulesFile: 'apply-rules.yml', rulesText: rulesYaml('mode: apply\n  maxDeletionsPerRun: null\n  maxDeletePercentPerRepository: null') });

describe('ecr-sweeper plan with mode: apply rules', () => {
  it('plans the deletions, deletes nothing, and says it is a dry run', async () => {
    const before = scenario.emulator.repositories().map((r) => [r.repositoryName, scenario.emulator.images(r.repositoryName).map((i) => i.imageDigest).sort()]);
    const run = await runCliProcess(['plan', '--rules', scenario.rules, '--now', NOW, '--format', 'json'], { env: cliEnv(scenario.emulator.url), cwd: scenario.dir });
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.mode).toBe('dry-run');
    expect(plan.summary.delete).toBe(EXPECTED_DELETES.length);
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(scenario.emulator.repositories().map((r) => [r.repositoryName, scenario.emulator.images(r.repositoryName).map((i) => i.imageDigest).sort()])).toEqual(before);
  });
});
