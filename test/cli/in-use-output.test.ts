/**
 * In-use protection at the terminal: the plan table's "In use" column and summary line, the
 * result table's line, the error block of a failed source, and exit code 3 for `plan` and `apply`
 * when a source could not be read. The commands run in-process with the engine's output given
 * (the engine's own in-use wiring is tested with the engine): what is checked here is what the
 * CLI makes of a plan and a result that carry an in-use report.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SweepOutput } from '../../lib/engine/types.js';
import { ExitCode, applyExitCode, planExitCode } from '../../lib/cli/exit-codes.js';
import { renderInUseFailures, renderInUseSummary } from '../../lib/cli/format-in-use.js';
import { PLAN_CSV_COLUMNS, renderPlanCsv } from '../../lib/cli/format-plan-csv.js';
import { renderPlanTable } from '../../lib/cli/format-plan-table.js';
import { inUseKeptImages } from '../../lib/core/in-use-ties.js';
import { FIGURE_LABELS } from '../../lib/core/report-summary.js';
import { renderResultTable } from '../../lib/cli/format-result-table.js';
import { runCli } from '../../lib/cli/main.js';
import { countImagesInUse } from '../../lib/core/report-in-use.js';
import { parseCsv } from '../fixtures/csv.js';
import { buildSamplePlan, buildSampleResult, planFromResult } from '../fixtures/sample-result.js';
import { useTempDir, writeText } from './cli-harness.js';
import { capturedIo } from './in-process-io.js';
import { rulesYaml } from './fixtures.js';

const engine = vi.hoisted(() => ({ output: undefined as SweepOutput | undefined }));
vi.mock('../../lib/engine/sweep.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/engine/sweep.js')>();
  return { ...real, runSweep: async () => engine.output! };
});

afterEach(() => {
  engine.output = undefined;
});

/** The table's cells of the row whose first cell starts with `first`. */
function rowCells(table: string, first: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`│ ${first}`))!;
  return line.split('│').slice(1, -1).map((c) => c.trim());
}

describe('plan table', () => {
  it('has a Kept in use column per repository and in the total, and the summary line with the same total under the table', () => {
    const plan = buildSamplePlan();
    const text = renderPlanTable(plan);
    const head = rowCells(text, 'Repository');
    const column = head.indexOf(FIGURE_LABELS.inUseKept);
    expect(column).toBeGreaterThan(0);
    for (const repository of plan.repositories.filter((r) => r.status !== 'unmanaged')) {
      expect(rowCells(text, repository.repositoryName)[column], repository.repositoryName).toBe(String(inUseKeptImages([repository])));
    }
    // payments: two in-use indexes, the children and the signature kept with them.
    expect(rowCells(text, 'api/payments')[column]).toBe('6');
    expect(rowCells(text, 'Total:')[column]).toBe('8');
    expect(text).toContain('\nin use: 8 images kept (ECS 6 usages, Lambda 3, Batch 2; App Runner off)\n');
  });

  it('has no Kept in use column and no line for a plan made without in-use sources', () => {
    const text = renderPlanTable(buildSamplePlan({ inUse: 'none' }));
    expect(text).not.toContain(FIGURE_LABELS.inUseKept);
    expect(text).not.toContain('in use:');
  });

  it('says which source failed in the summary line, first', () => {
    expect(renderPlanTable(buildSamplePlan({ inUse: 'failed' }))).toContain('\nin use: 2 images kept (ECS failed; Lambda 3 usages, Batch 2; App Runner off)\n');
  });
});

describe('result table, error block and plan CSV', () => {
  it('prints the in-use line under the result table, and nothing without in-use sources', () => {
    expect(renderResultTable(buildSampleResult({ mode: 'dry-run' }))).toContain('\nin use: 8 images kept (ECS 6 usages, Lambda 3, Batch 2; App Runner off)\n');
    expect(renderResultTable(buildSampleResult({ inUse: 'none' }))).not.toContain('in use:');
  });

  it('prints a failed source as an error block naming the source and why, one line each', () => {
    const result = buildSampleResult({ inUse: 'failed' });
    result.inUse!.sources[0]!.error!.message = 'denied\nsecond line';
    expect(renderInUseFailures(result.inUse)).toBe(
      [
        'ecr-sweeper: IN-USE SCAN FAILED: 1 in-use source could not be read: nothing is deleted in the registry it covers (fail closed).',
        '  - ECS (all clusters): AccessDeniedException: denied second line',
        'Give the run the read access each source needs, or turn the source off explicitly in the rules (e.g. `inUse: { ecs: false }`). Exit code 3.',
        '',
      ].join('\n'),
    );
    expect(renderInUseFailures(buildSampleResult().inUse)).toBe('');
    expect(renderInUseFailures(undefined)).toBe('');
    expect(renderInUseSummary(undefined, 0)).toBe('');
  });

  it('names every consumer of an in-use image in the plan CSV used_by column', () => {
    const plan = buildSamplePlan();
    const rows = parseCsv(renderPlanCsv(plan));
    expect(rows[0]).toEqual([...PLAN_CSV_COLUMNS]);
    const col = PLAN_CSV_COLUMNS.indexOf('used_by');
    const frontend = rows.find((r) => r[PLAN_CSV_COLUMNS.indexOf('tags')] === 'latest prod v1.4.0')!;
    expect(frontend[col]).toBe('ECS service prod/web (task definition web:12); Lambda function ssr ($LATEST); Lambda function ssr, alias live');
    expect(rows.slice(1).filter((r) => r[col] !== '')).toHaveLength(countImagesInUse(plan.repositories));
  });
});

