import type { SweepResult } from '../core/result-model.js';
import { inUseSourceFailed } from '../core/report-in-use.js';

/**
 * Exit codes of `ecr-sweeper`, a stable contract for scripts and schedulers.
 * Precedence when several apply: BAD_INPUT, then SAFETY_ABORT, then INTERRUPTED_*, then FAILURES.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** Done, but some deletions or repositories failed, or the deadline left work for the next run (or an unexpected runtime error). */
  FAILURES: 1,
  /** Bad input: invalid rules, flags, missing files; nothing ran. */
  BAD_INPUT: 2,
  /**
   * A safety limit stopped the sweep (run-wide abort or a blocked repository in apply); an in-use
   * source could not be read (`plan` and `apply`: the run failed closed); for `export-policy`, the
   * native policy had to leave rules out (unless `--allow-lossy`).
   */
  SAFETY_ABORT: 3,
  /** `apply` interrupted by SIGINT (Ctrl-C): stopped between batches, result written. */
  INTERRUPTED_SIGINT: 130,
  /** `apply` interrupted by SIGTERM: stopped between batches, result written. */
  INTERRUPTED_SIGTERM: 143,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The exit code of a finished apply. A safety stop (run-wide abort, a blocked repository, or an
 * in-use source that could not be read) is 3 and wins over failures (1): the rules asked for more
 * than the limits allow, or the run could not tell what is running, and a person must look at it
 * before the next run.
 */
export function applyExitCode(result: SweepResult): ExitCodeValue {
  // A target that could not be swept (multi-target run): a person must look at it, like a safety stop.
  if ((result.totals.failedTargets ?? 0) > 0 || result.abortedReason !== undefined || result.repositories.some((r) => r.status === 'blocked') || inUseSourceFailed(result.inUse)) {
    return ExitCode.SAFETY_ABORT;
  }
  // The user stopped it (128 + the signal's number, as a shell reports a killed command).
  if (result.interrupted === 'SIGTERM') return ExitCode.INTERRUPTED_SIGTERM;
  if (result.interrupted !== undefined) return ExitCode.INTERRUPTED_SIGINT;
  // A run stopped by its deadline is not done: the next run (with the same checkpoint) continues.
  if (result.totals.failed > 0 || result.totals.failedRepositories > 0 || result.stoppedByDeadline) return ExitCode.FAILURES;
  return ExitCode.OK;
}

/**
 * The exit code of a finished plan: 3 when an in-use source could not be read (the plan failed
 * closed: what it keeps is not all that runs), 1 when a repository could not be listed, else 0.
 * Blocked repositories do not change it: a plan deletes nothing anyway, and the table says why.
 */
export function planExitCode(result: Pick<SweepResult, 'inUse' | 'totals'>): ExitCodeValue {
  if (inUseSourceFailed(result.inUse) || (result.totals.failedTargets ?? 0) > 0) return ExitCode.SAFETY_ABORT;
  return result.totals.failedRepositories > 0 ? ExitCode.FAILURES : ExitCode.OK;
}
