/**
 * Several accounts and Regions: one registry (with its consumers) per account and Region, the
 * roles STS AssumeRole knows, and the Regions an account has not enabled. Until an `accounts`
 * section is loaded the emulator is region-less as it always was (every request reaches the default
 * registry, whatever the SDK's Region); once one is, requests route by caller account and SigV4
 * Region, and a pair nothing was loaded into is an empty registry, like a fresh Region.
 */
import { generateConsumers, wantsConsumers, type ImageSource } from './consumers/generate.js';
import { loadConsumers } from './consumers/load.js';
import { Consumers } from './consumers/model.js';
import { EmulatorStateError } from './errors.js';
import { validateFaults } from './faults.js';
import { generateRepositories, type GeneratorOptions } from './generator.js';
import type { Principals } from './principals.js';
import type { Registry } from './registry.js';
import type { RateLimit, StateAccount, StateRegion, StateRole } from './types.js';
import type { StateOrganization, StateOrganizationalUnit } from './organization.js';

/** One account and Region: its registry, consumers and (optional) own rate limits. */
export interface Target {
  accountId: string;
  region: string;
  /** `<account>/<region>`: the key of its token buckets and counters. */
  key: string;
  registry: Registry;
  consumers: Consumers;
  /** Replaces the emulator-wide `rateLimits` for this account and Region when set. */
  rateLimits?: Partial<Record<string, RateLimit>>;
}

/** A role AssumeRole may assume. */
export interface Role {
  arn: string;
  accountId: string;
  /** The last segment of the name: what the session ARN `assumed-role/<name>/<session>` shows. */
  shortName: string;
  trustedPrincipals: readonly string[];
  externalId?: string;
  assumable: boolean;
  maxSessionDuration: number;
}

const ACCOUNT_RE = /^[0-9]{12}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

/** The `<account>/<region>` key of a target. */
export function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** Every account and Region the emulator serves. */
export class Accounts {
  private readonly targets = new Map<string, Target>();
  private readonly notEnabled = new Map<string, Set<string>>();
  /** Regions an account declares (its `regions` keys, or its explicit `enabledRegions`): what DescribeRegions lists. */
  private readonly declared = new Map<string, Set<string>>();
  readonly roles = new Map<string, Role>();
  /** True once an `accounts` section was loaded: requests route by account and Region. */
  routed = false;

  constructor(
    readonly defaultAccount: string,
    readonly defaultRegion: string,
    private readonly makeRegistry: (accountId: string, region: string) => Registry,
    defaultRegistry: Registry,
    defaultConsumers: Consumers,
  ) {
    this.targets.set(targetKey(defaultAccount, defaultRegion), { accountId: defaultAccount, region: defaultRegion, key: targetKey(defaultAccount, defaultRegion), registry: defaultRegistry, consumers: defaultConsumers });
  }

  /** The default account's default Region: the single registry of the region-less emulator. */
  get default(): Target {
    return this.target(this.defaultAccount, this.defaultRegion);
  }

  /** The target of an account and Region, created empty on first use. */
  target(accountId: string, region: string): Target {
    const key = targetKey(accountId, region);
    let found = this.targets.get(key);
    if (!found) {
      const registry = this.makeRegistry(accountId, region);
      found = { accountId, region, key, registry, consumers: new Consumers(accountId, region) };
      this.targets.set(key, found);
    }
    return found;
  }

  /** Where a request goes: by account and Region once routed, else always the default. */
  route(accountId: string, region: string | undefined): Target {
    return this.routed ? this.target(accountId, region ?? this.defaultRegion) : this.default;
  }

  /** False for a Region the account has not enabled (only once routed). */
  isEnabled(accountId: string, region: string | undefined): boolean {
    return !this.routed || region === undefined || !this.notEnabled.get(accountId)?.has(region);
  }

