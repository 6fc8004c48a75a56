/**
 * `apply` without `--yes` at a terminal: it shows the plan, asks, and deletes only on an explicit
 * yes. Run in-process because a child process cannot be given a terminal here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/main.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { useCliScenario, writeText } from './cli-harness.js';
import { liveState, rulesYaml } from './fixtures.js';
import { capturedIo } from './in-process-io.js';

const CREDENTIALS = { ecrClientExtra: { credentials: { accessKeyId: 'AKIDINTERACTIVE', secretAccessKey: 'x' } } };
const scenario = useCliScenario({ state: liveState, rulesFile: 'rules.yml', rulesText: rulesYaml() });

const imageCount = (): number => scenario.emulator.repositories().reduce((n, r) => n + r.imageCount, 0);

/** Runs `apply` at a pretend terminal, typing `answer` once the question has been asked. */
async function applyAnswering(answer: string | null, extraArgs: string[] = [], rules = scenario.rules) {
  const cap = capturedIo({ tty: true, env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: scenario.emulator.url, XDG_CACHE_HOME: `${scenario.dir}/cache` }, cwd: scenario.dir });
  const running = runCli(['apply', '--rules', rules, ...extraArgs], cap.io, CREDENTIALS);
  // Type only after the question is on screen, as a person would.
  while (!cap.stderr().includes('[y/N]')) await new Promise((r) => setTimeout(r, 10));
  if (answer === null) cap.stdin.end();
  else cap.stdin.write(`${answer}\n`);
  const code = await running;
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('apply at a terminal without --yes', () => {
  it('shows the plan, asks, and deletes the 4 planned images on "y"', async () => {
    const before = imageCount();
    const run = await applyAnswering('y');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Plan \(apply\) evaluated at \d{4}-\d\d-\d\dT/);
    expect(run.stderr).toContain('Delete 4 image(s), 7.3 KiB, in 2 repositories? [y/N]');
    expect(imageCount()).toBe(before - 4);
  });

  it.each([['n'], [''], ['yep'], [null]])('deletes nothing and exits 0 on %j', async (answer) => {
    const before = imageCount();
    const run = await applyAnswering(answer);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Nothing was deleted.');
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(imageCount()).toBe(before);
  });

  it('asks only about what will be deleted: a dry-run policy\'s planned deletions are counted apart', async () => {
    // app/web gets its own policy in dry-run; app/api stays under 'apps'.
    const text = rulesYaml().replace(
      'policies:\n',
      "policies:\n  - name: web\n    repositories: { include: ['app/web'] }\n    mode: dry-run\n    rules:\n      - { id: untagged-7d, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }\n      - { id: pr-builds, select: { tagStatus: tagged, tagPatterns: ['pr-*'] }, when: { sinceImagePushed: 14d } }\n",
    );
    const rules = await writeText(scenario.dir, 'held-back.yml', text);
    const before = imageCount();
    const run = await applyAnswering('n', [], rules);
    expect(run.stderr).toContain('Delete 2 image(s), 2.9 KiB, in 1 repository (2 more planned under dry-run policies are not deleted)? [y/N]');
    expect(imageCount()).toBe(before);
  });

  it('declined with --out: the plan reports are still written and named, and nothing is deleted', async () => {
    const before = imageCount();
    const out = join(scenario.dir, 'declined');
    const run = await applyAnswering('n', ['--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Nothing was deleted.');
    expect(run.stderr).toContain(`The plan's reports (plan.json, result.json, result.csv, report.html) were written to ${out}: ${join(out, 'report.html')}`);
    for (const file of ['plan.json', 'result.json', 'result.csv', 'report.html']) expect(existsSync(join(out, file)), file).toBe(true);
    // The plan on disk is the one that was shown and declined: 4 deletions, none made.
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as Plan;
    expect(plan.summary.delete).toBe(4);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as SweepResult;
    expect(result.mode).toBe('dry-run');
    expect(result.totals.deleted).toBe(0);
    const planned = result.repositories.flatMap((r) => r.images).filter((i) => i.decision === 'delete');
    expect(planned).toHaveLength(4);
    for (const image of planned) expect(image.outcome).toMatchObject({ reason: 'declined at the prompt: nothing is deleted' });
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'apply-declined' }));
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(imageCount()).toBe(before);
  });
});
