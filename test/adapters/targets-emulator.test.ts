/**
 * Target resolution and per-target clients against the emulator, through the real SDK over HTTP
 * (Organizations, EC2, STS AssumeRole via fromTemporaryCredentials, ECR): an organization of two
 * swept accounts with `regions: all`, an excluded OU, a suspended account, a role that cannot be
 * assumed (a failed target naming account, Region and role), a Region not enabled, an external id,
 * and a member account that may not list the organization.
 */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import type { Target } from '../../lib/core/targets.js';
import { OrganizationAccounts } from '../../lib/adapters/organization-accounts.js';
import { awsTargetResolution } from '../../lib/adapters/target-resolution-aws.js';
import { targetClients, createAwsClients, type AwsClientSettings } from '../../lib/adapters/aws-clients.js';
import { OrganizationAccessError, TargetError } from '../../lib/engine/errors.js';
import { AssumeRoleError, roleSessionName } from '../../lib/adapters/target-credentials.js';
import { resolveTargets } from '../../lib/engine/targets-resolve.js';

const HOME = '123456789012';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const E = '555555555555';
const OU_PROD = 'ou-emu1-prod0001';
const OU_PROD_EU = 'ou-emu1-prodeu01';
const OU_SANDBOX = 'ou-emu1-sandbox1';
const ROLE = 'EcrSweeperTarget';
const arn = (account: string, name = ROLE) => `arn:aws:iam::${account}:role/${name}`;

const STATE: StateFile = {
  repositories: [{ name: 'home/app' }],
  accounts: {
    [HOME]: {},
    [A]: {
      accessKeys: { AKIDMEMBER: null },
      roles: [{ name: ROLE, trustedPrincipals: [HOME] }],
      regionsNotEnabled: ['ap-east-1'],
      regions: { 'eu-west-1': { repositories: [{ name: 'a/eu' }] }, 'us-east-1': { repositories: [{ name: 'a/us' }] } },
    },
    [B]: { roles: [{ name: ROLE, trustedPrincipals: [HOME], externalId: 'org-secret' }], enabledRegions: ['eu-central-1', 'eu-west-1'], regions: { 'eu-west-1': { repositories: [{ name: 'b/eu' }] } } },
    [C]: { roles: [{ name: ROLE }], regions: { 'eu-west-1': {} } },
    [D]: { roles: [{ name: ROLE }], regions: { 'eu-west-1': {} } },
    [E]: { roles: [{ name: ROLE, assumable: false }], regions: { 'eu-west-1': {} } },
  },
  organization: {
    organizationalUnits: [
      { id: OU_PROD, name: 'prod' },
      { id: OU_PROD_EU, name: 'prod-eu', parent: OU_PROD },
      { id: OU_SANDBOX, name: 'sandbox' },
    ],
    accounts: [
      { id: A, parent: OU_PROD },
      { id: B, parent: OU_PROD_EU },
      { id: C, status: 'SUSPENDED', parent: OU_PROD },
      { id: D, parent: OU_SANDBOX },
      { id: E, parent: OU_PROD },
    ],
  },
};

const POLICIES = ['policies:', '  - name: p', '    repositories: { include: ["**"] }', '    rules:', '      - { id: a, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }'];
const rules = (...lines: string[]) => parseRules(`${['version: 1', ...lines, ...POLICIES].join('\n')}\n`);

let emulator: RunningEmulator;
let settings: AwsClientSettings;
const toDestroy: { destroy(): void }[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ state: STATE });
  settings = { endpoint: emulator.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDHOME', secretAccessKey: 'x' }, env: {} };
});
afterEach(async () => {
  for (const c of toDestroy.splice(0)) c.destroy();
  await emulator.stop();
});

async function resolve(ruleLines: string[], over: Partial<AwsClientSettings> = {}) {
  const deps = awsTargetResolution({ ...settings, ...over }, 'run-1');
  toDestroy.push(deps);
  return resolveTargets(rules(...ruleLines), deps);
}