  /**
   * What EC2 DescribeRegions answers for an account: its `enabledRegions` if the state gives them,
   * else the Regions of its `regions` section (the default account also has the default Region),
   * less the Regions it has not enabled; and those not enabled. Both sorted.
   */
  regionsOf(accountId: string): { enabled: string[]; notEnabled: string[] } {
    const notEnabled = this.notEnabled.get(accountId) ?? new Set<string>();
    const declared = new Set(this.declared.get(accountId));
    if (accountId === this.defaultAccount && !this.explicitRegions.has(accountId)) declared.add(this.defaultRegion);
    return { enabled: [...declared].filter((r) => !notEnabled.has(r)).sort(), notEnabled: [...notEnabled].sort() };
  }

  private readonly explicitRegions = new Set<string>();

  /** The targets made so far (seeded or touched by a request), default first. */
  all(): Target[] {
    return [...this.targets.values()];
  }

  /** Empties every registry and every consumer list (roles and keys stay). */
  clear(): void {
    for (const t of this.targets.values()) {
      t.registry.clear();
      t.consumers.clear();
    }
  }

  /**
   * Loads an `accounts` section: roles, keys, not-enabled Regions, then each Region's repositories,
   * generated content and consumers. EmulatorStateError names the first bad entry's path.
   */
  load(accounts: Record<string, StateAccount>, principals: Principals, now: number, path = 'accounts'): void {
    if (typeof accounts !== 'object' || accounts === null || Array.isArray(accounts)) {
      throw new EmulatorStateError(path, 'must be an object keyed by 12-digit account id, like { "111111111111": { "regions": { "eu-west-1": { "repositories": [] } } } }');
    }
    this.routed = true;
    for (const [accountId, account] of Object.entries(accounts)) {
      const where = `${path}.${accountId}`;
      if (!ACCOUNT_RE.test(accountId)) throw new EmulatorStateError(where, 'an account id is 12 digits');
      if (typeof account !== 'object' || account === null || Array.isArray(account)) throw new EmulatorStateError(where, 'must be an object with "regions", "roles", "accessKeys", "regionsNotEnabled" or "enabledRegions"');
      const known = new Set(['regions', 'roles', 'accessKeys', 'regionsNotEnabled', 'enabledRegions']);
      for (const k of Object.keys(account)) if (!known.has(k)) throw new EmulatorStateError(`${where}.${k}`, `unknown member; an account has ${[...known].join(', ')}`);
      for (const [i, role] of (listOf(account.roles, `${where}.roles`) as StateRole[]).entries()) this.addRole(accountId, role, `${where}.roles[${i}]`);
      for (const [key, arn] of Object.entries(objectOf(account.accessKeys, `${where}.accessKeys`))) {
        const given = arn === null || arn === undefined ? `arn:aws:iam::${accountId}:user/${key}` : arn;
        if (typeof given !== 'string' || !new RegExp(`^arn:aws:(iam|sts)::${accountId}:`).test(given)) {
          throw new EmulatorStateError(`${where}.accessKeys.${key}`, `must be a principal ARN of account ${accountId} (arn:aws:iam::${accountId}:user/NAME, …) or null`);
        }
        principals.addKey(key, given);
      }
      for (const [i, region] of listOf(account.regionsNotEnabled, `${where}.regionsNotEnabled`).entries()) {
        if (typeof region !== 'string' || region === '') throw new EmulatorStateError(`${where}.regionsNotEnabled[${i}]`, 'must be a Region name like "ap-east-1"');
        let set = this.notEnabled.get(accountId);
        if (!set) this.notEnabled.set(accountId, (set = new Set()));
        set.add(region);
      }
      let declared = this.declared.get(accountId);
      if (!declared) this.declared.set(accountId, (declared = new Set()));
      if (account.enabledRegions !== undefined) {
        this.explicitRegions.add(accountId);
        for (const [i, region] of listOf(account.enabledRegions, `${where}.enabledRegions`).entries()) {
          if (typeof region !== 'string' || !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) throw new EmulatorStateError(`${where}.enabledRegions[${i}]`, 'must be a Region name like "eu-west-1"');
          declared.add(region);
        }
      }
      for (const [region, section] of Object.entries(objectOf(account.regions, `${where}.regions`))) {
        if (!this.explicitRegions.has(accountId)) declared.add(region);
        this.loadRegion(this.target(accountId, region), section as StateRegion, now, `${where}.regions.${region}`);
      }
    }
  }

