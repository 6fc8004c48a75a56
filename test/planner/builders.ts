/** Small builders for planner tests: images "N days ago", rules and rule sets with safe defaults. */
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { Condition, Policy, Rule, RuleSet, Selection } from '../../lib/core/rules-model.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Evaluation time used by the tests: 2026-06-01T00:00:00Z. */
export const NOW = Date.UTC(2026, 5, 1);

/** A 64-hex digest derived from a short name, so tests read `d('A')` and stay valid sha256 shape. */
export function d(name: string): string {
  let hex = '';
  for (const ch of name) hex += ch.charCodeAt(0).toString(16).padStart(2, '0');
  return `sha256:${hex.padEnd(64, '0').slice(0, 64)}`;
}

/** An image named `name` (digest d(name)), pushed `daysAgo` days before NOW. */
export function img(name: string, daysAgo: number, tags: string[] = [], extra: Partial<ImageRecord> = {}): ImageRecord {
  return { imageDigest: d(name), imageTags: tags, imagePushedAt: NOW - daysAgo * DAY, imageSizeInBytes: 1000, ...extra };
}

export function selection(partial: Partial<Selection> = {}): Selection {
  return { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard', ...partial };
}

export function rule(id: string, sel: Partial<Selection>, condition: Condition, action: Rule['action'] = { type: 'expire' }): Rule {
  return { id, selection: selection(sel), condition, action };
}

export const count = (n: number, orderBy: 'pushedAt' | 'semver' = 'pushedAt'): Condition => ({ type: 'imageCountMoreThan', count: n, orderBy });
export const pushedDays = (days: number): Condition => ({ type: 'sinceImagePushed', ms: days * DAY });

export function policy(rules: Rule[], name = 'main', include: string[] = ['**']): Policy {
  return { name, repositories: { include, exclude: [] }, rules, origin: 'rules' };
}

export function ruleSet(rules: Rule[], over: { minAgeMs?: number; protectTags?: string[]; protectRepos?: string[]; maxPercent?: number | null; maxRun?: number | null; policies?: Policy[] } = {}): RuleSet {
  return {
    defaults: {
      mode: 'dry-run',
      minAgeMs: over.minAgeMs ?? 0,
      maxDeletionsPerRun: over.maxRun ?? null,
      maxDeletePercentPerRepository: over.maxPercent ?? null,
    },
    protect: { tags: over.protectTags ?? [], repositories: over.protectRepos ?? [] },
    policies: over.policies ?? [policy(rules)],
  };
}
