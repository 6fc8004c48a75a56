/**
 * Targets: the registries one run sweeps, each an account and a Region (issue 10). The rules say
 * which (`targets:` or `organization:`); with neither, a run covers the caller's own account and
 * Region. Pure: resolution against AWS Organizations and EC2 is done by the adapters.
 */
import type { TargetRegions, TargetsSetting } from './rules-model.js';

/** One registry: an account and a Region. */
export interface TargetRef {
  /** 12-digit AWS account id. */
  accountId: string;
  /** E.g. `eu-west-1`. */
  region: string;
}

/** A resolved target: where to sweep and how to get there. */
export interface Target extends TargetRef {
  /** The role assumed to reach it; absent for the caller's own account (its own credentials). */
  roleArn?: string;
  /** The `sts:ExternalId` the role's trust policy asks for. */
  externalId?: string;
}

/** A target that could not be swept at all (role not assumable, Region not enabled, ...). */
export interface FailedTarget {
  accountId: string;
  /** Absent when the failure is about the whole account (e.g. its Regions could not be listed). */
  region?: string;
  error: { code: string; message: string };
}

/** The stable key of a target, for maps, file names and S3 keys: `123456789012/eu-west-1`. */
export function targetKey(target: TargetRef): string {
  return `${target.accountId}/${target.region}`;
}

/** How a target is named to people: `account 123456789012, eu-west-1`. */
export function describeTarget(target: TargetRef): string {
  return `account ${target.accountId}, ${target.region}`;
}

/** The AWS partition of a Region: `aws-cn` for China, `aws-us-gov` for GovCloud, ISO partitions, else `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The ARN of role `name` (a path allowed) in `accountId`, in the partition of `homeRegion`. */
export function roleArnFor(accountId: string, name: string, homeRegion: string): string {
  return `arn:${partitionOf(homeRegion)}:iam::${accountId}:role/${name}`;
}

