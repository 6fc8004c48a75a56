/**
 * The AWS clients of a function container, built once on first use and reused by every
 * invocation the container serves (connections and credentials stay warm).
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { stsCallerIdentity } from '../../lib/adapters/caller-identity.js';
import { requestHandlerOptions } from '../../lib/adapters/http-timeouts.js';
import { createAwsClients, type AwsClients } from '../../lib/adapters/aws-clients.js';
import type { CallerIdentitySource } from '../../lib/engine/types.js';
import { loadConfig, type FunctionConfig } from './config.js';

/** Configuration and clients shared by the invocations of one container. */
export interface FunctionDeps {
  config: FunctionConfig;
  ecr: ECRClient;
  s3: S3Client;
  /** Built on first use: most deployments never read SSM. */
  ssm: () => SSMClient;
  /** The function's principal (its role's session), asked of STS when the rules use last-pull time. */
  callerIdentity: CallerIdentitySource;
  /** Every AWS client of the function, `ecr` and `s3` included; the in-use sources' clients are built on first use. */
  clients: AwsClients;
}

/** Builds configuration and clients from an environment. Exported for tests; handlers use {@link getDeps}. */
export function createFunctionDeps(env: Readonly<Record<string, string | undefined>>): FunctionDeps {
  const config = loadConfig(env);
  let ssm: SSMClient | undefined;
  // Every client gets timeouts: a hung connection must not hold the run past its deadline.
  const requestHandler = requestHandlerOptions(config.httpTimeouts);
  // The registry's Region (ECR_REGION) for ECR, STS and the in-use sources; the report bucket is
  // in the function's own Region, and presigned report links must be signed for it.
  const clients = createAwsClients({
    ...(config.ecrRegion !== undefined ? { region: config.ecrRegion } : {}),
    env,
    timeouts: config.httpTimeouts,
    s3: { region: env.AWS_REGION, ...(config.s3ForcePathStyle ? { forcePathStyle: true } : {}) },
  });
  const ecr = clients.ecr;
  let callerArn: Promise<string> | undefined;
  const askSts = stsCallerIdentity(clients.sts);
  return {
    config,
    ecr,
    clients,
    // A container keeps its role: asked once, unless the answer was an error.
    callerIdentity: () => (callerArn ??= askSts().catch((error: unknown) => {
      callerArn = undefined;
      throw error;
    })),
    s3: clients.s3,
    ssm: () => (ssm ??= new SSMClient({ requestHandler })),
  };
}

let cached: FunctionDeps | undefined;

/**
 * The container's configuration and clients, built on the first invocation from `process.env`.
 * A configuration error is thrown to that invocation (and the next, until fixed), with the
 * variable named, rather than crashing the container at import.
 */
export function getDeps(): FunctionDeps {
  return (cached ??= createFunctionDeps(process.env));
}
