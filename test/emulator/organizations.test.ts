/**
 * AWS Organizations and EC2 DescribeRegions on the emulator, through `@aws-sdk/client-organizations`
 * and `@aws-sdk/client-ec2` over HTTP: pages of at most 20 like AWS, the OU tree, AccessDenied for a
 * member that is not the management account or a delegated administrator, NotInUse outside the
 * organization, and each account's enabled Regions (an assumed role's session in its own account).
 */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { afterEach, describe, expect, it } from 'vitest';
import { generateOrganization, organizationSectionOf, startEmulator, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import { A, B, HOME, keyOf, rejectionOf } from './accounts-support.js';

const C = '333333333333';
const OU_PROD = 'ou-emu1-prod0001';
const OU_PROD_EU = 'ou-emu1-prodeu01';
const OU_SANDBOX = 'ou-emu1-sandbox1';

const STATE: StateFile = {
  repositories: [],
  accounts: {
    [HOME]: { accessKeys: { AKIDHOME: null } },
    [A]: { accessKeys: { AKIDA: null }, roles: [{ name: 'EcrSweeperTarget' }], regions: { 'eu-west-1': {}, 'us-east-1': {} }, regionsNotEnabled: ['ap-east-1'] },
    [B]: { accessKeys: { AKIDB: null }, enabledRegions: ['eu-west-1', 'eu-central-1', 'eu-south-1'], regionsNotEnabled: ['eu-south-1'] },
    [C]: { accessKeys: { AKIDC: null } },
  },
  organization: {
    managementAccountId: HOME,
    delegatedAdministrators: [B],
    organizationalUnits: [
      { id: OU_PROD, name: 'prod' },
      { id: OU_PROD_EU, name: 'prod-eu', parent: OU_PROD },
      { id: OU_SANDBOX, name: 'sandbox' },
    ],
    accounts: [
      { id: A, name: 'a', parent: OU_PROD },
      { id: B, name: 'b', parent: OU_PROD_EU },
      { id: '444444444444', status: 'SUSPENDED', parent: OU_SANDBOX },
    ],
  },
};

let emulator: RunningEmulator | undefined;
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await emulator?.stop();
  emulator = undefined;
});