/** An account of the organization as the adapter reads it (ListAccounts, and the OU tree when OU filters are set). */
export interface OrganizationAccount {
  id: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE (ListAccounts' `Status`; `State` in newer answers). Only ACTIVE accounts are swept. */
  status: string;
  /** The OU ids above the account, nearest first (root excluded); empty when directly under the root or not read. */
  ous: readonly string[];
  name?: string;
}

/** An account to sweep before its Regions are known: where `regions: all` needs DescribeRegions. */
export interface AccountSelection {
  accountId: string;
  roleArn?: string;
  externalId?: string;
  regions: TargetRegions;
}

/** Targets and the accounts or targets that could not be swept, each sorted by account then Region. */
export interface ResolvedTargets {
  targets: Target[];
  failed: FailedTarget[];
}

/**
 * The accounts a run covers, before Region expansion. With no setting: the caller's own account
 * (no role) in its Region. A list entry without a role is only valid for the caller's own account;
 * any other becomes a failed target. For an organization (`accounts` = what ListAccounts gave):
 * ACTIVE accounts that are included (in `accounts.include`, or under an OU of `ous.include`;
 * neither given = all) and not excluded (exclude always wins); an account named in
 * `accounts.include` that is not in the organization or not ACTIVE is a failed target, so a typo
 * or a suspended account does not pass silently.
 */
export function selectAccounts(
  setting: TargetsSetting | null | undefined,
  home: TargetRef,
  organizationAccounts: readonly OrganizationAccount[] = [],
): { accounts: AccountSelection[]; failed: FailedTarget[] } {
  if (setting === null || setting === undefined) return { accounts: [{ accountId: home.accountId, regions: [home.region] }], failed: [] };
  const failed: FailedTarget[] = [];
  if (setting.kind === 'list') {
    const accounts: AccountSelection[] = [];
    for (const entry of setting.targets) {
      const roleArn = entry.roleArn ?? (entry.roleName !== undefined ? roleArnFor(entry.accountId, entry.roleName, home.region) : undefined);
      if (roleArn === undefined && entry.accountId !== home.accountId) {
        failed.push({
          accountId: entry.accountId,
          error: {
            code: 'NoRole',
            message: `account ${entry.accountId}: no roleName or roleArn given; only the caller's own account (${home.accountId}) is swept without assuming a role`,
          },
        });
        continue;
      }
      accounts.push({ accountId: entry.accountId, ...opt('roleArn', roleArn), ...opt('externalId', entry.externalId), regions: entry.regions });
    }
    return { accounts, failed };
  }

  const { accounts: accountFilter, ous } = setting;
  const includeAll = accountFilter.include.length === 0 && ous.include.length === 0;
  const excludedAccounts = new Set(accountFilter.exclude);
  const includedAccounts = new Set(accountFilter.include);
  const underOu = (account: OrganizationAccount, list: readonly string[]) => account.ous.some((ou) => list.includes(ou));
  const accounts: AccountSelection[] = [];
  const byId = new Map(organizationAccounts.map((a) => [a.id, a]));
  for (const account of byId.values()) {
    if (excludedAccounts.has(account.id) || underOu(account, ous.exclude)) continue;
    if (!includeAll && !includedAccounts.has(account.id) && !underOu(account, ous.include)) continue;
    if (account.status !== 'ACTIVE') {
      // Suspended and closing accounts are skipped quietly, unless named: then the reader asked for it.
      if (includedAccounts.has(account.id)) {
        failed.push({ accountId: account.id, error: { code: 'AccountNotActive', message: `account ${account.id} is ${account.status} in the organization, not ACTIVE; it is not swept` } });
      }
      continue;
    }
    accounts.push({ accountId: account.id, roleArn: roleArnFor(account.id, setting.roleName, home.region), ...opt('externalId', setting.externalId), regions: setting.regions });
  }
  for (const id of includedAccounts) {
    if (!byId.has(id) && !excludedAccounts.has(id)) {
      failed.push({ accountId: id, error: { code: 'AccountNotInOrganization', message: `account ${id} is in accounts.include but not in the organization's account list` } });
    }
  }
  return { accounts, failed: sortTargets(failed) };
}

/**
 * What DescribeRegions said for one account's `regions: all`: the enabled Region names, or why
 * they could not be read (then the account is a failed target with no Region).
 */
export type EnabledRegions = { regions: readonly string[] } | { error: { code: string; message: string } };

/**
 * Expands accounts into targets: each listed Region, or the enabled Regions read for `all`
 * (`enabled`, by account id; an account missing from it is a failed target). Sorted by account
 * then Region, one target per account and Region (the first selection of a pair wins).
 */
export function expandTargets(
  accounts: readonly AccountSelection[],
  enabled: ReadonlyMap<string, EnabledRegions>,
  failedBefore: readonly FailedTarget[] = [],
): ResolvedTargets {
  const targets = new Map<string, Target>();
  const failed: FailedTarget[] = [...failedBefore];
  for (const account of accounts) {
    let regions: readonly string[];
    if (account.regions === 'all') {
      const read = enabled.get(account.accountId);
      if (read === undefined || 'error' in read) {
        failed.push({
          accountId: account.accountId,
          error: read?.error ?? { code: 'RegionsNotRead', message: `account ${account.accountId}: its enabled Regions were not read` },
        });
        continue;
      }
      regions = read.regions;
    } else regions = account.regions;
    for (const region of regions) {
      const target: Target = { accountId: account.accountId, region, ...opt('roleArn', account.roleArn), ...opt('externalId', account.externalId) };
      const key = targetKey(target);
      if (!targets.has(key)) targets.set(key, target);
    }
  }
  return { targets: sortTargets([...targets.values()]), failed: sortTargets(dedupeFailed(failed)) };
}

/**
 * Resolution in one step, from the rules' setting and what the adapters read: the organization's
 * accounts (when the setting is an organization) and each `regions: all` account's enabled Regions.
 *
 * @example
 * resolveTargetList({ kind: 'list', targets: [{ accountId: '111111111111', roleName: 'Sweeper', regions: ['eu-west-1'] }] },
 *   { accountId: '999999999999', region: 'eu-west-1' })
 * // => { targets: [{ accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/Sweeper' }], failed: [] }
 */
export function resolveTargetList(
  setting: TargetsSetting | null | undefined,
  home: TargetRef,
  organizationAccounts: readonly OrganizationAccount[] = [],
  enabled: ReadonlyMap<string, EnabledRegions> = new Map(),
): ResolvedTargets {
  const selected = selectAccounts(setting, home, organizationAccounts);
  return expandTargets(selected.accounts, enabled, selected.failed);
}

/** The accounts whose Regions must be read (`regions: all`), in order. */
export function accountsNeedingRegions(accounts: readonly AccountSelection[]): AccountSelection[] {
  return accounts.filter((a) => a.regions === 'all');
}

/** Whether a setting needs the organization's accounts, and their OU chains. */
export function organizationNeeds(setting: TargetsSetting | null | undefined): { accounts: boolean; ous: boolean } {
  if (setting?.kind !== 'organization') return { accounts: false, ous: false };
  return { accounts: true, ous: setting.ous.include.length > 0 || setting.ous.exclude.length > 0 };
}

/** Sorted by account id, then Region (a whole-account failure, with no Region, first). */
export function sortTargets<T extends { accountId: string; region?: string | undefined }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => compare(a.accountId, b.accountId) || compare(a.region ?? '', b.region ?? ''));
}

/**
 * The rules' targets in a line for `validate` and logs: the caller's own account, the list, or
 * the organization with its filters.
 */
export function describeTargetsSetting(setting: TargetsSetting | null | undefined): string {
  if (setting === null || setting === undefined) return "the caller's own account and Region";
  const regions = (r: TargetRegions) => (r === 'all' ? 'all enabled Regions' : r.join(', '));
  if (setting.kind === 'list') {
    const entries = setting.targets.map((t) => {
      const role = t.roleArn ?? t.roleName;
      return `${t.accountId} (${role !== undefined ? `role ${role}` : 'own credentials'}${t.externalId !== undefined ? ', external id' : ''}): ${regions(t.regions)}`;
    });
    return `${setting.targets.length} listed: ${entries.join('; ')}`;
  }
  const filters = [
    setting.accounts.include.length ? `accounts ${setting.accounts.include.join(', ')}` : '',
    setting.ous.include.length ? `under ${setting.ous.include.join(', ')}` : '',
  ].filter(Boolean);
  const excluded = [...setting.accounts.exclude, ...setting.ous.exclude];
  return (
    `the organization's ACTIVE accounts${filters.length ? ` (${filters.join(' and ')})` : ''}${excluded.length ? `, except ${excluded.join(', ')}` : ''}` +
    `, through role ${setting.roleName}${setting.externalId !== undefined ? ' with an external id' : ''}: ${regions(setting.regions)}`
  );
}

function dedupeFailed(list: readonly FailedTarget[]): FailedTarget[] {
  const seen = new Set<string>();
  return list.filter((f) => {
    const key = `${f.accountId}/${f.region ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