function clientsOf(target: Target) {
  const clients = targetClients(target, settings, 'run-1');
  toDestroy.push(clients);
  return clients;
}

async function failureOf(call: Promise<unknown>): Promise<Error> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (outcome === undefined) throw new Error('expected the call to fail');
  return outcome;
}

describe('resolveTargets against the emulator', () => {
  it('an organization with regions: all: ACTIVE accounts outside the excluded OU, each in its enabled Regions; accounts whose role refuses become failed targets', async () => {
    const resolved = await resolve(['organization:', `  roleName: ${ROLE}`, '  externalId: org-secret', '  regions: all', `  ous: { exclude: [${OU_SANDBOX}] }`, `  accounts: { exclude: ["${HOME}"] }`]);
    expect(resolved.home).toEqual({ accountId: HOME, region: 'eu-west-1' });
    // A's role asks no external id and ignores one; B's needs it.
    expect(resolved.targets).toEqual([
      { accountId: A, region: 'eu-west-1', roleArn: arn(A), externalId: 'org-secret' },
      { accountId: A, region: 'us-east-1', roleArn: arn(A), externalId: 'org-secret' },
      { accountId: B, region: 'eu-central-1', roleArn: arn(B), externalId: 'org-secret' },
      { accountId: B, region: 'eu-west-1', roleArn: arn(B), externalId: 'org-secret' },
    ]);
    expect(resolved.failed).toHaveLength(1);
    const [failed] = resolved.failed;
    expect(failed?.accountId).toBe(E);
    expect(failed?.region).toBeUndefined();
    expect(failed?.error.code).toBe('AccessDenied');
    expect(failed?.error.message).toContain(`account ${E}: cannot list its enabled Regions (regions: all)`);
    expect(failed?.error.message).toContain(`cannot assume role ${arn(E)}`);
  });

  it('OU include takes the accounts of child OUs; the suspended account in it is left out', async () => {
    const resolved = await resolve(['organization:', `  roleName: ${ROLE}`, '  regions: [eu-west-1]', `  ous: { include: [${OU_PROD}] }`]);
    expect(resolved.targets.map((t) => t.accountId)).toEqual([A, B, E]);
    expect(resolved.failed).toEqual([]);
  });

  it("a target list: the caller's own account without a role takes its own Regions; an unknown external id fails that account only", async () => {
    const resolved = await resolve([
      'targets:',
      `  - { accountId: "${HOME}", regions: all }`,
      `  - { accountId: "${B}", roleName: ${ROLE}, externalId: wrong-secret, regions: all }`,
      `  - { accountId: "${A}", roleArn: "${arn(A)}", regions: [us-east-1] }`,
    ]);
    expect(resolved.targets).toEqual([
      { accountId: A, region: 'us-east-1', roleArn: arn(A) },
      { accountId: HOME, region: 'us-east-1' },
    ]);
    expect(resolved.failed.map((f) => [f.accountId, f.error.code])).toEqual([[B, 'AccessDenied']]);
    expect(resolved.failed[0]?.error.message).toContain('and that its external id matches');
  });

  it('a member account may not list the organization: the run stops with advice, before any target', async () => {
    const error = await failureOf(resolve(['organization:', `  roleName: ${ROLE}`, '  regions: all'], { credentials: { accessKeyId: 'AKIDMEMBER', secretAccessKey: 'x' } }));
    expect(error).toBeInstanceOf(OrganizationAccessError);
    expect(error.message).toMatch(/^AWS Organizations ListAccounts failed: AccessDeniedException: You don't have permissions to access this resource\.; an organization: run must be in the organization's management account or a delegated administrator account/);
  });

  it('without targets: the home target alone, no Organizations or EC2 call', async () => {
    const resolved = await resolve([]);
    expect(resolved).toEqual({ home: { accountId: HOME, region: 'eu-west-1' }, targets: [{ accountId: HOME, region: 'eu-west-1' }], failed: [] });
    const stats = emulator.stats().requests;
    expect(Object.keys(stats).filter((k) => k.startsWith('organizations:') || k.startsWith('ec2:'))).toEqual([]);
  });
});

