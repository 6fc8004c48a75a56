import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalReportStore } from '../../lib/adapters/report-store-local.js';
import { ReportWriteError, planSinkFor, publishReports } from '../../lib/adapters/report-store.js';
import { renderResultCsv } from '../../lib/core/report-csv.js';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';

describe('LocalReportStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecr-sweeper-local-reports-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the S3 layout under the directory and returns the HTML path and a file URL', async () => {
    const store = new LocalReportStore(dir);
    const plan = buildSamplePlan();
    const result = buildSampleResult();

    const planPath = await store.writePlan(plan, result.runId);
    const written = await store.writeResult(result);

    const folder = path.join(dir, '2026-11-27', result.runId);
    expect(planPath).toBe(path.join(folder, 'plan.json'));
    expect(written.folder).toBe(folder);
    expect(written.files.reportHtml).toBe(path.join(folder, 'report.html'));
    expect(fileURLToPath(written.reportUrl)).toBe(written.files.reportHtml);
    expect((await readdir(folder)).sort()).toEqual(['plan.json', 'report.html', 'result.csv', 'result.json']);
    expect(JSON.parse(await readFile(planPath, 'utf8'))).toEqual(plan);
    expect(JSON.parse(await readFile(written.files.resultJson, 'utf8'))).toEqual(result);
    expect(await readFile(written.files.resultCsv, 'utf8')).toBe(renderResultCsv(result));
    expect(await readFile(written.files.reportHtml, 'utf8')).toBe(renderReportHtml(result));
  });

  it('writes straight into the directory with the flat layout, creating it', async () => {
    const out = path.join(dir, 'nested', 'out');
    const store = new LocalReportStore(out, { layout: 'flat' });
    const written = await store.writeResult(buildSampleResult({ mode: 'dry-run' }));
    expect(written.files.reportHtml).toBe(path.join(out, 'report.html'));
    expect((await readdir(out)).sort()).toEqual(['report.html', 'result.csv', 'result.json']);
  });

  it('throws ReportWriteError when the directory cannot be created, and leaves no temp file', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const store = new LocalReportStore(blocker);

    const error = await store.writePlan(buildSamplePlan(), 'run-x').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as ReportWriteError).location).toBe(path.join(blocker, '2026-11-27', 'run-x', 'plan.json'));
    expect((error as Error).message).toMatch(/^could not write .*plan\.json: /);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await readdir(dir)).toEqual(['a-file']);
  });

  it('refuses a run id that would escape the directory', async () => {
    const store = new LocalReportStore(path.join(dir, 'inside'));
    await expect(store.writePlan(buildSamplePlan(), '../../outside')).rejects.toThrow(ReportWriteError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('serves as the engine plan sink and as the publisher without a notifier', async () => {
    const store = new LocalReportStore(dir);
    const result = buildSampleResult({ runId: 'run-sink' });
    await planSinkFor(store, 'run-sink')(buildSamplePlan());
    const outcome = await publishReports(store, result);
    expect(outcome.slack).toBeNull();
    expect((await readdir(path.join(dir, '2026-11-27', 'run-sink'))).sort()).toEqual(['plan.json', 'report.html', 'result.csv', 'result.json']);
  });
});
