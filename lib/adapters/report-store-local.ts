/**
 * Report store on the local disk, for the CLI (`--out DIR`) and `npm start` (`reports/`). Writes
 * the same files as the S3 store, each atomically (temp file, then rename) so an interrupted run
 * never leaves a half-written plan or report behind.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { jsonLinePieces, planFileChunks, resultFiles, type ResultFileKind } from '../core/report-files.js';
import { writeChunksAtomic } from './chunked-write.js';
import type { ReportHtmlOptions } from '../core/report-html.js';
import { HISTORY_FILES, REPORT_FILES, reportFolder, reportFolderProblem, type ReportFileKind } from '../core/report-layout.js';
import { historyToJsonLines, parseDecisionDigest, parseHistory, type DecisionDigest, type RunHistoryEntry } from '../core/report-history.js';
import type { ReportInsights, StoredHistory } from '../core/report-insights.js';
import { ReportReadError, ReportWriteError, type ReportStore, type WrittenReport } from './report-store.js';

export interface LocalReportStoreOptions {
  /**
   * `dated` (default): `<dir>/<yyyy-mm-dd>/<run-id>/`, the S3 layout, so runs never overwrite each
   * other. `flat`: straight into `<dir>`, for a caller that gives each run its own directory.
   */
  layout?: 'dated' | 'flat';
  /** Passed to the HTML renderer. */
  html?: ReportHtmlOptions;
}

/** Writes a run's reports under a local directory. */
export class LocalReportStore implements ReportStore {
  private readonly root: string;
  private readonly layout: 'dated' | 'flat';
  private readonly htmlOptions: ReportHtmlOptions;
  private readonly folders = new Map<string, string>();

  /** @param dir - root directory, created when missing; relative paths resolve against the working directory. */
  constructor(dir: string, options: LocalReportStoreOptions = {}) {
    this.root = path.resolve(dir);
    this.layout = options.layout ?? 'dated';
    this.htmlOptions = options.html ?? {};
  }

  /** Writes `plan.json`; resolves to its absolute path. See {@link ReportStore.writePlan}. */
  async writePlan(plan: Plan, runId: string, date: string | Date = plan.now): Promise<string> {
    const folder = this.folderFor(runId, date, 'plan.json');
    const file = await this.write(folder, 'plan', planFileChunks(plan));
    this.folders.set(runId, folder);
    return file;
  }

  /** Writes `result.json`, `result.csv` and `report.html`; `files.reportHtml` is the path to print. */
  async writeResult(result: SweepResult, date: string | Date = result.now, insights?: ReportInsights): Promise<WrittenReport> {
    const folder = this.folders.get(result.runId) ?? this.folderFor(result.runId, date, 'the result files');
    // One file at a time, each streamed to disk in pieces: a result of a million images is never one string.
    const files = {} as Record<ResultFileKind, string>;
    for (const file of resultFiles(result, this.htmlOptions, insights)) files[file.kind] = await this.write(folder, file.kind, file.chunks());
    return { folder, files, reportUrl: pathToFileURL(files.reportHtml).href };
  }

  /** Reads `<dir>/history/`; see {@link ReportStore.readHistory}. Missing files read as empty. */
  async readHistory(): Promise<StoredHistory> {
    const runsText = await this.readOptional(HISTORY_FILES.runs.name);
    const decisionsText = await this.readOptional(HISTORY_FILES.decisions.name);
    return { runs: runsText === null ? [] : parseHistory(runsText).runs, previous: decisionsText === null ? null : parseDecisionDigest(decisionsText) };
  }

  /** Rewrites `<dir>/history/` atomically; see {@link ReportStore.writeHistory}. */
  async writeHistory(runs: readonly RunHistoryEntry[], decisions: DecisionDigest): Promise<void> {
    // Streamed: the digest names every image of the run, built one repository at a time as it is written.
    await this.writeFileAtomic(path.join(this.root, HISTORY_FILES.decisions.name), jsonLinePieces(decisions));
    await this.writeFileAtomic(path.join(this.root, HISTORY_FILES.runs.name), historyToJsonLines(runs));
  }

  private async readOptional(name: string): Promise<string | null> {
    const file = path.join(this.root, name);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      const detail = error instanceof Error ? error.message : String(error);
      throw new ReportReadError(`could not read ${file}: ${detail}`, file, { cause: error });
    }
  }

  private folderFor(runId: string, date: string | Date, what: string): string {
    const problem = reportFolderProblem(runId, date);
    if (problem) throw new ReportWriteError(`cannot write ${what} under ${this.root}: ${problem}`, this.root);
    return this.layout === 'flat' ? this.root : path.join(this.root, ...reportFolder(runId, date).split('/'));
  }

  private async write(folder: string, kind: ReportFileKind, body: Iterable<string>): Promise<string> {
    return this.writeFileAtomic(path.join(folder, REPORT_FILES[kind].name), body);
  }

  private async writeFileAtomic(file: string, body: string | Iterable<string>): Promise<string> {
    const folder = path.dirname(file);
    try {
      await mkdir(folder, { recursive: true });
      await writeChunksAtomic(file, typeof body === 'string' ? [body] : body);
      return file;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new ReportWriteError(`could not write ${file}: ${detail}`, file, { cause: error });
    }
  }
}