  private addRole(accountId: string, role: StateRole, where: string): void {
    if (typeof role !== 'object' || role === null) throw new EmulatorStateError(where, 'must be an object like { "name": "EcrSweeperTarget" }');
    if (typeof role.name !== 'string' || !ROLE_NAME_RE.test(role.name) || role.name.length > 64 * 4) throw new EmulatorStateError(`${where}.name`, `${JSON.stringify(role.name)} is not a role name (letters, digits and +=,.@_- ; a path with /)`);
    const trusted = role.trustedPrincipals ?? ['*'];
    if (!Array.isArray(trusted) || !trusted.every((p) => typeof p === 'string' && (p === '*' || ACCOUNT_RE.test(p) || p.startsWith('arn:')))) {
      throw new EmulatorStateError(`${where}.trustedPrincipals`, 'must list account ids, principal ARNs or "*"');
    }
    if (role.externalId !== undefined && (typeof role.externalId !== 'string' || role.externalId.length < 2 || role.externalId.length > 1224)) {
      throw new EmulatorStateError(`${where}.externalId`, 'must be a string of 2-1224 characters');
    }
    if (role.assumable !== undefined && typeof role.assumable !== 'boolean') throw new EmulatorStateError(`${where}.assumable`, 'must be true or false');
    const max = role.maxSessionDuration ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43_200) throw new EmulatorStateError(`${where}.maxSessionDuration`, 'must be whole seconds from 3600 to 43200');
    const arn = `arn:aws:iam::${accountId}:role/${role.name}`;
    this.roles.set(arn, {
      arn,
      accountId,
      shortName: role.name.slice(role.name.lastIndexOf('/') + 1),
      trustedPrincipals: trusted,
      ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
      assumable: role.assumable ?? true,
      maxSessionDuration: max,
    });
  }

  private loadRegion(target: Target, section: StateRegion, now: number, where: string): void {
    if (typeof section !== 'object' || section === null || Array.isArray(section)) throw new EmulatorStateError(where, 'must be an object with the state sections (repositories, ecs, lambda, batch, apprunner), generate or rateLimits');
    if (section.repositories !== undefined) target.registry.loadState({ repositories: section.repositories }, `${where}.`);
    if (section.generate !== undefined) {
      for (const repo of generateRepositories(section.generate)) target.registry.loadRepository(repo, now, `${where}.generate.repositories[${repo.index}]`);
    }
    loadConsumers(section, target.consumers, target.registry, now);
    if (section.generate !== undefined && wantsConsumers(section.generate.consumers)) {
      loadConsumers(generateConsumers(section.generate.consumers ?? {}, imageSourceOf(target.registry), section.generate.seed ?? 1), target.consumers, target.registry, now);
    }
    if (section.rateLimits !== undefined) {
      try {
        validateFaults({ rateLimits: section.rateLimits });
      } catch (cause) {
        throw new EmulatorStateError(`${where}.rateLimits`, (cause as Error).message, { cause });
      }
      target.rateLimits = section.rateLimits;
    }
  }
}

/** What generated consumers can reference: each repository's ACTIVE top-level images (no index children, no referrers). */
export function imageSourceOf(registry: Registry): ImageSource {
  return {
    repositories: registry.repositories().map((r) => r.name),
    imagesOf: (name) => {
      const repo = registry.find(name);
      if (!repo) return [];
      return [...repo.list()].filter((img) => img.status === 'ACTIVE' && img.subjectDigest === undefined && !repo.parents.has(img.digest)).map((img) => ({ digest: img.digest, tags: [...img.tags] }));
    },
  };
}

