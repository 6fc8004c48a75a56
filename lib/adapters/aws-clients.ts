/**
 * Every AWS client of a run (ECR, STS, S3, ECS, Lambda, Batch, App Runner, Organizations, EC2), built the same way:
 * one Region, profile, credentials and timeouts, and one endpoint rule. `--endpoint-url` points
 * them all at one endpoint (the emulator serves them all); without it each client takes
 * `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, the SDK's own order, so a run never
 * splits between a local endpoint and AWS by accident.
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { BatchClient } from '@aws-sdk/client-batch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { httpTimeoutsFromEnv, requestHandlerOptions, type HttpTimeouts } from './http-timeouts.js';
import { AWS_SERVICES, nonEmpty, resolveEndpoint, resolveRegionAndProfile, type AwsService, type ResolvedEndpoint } from './client-endpoints.js';
import { ECR_SDK_MAX_ATTEMPTS } from './ecr-client.js';
import type { Target } from '../core/targets.js';
import { targetCredentials } from './target-credentials.js';

export { AWS_SERVICES, resolveEndpoint, SERVICE_ENDPOINT_VARIABLES, type AwsService, type ResolvedEndpoint } from './client-endpoints.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Settings shared by every client; each falls back to the usual AWS environment variable. */
export interface AwsClientSettings {
  /** Defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's own resolution (profile config). */
  region?: string;
  /** Named profile; defaults to `AWS_PROFILE`. */
  profile?: string;
  /** One endpoint for every client (the CLI's `--endpoint-url`); beats every endpoint variable. */
  endpoint?: string;
  /** Connection and request timeouts of every client (lib/adapters/http-timeouts.ts); default from the environment. */
  timeouts?: HttpTimeouts;
  /** Environment to read; defaults to `process.env` (tests pass their own). */
  env?: Env;
  /** Credentials for every client (tests, and the demo, which must never sign with a user's keys). */
  credentials?: ECRClientConfig['credentials'];
  /** ECR attempts per request inside the SDK (the engine retries on top, docs/engine.md). Default 3. */
  ecrMaxAttempts?: number;
  /**
   * S3 only. `region`: the bucket's Region when it is not the registry's (the functions' report
   * bucket is in the function's Region; presigned links must be signed for it). `forcePathStyle`:
   * default on with a custom endpoint (local S3 servers have no per-bucket host names).
   */
  s3?: { region?: string | undefined; forcePathStyle?: boolean };
}

/**
 * The clients of one run. Each is built on first use (most runs need ECR, STS and the default-on
 * ECS and Lambda only) and `destroy()` closes those built, so no keep-alive socket holds a CLI open.
 */
export interface AwsClients {
  readonly ecr: ECRClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
  readonly ecs: ECSClient;
  readonly lambda: LambdaClient;
  readonly batch: BatchClient;
  readonly apprunner: AppRunnerClient;
  /** AWS Organizations, for `organization:` runs (ListAccounts and the OU tree). */
  readonly organizations: OrganizationsClient;
  /** EC2, for `regions: all` (DescribeRegions). */
  readonly ec2: EC2Client;
  /** The custom endpoint each service uses, or undefined for AWS's own; for messages and tests. */
  endpointOf(service: AwsService): ResolvedEndpoint | undefined;
  destroy(): void;
}

/**
 * Attempts per request of the in-use scan clients (ECS, Lambda, Batch, App Runner), in the SDK's
 * adaptive mode: it slows a client down on throttles instead of only backing off. ECS and Lambda
 * throttle per account and Region, shared with every other caller, and a source still throttled
 * after these attempts (and its reader's own retries) fails the run closed, so a few more than
 * the SDK's 3 buy fewer blocked runs.
 */
export const IN_USE_SCAN_MAX_ATTEMPTS = 5;

/**
 * Builds the run's clients from explicit settings (CLI flags) and the environment.
 *
 * @example
 * ```ts
 * const clients = createAwsClients({ endpoint: 'http://127.0.0.1:4510', region: 'us-east-1' });
 * try { await runSweep({ registry: ecrRegistry(clients.ecr), ... }, options); } finally { clients.destroy(); }
 * ```
 * @throws ConfigError for a timeout or `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` value that is not valid.
 */
