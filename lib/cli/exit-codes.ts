import type { SweepResult } from '../core/result-model.js';

/**
 * Exit codes of `ecr-sweeper`, a stable contract for scripts and schedulers.
 * Precedence when several apply: BAD_INPUT, then SAFETY_ABORT, then FAILURES.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** Done, but some deletions or repositories failed, or the deadline left work for the next run (or an unexpected runtime error). */
  FAILURES: 1,
  /** Bad input: invalid rules, flags, missing files; nothing ran. */
  BAD_INPUT: 2,
  /**
   * A safety limit stopped the sweep (run-wide abort or a blocked repository in apply); for
   * `export-policy`, the native policy had to leave rules out (unless `--allow-lossy`).
   */
  SAFETY_ABORT: 3,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The exit code of a finished apply. A safety stop (run-wide abort or a blocked repository) is 3
 * and wins over failures (1): it means the rules asked for more than the limits allow, which a
 * person must look at before the next run.
 */
export function applyExitCode(result: SweepResult): ExitCodeValue {
  if (result.abortedReason !== undefined || result.repositories.some((r) => r.status === 'blocked')) return ExitCode.SAFETY_ABORT;
  // A run stopped by its deadline is not done: the next run (with the same checkpoint) continues.
  if (result.totals.failed > 0 || result.totals.failedRepositories > 0 || result.stoppedByDeadline) return ExitCode.FAILURES;
  return ExitCode.OK;
}