async function start(state: StateFile = STATE): Promise<RunningEmulator> {
  emulator = await startEmulator({ state });
  return emulator;
}
function orgs(e: RunningEmulator, key = 'AKIDHOME'): OrganizationsClient {
  const client = new OrganizationsClient({ endpoint: e.url, region: 'us-east-1', credentials: keyOf(key), maxAttempts: 1 });
  clients.push(client);
  return client;
}
function ec2(e: RunningEmulator, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, region = 'eu-west-1'): EC2Client {
  const client = new EC2Client({ endpoint: e.url, region, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

describe('Organizations on the emulator', () => {
  it('ListAccounts lists every member with its status (the management account included), sorted by id', async () => {
    const e = await start();
    const out = await orgs(e).send(new ListAccountsCommand({}));
    expect(out.Accounts?.map((a) => [a.Id, a.Status, a.Name])).toEqual([
      [A, 'ACTIVE', 'a'],
      [HOME, 'ACTIVE', 'management'],
      [B, 'ACTIVE', 'b'],
      ['444444444444', 'SUSPENDED', 'account-444444444444'],
    ]);
    expect(out.Accounts?.[0]?.Arn).toBe(`arn:aws:organizations::${HOME}:account/o-emulator01/${A}`);
    expect(out.NextToken).toBeUndefined();
  });

  it('pages hold at most 20 accounts; the SDK paginator reads them all; MaxResults over 20 is InvalidInputException', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => String(100_000_000_000 + i));
    const e = await start({ repositories: [], organization: organizationSectionOf(ids) });
    const client = orgs(e);
    const first = await client.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeDefined();
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListAccounts({ client, pageSize: 7 }, {})) {
      pages += 1;
      seen.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
    }
    expect(pages).toBe(7);
    expect(seen).toEqual([...ids, HOME].sort());
    const error = await rejectionOf(client.send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(error.name).toBe('InvalidInputException');
    const badToken = await rejectionOf(client.send(new ListAccountsCommand({ NextToken: 'not-a-token' })));
    expect(badToken.name).toBe('InvalidInputException');
  });

  it('the OU tree: ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent and ListParents', async () => {
    const e = await start();
    const client = orgs(e);
    const roots = await client.send(new ListRootsCommand({}));
    const root = roots.Roots?.[0]?.Id ?? '';
    expect(root).toMatch(/^r-[0-9a-z]{4,32}$/);
    const top = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }));
    expect(top.OrganizationalUnits?.map((o) => [o.Id, o.Name])).toEqual([
      [OU_PROD, 'prod'],
      [OU_SANDBOX, 'sandbox'],
    ]);
    const nested = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: OU_PROD }));
    expect(nested.OrganizationalUnits?.map((o) => o.Id)).toEqual([OU_PROD_EU]);
    expect((await client.send(new ListAccountsForParentCommand({ ParentId: root }))).Accounts?.map((a) => a.Id)).toEqual([HOME]);
    expect((await client.send(new ListAccountsForParentCommand({ ParentId: OU_PROD_EU }))).Accounts?.map((a) => a.Id)).toEqual([B]);
    expect((await client.send(new ListParentsCommand({ ChildId: B }))).Parents).toEqual([{ Id: OU_PROD_EU, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await client.send(new ListParentsCommand({ ChildId: OU_PROD }))).Parents).toEqual([{ Id: root, Type: 'ROOT' }]);
    expect((await rejectionOf(client.send(new ListAccountsForParentCommand({ ParentId: 'ou-emu1-missing01' })))).name).toBe('ParentNotFoundException');
    expect((await rejectionOf(client.send(new ListParentsCommand({ ChildId: '999999999999' })))).name).toBe('ChildNotFoundException');
  });

  it('a member account may describe the organization but not list it (AccessDenied); a delegated administrator may list', async () => {
    const e = await start();
    const member = orgs(e, 'AKIDA');
    const described = await member.send(new DescribeOrganizationCommand({}));
    expect(described.Organization?.MasterAccountId).toBe(HOME);
    const denied = await rejectionOf(member.send(new ListAccountsCommand({})));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toBe("You don't have permissions to access this resource.");
    const admin = await orgs(e, 'AKIDB').send(new ListAccountsCommand({}));
    expect(admin.Accounts).toHaveLength(4);
  });

  it('an account outside the organization, or an emulator without one, gets AWSOrganizationsNotInUseException', async () => {
    const e = await start();
    expect((await rejectionOf(orgs(e, 'AKIDC').send(new ListAccountsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
    await e.stop();
    const bare = await start({ repositories: [] });
    expect((await rejectionOf(orgs(bare).send(new DescribeOrganizationCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
  });

  it('injected faults: accessDenied and throttling answer like Organizations (AccessDeniedException, TooManyRequestsException)', async () => {
    const e = await start();
    e.setFaults({ accessDenied: ['organizations:ListAccounts'] });
    expect((await rejectionOf(orgs(e).send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
    e.setFaults({ accessDenied: [], throttleProbability: 1 });
    const throttled = await rejectionOf(orgs(e).send(new ListAccountsCommand({})));
    expect(throttled.name).toBe('TooManyRequestsException');
    expect(e.stats().requests['organizations:ListAccounts']).toBe(2);
    expect(e.stats().throttled['organizations:ListAccounts']).toBe(1);
  });

  it('a bad organization section is refused at start, naming the entry', async () => {
    await expect(startEmulator({ state: { repositories: [], organization: { accounts: [{ id: '1' }] } } })).rejects.toThrow('organization.accounts[0].id: an account id is 12 digits');
    await expect(startEmulator({ state: { repositories: [], organization: { accounts: [{ id: A, parent: OU_PROD }] } } })).rejects.toThrow(`organization.accounts[0].parent: no OU ${OU_PROD} in organizationalUnits`);
    await expect(
      startEmulator({ state: { repositories: [], organization: { organizationalUnits: [{ id: OU_PROD, parent: OU_PROD_EU }, { id: OU_PROD_EU, parent: OU_PROD }] } } }),
    ).rejects.toThrow('is its own ancestor');
  });

  it('organizationSectionOf makes the generated accounts members, with suspended ones and parents', () => {
    const accounts = generateOrganization({ accounts: 2, regions: ['eu-west-1'], generate: { repositories: 1 } });
    expect(organizationSectionOf(accounts, { suspended: [B], parents: { [A]: OU_PROD }, organizationalUnits: [{ id: OU_PROD }] })).toEqual({
      organizationalUnits: [{ id: OU_PROD }],
      accounts: [{ id: A, parent: OU_PROD }, { id: B, status: 'SUSPENDED' }],
    });
  });
});

describe('EC2 DescribeRegions on the emulator', () => {
  const names = (out: { Regions?: { RegionName?: string }[] }) => out.Regions?.map((r) => r.RegionName);

  it("lists the account's Regions (its regions section), less those not enabled; AllRegions adds them as not-opted-in", async () => {
    const e = await start();
    const client = ec2(e, keyOf('AKIDA'));
    expect(names(await client.send(new DescribeRegionsCommand({})))).toEqual(['eu-west-1', 'us-east-1']);
    const all = await client.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.map((r) => [r.RegionName, r.OptInStatus, r.Endpoint])).toEqual([
      ['ap-east-1', 'not-opted-in', 'ec2.ap-east-1.amazonaws.com'],
      ['eu-west-1', 'opt-in-not-required', 'ec2.eu-west-1.amazonaws.com'],
      ['us-east-1', 'opt-in-not-required', 'ec2.us-east-1.amazonaws.com'],
    ]);
    expect(names(await client.send(new DescribeRegionsCommand({ RegionNames: ['us-east-1'] })))).toEqual(['us-east-1']);
  });

  it('explicit enabledRegions replace the regions section; the default account has its default Region', async () => {
    const e = await start();
    expect(names(await ec2(e, keyOf('AKIDB')).send(new DescribeRegionsCommand({})))).toEqual(['eu-central-1', 'eu-west-1']);
    expect(names(await ec2(e, keyOf('AKIDHOME')).send(new DescribeRegionsCommand({})))).toEqual(['us-east-1']);
  });

  it("a session of an assumed role lists the role's account's Regions", async () => {
    const e = await start();
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: `arn:aws:iam::${A}:role/EcrSweeperTarget`, RoleSessionName: 'ecr-sweeper-test', DurationSeconds: 3600 },
      masterCredentials: keyOf('AKIDHOME'),
      clientConfig: { endpoint: e.url, region: 'us-east-1' },
    });
    expect(names(await ec2(e, credentials).send(new DescribeRegionsCommand({})))).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('denied (UnauthorizedOperation, 403) and asked in a Region the account has not enabled (AuthFailure)', async () => {
    const e = await start();
    e.setFaults({ accessDenied: ['ec2:DescribeRegions'] });
    const denied = await rejectionOf(ec2(e, keyOf('AKIDA')).send(new DescribeRegionsCommand({})));
    expect(denied.name).toBe('UnauthorizedOperation');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    e.setFaults({ accessDenied: [] });
    const notEnabled = await rejectionOf(ec2(e, keyOf('AKIDA'), 'ap-east-1').send(new DescribeRegionsCommand({})));
    expect(notEnabled.name).toBe('AuthFailure');
    expect(e.stats().requests['ec2:DescribeRegions']).toBe(2);
    expect(e.stats().failed['ec2:DescribeRegions']).toBe(2);
  });
});

describe('loadState with an organization section', () => {
  it('replaces the organization the Organizations API answers from', async () => {
    const e = await start({ repositories: [] });
    expect((await rejectionOf(orgs(e).send(new ListAccountsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
    e.loadState({ repositories: [], organization: organizationSectionOf([A, B], { suspended: [B] }) });
    const out = await orgs(e).send(new ListAccountsCommand({}));
    expect(out.Accounts?.map((a) => [a.Id, a.Status])).toEqual([
      [A, 'ACTIVE'],
      [HOME, 'ACTIVE'],
      [B, 'SUSPENDED'],
    ]);
  });
});
