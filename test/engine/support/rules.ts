/** Hand-built rule sets for engine tests (the YAML loader is tested elsewhere). */
import type { Rule, RuleSet } from '../../../lib/core/rules-model.js';

export const DAY = 86_400_000;

/** Expire untagged images pushed more than `days` ago. */
export function untaggedOlderThan(days: number, id = 'untagged-old'): Rule {
  return {
    id,
    selection: { tagStatus: 'untagged', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' },
    condition: { type: 'sinceImagePushed', ms: days * DAY },
    action: { type: 'expire' },
  };
}

/** Keep the newest `count` images matching `patterns` (tagged). */
export function keepNewest(count: number, patterns: string[], id = 'keep-newest'): Rule {
  return {
    id,
    selection: { tagStatus: 'tagged', tagPatterns: patterns, excludeTagPatterns: [], storageClass: 'standard' },
    condition: { type: 'imageCountMoreThan', count, orderBy: 'pushedAt' },
    action: { type: 'expire' },
  };
}

/** A rule set with one policy over `include` (default every repository). */
export function ruleSet(rules: Rule[], overrides: Partial<RuleSet['defaults']> = {}, include = ['**']): RuleSet {
  return {
    defaults: { mode: 'dry-run', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null, ...overrides },
    protect: { tags: [], repositories: [] },
    policies: [{ name: 'test', repositories: { include, exclude: [] }, rules, origin: 'rules' }],
    source: 'test-rules.yml',
  };
}

/** Expire tagged images matching `patterns` pushed more than `days` ago. */
export function taggedOlderThan(days: number, patterns: string[], id = 'tagged-old'): Rule {
  return {
    id,
    selection: { tagStatus: 'tagged', tagPatterns: patterns, excludeTagPatterns: [], storageClass: 'standard' },
    condition: { type: 'sinceImagePushed', ms: days * DAY },
    action: { type: 'expire' },
  };
}
