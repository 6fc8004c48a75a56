/**
 * Who a run is: STS GetCallerIdentity with the run's STS client, built with the same Region,
 * profile and credentials as its ECR client (lib/adapters/aws-clients.ts), so the answer is the
 * principal whose BatchGetImage calls ECR records as pulls. Its endpoint follows the one rule of
 * every client: `--endpoint-url`, else `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentitySource } from '../engine/types.js';

/**
 * A {@link CallerIdentitySource} asking STS. The client belongs to the caller (who destroys it
 * with the run's other clients).
 *
 * @example
 * const callerIdentity = stsCallerIdentity(clients.sts);
 */
export function stsCallerIdentity(sts: STSClient): CallerIdentitySource {
  return async () => {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Arn) throw new Error('GetCallerIdentity answered without an Arn');
    return out.Arn;
  };
}
