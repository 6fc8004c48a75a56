/**
 * Who a run is: STS GetCallerIdentity with the ECR client's own Region and credentials, so the
 * answer is the principal whose BatchGetImage calls ECR records as pulls. With a custom ECR
 * endpoint (the emulator serves STS too) STS is asked there, unless `AWS_ENDPOINT_URL_STS` says
 * otherwise.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { CallerIdentitySource } from '../engine/types.js';
import { requestHandlerOptions, type HttpTimeouts } from './http-timeouts.js';

/**
 * A {@link CallerIdentitySource} asking STS as the ECR client's principal. The STS client is built
 * on the first call and destroyed after it (one call per run).
 */
export function stsCallerIdentity(
  ecr: ECRClient,
  options: { env?: Readonly<Record<string, string | undefined>>; timeouts?: HttpTimeouts } = {},
): CallerIdentitySource {
  return async () => {
    const env = options.env ?? process.env;
    const config: STSClientConfig = {
      region: ecr.config.region,
      credentials: ecr.config.credentials,
      maxAttempts: 2,
      requestHandler: requestHandlerOptions(options.timeouts ?? {}),
    };
    const stsEndpoint = env.AWS_ENDPOINT_URL_STS?.trim();
    if (stsEndpoint) config.endpoint = stsEndpoint;
    else if (ecr.config.isCustomEndpoint && ecr.config.endpoint) config.endpoint = ecr.config.endpoint;
    const sts = new STSClient(config);
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      if (!out.Arn) throw new Error('GetCallerIdentity answered without an Arn');
      return out.Arn;
    } finally {
      sts.destroy();
    }
  };
}
