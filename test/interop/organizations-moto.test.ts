/**
 * One organization read through OrganizationAccounts (ListAccounts and the OU tree, every page)
 * from moto and from the emulator: moto's organization is built with its own API (CreateOrganization,
 * CreateAccount, CreateOrganizationalUnit, MoveAccount), the emulator's state is written from
 * the ids moto gave, and the adapter must read the same accounts, statuses and OU chains from both.
 * moto does not refuse a member account, so AccessDenied is tested on the emulator only
 * (test/emulator/organizations.test.ts).
 */
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateOrganization } from '../../emulator/index.js';
import { OrganizationAccounts } from '../../lib/adapters/organization-accounts.js';
import type { OrganizationAccount } from '../../lib/core/targets.js';
import { startMoto, type MotoServer } from './support/moto-server.js';

const KEY = { accessKeyId: 'AKIDHOMEKEY', secretAccessKey: 'x' };
const client = (endpoint: string) => new OrganizationsClient({ endpoint, region: 'us-east-1', credentials: KEY, maxAttempts: 2 });

let moto: MotoServer;
let emulator: RunningEmulator | undefined;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  await emulator?.stop();
});

/** Builds root ─ prod ─ prod-eu, root ─ sandbox, with 23 accounts (two pages) spread over them, in moto. */
async function buildInMoto(): Promise<StateOrganization> {
  const orgs = client(moto.url);
  try {
    const created = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const management = created.Organization?.MasterAccountId ?? '';
    const root = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const ou = async (name: string, parent: string) => (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit?.Id ?? '';
    const prod = await ou('prod', root);
    const prodEu = await ou('prod-eu', prod);
    const sandbox = await ou('sandbox', root);
    const placement = [root, prod, prodEu, sandbox];
    const accounts: { id: string; parent?: string }[] = [];
    for (let i = 0; i < 23; i++) {
      const status = await orgs.send(new CreateAccountCommand({ AccountName: `acct-${i}`, Email: `acct-${i}@example.com` }));
      const id = status.CreateAccountStatus?.AccountId ?? '';
      const parent = placement[i % placement.length] ?? root;
      if (parent !== root) await orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: parent }));
      accounts.push({ id, ...(parent !== root ? { parent } : {}) });
    }
    return {
      managementAccountId: management,
      organizationalUnits: [{ id: prod, name: 'prod' }, { id: prodEu, name: 'prod-eu', parent: prod }, { id: sandbox, name: 'sandbox' }],
      accounts,
    };
  } finally {
    orgs.destroy();
  }
}

async function read(endpoint: string): Promise<OrganizationAccount[]> {
  const orgs = client(endpoint);
  try {
    const accounts = await new OrganizationAccounts(orgs).list({ ouChains: true });
    return accounts.map(({ id, status, ous }) => ({ id, status, ous })).sort((a, b) => (a.id < b.id ? -1 : 1));
  } finally {
    orgs.destroy();
  }
}

describe('OrganizationAccounts on moto and on the emulator', () => {
  it('reads the same accounts, statuses and OU chains (nearest first) from both', async () => {
    const organization = await buildInMoto();
    emulator = await startEmulator({ registryId: organization.managementAccountId ?? '123456789012', organization });
    const fromMoto = await read(moto.url);
    const fromEmulator = await read(emulator.url);
    expect(fromMoto).toHaveLength(24);
    expect(fromEmulator).toEqual(fromMoto);
    const prodEu = organization.organizationalUnits?.[1]?.id;
    const nested = fromMoto.filter((a) => a.ous.length === 2);
    expect(nested.length).toBeGreaterThan(0);
    for (const a of nested) expect(a.ous[0]).toBe(prodEu);
  });
});
