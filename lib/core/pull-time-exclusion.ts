/**
 * Whether the principal a run uses is one of the registry's pull-time update exclusions, and the
 * plan warning when it is not. ECR records a pull for every BatchGetImage by a principal that is
 * not excluded, and the tool reads each new index manifest once; exclusions name IAM role or user
 * ARNs, while a Lambda function or an assumed role runs as an STS session ARN
 * (`arn:aws:sts::123456789012:assumed-role/Role/session`), which matches the role it belongs to.
 */
import type { PlanWarning } from './plan-model.js';
import type { RuleSet } from './rules-model.js';

/** The warning code of {@link pullTimeExclusionWarning}. */
export const PULL_TIME_NOT_EXCLUDED = 'pull-time-not-excluded';

/** True when some rule decides by last pull time (`sinceImagePulled`). */
export function rulesUsePullTime(ruleSet: RuleSet): boolean {
  return ruleSet.policies.some((policy) => policy.rules.some((rule) => rule.condition.type === 'sinceImagePulled'));
}

interface ParsedArn {
  partition: string;
  service: string;
  account: string;
  resource: string;
}

function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1] ?? '', service: parts[2] ?? '', account: parts[4] ?? '', resource: parts.slice(5).join(':') };
}

/**
 * The IAM principal ARN to register as an exclusion for a caller: the role of an assumed-role
 * session (`arn:aws:iam::A:role/Role`, without the role's path, which a session ARN does not
 * carry), the caller's own ARN otherwise.
 *
 * @example principalToExclude('arn:aws:sts::123456789012:assumed-role/Sweep/s1') // 'arn:aws:iam::123456789012:role/Sweep'
 */
export function principalToExclude(callerArn: string): string {
  const arn = parseArn(callerArn);
  if (arn?.service === 'sts' && arn.resource.startsWith('assumed-role/')) {
    const role = arn.resource.split('/')[1];
    if (role) return `arn:${arn.partition}:iam::${arn.account}:role/${role}`;
  }
  return callerArn;
}

/**
 * True when `exclusions` (ARNs from ListPullTimeUpdateExclusions) cover `callerArn`: the same ARN,
 * or for an assumed-role session, its role (with any path) in the same partition and account.
 *
 * @example isPullTimeExcluded('arn:aws:sts::1:assumed-role/Sweep/s', ['arn:aws:iam::1:role/ops/Sweep']) // true
 */
export function isPullTimeExcluded(callerArn: string, exclusions: readonly string[]): boolean {
  if (exclusions.includes(callerArn)) return true;
  const caller = parseArn(callerArn);
  if (caller?.service !== 'sts' || !caller.resource.startsWith('assumed-role/')) return false;
  const role = caller.resource.split('/')[1];
  if (!role) return false;
  return exclusions.some((exclusion) => {
    const arn = parseArn(exclusion);
    if (arn === undefined || arn.service !== 'iam' || arn.partition !== caller.partition || arn.account !== caller.account) return false;
    const path = arn.resource.split('/');
    return path[0] === 'role' && path[path.length - 1] === role;
  });
}

/** What a run learned about who it is and which principals are excluded; `error` says what failed. */
export interface PullTimeExclusionCheck {
  /** The caller's ARN (STS GetCallerIdentity), or undefined with `callerError`. */
  callerArn?: string;
  callerError?: string;
  /** The registry's exclusions, or undefined with `exclusionsError`. */
  exclusions?: readonly string[];
  exclusionsError?: string;
}

/**
 * The `pull-time-not-excluded` warning, or null when the rules do not use last-pull time or the
 * caller is excluded. A caller or exclusion list that could not be learned is reported as such
 * (the run goes on: the tool's own reads are remembered and never count in its own decisions).
 */
export function pullTimeExclusionWarning(ruleSet: RuleSet, check: PullTimeExclusionCheck): PlanWarning | null {
  if (!rulesUsePullTime(ruleSet)) return null;
  const effect =
    'ECR records a pull each time this tool reads a new index manifest (once per index: the tool remembers its reads and does not count them itself, but ECR lifecycle policies and other tools see the index as just pulled)';
  if (check.callerArn === undefined) {
    return {
      code: PULL_TIME_NOT_EXCLUDED,
      message: `The rules use sinceImagePulled and the principal this run uses is unknown (${check.callerError ?? 'GetCallerIdentity gave no ARN'}), so whether it is a pull-time update exclusion could not be checked; if it is not, ${effect}. Register the role or user the tool runs as with "aws ecr register-pull-time-update-exclusion --principal-arn <ARN>".`,
    };
  }
  const register = principalToExclude(check.callerArn);
  const who = register === check.callerArn ? check.callerArn : `${check.callerArn} (role ${register})`;
  if (check.exclusions === undefined) {
    return {
      code: PULL_TIME_NOT_EXCLUDED,
      message: `The rules use sinceImagePulled and the pull-time update exclusions could not be listed (${check.exclusionsError ?? 'no answer'}), so whether ${who} is excluded is unknown; if it is not, ${effect}. Register it with "aws ecr register-pull-time-update-exclusion --principal-arn ${register}".`,
    };
  }
  if (isPullTimeExcluded(check.callerArn, check.exclusions)) return null;
  return {
    code: PULL_TIME_NOT_EXCLUDED,
    message: `The rules use sinceImagePulled but ${who} is not a pull-time update exclusion: ${effect}. Register it with "aws ecr register-pull-time-update-exclusion --principal-arn ${register}".`,
  };
}
