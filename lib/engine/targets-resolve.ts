/**
 * Target resolution for the drivers (CLI, Lambda, state machine): the rules' `targets:` or
 * `organization:` read against AWS through ports the drivers wire to adapters (the
 * organization's accounts, each `regions: all` account's enabled Regions), then resolved by the
 * pure core (lib/core/targets.ts). The home target is the caller's account (STS
 * GetCallerIdentity) in the configured Region. An account whose Regions cannot be read is a failed
 * target; an organization that cannot be listed stops the run (no target is known).
 */
import type { RuleSet } from '../core/rules-model.js';
import {
  accountsNeedingRegions,
  expandTargets,
  organizationNeeds,
  selectAccounts,
  type AccountSelection,
  type EnabledRegions,
  type OrganizationAccount,
  type ResolvedTargets,
  type TargetRef,
} from '../core/targets.js';
import { TargetError } from './errors.js';

/** What resolution reads, as ports; `awsTargetResolution` (lib/adapters/target-resolution-aws.ts) wires them to AWS. */
export interface TargetResolutionDeps {
  /** The caller's own account and the run's Region. */
  home: () => Promise<TargetRef>;
  /** The organization's accounts (with their OU chains when asked); called only for `organization:`. */
  organizationAccounts: (options: { ouChains: boolean }) => Promise<OrganizationAccount[]>;
  /** An account's enabled Regions, read as that account (its role); called only for `regions: all`. */
  enabledRegions: (account: AccountSelection, home: TargetRef) => Promise<string[]>;
  /** Accounts whose Regions are read at once (default 8): DescribeRegions is cheap, Organizations and STS are not unlimited. */
  concurrency?: number;
}

/** Targets, failed targets and the home target they were resolved from. */
export interface TargetResolution extends ResolvedTargets {
  home: TargetRef;
}

/**
 * Resolves the rules' targets. Without `targets:`/`organization:`, the one home target (no role).
 *
 * @example
 * const { targets, failed } = await resolveTargets(ruleSet, awsTargetResolution(settings, runId));
 * @throws OrganizationAccessError when the organization cannot be listed; whatever `home` throws.
 */
export async function resolveTargets(ruleSet: Pick<RuleSet, 'targets'>, deps: TargetResolutionDeps): Promise<TargetResolution> {
  const home = await deps.home();
  const needs = organizationNeeds(ruleSet.targets);
  const organization = needs.accounts ? await deps.organizationAccounts({ ouChains: needs.ous }) : [];
  const selected = selectAccounts(ruleSet.targets, home, organization);
  const enabled = new Map<string, EnabledRegions>();
  const pending = accountsNeedingRegions(selected.accounts);
  const limit = Math.max(1, deps.concurrency ?? 8);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < pending.length; i = next++) {
      const account = pending[i] as AccountSelection;
      try {
        enabled.set(account.accountId, { regions: await deps.enabledRegions(account, home) });
      } catch (error) {
        const code = error instanceof TargetError ? error.code : typeof (error as { name?: unknown })?.name === 'string' ? String((error as { name: string }).name) : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        enabled.set(account.accountId, { error: { code, message } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, pending.length) }, worker));
  return { home, ...expandTargets(selected.accounts, enabled, selected.failed) };
}
