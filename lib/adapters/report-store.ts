/**
 * The port both report stores implement (S3 for Lambda, a local directory for the CLI), the
 * error they throw, and helpers that wire a store to the engine and to Slack.
 */
import { EcrSweeperError } from '../errors.js';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import type { SweepLogger } from '../engine/types.js';
import type { NotifyOutcome, SlackNotifier } from './slack-notifier.js';

/** A report file could not be written. When it is the plan, the engine deletes nothing. */
export class ReportWriteError extends EcrSweeperError {
  /** The S3 URI or local path that could not be written. */
  readonly location: string;
  constructor(message: string, location: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

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
  writeResult(result: SweepResult, date?: string | Date): Promise<WrittenReport>;
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
  options: { notifier?: SlackNotifier; logger?: SweepLogger } = {},
): Promise<PublishOutcome> {
  const report = await store.writeResult(result);
  options.logger?.info('report written', { folder: report.folder, runId: result.runId });
  const slack = options.notifier ? await options.notifier.notify(result, report.reportUrl) : null;
  return { report, slack };
}