describe('OrganizationAccounts', () => {
  it('reads every page and each account\'s OU chain, nearest first; throttling is retried by the SDK', async () => {
    const clients = createAwsClients(settings);
    toDestroy.push(clients);
    emulator.setFaults({ throttleProbability: 0.3 });
    const accounts = await new OrganizationAccounts(clients.organizations).list({ ouChains: true });
    expect(accounts.map((a) => [a.id, a.status, a.ous])).toEqual([
      [A, 'ACTIVE', [OU_PROD]],
      [HOME, 'ACTIVE', []],
      [B, 'ACTIVE', [OU_PROD_EU, OU_PROD]],
      [C, 'SUSPENDED', [OU_PROD]],
      [D, 'ACTIVE', [OU_SANDBOX]],
      [E, 'ACTIVE', [OU_PROD]],
    ]);
    expect(Object.values(emulator.stats().throttled).reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
  });
});

describe('targetClients', () => {
  it("signs as the target's role in the target's Region: each registry is that account's and Region's, the session named after the run", async () => {
    const eu = clientsOf({ accountId: A, region: 'eu-west-1', roleArn: arn(A) });
    const us = clientsOf({ accountId: A, region: 'us-east-1', roleArn: arn(A) });
    expect((await eu.ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryArn)).toEqual([`arn:aws:ecr:eu-west-1:${A}:repository/a/eu`]);
    expect((await us.ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(['a/us']);
    expect((await eu.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${A}:assumed-role/${ROLE}/ecr-sweeper-run-1`);
    const home = clientsOf({ accountId: HOME, region: 'eu-west-1' });
    expect((await home.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).toEqual([]);
  });

  it('a role that cannot be assumed fails the first call with an AssumeRoleError naming the account, the Region and the role', async () => {
    const error = await failureOf(clientsOf({ accountId: E, region: 'eu-west-1', roleArn: arn(E) }).ecr.send(new DescribeRepositoriesCommand({})));
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ accountId: E, region: 'eu-west-1', roleArn: arn(E), code: 'AccessDenied' });
    expect(error.message).toBe(
      `account ${E}, eu-west-1: cannot assume role ${arn(E)}: AccessDenied: User: arn:aws:iam::${HOME}:user/AKIDHOME is not authorized to perform: sts:AssumeRole on resource: ${arn(E)}: ` +
        "check that the role exists in the account, that its trust policy names the sweeper's role (and whether it asks for an external id)",
    );
    expect((error as Error & { cause?: { name?: string } }).cause?.name).toBe('AccessDenied');
  });

  it("a Region the target account has not enabled: the role is assumed (STS answers the caller's account), the target's first ECR call is refused as AWS does", async () => {
    const error = await failureOf(clientsOf({ accountId: A, region: 'ap-east-1', roleArn: arn(A) }).ecr.send(new DescribeRepositoriesCommand({})));
    // The runner (runTargets) reports it as that target's failure, naming account and Region.
    expect(error.name).toBe('UnrecognizedClientException');
    expect(emulator.stats().requests['sts:AssumeRole']).toBe(1);
  });

  it('the external id is passed: the role that asks for one is assumed with it', async () => {
    const clients = clientsOf({ accountId: B, region: 'eu-west-1', roleArn: arn(B), externalId: 'org-secret' });
    expect((await clients.ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(['b/eu']);
  });
});

describe('roleSessionName', () => {
  it.each<[string, string]>([
    ['run-1', 'ecr-sweeper-run-1'],
    ['2026-12-04T23:00:00Z/abc', 'ecr-sweeper-2026-12-04T23-00-00Z-abc'],
    ['x'.repeat(80), `ecr-sweeper-${'x'.repeat(52)}`],
  ])('%s → %s (STS allows 2 to 64 of [\\w+=,.@-])', (runId, name) => {
    expect(roleSessionName(runId)).toBe(name);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
