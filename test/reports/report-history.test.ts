/**
 * The run history and the diff against the last run: the pure summaries, the bounded append,
 * the decision changes, and both the local store and the report page built from them (first
 * run, second run, unreadable history).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalReportStore } from '../../lib/adapters/report-store-local.js';
import { writeRunReports } from '../../lib/adapters/report-store.js';
import {
  HISTORY_LIMIT,
  appendHistory,
  decisionChanges,
  decisionDigest,
  historyEntry,
  historyToJsonLines,
  parseDecisionDigest,
  parseHistory,
  type RunHistoryEntry,
} from '../../lib/core/report-history.js';
import { runFigures } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';

/** The sample run a week later, with one kept image now deleted and one repository now blocked. */
function laterRun(): { result: SweepResult; flipped: string; repository: string } {
  const result = buildSampleResult({ mode: 'dry-run', runId: 'run-2', now: '2026-12-04T06:00:00.000Z' });
  const repo = result.repositories.find((r) => r.images.some((i) => i.decision === 'keep' && i.role === 'image'))!;
  const image = repo.images.find((i) => i.decision === 'keep' && i.role === 'image')!;
  image.decision = 'delete';
  image.rule = 'older-than-30d';
  image.reason = 'delete: pushed 31d ago > 30d <script>';
  image.outcome = { status: 'would-delete' };
  const blocked = result.repositories.find((r) => r.status === 'completed' && r !== repo)!;
  blocked.status = 'blocked';
  blocked.statusReason = 'would delete 90% of its images > maxDeletePercent 50%';
  return { result, flipped: image.imageDigest, repository: blocked.repositoryName };
}

const firstRun = () => buildSampleResult({ mode: 'dry-run', runId: 'run-1' });

describe('historyEntry', () => {
  it('summarises a run with the figures every report shows, per repository too', () => {
    const result = buildSampleResult();
    const f = runFigures(result);
    const entry = historyEntry(result);
    expect(entry).toMatchObject({ version: 1, runId: result.runId, now: result.now, mode: 'apply', images: f.images, deletions: f.deleted, bytesRemoved: f.bytesFreed, failures: f.failedDeletions + f.failedRepositories });
    const repos = Object.values(entry.repositories);
    expect(repos.reduce((s, r) => s + r.deletions, 0)).toBe(f.deleted);
    expect(repos.reduce((s, r) => s + r.bytes, 0)).toBe(entry.bytes);
    expect(repos.reduce((s, r) => s + r.failures, 0)).toBe(entry.failures);
    // Repositories never listed have no figures to keep, but a failed one keeps its failure.
    expect(entry.repositories['ml/notebooks']).toEqual({ images: 0, bytes: 0, deletions: 0, failures: 1 });
    const notListed = result.repositories.filter((r) => r.status === 'protected' || r.status === 'unmanaged').map((r) => r.repositoryName);
    expect(notListed.length).toBeGreaterThan(0);
    for (const name of notListed) expect(entry.repositories).not.toHaveProperty([name]);
  });
});

describe('appendHistory', () => {
  const entry = (i: number): RunHistoryEntry => ({ ...historyEntry(firstRun()), runId: `run-${i}`, now: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString() });

  it('keeps the last 90 runs, oldest first, and replaces a rerun of the same run id', () => {
    let history: RunHistoryEntry[] = [];
    for (let i = 0; i < 100; i += 1) history = appendHistory(history, entry(i));
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]!.runId).toBe('run-10');
    expect(history.at(-1)!.runId).toBe('run-99');
    const rerun = appendHistory(history, { ...entry(99), deletions: 12345 });
    expect(rerun).toHaveLength(HISTORY_LIMIT);
    expect(rerun.at(-1)!.deletions).toBe(12345);
  });

  it('is bounded, sorted and holds the new run (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(400), { maxLength: 150 }), fc.nat(400), fc.integer({ min: 1, max: 120 }), (days, last, limit) => {
        let history: RunHistoryEntry[] = [];
        for (const d of days) history = appendHistory(history, entry(d), limit);
        const next = appendHistory(history, entry(last + 500), limit);
        expect(next.length).toBeLessThanOrEqual(limit);
        expect(next.at(-1)!.runId).toBe(`run-${last + 500}`);
        expect(new Set(next.map((h) => h.runId)).size).toBe(next.length);
        expect(next.map((h) => h.now)).toEqual([...next.map((h) => h.now)].sort());
      }),
    );
  });

  it('reads back what it writes as JSON Lines, and skips a damaged line instead of failing', () => {
    const history = [entry(1), entry(2)];
    const text = historyToJsonLines(history);
    expect(parseHistory(text)).toEqual({ runs: history, skipped: 0 });
    expect(parseHistory(`${text}{"version":1,"runId":"half`)).toEqual({ runs: history, skipped: 1 });
    expect(parseHistory('{"version":2}\n\n')).toEqual({ runs: [], skipped: 1 });
  });
});

