/**
 * Every client of a run resolves its endpoint by one rule: `AWS_ENDPOINT_URL_<SERVICE>` first (issue 9:
 * the per-service variables override the run's one endpoint), then an explicit setting
 * (`--endpoint-url`), then `AWS_ENDPOINT_URL`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores the variables. Checked on the built SDK
 * clients themselves (their resolved config), for every service and every combination.
 */
import { describe, expect, it } from 'vitest';
import { AWS_SERVICES, createAwsClients, IN_USE_SCAN_MAX_ATTEMPTS, resolveEndpoint, SERVICE_ENDPOINT_VARIABLES, type AwsClients, type AwsService } from '../../lib/adapters/aws-clients.js';
import { ConfigError } from '../../lib/errors.js';

const FLAG = 'http://127.0.0.1:1001';
const GENERIC = 'http://127.0.0.1:1002';
const OWN = 'http://127.0.0.1:1003';
const OTHER = 'http://127.0.0.1:1004';
const CREDENTIALS = { accessKeyId: 'AKIDCLIENTS', secretAccessKey: 'x' };

/** The endpoint a built client will send to, or null for AWS's own (no custom endpoint). */
async function endpointOf(clients: AwsClients, service: AwsService): Promise<string | null> {
  const client = clients[service];
  if (!client.config.isCustomEndpoint) return null;
  const e = await client.config.endpoint!();
  return `${e.protocol}//${e.hostname}${e.port !== undefined ? `:${e.port}` : ''}`;
}

/** Every combination of: the flag, AWS_ENDPOINT_URL, the service's own variable, another service's variable. */
const combinations = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((bits) => ({
  flag: (bits & 1) !== 0,
  generic: (bits & 2) !== 0,
  own: (bits & 4) !== 0,
  other: (bits & 8) !== 0,
}));

const cases = AWS_SERVICES.flatMap((service) => combinations.map((c) => ({ service, ...c })));

describe('createAwsClients: one endpoint rule for every client', () => {
  it.each(cases)('$service: flag $flag, AWS_ENDPOINT_URL $generic, own variable $own, another service variable $other', async ({ service, flag, generic, own, other }) => {
    const otherService = AWS_SERVICES.find((s) => s !== service)!;
    const env: Record<string, string> = { AWS_REGION: 'eu-west-1' };
    if (generic) env.AWS_ENDPOINT_URL = GENERIC;
    if (own) env[SERVICE_ENDPOINT_VARIABLES[service]] = OWN;
    if (other) env[SERVICE_ENDPOINT_VARIABLES[otherService]] = OTHER;
    const clients = createAwsClients({ env, credentials: CREDENTIALS, ...(flag ? { endpoint: FLAG } : {}) });
    try {
      const expected = own ? OWN : flag ? FLAG : generic ? GENERIC : null;
      expect(await endpointOf(clients, service)).toBe(expected);
      const from = own ? SERVICE_ENDPOINT_VARIABLES[service] : flag ? 'explicit' : generic ? 'AWS_ENDPOINT_URL' : undefined;
      expect(clients.endpointOf(service)?.from).toBe(from);
      expect(resolveEndpoint(service, { env, ...(flag ? { endpoint: FLAG } : {}) })?.url ?? null).toBe(expected);
    } finally {
      clients.destroy();
    }
  });

  it('names each variable as the SDK does (AWS_ENDPOINT_URL_ + the service id upper-cased)', () => {
    expect(SERVICE_ENDPOINT_VARIABLES).toEqual({
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
  });

  it('STS follows its own variables, not the ECR endpoint: AWS_ENDPOINT_URL_ECR alone sends STS to AWS', async () => {
    const clients = createAwsClients({ env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECR: OWN }, credentials: CREDENTIALS });
    try {
      expect(await endpointOf(clients, 'ecr')).toBe(OWN);
      expect(await endpointOf(clients, 'sts')).toBeNull();
      expect(await endpointOf(clients, 'ecs')).toBeNull();
    } finally {
      clients.destroy();
    }
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the variables, never the flag; another value is refused by name', async () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: GENERIC, AWS_ENDPOINT_URL_ECS: OWN, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'TRUE' };
    const ignoring = createAwsClients({ env, credentials: CREDENTIALS });
    const flagged = createAwsClients({ env, endpoint: FLAG, credentials: CREDENTIALS });
    try {
      for (const service of AWS_SERVICES) {
        expect(await endpointOf(ignoring, service)).toBeNull();
        expect(await endpointOf(flagged, service)).toBe(FLAG);
      }
      const honoured = createAwsClients({ env: { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }, credentials: CREDENTIALS });
      expect(await endpointOf(honoured, 'ecs')).toBe(OWN);
      expect(await endpointOf(honoured, 'lambda')).toBe(GENERIC);
      honoured.destroy();
    } finally {
      ignoring.destroy();
      flagged.destroy();
    }
    expect(() => createAwsClients({ env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'yes' } })).toThrow(ConfigError);
    expect(() => createAwsClients({ env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'yes' } })).toThrow(/AWS_IGNORE_CONFIGURED_ENDPOINT_URLS must be true or false; got 'yes'/);
  });
});