describe('exit codes when an in-use source failed', () => {
  it.each([
    ['plan, all read (a repository failed) → 1', buildSampleResult({ mode: 'dry-run', inUse: 'scanned' }), 'plan', ExitCode.FAILURES],
    ['plan, a source failed → 3', buildSampleResult({ mode: 'dry-run', inUse: 'failed' }), 'plan', ExitCode.SAFETY_ABORT],
    ['plan, no in-use sources (a repository failed) → 1', buildSampleResult({ mode: 'dry-run', inUse: 'none' }), 'plan', ExitCode.FAILURES],
    ['apply, a source failed (and failed deletions) → 3', buildSampleResult({ inUse: 'failed' }), 'apply', ExitCode.SAFETY_ABORT],
  ] as const)('%s', (_name, result, command, code) => {
    // The sample has a failed repository (1) and a blocked one (3 for apply): strip those to see the in-use part alone.
    const clean = { ...result, repositories: result.repositories.filter((r) => r.status !== 'blocked'), totals: { ...result.totals } };
    expect(command === 'plan' ? planExitCode(result) : applyExitCode(clean)).toBe(code);
  });

  it('apply: a failed source alone (nothing blocked, nothing failed) exits 3; read sources exit 0', () => {
    const base = buildSampleResult({ inUse: 'failed' });
    const calm = { ...base, repositories: [], totals: { ...base.totals, failed: 0, failedRepositories: 0 } };
    expect(applyExitCode(calm)).toBe(ExitCode.SAFETY_ABORT);
    expect(applyExitCode({ ...calm, inUse: buildSampleResult().inUse! })).toBe(ExitCode.OK);
    expect(planExitCode({ ...calm, inUse: buildSampleResult().inUse! })).toBe(ExitCode.OK);
    expect(planExitCode(calm)).toBe(ExitCode.SAFETY_ABORT);
  });
});

describe('ecr-sweeper plan and apply with a failed in-use source', () => {
  const temp = useTempDir();
  const env = () => ({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDINUSE', AWS_SECRET_ACCESS_KEY: 'x', XDG_CACHE_HOME: `${temp.dir}/cache` });

  it.each(['table', 'json', 'csv'])('plan --format %s exits 3 and prints the error block on stderr', async (format) => {
    const result = buildSampleResult({ mode: 'dry-run', inUse: 'failed' });
    engine.output = { plan: planFromResult(result), result };
    const rules = await writeText(temp.dir, 'rules.yml', rulesYaml());
    const cap = capturedIo({ env: env(), cwd: temp.dir });
    const code = await runCli(['plan', '--rules', rules, '--format', format], cap.io);
    expect(code).toBe(ExitCode.SAFETY_ABORT);
    expect(cap.stderr()).toContain('ecr-sweeper: IN-USE SCAN FAILED: 1 in-use source could not be read');
    expect(cap.stderr()).toContain('  - ECS (all clusters): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecr-sweeper/run');
    if (format === 'table') expect(cap.stdout()).toContain('in use: 2 images kept (ECS failed;');
    if (format === 'json') expect(JSON.parse(cap.stdout()).inUse.sources[0].status).toBe('failed');
  });

  it('plan exits as before when every source was read (1 here: the sample has a repository that could not be listed)', async () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    engine.output = { plan: planFromResult(result), result };
    const rules = await writeText(temp.dir, 'rules.yml', rulesYaml());
    const cap = capturedIo({ env: env(), cwd: temp.dir });
    expect(await runCli(['plan', '--rules', rules], cap.io)).toBe(ExitCode.FAILURES);
    expect(cap.stderr()).not.toContain('IN-USE SCAN FAILED');
    expect(cap.stdout()).toContain('in use: 8 images kept (ECS 6 usages, Lambda 3, Batch 2; App Runner off)');
  });

  it('apply --yes exits 3 and prints the error block after the result', async () => {
    const result = buildSampleResult({ inUse: 'failed' });
    result.repositories = result.repositories.filter((r) => r.status !== 'blocked' && r.status !== 'failed');
    engine.output = { plan: planFromResult(result), result };
    const rules = await writeText(temp.dir, 'rules.yml', rulesYaml());
    const cap = capturedIo({ env: env(), cwd: temp.dir });
    expect(await runCli(['apply', '--rules', rules, '--yes'], cap.io)).toBe(ExitCode.SAFETY_ABORT);
    expect(cap.stdout()).toContain('in use: 2 images kept (ECS failed;');
    expect(cap.stderr()).toMatch(/IN-USE SCAN FAILED[^\n]*\n {2}- ECS \(all clusters\): AccessDeniedException/);
  });
});
