/**
 * Where each AWS client of a run sends its requests: the endpoint rule shared by
 * `createAwsClients` and `createEcrClient`, kept apart so both can use it without an import circle.
 */
import { ConfigError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The services a run talks to. */
export type AwsService = 'ecr' | 'sts' | 's3' | 'ecs' | 'lambda' | 'batch' | 'apprunner' | 'organizations' | 'ec2';

/** Every service, in the order messages list them. */
export const AWS_SERVICES: readonly AwsService[] = ['ecr', 'sts', 's3', 'ecs', 'lambda', 'batch', 'apprunner', 'organizations', 'ec2'];

/**
 * Each service's own endpoint variable, named as the SDK names it: `AWS_ENDPOINT_URL_` and the
 * SDK's service id upper-cased (App Runner's id is `AppRunner`, hence no underscore).
 */
export const SERVICE_ENDPOINT_VARIABLES: Readonly<Record<AwsService, string>> = Object.freeze({
  ecr: 'AWS_ENDPOINT_URL_ECR',
  sts: 'AWS_ENDPOINT_URL_STS',
  s3: 'AWS_ENDPOINT_URL_S3',
  ecs: 'AWS_ENDPOINT_URL_ECS',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  batch: 'AWS_ENDPOINT_URL_BATCH',
  apprunner: 'AWS_ENDPOINT_URL_APPRUNNER',
  organizations: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  ec2: 'AWS_ENDPOINT_URL_EC2',
});

/** The endpoint every service falls back to. */
export const GENERIC_ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL';
/** When `true`, the SDK ignores the endpoint variables (and config-file endpoints); so do we. */
export const IGNORE_ENDPOINTS_VARIABLE = 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS';

/** A custom endpoint and where it came from (`--endpoint-url`, or the variable's name). */
export interface ResolvedEndpoint {
  url: string;
  /** `explicit` for a setting (the CLI's `--endpoint-url`), else the variable's name. */
  from: string;
}

/**
 * The custom endpoint one service's client uses. `AWS_ENDPOINT_URL_<SERVICE>` comes first, even
 * before an explicit setting (the CLI's `--endpoint-url`): the flag points every client of the run
 * at one endpoint (an emulator serves them all), and a service's own variable sends that one
 * service elsewhere (e.g. ECS to moto) without spelling out the others. Then the explicit setting,
 * then `AWS_ENDPOINT_URL` (the SDK's order between the two variables).
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores both variables, never the setting.
 * Undefined: AWS's own endpoint.
 *
 * @example
 * resolveEndpoint('ecs', { endpoint: 'http://127.0.0.1:4510', env: { AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:5000' } })
 * // => { url: 'http://127.0.0.1:5000', from: 'AWS_ENDPOINT_URL_ECS' }
 * @throws ConfigError when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is neither true nor false (as the SDK refuses it).
 */
export function resolveEndpoint(service: AwsService, settings: { endpoint?: string | undefined; env?: Env }): ResolvedEndpoint | undefined {
  const env = settings.env ?? process.env;
  const ignored = ignoresConfiguredEndpoints(env);
  const own = ignored ? undefined : nonEmpty(env[SERVICE_ENDPOINT_VARIABLES[service]]);
  if (own !== undefined) return { url: own, from: SERVICE_ENDPOINT_VARIABLES[service] };
  const explicit = nonEmpty(settings.endpoint);
  if (explicit !== undefined) return { url: explicit, from: 'explicit' };
  const generic = ignored ? undefined : nonEmpty(env[GENERIC_ENDPOINT_VARIABLE]);
  return generic === undefined ? undefined : { url: generic, from: GENERIC_ENDPOINT_VARIABLE };
}

function ignoresConfiguredEndpoints(env: Env): boolean {
  const raw = nonEmpty(env[IGNORE_ENDPOINTS_VARIABLE]);
  if (raw === undefined) return false;
  if (raw.toLowerCase() === 'true') return true;
  if (raw.toLowerCase() === 'false') return false;
  throw new ConfigError(`${IGNORE_ENDPOINTS_VARIABLE} must be true or false; got '${raw}'`);
}

/**
 * The Region and profile every client of a run uses: explicit settings (CLI flags) first, then
 * `AWS_REGION` (then `AWS_DEFAULT_REGION`) and `AWS_PROFILE`; undefined leaves them to the SDK.
 */
export function resolveRegionAndProfile(settings: { region?: string | undefined; profile?: string | undefined }, env: Env): { region?: string; profile?: string } {
  const region = nonEmpty(settings.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const profile = nonEmpty(settings.profile) ?? nonEmpty(env.AWS_PROFILE);
  return { ...(region !== undefined ? { region } : {}), ...(profile !== undefined ? { profile } : {}) };
}

/** `value` trimmed, or undefined when it is absent or blank (an empty variable means unset). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
