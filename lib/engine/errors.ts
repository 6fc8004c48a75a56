/**
 * Errors raised by the sweep engine and its adapters. Per-image and per-repository failures are
 * data in the result, not exceptions; these are for failures that stop a run or a store.
 */
import { ConfigError, EcrSweeperError } from '../errors.js';

/** The plan sink (report writer) refused the plan: nothing was deleted. */
export class PlanSinkError extends EcrSweeperError {}

/** A checkpoint could not be read, written or cleared; says which store and where. */
export class CheckpointError extends EcrSweeperError {}

/** The index store could not be read or written, or holds something that is not an index memory; says where. */
export class IndexStoreError extends EcrSweeperError {}

/** An ECR call still failed after every retry; carries the operation and the last error. */
export class EcrCallError extends EcrSweeperError {
  readonly operation: string;
  readonly code: string;
  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.operation = operation;
    this.code = code;
  }
}

/**
 * An apply run was asked to evaluate the rules at a time later than the clock. A future `now`
 * ages every image, defeating `minAge` and every age rule, so an apply run refuses it before
 * listing anything. (A past `now` is allowed: it can only keep more; see docs/engine.md.)
 */
export class FutureNowError extends ConfigError {}

/**
 * A call was still failing (throttled, 5xx, timed out) when the sweep's deadline came, or the next
 * backoff would have crossed it, so it was not retried again. `operation` is the ECR operation;
 * `cause` is its last error. The engine reports the affected images as stopped by the deadline.
 */
export class DeadlineReachedError extends EcrSweeperError {
  readonly operation: string;
  constructor(operation: string, lastError: unknown) {
    super(`deadline reached while retrying ${operation} (last error: ${describe(lastError)}); not retried again`, { cause: lastError });
    this.operation = operation;
  }
}

/**
 * The ECR endpoint never answered: the first requests of the run could not connect (refused,
 * unknown host, no route, connect timeout). Usually a wrong endpoint URL or region, or no network;
 * retrying for long would only delay saying so. `endpoint` is the URL the requests went to.
 */
export class EndpointUnreachableError extends EcrSweeperError {
  readonly endpoint: string;
  readonly operation: string;
  constructor(operation: string, endpoint: string, attempts: number, lastError: unknown) {
    super(
      `cannot reach the ECR endpoint ${endpoint}: ${lastError instanceof Error ? lastError.message : String(lastError)} (${operation}, ${attempts} attempt${attempts === 1 ? '' : 's'}; it never answered). ` +
        'Check the endpoint URL (--endpoint-url, AWS_ENDPOINT_URL_ECR) and the region (--region, AWS_REGION), and that the network can reach it; nothing was deleted.',
      { cause: lastError },
    );
    this.endpoint = endpoint;
    this.operation = operation;
  }
}

/**
 * AWS Organizations could not be read for an `organization:` run: access denied (the run is not in
 * the management or a delegated administrator account), the account is in no organization, or the
 * call failed. Nothing is swept: without the account list no target is known.
 */
export class OrganizationAccessError extends EcrSweeperError {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | undefined;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  return typeof e?.message === 'string' && e.message !== '' ? `${name}: ${e.message}` : name;
}

/**
 * The result journal could not be written or read; says where. Before a deletion this stops the
 * run (nothing is deleted that would go unrecorded); after one, the run stops once the batches in
 * flight end, and the deletion is still in the result.
 */
export class JournalError extends EcrSweeperError {}

/**
 * An in-use source could not be read completely (access denied, throttled past its retries, a
 * stale, missing or malformed in-use file). The engine fails closed on it: nothing is deleted in
 * the registry the source covers. `source` is the source (`ecs`, `lambda`, ...); `location` says
 * where (a cluster, a function, a file), when known.
 */
export class InUseSourceError extends EcrSweeperError {
  readonly source: string;
  readonly code: string;
  readonly location: string | undefined;
  constructor(source: string, code: string, message: string, options?: ErrorOptions & { location?: string }) {
    super(`${source}: ${options?.location !== undefined ? `${options.location}: ` : ''}${code}: ${message}`, options);
    this.source = source;
    this.code = code;
    this.location = options?.location;
  }
}

/**
 * A target (an account and a Region) of a multi-target run could not be swept: its role could not
 * be assumed, access was denied, the Region is not enabled, its repositories could not be listed.
 * The message names the account and Region; the other targets go on.
 */
export class TargetError extends EcrSweeperError {
  readonly accountId: string;
  readonly region: string | undefined;
  readonly code: string;
  constructor(accountId: string, region: string | undefined, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.accountId = accountId;
    this.region = region;
    this.code = code;
  }
}
