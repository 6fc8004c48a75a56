/**
 * One place that builds the ECR client the CLI and the Lambda functions hand to the engine,
 * so region, profile and endpoint resolve the same way everywhere.
 */
import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import { httpTimeoutsFromEnv, requestHandlerOptions, type HttpTimeouts } from './http-timeouts.js';
import { resolveEndpoint, resolveRegionAndProfile } from './client-endpoints.js';

/** Attempts per ECR request inside the SDK when not set (see {@link EcrClientSettings.maxAttempts}). */
export const ECR_SDK_MAX_ATTEMPTS = 3;

/** Settings for {@link createEcrClient}; each falls back to the usual AWS environment variable. */
export interface EcrClientSettings {
  /** Defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's own resolution (profile config). */
  region?: string;
  /** Named profile; defaults to `AWS_PROFILE` (the SDK reads it itself). */
  profile?: string;
  /** E.g. the emulator's URL; defaults to `AWS_ENDPOINT_URL_ECR`, then `AWS_ENDPOINT_URL` (see `resolveEndpoint`). */
  endpoint?: string;
  /**
   * Attempts per request inside the SDK (its standard retry mode). The engine adds its own
   * per-operation rate control and an outer retry loop on top (see docs/engine.md), so the
   * SDK's attempts only need to absorb short blips. Default 3.
   */
  maxAttempts?: number;
  /**
   * Connection and request timeouts (default 5 s and 30 s; or `ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS`
   * and `ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS`). A request past them fails with `TimeoutError` and
   * is retried like a 5xx. Ignored when `extra.requestHandler` is given.
   */
  timeouts?: HttpTimeouts;
  /** Environment to read; defaults to `process.env` (tests pass their own). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra SDK config (credentials in tests, a custom request handler...). */
  extra?: Omit<ECRClientConfig, 'region' | 'profile' | 'endpoint' | 'maxAttempts'>;
}

/**
 * Builds an `ECRClient` honouring `AWS_REGION`, `AWS_PROFILE` and `AWS_ENDPOINT_URL_ECR`,
 * with explicit settings (CLI flags) taking precedence over the environment. A run's other
 * clients come from `createAwsClients` (aws-clients.ts), which builds its ECR client here.
 *
 * @example
 * ```ts
 * const ecr = createEcrClient({ endpoint: 'http://127.0.0.1:4510', region: 'us-east-1' });
 * const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet });
 * ```
 */
export function createEcrClient(settings: EcrClientSettings = {}): ECRClient {
  const env = settings.env ?? process.env;
  const { region, profile } = resolveRegionAndProfile(settings, env);
  const endpoint = resolveEndpoint('ecr', { endpoint: settings.endpoint, env })?.url;
  const config: ECRClientConfig = {
    // Without timeouts a request that is accepted and never answered never ends (see http-timeouts.ts).
    requestHandler: requestHandlerOptions({ ...httpTimeoutsFromEnv(env), ...settings.timeouts }),
    ...settings.extra,
    maxAttempts: settings.maxAttempts ?? ECR_SDK_MAX_ATTEMPTS,
  };
  if (region !== undefined) config.region = region;
  if (profile !== undefined) config.profile = profile;
  if (endpoint !== undefined) config.endpoint = endpoint;
  return new ECRClient(config);
}

