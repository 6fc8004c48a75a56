/**
 * Pure target resolution (lib/core/targets.ts): from the rules' `targets:` or `organization:` and
 * what the adapters read (the organization's accounts with their OU chains, each account's enabled
 * Regions) to sorted, unique targets and failed targets. Tables for the cases people write,
 * properties for the invariants every organization must keep (exclude wins, ACTIVE only, sorted).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrganizationSetting, TargetsSetting } from '../../lib/core/rules-model.js';
import {
  describeTargetsSetting,
  partitionOf,
  resolveTargetList,
  roleArnFor,
  targetKey,
  type EnabledRegions,
  type OrganizationAccount,
} from '../../lib/core/targets.js';

const HOME = { accountId: '999999999999', region: 'eu-west-1' };
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

const org = (over: Partial<OrganizationSetting> = {}): TargetsSetting => ({
  kind: 'organization',
  roleName: 'EcrSweeperTarget',
  regions: ['eu-west-1'],
  accounts: { include: [], exclude: [] },
  ous: { include: [], exclude: [] },
  ...over,
});

// root ─ ou-prod (A, and ou-prod-eu with B) ─ ou-sandbox (C, suspended D)
const ORG_ACCOUNTS: OrganizationAccount[] = [
  { id: B, status: 'ACTIVE', ous: ['ou-prod-eu00000', 'ou-prod-0000000'] },
  { id: A, status: 'ACTIVE', ous: ['ou-prod-0000000'] },
  { id: C, status: 'ACTIVE', ous: ['ou-sand-0000000'] },
  { id: D, status: 'SUSPENDED', ous: ['ou-sand-0000000'] },
  { id: HOME.accountId, status: 'ACTIVE', ous: [] },
];

const keys = (r: { targets: { accountId: string; region: string }[] }) => r.targets.map(targetKey);

describe('resolveTargetList: tables', () => {
  it("no setting: the caller's own account and Region, with its own credentials", () => {
    expect(resolveTargetList(undefined, HOME)).toEqual({ targets: [{ accountId: HOME.accountId, region: 'eu-west-1' }], failed: [] });
    expect(resolveTargetList(null, HOME)).toEqual({ targets: [{ accountId: HOME.accountId, region: 'eu-west-1' }], failed: [] });
  });

  it('a list: role names become ARNs in the home partition, ARNs stay, external ids carried, sorted by account then Region', () => {
    const setting: TargetsSetting = {
      kind: 'list',
      targets: [
        { accountId: B, roleArn: `arn:aws:iam::${B}:role/x/Sweeper`, regions: ['us-east-1', 'eu-west-1'] },
        { accountId: A, roleName: 'Sweeper', externalId: 'ext-1', regions: ['eu-west-2'] },
      ],
    };
    expect(resolveTargetList(setting, HOME)).toEqual({
      targets: [
        { accountId: A, region: 'eu-west-2', roleArn: `arn:aws:iam::${A}:role/Sweeper`, externalId: 'ext-1' },
        { accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/x/Sweeper` },
        { accountId: B, region: 'us-east-1', roleArn: `arn:aws:iam::${B}:role/x/Sweeper` },
      ],
      failed: [],
    });
  });

  it("a list entry without a role: the caller's own account is swept with its own credentials; another account fails, named", () => {
    const setting: TargetsSetting = { kind: 'list', targets: [{ accountId: HOME.accountId, regions: ['us-east-1'] }, { accountId: A, regions: ['eu-west-1'] }] };
    expect(resolveTargetList(setting, HOME)).toEqual({
      targets: [{ accountId: HOME.accountId, region: 'us-east-1' }],
      failed: [{ accountId: A, error: { code: 'NoRole', message: `account ${A}: no roleName or roleArn given; only the caller's own account (${HOME.accountId}) is swept without assuming a role` } }],
    });
  });

  it('regions: all takes the Regions read for the account; an account whose Regions could not be read is a failed target without a Region', () => {
    const setting: TargetsSetting = {
      kind: 'list',
      targets: [
        { accountId: A, roleName: 'r', regions: 'all' },
        { accountId: B, roleName: 'r', regions: 'all' },
        { accountId: C, roleName: 'r', regions: 'all' },
      ],
    };
    const enabled = new Map<string, EnabledRegions>([
      [A, { regions: ['us-east-1', 'ap-south-1'] }],
      [B, { error: { code: 'AccessDenied', message: `account ${B}: ec2:DescribeRegions denied` } }],
    ]);
    expect(resolveTargetList(setting, HOME, [], enabled)).toEqual({
      targets: [
        { accountId: A, region: 'ap-south-1', roleArn: `arn:aws:iam::${A}:role/r` },
        { accountId: A, region: 'us-east-1', roleArn: `arn:aws:iam::${A}:role/r` },
      ],
      failed: [
        { accountId: B, error: { code: 'AccessDenied', message: `account ${B}: ec2:DescribeRegions denied` } },
        { accountId: C, error: { code: 'RegionsNotRead', message: `account ${C}: its enabled Regions were not read` } },
      ],
    });
  });

  it.each<[string, Partial<OrganizationSetting>, string[]]>([
    ['every ACTIVE account (the suspended one left out)', {}, [A, B, C, HOME.accountId]],
    ['an excluded account', { accounts: { include: [], exclude: [HOME.accountId] } }, [A, B, C]],
    ['an included OU takes the accounts of its child OUs too', { ous: { include: ['ou-prod-0000000'], exclude: [] } }, [A, B]],
    ['a child OU alone', { ous: { include: ['ou-prod-eu00000'], exclude: [] } }, [B]],
    ['an excluded child OU under an included parent', { ous: { include: ['ou-prod-0000000'], exclude: ['ou-prod-eu00000'] } }, [A]],
    ['included accounts and OUs add up', { accounts: { include: [C], exclude: [] }, ous: { include: ['ou-prod-eu00000'], exclude: [] } }, [B, C]],
    ['an excluded account inside an included OU', { accounts: { include: [], exclude: [A] }, ous: { include: ['ou-prod-0000000'], exclude: [] } }, [B]],
    ['an included account inside an excluded OU: exclude wins', { accounts: { include: [B], exclude: [] }, ous: { include: [], exclude: ['ou-prod-0000000'] } }, []],
  ])('organization: %s', (_name, over, accounts) => {
    const resolved = resolveTargetList(org(over), HOME, ORG_ACCOUNTS);
    expect(resolved.targets.map((t) => t.accountId)).toEqual(accounts);
    for (const t of resolved.targets) expect(t.roleArn).toBe(`arn:aws:iam::${t.accountId}:role/EcrSweeperTarget`);
  });

  it('organization: a named account that is suspended or not in the organization is a failed target, not silence', () => {
    const resolved = resolveTargetList(org({ accounts: { include: [D, '555555555555', A], exclude: [] } }), HOME, ORG_ACCOUNTS);
    expect(keys(resolved)).toEqual([`${A}/eu-west-1`]);
    expect(resolved.failed).toEqual([
      { accountId: D, error: { code: 'AccountNotActive', message: `account ${D} is SUSPENDED in the organization, not ACTIVE; it is not swept` } },
      { accountId: '555555555555', error: { code: 'AccountNotInOrganization', message: "account 555555555555 is in accounts.include but not in the organization's account list" } },
    ]);
  });

  it('organization: external id and regions: all per account', () => {
    const enabled = new Map<string, EnabledRegions>([
      [A, { regions: ['eu-west-1', 'eu-central-1'] }],
      [B, { regions: ['eu-west-1'] }],
    ]);
    const resolved = resolveTargetList(org({ externalId: 'x-1', regions: 'all', accounts: { include: [A, B], exclude: [] } }), HOME, ORG_ACCOUNTS, enabled);
    expect(resolved.targets).toEqual([
      { accountId: A, region: 'eu-central-1', roleArn: `arn:aws:iam::${A}:role/EcrSweeperTarget`, externalId: 'x-1' },
      { accountId: A, region: 'eu-west-1', roleArn: `arn:aws:iam::${A}:role/EcrSweeperTarget`, externalId: 'x-1' },
      { accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/EcrSweeperTarget`, externalId: 'x-1' },
    ]);
  });

  it.each<[string, string]>([
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('the partition of %s is %s, and role ARNs are built in it', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
    expect(roleArnFor(A, 'team/R', region)).toBe(`arn:${partition}:iam::${A}:role/team/R`);
  });

  it('describeTargetsSetting says what validate prints', () => {
    expect(describeTargetsSetting(undefined)).toBe("the caller's own account and Region");
    expect(describeTargetsSetting({ kind: 'list', targets: [{ accountId: A, roleName: 'R', externalId: 'x1', regions: ['eu-west-1', 'us-east-1'] }, { accountId: HOME.accountId, regions: 'all' }] })).toBe(
      `2 listed: ${A} (role R, external id): eu-west-1, us-east-1; ${HOME.accountId} (own credentials): all enabled Regions`,
    );
    expect(describeTargetsSetting(org({ regions: 'all', accounts: { include: [], exclude: [B] }, ous: { include: ['ou-prod-0000000'], exclude: ['ou-prod-eu00000'] } }))).toBe(
      `the organization's ACTIVE accounts (under ou-prod-0000000), except ${B}, ou-prod-eu00000, through role EcrSweeperTarget: all enabled Regions`,
    );
  });
});

describe('resolveTargetList: properties', () => {
  const accountId: fc.Arbitrary<string> = fc.constantFrom(A, B, C, D, '555555555555', '666666666666');
  const ou: fc.Arbitrary<string> = fc.constantFrom('ou-a', 'ou-b', 'ou-c', 'ou-d');
  const region = fc.constantFrom('eu-west-1', 'us-east-1', 'ap-south-1', 'us-gov-west-1');
  const orgAccounts = fc.uniqueArray(
    fc.record({ id: accountId, status: fc.constantFrom('ACTIVE', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'), ous: fc.uniqueArray(ou, { maxLength: 3 }) }),
    { selector: (a) => a.id, maxLength: 6 },
  );
  const ids = <T>(arb: fc.Arbitrary<T>) => fc.uniqueArray(arb, { maxLength: 3 });
  const regions = fc.oneof(fc.constant('all' as const), fc.uniqueArray(region, { minLength: 1, maxLength: 4 }));
  const orgSetting = fc.record({
    kind: fc.constant('organization' as const),
    roleName: fc.constant('R'),
    regions,
    accounts: fc.record({ include: ids(accountId), exclude: ids(accountId) }),
    ous: fc.record({ include: ids(ou), exclude: ids(ou) }),
  });
  const enabled = fc.dictionary(accountId, fc.oneof(fc.record({ regions: fc.uniqueArray(region, { maxLength: 4 }) }), fc.constant({ error: { code: 'AccessDenied', message: 'no' } })));

  it('exclude always wins, only ACTIVE accounts are swept, output sorted and unique, every role in its own account', () => {
    fc.assert(
      fc.property(orgSetting, orgAccounts, enabled, (setting, accounts, enabledByAccount) => {
        const resolved = resolveTargetList(setting, HOME, accounts, new Map(Object.entries(enabledByAccount)));
        const byId = new Map(accounts.map((a) => [a.id, a]));
        const ks = keys(resolved);
        expect(new Set(ks).size).toBe(ks.length);
        expect([...ks].sort()).toEqual(ks);
        for (const t of resolved.targets) {
          const account = byId.get(t.accountId);
          expect(account?.status).toBe('ACTIVE');
          expect(setting.accounts.exclude).not.toContain(t.accountId);
          expect(account?.ous.some((o) => setting.ous.exclude.includes(o))).toBe(false);
          expect(t.roleArn).toBe(roleArnFor(t.accountId, 'R', HOME.region));
          if (setting.regions !== 'all') expect(setting.regions).toContain(t.region);
        }
        const failedKeys = resolved.failed.map((f) => `${f.accountId}/${f.region ?? ''}`);
        expect([...failedKeys].sort()).toEqual(failedKeys);
        // No account is both swept and failed.
        const swept = new Set(resolved.targets.map((t) => t.accountId));
        for (const f of resolved.failed) expect(swept.has(f.accountId)).toBe(false);
      }),
    );
  });

  it('with no include, every ACTIVE account not excluded is swept in every Region asked (or failed when its Regions are unknown)', () => {
    fc.assert(
      fc.property(orgSetting, orgAccounts, enabled, (s, accounts, enabledByAccount) => {
        const setting = { ...s, accounts: { ...s.accounts, include: [] }, ous: { ...s.ous, include: [] } };
        const resolved = resolveTargetList(setting, HOME, accounts, new Map(Object.entries(enabledByAccount)));
        for (const a of accounts) {
          const excluded = setting.accounts.exclude.includes(a.id) || a.ous.some((o) => setting.ous.exclude.includes(o));
          if (a.status !== 'ACTIVE' || excluded) continue;
          const read = enabledByAccount[a.id];
          const expected = setting.regions !== 'all' ? setting.regions : read && 'regions' in read ? read.regions : undefined;
          if (expected === undefined) expect(resolved.failed.map((f) => f.accountId)).toContain(a.id);
          else for (const r of expected) expect(keys(resolved)).toContain(`${a.id}/${r}`);
        }
      }),
    );
  });

  it('a list resolves to one target per account and Region, whatever the order or repetition of entries', () => {
    const entry = fc.record({ accountId, roleName: fc.constant('R'), regions: fc.uniqueArray(region, { minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (entries) => {
        const resolved = resolveTargetList({ kind: 'list', targets: entries }, HOME);
        const ks = keys(resolved);
        expect(ks).toEqual([...new Set(entries.flatMap((e) => e.regions.map((r) => `${e.accountId}/${r}`)))].sort());
        const reversed = resolveTargetList({ kind: 'list', targets: [...entries].reverse() }, HOME);
        expect(keys(reversed)).toEqual(ks);
      }),
    );
  });
});
