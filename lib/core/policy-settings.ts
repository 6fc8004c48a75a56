/**
 * The settings that apply to a repository: the run-wide `defaults` and `protect`, with its
 * governing policy's own values on top. A policy value overrides the default; protection
 * lists only ever add (a policy cannot unprotect what the run protects). Every value records
 * where it came from, so reasons and reports can say "minAge 30d (policy payments)".
 */
import { formatSpan } from './plan-reasons.js';
import type { Mode, Policy, RuleSet } from './rules-model.js';

/** Where an applied value came from: the run-wide `defaults`/`protect`, or the governing policy. */
export type SettingSource = 'defaults' | 'policy';

/** One applied value and its source. */
export interface AppliedValue<T> {
  value: T;
  from: SettingSource;
}

/** The settings that governed a repository's plan (recorded in the plan for reports). */
export interface AppliedSettings {
  /** The policy the values marked `from: 'policy'` came from. */
  policy: string;
  /**
   * The rules' mode for this repository. Only `dry-run` from the policy changes anything: it holds
   * the repository back in an apply run. A policy's `apply` never makes a dry run delete.
   */
  mode: AppliedValue<Mode>;
  minAgeMs: AppliedValue<number>;
  /** The percentage cap; null = none. */
  maxDeletePercentPerRepository: AppliedValue<number | null>;
  /** The policy's own deletion budget (within the run-wide one); null when the policy sets none. */
  policyMaxDeletionsPerRun: number | null;
  /** Protected tag patterns: the run-wide ones first, then the policy's. */
  protectTags: readonly AppliedValue<string>[];
}

/**
 * The settings that apply to repositories governed by `policy`.
 *
 * @example appliedSettings(ruleSet.policies[0], ruleSet).minAgeMs // { value: 2592000000, from: 'policy' }
 */
export function appliedSettings(policy: Policy, ruleSet: Pick<RuleSet, 'defaults' | 'protect'>): AppliedSettings {
  const s = policy.settings ?? {};
  const pick = <T>(own: T | undefined, fallback: T): AppliedValue<T> =>
    own !== undefined ? { value: own, from: 'policy' } : { value: fallback, from: 'defaults' };
  return {
    policy: policy.name,
    mode: pick(s.mode, ruleSet.defaults.mode),
    minAgeMs: pick(s.minAgeMs, ruleSet.defaults.minAgeMs),
    maxDeletePercentPerRepository: pick<number | null>(s.maxDeletePercentPerRepository, ruleSet.defaults.maxDeletePercentPerRepository),
    policyMaxDeletionsPerRun: s.maxDeletionsPerRun ?? null,
    protectTags: [
      ...ruleSet.protect.tags.map((value): AppliedValue<string> => ({ value, from: 'defaults' })),
      ...(s.protect?.tags ?? []).map((value): AppliedValue<string> => ({ value, from: 'policy' })),
    ],
  };
}

/** " (policy payments)" for a value the policy set, "" for a run-wide one: reasons append it. */
export function sourceNote(from: SettingSource, policy: string): string {
  return from === 'policy' ? ` (policy ${policy})` : '';
}

/**
 * The policy that holds a repository back, when its settings say `mode: dry-run`: its planned
 * deletions and transitions are shown, never carried out, whatever the run's mode.
 */
export function heldBackBy(settings: AppliedSettings | undefined): string | undefined {
  return settings?.mode.from === 'policy' && settings.mode.value === 'dry-run' ? settings.policy : undefined;
}

/**
 * The values a repository's policy set (not those from `defaults`), for reports: "minAge 30d",
 * "protect.tags + release-*". Empty when every value came from the run-wide settings.
 *
 * @example policyValues(plan.settings) // ['minAge 30d', 'maxDeletePercentPerRepository 20%']
 */
export function policyValues(settings: AppliedSettings | undefined): string[] {
  if (!settings) return [];
  const out: string[] = [];
  if (settings.mode.from === 'policy') out.push(`mode ${settings.mode.value}`);
  if (settings.minAgeMs.from === 'policy') out.push(`minAge ${formatSpan(settings.minAgeMs.value)}`);
  const pct = settings.maxDeletePercentPerRepository;
  if (pct.from === 'policy' && pct.value !== null) out.push(`maxDeletePercentPerRepository ${pct.value}%`);
  if (settings.policyMaxDeletionsPerRun !== null) out.push(`maxDeletionsPerRun ${settings.policyMaxDeletionsPerRun}`);
  const tags = settings.protectTags.filter((t) => t.from === 'policy').map((t) => t.value);
  if (tags.length) out.push(`protect.tags + ${tags.join(', ')}`);
  return out;
}

/**
 * What a policy sets over the run-wide settings, one phrase each, for `validate` and reports:
 * "minAge 30d (defaults 1d)", "protect.tags + release-*". Empty when the policy sets nothing.
 *
 * @example describePolicySettings(payments, ruleSet) // ['minAge 30d (defaults 1d)', 'mode dry-run (holds it back in every run)']
 */
export function describePolicySettings(policy: Policy, ruleSet: Pick<RuleSet, 'defaults'>): string[] {
  const s = policy.settings;
  if (!s) return [];
  const d = ruleSet.defaults;
  const cap = (v: number | null, unit = '') => (v === null ? 'no cap' : `${v}${unit}`);
  const out: string[] = [];
  if (s.mode === 'dry-run') out.push('mode dry-run (planned, never deleted, in every run)');
  if (s.mode === 'apply') {
    out.push(d.mode === 'apply' ? 'mode apply' : 'mode apply (deletes only in an explicit apply run: defaults.mode is dry-run)');
  }
  if (s.minAgeMs !== undefined) out.push(`minAge ${formatSpan(s.minAgeMs)} (defaults ${formatSpan(d.minAgeMs)})`);
  if (s.maxDeletionsPerRun !== undefined) out.push(`maxDeletionsPerRun ${s.maxDeletionsPerRun} for its repositories (run-wide ${cap(d.maxDeletionsPerRun)})`);
  if (s.maxDeletePercentPerRepository !== undefined) {
    out.push(`maxDeletePercentPerRepository ${s.maxDeletePercentPerRepository}% (defaults ${cap(d.maxDeletePercentPerRepository, '%')})`);
  }
  if (s.protect?.tags.length) out.push(`protect.tags + ${s.protect.tags.join(', ')}`);
  if (s.protect?.repositories.length) out.push(`protect.repositories + ${s.protect.repositories.join(', ')}`);
  return out;
}
