/**
 * Credentials of one target (issue 10): the target's role assumed with `fromTemporaryCredentials`,
 * which renews the session before it expires. From Lambda this is role chaining, capped by STS at
 * one hour, so no more than 3,600 s is ever asked. A refusal surfaces at the target's first call as
 * an {@link AssumeRoleError} naming the account, the Region and the role, not as an anonymous STS
 * error deep inside an ECR call.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import type { Target } from '../core/targets.js';
import { TargetError } from '../engine/errors.js';

/** The longest session asked for: role chaining (Lambda's role assuming the target's) allows no more. */
export const TARGET_SESSION_SECONDS = 3600;

/** The role of a target could not be assumed (or its session not renewed): names account, Region and role. */
export class AssumeRoleError extends TargetError {
  readonly roleArn: string;
  constructor(target: Target & { roleArn: string }, code: string, message: string, options?: ErrorOptions) {
    super(target.accountId, target.region, code, message, options);
    this.roleArn = target.roleArn;
  }
}

/** STS's RoleSessionName: 2 to 64 of `[\w+=,.@-]`. The run id goes in, so CloudTrail ties each call to its run. */
export function roleSessionName(runId: string): string {
  const name = `ecr-sweeper-${runId}`.replace(/[^\w+=,.@-]/g, '-');
  return name.slice(0, 64);
}

/** What {@link targetCredentials} needs besides the target. */
export interface TargetCredentialsOptions {
  /** The run id, in the session name. */
  runId: string;
  /** The credentials that assume the role; default the SDK's default chain (the Lambda's role, a profile...). */
  masterCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** The STS client's settings (endpoint, profile, request handler); its Region is the target's. */
  stsConfig?: Omit<STSClientConfig, 'region'>;
}

/**
 * A credential provider that assumes the target's role, refreshing itself; errors become
 * {@link AssumeRoleError}s naming the account, the Region and the role, with the STS error as cause.
 *
 * @example
 * const credentials = targetCredentials({ accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/EcrSweeperTarget' }, { runId });
 * const ecr = new ECRClient({ region: 'eu-west-1', credentials });
 */
export function targetCredentials(target: Target & { roleArn: string }, options: TargetCredentialsOptions): AwsCredentialIdentityProvider {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: target.roleArn,
      RoleSessionName: roleSessionName(options.runId),
      DurationSeconds: TARGET_SESSION_SECONDS,
      ...(target.externalId !== undefined ? { ExternalId: target.externalId } : {}),
    },
    ...(options.masterCredentials !== undefined ? { masterCredentials: options.masterCredentials } : {}),
    clientConfig: { ...options.stsConfig, region: target.region },
  });
  return async (identityProperties) => {
    try {
      return await provider(identityProperties);
    } catch (error) {
      throw assumeRoleError(target, error);
    }
  };
}

/** The STS failure explained for a person: which role, which account and Region, and the likely reason. */
function assumeRoleError(target: Target & { roleArn: string }, error: unknown): AssumeRoleError {
  const e = error as { name?: unknown; Code?: unknown; message?: unknown };
  const code = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : typeof e?.Code === 'string' ? e.Code : 'AssumeRoleFailed';
  const reason = typeof e?.message === 'string' ? e.message : String(error);
  const hint =
    code === 'AccessDenied'
      ? ': check that the role exists in the account, that its trust policy names the sweeper\'s role' +
        (target.externalId !== undefined ? ' and that its external id matches' : ' (and whether it asks for an external id)')
      : code === 'InvalidClientTokenId'
        ? `: STS in ${target.region} does not accept the credentials; is ${target.region} enabled in the account?`
        : '';
  return new AssumeRoleError(
    target,
    code,
    `account ${target.accountId}, ${target.region}: cannot assume role ${target.roleArn}: ${code}: ${reason}${hint}`,
    { cause: error },
  );
}