describe('createAwsClients: the same Region, credentials and timeouts everywhere', () => {
  it('gives every client the flag Region (else AWS_REGION, else AWS_DEFAULT_REGION) and the same credentials', async () => {
    const flagged = createAwsClients({ region: 'ap-south-1', env: { AWS_REGION: 'eu-west-1' }, credentials: CREDENTIALS });
    const fromEnv = createAwsClients({ env: { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }, credentials: CREDENTIALS });
    const fromDefault = createAwsClients({ env: { AWS_DEFAULT_REGION: 'us-west-2' }, credentials: CREDENTIALS });
    try {
      for (const service of AWS_SERVICES) {
        expect(await flagged[service].config.region()).toBe('ap-south-1');
        expect(await fromEnv[service].config.region()).toBe('eu-west-1');
        expect(await fromDefault[service].config.region()).toBe('us-west-2');
        expect((await flagged[service].config.credentials()).accessKeyId).toBe('AKIDCLIENTS');
        // Every client has the run's request timeout (a hung connection must not outlive the run).
        const handler = flagged[service].config.requestHandler as unknown as { configProvider?: Promise<{ requestTimeout?: number }> };
        expect((await handler.configProvider)?.requestTimeout).toBe(30_000);
      }
    } finally {
      for (const c of [flagged, fromEnv, fromDefault]) c.destroy();
    }
  });

  it("S3 can keep its own Region (the function's report bucket) while the registry's Region goes to the others", async () => {
    const clients = createAwsClients({ region: 'eu-west-1', s3: { region: 'us-east-1' }, env: {}, credentials: CREDENTIALS });
    try {
      expect(await clients.s3.config.region()).toBe('us-east-1');
      expect(await clients.ecr.config.region()).toBe('eu-west-1');
      expect(await clients.sts.config.region()).toBe('eu-west-1');
      expect(await clients.ecs.config.region()).toBe('eu-west-1');
    } finally {
      clients.destroy();
    }
  });

  it('S3 uses path-style URLs against a custom endpoint (local servers have no bucket host names), virtual-hosted ones on AWS', () => {
    const local = createAwsClients({ endpoint: FLAG, region: 'us-east-1', env: {} });
    const aws = createAwsClients({ region: 'us-east-1', env: {} });
    const forced = createAwsClients({ region: 'us-east-1', env: {}, s3: { forcePathStyle: true } });
    try {
      expect(local.s3.config.forcePathStyle).toBe(true);
      expect(aws.s3.config.forcePathStyle).toBe(false);
      expect(forced.s3.config.forcePathStyle).toBe(true);
    } finally {
      for (const c of [local, aws, forced]) c.destroy();
    }
  });

  it('retries: ECR 3 standard attempts (the engine retries on top), STS 2, the in-use scan clients adaptive with more attempts', async () => {
    const clients = createAwsClients({ region: 'us-east-1', env: {} });
    try {
      expect(await clients.ecr.config.maxAttempts()).toBe(3);
      expect(await clients.sts.config.maxAttempts()).toBe(2);
      for (const service of ['ecs', 'lambda', 'batch', 'apprunner'] as const) {
        expect(await clients[service].config.maxAttempts()).toBe(IN_USE_SCAN_MAX_ATTEMPTS);
        expect((await clients[service].config.retryStrategy()).constructor.name).toBe('AdaptiveRetryStrategy');
      }
    } finally {
      clients.destroy();
    }
  });

  it('builds a client on first use only, and destroy() closes those built', () => {
    const clients = createAwsClients({ region: 'us-east-1', env: {} });
    const ecr = clients.ecr;
    expect(clients.ecr).toBe(ecr);
    let destroyed = 0;
    const destroy = ecr.destroy.bind(ecr);
    ecr.destroy = () => {
      destroyed += 1;
      destroy();
    };
    clients.destroy();
    expect(destroyed).toBe(1);
  });
});
