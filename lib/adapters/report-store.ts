/**
 * The port both report stores implement (S3 for Lambda, a local directory for the CLI), the
 * error they throw, and helpers that wire a store to the engine and to Slack.
 */
import { EcrSweeperError } from '../errors.js';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { ECR_PRICES, type PriceTable } from '../core/ecr-prices.js';
import { appendHistory, decisionDigest, historyEntry, type DecisionDigest, type RunHistoryEntry } from '../core/report-history.js';
import { buildInsights, type ReportInsights, type StoredHistory } from '../core/report-insights.js';
import type { SweepLogger } from '../engine/types.js';
import type { NotifyOutcome, SlackNotifier } from './slack-notifier.js';

/** A report store failed at one place: `location` is the S3 URI or local path concerned. */
export abstract class ReportStoreError extends EcrSweeperError {
  readonly location: string;
  constructor(message: string, location: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

/** A report file could not be written. When it is the plan, the engine deletes nothing. */
export class ReportWriteError extends ReportStoreError {}

/** Where the files of one run were written. */
export interface WrittenReport {
  /** The run's folder: `s3://bucket/prefix/yyyy-mm-dd/run-id` or an absolute directory path. */
  folder: string;
  /** Each file as an S3 URI or absolute path. */
  files: { resultJson: string; resultCsv: string; reportHtml: string };
  /** A link a person can open: a presigned HTTPS URL (S3) or a `file://` URL (local). */
  reportUrl: string;
}

/** Writes a run's plan before deletion and its result files after. */
export interface ReportStore {
  /**
   * Writes `plan.json` into the run's folder (dated by `date`, default `plan.now`).
   * Resolves to the S3 URI or path written; throws {@link ReportWriteError} on any failure.
   */
  writePlan(plan: Plan, runId: string, date?: string | Date): Promise<string>;
  /**
   * Writes `result.json`, `result.csv` and `report.html` into the run's folder: the one its plan
   * went to, or else dated by `date` (default `result.now`). Throws {@link ReportWriteError}.
   */
  writeResult(result: SweepResult, date?: string | Date, insights?: ReportInsights): Promise<WrittenReport>;
  /**
   * Reads the run history and the last run's decisions (`history/` under the store's root). A
   * store never written reads as empty; throws {@link ReportReadError} when it cannot be read.
   */
  readHistory(): Promise<StoredHistory>;
  /** Replaces the history (already bounded) and the last run's decisions. Throws {@link ReportWriteError}. */
  writeHistory(runs: readonly RunHistoryEntry[], decisions: DecisionDigest): Promise<void>;
}

/** The history could not be read; the report is written without the trend and the diff. */
export class ReportReadError extends ReportStoreError {}

/** Prices and Region for the money figures. */
export interface PricingOptions {
  /** The registry's Region; null or absent: the money figures say no Region is known. */
  region?: string | null;
  /** Default the built-in table ({@link ECR_PRICES}). */
  prices?: PriceTable;
}

/**
 * Writes a run's result files with its insights, and appends the run to the store's history:
 * 1. reads the history (on failure: the report says so and has no trend or diff, and the history
 *    is left as it is, never overwritten with this run alone);
 * 2. writes result.json, result.csv and report.html (a failure throws {@link ReportWriteError});
 * 3. writes the history with this run appended (on failure: a warning; the report stands).
 */
export async function writeRunReports(
  store: ReportStore,
  result: SweepResult,
  options: PricingOptions & { logger?: SweepLogger } = {},
): Promise<{ report: WrittenReport; insights: ReportInsights }> {
  let stored: StoredHistory | null = null;
  let historyNote: string | undefined;
  try {
    stored = await store.readHistory();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    historyNote = `the run history could not be read (${detail}); this report has no trend and no diff, and the history was left unchanged`;
    options.logger?.warn('run history not read', { error: detail });
  }
  const runs = stored ? appendHistory(stored.runs, historyEntry(result)) : null;
  const insights = buildInsights({
    result,
    region: options.region ?? null,
    prices: options.prices ?? ECR_PRICES,
    stored,
    runs,
    ...(historyNote !== undefined ? { historyNote } : {}),
  });
  const report = await store.writeResult(result, undefined, insights);
  if (runs) {
    try {
      await store.writeHistory(runs, decisionDigest(result));
    } catch (error) {
      options.logger?.warn('run history not written', { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { report, insights };
}

/**
 * A `planSink` for the engine (`SweepDeps.planSink`): the plan goes to the store before the first
 * deletion, and a failure to write it stops the sweep. Pass the same `runId` as `SweepOptions.runId`
 * so the plan and the result land in one folder.
 */
export function planSinkFor(store: ReportStore, runId: string): (plan: Plan) => Promise<void> {
  return async (plan) => {
    await store.writePlan(plan, runId);
  };
}

/** What {@link publishReports} did. */
export interface PublishOutcome {
  report: WrittenReport;
  /** Null when no notifier was given. */
  slack: NotifyOutcome | null;
}

/**
 * Writes a run's result files, then (optionally) posts the Slack summary linking to them. The
 * report is written first so a Slack outage can never lose it; the notifier never throws.
 * Throws {@link ReportWriteError} when the files cannot be written.
 */
export async function publishReports(
  store: ReportStore,
  result: SweepResult,
  options: PricingOptions & { notifier?: SlackNotifier; logger?: SweepLogger } = {},
): Promise<PublishOutcome> {
  const { report, insights } = await writeRunReports(store, result, options);
  options.logger?.info('report written', { folder: report.folder, runId: result.runId });
  const slack = options.notifier ? await options.notifier.notify(result, report.reportUrl, insights) : null;
  return { report, slack };
}