describe('decisionChanges', () => {
  it('is null with no previous run', () => {
    expect(decisionChanges(null, firstRun())).toBeNull();
  });

  it('lists the images whose decision changed and the repositories whose status changed, with both reasons', () => {
    const before = firstRun();
    const { result, flipped, repository } = laterRun();
    const changes = decisionChanges(decisionDigest(before), result)!;
    expect(changes.previousRunId).toBe('run-1');
    expect(changes.images).toHaveLength(1);
    expect(changes.images[0]).toMatchObject({ imageDigest: flipped, before: { decision: 'keep' }, after: { decision: 'delete', rule: 'older-than-30d', reason: 'delete: pushed 31d ago > 30d <script>' } });
    expect(changes.images[0]!.before.reason).toMatch(/^keep/);
    expect(changes.repositories).toEqual([
      { repositoryName: repository, before: { status: 'completed', reason: '' }, after: { status: 'blocked', reason: 'would delete 90% of its images > maxDeletePercent 50%' } },
    ]);
  });

  it('leaves out images in only one of the runs: pushed since, or deleted', () => {
    const before = firstRun();
    const after = firstRun();
    const repo = after.repositories[0]!;
    const gone = repo.images.shift()!;
    repo.images.push({ ...gone, imageDigest: 'sha256:new', decision: gone.decision === 'keep' ? 'delete' : 'keep' });
    expect(decisionChanges(decisionDigest(before), after)!.images).toEqual([]);
  });

  it('finds no change between a run and itself (property over digests written and read back)', () => {
    const result = firstRun();
    const digest = parseDecisionDigest(JSON.stringify(decisionDigest(result)))!;
    expect(decisionChanges(digest, result)).toMatchObject({ images: [], repositories: [] });
    expect(parseDecisionDigest('not json')).toBeNull();
    expect(parseDecisionDigest('{"version":1}')).toBeNull();
  });
});

describe('writeRunReports with a local store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecr-sweeper-history-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('first run: history of one, no previous run, and the page says so', async () => {
    const store = new LocalReportStore(dir);
    await store.writePlan(buildSamplePlan({ mode: 'dry-run', runId: 'run-1' }), 'run-1');
    const { report, insights } = await writeRunReports(store, firstRun(), { region: 'us-east-1' });
    expect(insights.history).toHaveLength(1);
    expect(insights.changes).toBeNull();
    const html = await readFile(report.files.reportHtml, 'utf8');
    expect(html).toContain('id="trend-empty"');
    expect(html).toContain('No history yet');
    expect(html).toContain('id="changes-none"');
    expect(html).toContain('No previous run');
    expect(parseHistory(await readFile(path.join(dir, 'history', 'runs.jsonl'), 'utf8')).runs.map((r) => r.runId)).toEqual(['run-1']);
  });

  it('second run: a trend of two runs drawn as inline SVG, and the changed decisions with both reasons, escaped', async () => {
    const store = new LocalReportStore(dir);
    await writeRunReports(store, firstRun(), { region: 'us-east-1' });
    const { result, flipped } = laterRun();
    const { report, insights } = await writeRunReports(store, result, { region: 'us-east-1' });
    expect(insights.history!.map((h) => h.runId)).toEqual(['run-1', 'run-2']);
    expect(insights.changes!.images.map((c) => c.imageDigest)).toEqual([flipped]);
    const html = await readFile(report.files.reportHtml, 'utf8');
    expect(html).toMatch(/<figure class="trend" id="trend-size">[\s\S]*<polyline class="trend-line" points="0\.0,[\d.]+ 1000\.0,[\d.]+"/);
    expect(html).toMatch(/<figure class="trend" id="trend-deletions">[\s\S]*<rect class="trend-bar"/);
    expect(html).not.toContain('id="trend-empty"');
    const changed = html.slice(html.indexOf('id="changed-images"'), html.indexOf('</table>', html.indexOf('id="changed-images"')));
    expect(changed.match(/<tr data-before=/g)).toHaveLength(1);
    expect(changed).toContain('data-before="keep" data-after="delete"');
    expect(changed).toContain('delete: pushed 31d ago &gt; 30d &lt;script&gt;');
    expect(html).toContain('id="changed-repositories"');
    expect(html).toContain('Compared with run <code>run-1</code>');
    // The page still loads nothing and styles nothing inline (the CSP allows neither).
    expect(html).not.toMatch(/ style="/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('an unreadable history: the report is written without trend or diff, says why, and the history is left alone', async () => {
    // A directory where the history file should be: reading it fails with EISDIR.
    await mkdir(path.join(dir, 'history', 'runs.jsonl'), { recursive: true });
    const store = new LocalReportStore(dir);
    const { report, insights } = await writeRunReports(store, firstRun(), {});
    expect(insights.history).toBeNull();
    expect(insights.historyNote).toMatch(/^the run history could not be read \(could not read .*runs\.jsonl: .*\); this report has no trend and no diff/);
    const html = await readFile(report.files.reportHtml, 'utf8');
    expect(html).toContain('the run history could not be read');
    await expect(readFile(path.join(dir, 'history', 'decisions.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('a damaged history file costs only its damaged lines', async () => {
    const store = new LocalReportStore(dir);
    await writeRunReports(store, firstRun(), {});
    await writeFile(path.join(dir, 'history', 'runs.jsonl'), `${await readFile(path.join(dir, 'history', 'runs.jsonl'), 'utf8')}{"trunc`);
    const { insights } = await writeRunReports(store, laterRun().result, {});
    expect(insights.history!.map((h) => h.runId)).toEqual(['run-1', 'run-2']);
  });
});
