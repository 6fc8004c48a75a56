/**
 * Globs that match nothing, through the real launcher against the emulator: a policy glob and
 * `--repository` that match no repository are named on stderr with the nearest names (or the
 * `**` hint), by `plan` and by `apply`, and recorded in the plan and result documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { cliEnv, runCliProcess, useCliScenario } from './cli-harness.js';
import { liveState, NOW, STATE } from './fixtures.js';

// app/api, app/web and other/tools; the 'tools' policy misses by one letter.
const RULES = `version: 1
defaults:
  minAge: 1d
  maxDeletionsPerRun: null
  maxDeletePercentPerRepository: null
policies:
  - name: apps
    repositories: { include: ['app/**'] }
    rules:
      - id: untagged-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
  - name: tools
    repositories: { include: ['other/tool'] }
    rules:
      - id: untagged-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
`;

describe('plan: globs that match nothing', () => {
  const scenario = useCliScenario({ state: () => STATE, rulesFile: 'rules.yml', rulesText: RULES });
  const run = (args: string[]) => runCliProcess(args, { env: cliEnv(scenario.emulator.url), cwd: scenario.dir });

  it('names a policy glob that matches no repository, with the nearest name, on stderr and in plan.json', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--out', join(scenario.dir, 'r1')]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(
      "warning (policy-glob-matches-nothing): policy 'tools' include 'other/tool' matches none of the 3 repositories; nearest: other/tools\n",
    );
    // Nothing else is wrong, so nothing else is said.
    expect(out.stderr.match(/^warning/gm)).toHaveLength(1);
    const plan = JSON.parse(readFileSync(join(scenario.dir, 'r1', 'plan.json'), 'utf8')) as Plan;
    expect(plan.warnings).toEqual([expect.objectContaining({ code: 'policy-glob-matches-nothing' })]);
    const result = JSON.parse(readFileSync(join(scenario.dir, 'r1', 'result.json'), 'utf8')) as SweepResult;
    expect(result.warnings).toEqual(plan.warnings);
  });

  it("--repository that stops at '/' says so and gives the '**' glob that would match", async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--repository', 'app', '--format', 'json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(
      "warning (repository-filter-matches-nothing): --repository 'app' matches none of the 3 repositories: it is a prefix of repository names, not a repository; 'app/**' would match 2 (app/api, app/web)\n",
    );
    const star = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--repository', '*']);
    expect(star.stderr).toContain(
      "warning (repository-filter-matches-nothing): --repository '*' matches none of the 3 repositories: '*' does not cross '/' (use '**' for that); '**' would match 3 (app/api, app/web, other/tools)\n",
    );
    // The JSON document on stdout stays clean and carries the warnings too.
    const plan = JSON.parse(out.stdout) as Plan;
    expect(plan.repositories).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['policy-glob-matches-nothing', 'repository-filter-matches-nothing']);
  });

  it('a filter that matches says nothing about itself', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--repository', 'app/*']);
    expect(out.code).toBe(0);
    expect(out.stderr).not.toContain('repository-filter-matches-nothing');
  });
});

describe('apply: globs that match nothing', () => {
  const scenario = useCliScenario({ state: liveState, rulesFile: 'rules.yml', rulesText: RULES });

  it('prints the warnings before deleting, and the result carries them', async () => {
    const out = await runCliProcess(['apply', '--rules', scenario.rules, '--yes', '--repository', 'app/apii', '--format', 'json'], {
      env: cliEnv(scenario.emulator.url),
      cwd: scenario.dir,
    });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("warning (policy-glob-matches-nothing): policy 'tools' include 'other/tool'");
    expect(out.stderr).toContain("warning (repository-filter-matches-nothing): --repository 'app/apii' matches none of the 3 repositories; nearest: app/api\n");
    const result = JSON.parse(out.stdout) as SweepResult;
    expect(result.warnings.map((w) => w.code)).toEqual(['policy-glob-matches-nothing', 'repository-filter-matches-nothing']);
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
  });
});