export function createAwsClients(settings: AwsClientSettings = {}): AwsClients {
  const env = settings.env ?? process.env;
  const { region, profile } = resolveRegionAndProfile(settings, env);
  const endpoints = new Map<AwsService, ResolvedEndpoint | undefined>(
    AWS_SERVICES.map((service) => [service, resolveEndpoint(service, { endpoint: settings.endpoint, env })]),
  );
  // Without timeouts a request that is accepted and never answered never ends (see http-timeouts.ts).
  const requestHandler = requestHandlerOptions({ ...httpTimeoutsFromEnv(env), ...settings.timeouts });

  const common = (service: AwsService, regionOverride?: string) => {
    const config: {
      requestHandler: typeof requestHandler;
      region?: string;
      profile?: string;
      endpoint?: string;
      credentials?: ECRClientConfig['credentials'];
    } = { requestHandler };
    const r = nonEmpty(regionOverride) ?? region;
    if (r !== undefined) config.region = r;
    if (profile !== undefined) config.profile = profile;
    const endpoint = endpoints.get(service);
    if (endpoint !== undefined) config.endpoint = endpoint.url;
    if (settings.credentials !== undefined) config.credentials = settings.credentials;
    return config;
  };
  const scanClient = (service: AwsService) => ({ ...common(service), retryMode: 'adaptive', maxAttempts: IN_USE_SCAN_MAX_ATTEMPTS });

  const built = new Map<AwsService, { destroy(): void }>();
  const lazy = <T extends { destroy(): void }>(service: AwsService, build: () => T): T => {
    let client = built.get(service) as T | undefined;
    if (client === undefined) {
      client = build();
      built.set(service, client);
    }
    return client;
  };

  return {
    // The engine's own retries and pacing sit on top (docs/engine.md): the SDK's attempts only absorb blips.
    get ecr() {
      return lazy('ecr', () => new ECRClient({ ...common('ecr'), maxAttempts: settings.ecrMaxAttempts ?? ECR_SDK_MAX_ATTEMPTS }));
    },
    // One call per run (who the run is): a second attempt absorbs a blip; the engine reports a failure as a warning.
    get sts() {
      return lazy('sts', () => new STSClient({ ...common('sts'), maxAttempts: 2 }));
    },
    get s3() {
      return lazy('s3', () => {
        const forcePathStyle = settings.s3?.forcePathStyle ?? endpoints.get('s3') !== undefined;
        // followRegionRedirects: an in-use prefix or rules object may live in a bucket of another Region.
        return new S3Client({ ...common('s3', settings.s3?.region), forcePathStyle, followRegionRedirects: true });
      });
    },
    get ecs() {
      return lazy('ecs', () => new ECSClient(scanClient('ecs')));
    },
    get lambda() {
      return lazy('lambda', () => new LambdaClient(scanClient('lambda')));
    },
    get batch() {
      return lazy('batch', () => new BatchClient(scanClient('batch')));
    },
    get apprunner() {
      return lazy('apprunner', () => new AppRunnerClient(scanClient('apprunner')));
    },
    // Organizations allows a few requests a second per account, shared with every other caller: adaptive mode waits its turn.
    get organizations() {
      return lazy('organizations', () => new OrganizationsClient(scanClient('organizations')));
    },
    get ec2() {
      return lazy('ec2', () => new EC2Client(scanClient('ec2')));
    },
    endpointOf: (service) => endpoints.get(service),
    destroy() {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  };
}


/**
 * The clients of one target: the run's settings (endpoint, profile, timeouts) in the target's
 * Region, signed with the target's role (assumed with `fromTemporaryCredentials`, session
 * `ecr-sweeper-<runId>`, one hour, renewed by itself). A target without a role (the caller's own
 * account) signs with the run's own credentials. A refused AssumeRole fails the target's first
 * call with an `AssumeRoleError` naming the account, the Region and the role.
 *
 * @example
 * const clients = targetClients({ accountId: '111111111111', region: 'eu-west-1', roleArn }, { endpoint }, runId);
 * try { await runSweep({ registry: ecrRegistry(clients.ecr), ... }, options); } finally { clients.destroy(); }
 */
export function targetClients(target: Target, base: AwsClientSettings, runId: string): AwsClients {
  if (target.roleArn === undefined) return createAwsClients({ ...base, region: target.region });
  const env = base.env ?? process.env;
  const { profile } = resolveRegionAndProfile(base, env);
  const stsEndpoint = resolveEndpoint('sts', { endpoint: base.endpoint, env });
  const credentials = targetCredentials(
    { ...target, roleArn: target.roleArn },
    {
      runId,
      masterCredentials: base.credentials,
      stsConfig: {
        requestHandler: requestHandlerOptions({ ...httpTimeoutsFromEnv(env), ...base.timeouts }),
        ...(profile !== undefined ? { profile } : {}),
        ...(stsEndpoint !== undefined ? { endpoint: stsEndpoint.url } : {}),
      },
    },
  );
  // Explicit credentials beat a profile in every SDK client: the profile only signs the AssumeRole.
  return createAwsClients({ ...base, region: target.region, credentials });
}
