/**
 * Errors the handlers throw on purpose. A thrown error marks the invocation failed, which is
 * what the CloudWatch alarm and the failure destination in serverless.yml watch.
 */
import { EcrSweeperError } from '../../lib/errors.js';

/** What a failed sweep left behind, for the error message and whoever catches it. */
export interface SweepFailureDetails {
  runId: string;
  failedDeletions: number;
  failedRepositories: number;
  abortedReason?: string;
  /** In-use sources that could not be read (`ECS (all clusters): AccessDeniedException`): nothing was deleted. */
  failedInUseSources?: string[];
  /** Where the result report was written before this error was thrown. */
  reportLocation?: string;
}

/**
 * Thrown by the sweep function AFTER the reports are written when any deletion or repository
 * failed, a safety limit aborted the run, or an in-use source could not be read (which blocks
 * every deletion until fixed), so the invocation counts as an error and alarms fire.
 */
export class SweepFailedError extends EcrSweeperError {
  readonly details: SweepFailureDetails;
  constructor(details: SweepFailureDetails, options?: ErrorOptions) {
    const parts: string[] = [];
    if (details.failedDeletions > 0) parts.push(`${details.failedDeletions} deletion(s) failed`);
    if (details.failedRepositories > 0) parts.push(`${details.failedRepositories} repository(ies) could not be swept`);
    if (details.abortedReason) parts.push(`aborted: ${details.abortedReason}`);
    if (details.failedInUseSources?.length) {
      parts.push(`in-use source(s) could not be read, nothing deleted: ${details.failedInUseSources.join('; ')}`);
    }
    const where = details.reportLocation ? `; report: ${details.reportLocation}` : '';
    super(`sweep ${details.runId} failed: ${parts.join(', ')}${where}`, options);
    this.details = details;
  }
}

/** Rules could not be fetched from their configured S3 object or SSM parameter. */
export class RulesSourceError extends EcrSweeperError {}

/**
 * Thrown by the organization Finish step AFTER the run's reports are written when a target, a
 * shard, an in-use source or a deletion failed: the execution fails, so its alarm fires.
 */
export class OrgSweepFailedError extends EcrSweeperError {
  readonly failures: readonly string[];
  constructor(runId: string, failures: readonly string[], reportLocation: string, options?: ErrorOptions) {
    super(`organization sweep ${runId} failed: ${failures.join('; ')}; report: ${reportLocation}`, options);
    this.failures = failures;
  }
}
