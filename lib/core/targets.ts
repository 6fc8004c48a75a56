/**
 * Targets: the registries one run sweeps, each an account and a Region (issue 10). The rules say
 * which (`targets:` or `organization:`); with neither, a run covers the caller's own account and
 * Region. Pure: resolution against AWS Organizations and EC2 is done by the adapters.
 */

/** One registry: an account and a Region. */
export interface TargetRef {
  /** 12-digit AWS account id. */
  accountId: string;
  /** E.g. `eu-west-1`. */
  region: string;
}

/** A resolved target: where to sweep and how to get there. */
export interface Target extends TargetRef {
  /** The role assumed to reach it; absent for the caller's own account (its own credentials). */
  roleArn?: string;
  /** The `sts:ExternalId` the role's trust policy asks for. */
  externalId?: string;
}

/** A target that could not be swept at all (role not assumable, Region not enabled, ...). */
export interface FailedTarget {
  accountId: string;
  /** Absent when the failure is about the whole account (e.g. its Regions could not be listed). */
  region?: string;
  error: { code: string; message: string };
}

/** The stable key of a target, for maps, file names and S3 keys: `123456789012/eu-west-1`. */
export function targetKey(target: TargetRef): string {
  return `${target.accountId}/${target.region}`;
}

/** How a target is named to people: `account 123456789012, eu-west-1`. */
export function describeTarget(target: TargetRef): string {
  return `account ${target.accountId}, ${target.region}`;
}