function listOf(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new EmulatorStateError(where, 'must be a list');
  return value;
}

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EmulatorStateError(where, 'must be an object');
  return value as Record<string, unknown>;
}

/** Options of {@link generateOrganization}. */
export interface OrganizationOptions {
  /** Account ids, or a count: `111111111111`, `222222222222`, … (at most 9). */
  accounts: string[] | number;
  regions: string[];
  /** Each account and Region's generated registry; its seed is varied per target so they differ. */
  generate: GeneratorOptions;
  /** Each account and Region's own token buckets (ECR's limits are per account and Region). */
  rateLimits?: Partial<Record<string, RateLimit>>;
  /** The role every account declares for AssumeRole. Default `EcrSweeperTarget`. */
  roleName?: string;
  /** Who may assume it; default every caller. */
  trustedPrincipals?: string[];
  externalId?: string;
}

/**
 * An `accounts` section of N accounts × M Regions, each a generated registry with its own rate
 * limits and one assumable role per account: the test ground of multi-account runs and their
 * benchmark (`startEmulator({ accounts: generateOrganization(…) })`).
 */
export function generateOrganization(options: OrganizationOptions): Record<string, StateAccount> {
  const ids = typeof options.accounts === 'number' ? Array.from({ length: options.accounts }, (_, i) => String(i + 1).repeat(12)) : options.accounts;
  if (typeof options.accounts === 'number' && (options.accounts < 1 || options.accounts > 9)) throw new EmulatorStateError('accounts', 'a count of accounts is 1-9; list the ids for more');
  const baseSeed = options.generate.seed ?? 1;
  const role: StateRole = {
    name: options.roleName ?? 'EcrSweeperTarget',
    ...(options.trustedPrincipals !== undefined ? { trustedPrincipals: options.trustedPrincipals } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
  };
  return Object.fromEntries(
    ids.map((accountId, a) => [
      accountId,
      {
        roles: [role],
        regions: Object.fromEntries(
          options.regions.map((region, r) => [
            region,
            { generate: { ...options.generate, seed: baseSeed + a * options.regions.length + r }, ...(options.rateLimits !== undefined ? { rateLimits: options.rateLimits } : {}) },
          ]),
        ),
      },
    ]),
  );
}

/** Options of {@link organizationSectionOf}. */
export interface OrganizationSectionOptions {
  /** Default: the emulator's default account (leave it out to keep that). */
  managementAccountId?: string;
  /** The OU tree. */
  organizationalUnits?: StateOrganizationalUnit[];
  /** Account id → its parent OU (absent: under the root). */
  parents?: Record<string, string>;
  /** Accounts that are SUSPENDED. */
  suspended?: string[];
}

/**
 * The `organization` section matching an `accounts` section (e.g. from {@link generateOrganization}):
 * every account a member, ACTIVE unless listed as suspended, under the root unless given a parent.
 *
 * @example
 * const accounts = generateOrganization({ accounts: 3, regions: ['eu-west-1'], generate: { repositories: 5 } });
 * await startEmulator({ accounts, organization: organizationSectionOf(accounts, { managementAccountId: '999999999999' }) });
 */
export function organizationSectionOf(accounts: Record<string, StateAccount> | readonly string[], options: OrganizationSectionOptions = {}): StateOrganization {
  const ids = Array.isArray(accounts) ? [...accounts] : Object.keys(accounts);
  const suspended = new Set(options.suspended ?? []);
  return {
    ...(options.managementAccountId !== undefined ? { managementAccountId: options.managementAccountId } : {}),
    ...(options.organizationalUnits !== undefined ? { organizationalUnits: options.organizationalUnits } : {}),
    accounts: ids.map((id) => ({
      id,
      ...(suspended.has(id) ? { status: 'SUSPENDED' as const } : {}),
      ...(options.parents?.[id] !== undefined ? { parent: options.parents[id] } : {}),
    })),
  };
}
