/**
 * What the reports add to a run's own figures: the money, the trend (history) and the diff
 * against the previous run. Built once per run and handed to every renderer, so the HTML, Slack
 * and the CLI print the same figures.
 */
import type { PriceTable } from './ecr-prices.js';
import { decisionChanges, type DecisionChanges, type DecisionDigest, type RunHistoryEntry } from './report-history.js';
import { moneyEstimate, type MoneyEstimate } from './report-money.js';
import type { SweepResult } from './result-model.js';

export interface ReportInsights {
  money: MoneyEstimate;
  /** The history including this run, oldest first; null when it could not be read (see `historyNote`). */
  history: RunHistoryEntry[] | null;
  /** Why there is no trend or diff (the history could not be read), when so. */
  historyNote?: string;
  /** Null when there is no previous run to compare with. */
  changes: DecisionChanges | null;
}

/** What the store read before rendering: earlier runs and the last run's decisions. */
export interface StoredHistory {
  runs: RunHistoryEntry[];
  previous: DecisionDigest | null;
}

/**
 * The insights of `result`, given the history read from the store (null if it could not be read,
 * with `historyNote` saying why) and the history with this run appended.
 */
export function buildInsights(input: {
  result: SweepResult;
  region: string | null;
  prices: PriceTable;
  stored: StoredHistory | null;
  runs: RunHistoryEntry[] | null;
  historyNote?: string;
}): ReportInsights {
  const { result, stored } = input;
  return {
    money: moneyEstimate(result, input.region, input.prices),
    history: input.runs,
    ...(input.historyNote !== undefined ? { historyNote: input.historyNote } : {}),
    changes: stored ? decisionChanges(stored.previous, result) : null,
  };
}
