/**
 * End to end from AWS's documented native policies: JSON (both tag-list forms) →
 * parseLifecyclePolicy → planRepository → exactly the expired set AWS documents.
 * Also through a rules file (`lifecyclePolicy:` inline) to cover the YAML path.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import { planRepository } from '../../lib/core/planner.js';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { ACCEPTANCE_CASES, type AcceptanceCase, type TagForm } from './native-examples.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

function inventory(c: AcceptanceCase): ImageRecord[] {
  return c.images.map((img, i) => ({
    imageDigest: `sha256:${(i + 1).toString(16).padStart(64, '0')}`,
    imageTags: img.tags,
    imagePushedAt: NOW - Math.round(img.ageDays * DAY),
    imageSizeInBytes: 1000,
    imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  }));
}

function expiredNames(c: AcceptanceCase, ruleSet: RuleSet): string[] {
  const images = inventory(c);
  const plan = planRepository({ repositoryName: 'repo', images }, ruleSet, NOW);
  const byDigest = new Map(images.map((img, i) => [img.imageDigest, c.images[i]!.name]));
  return plan.images.filter((i) => i.decision === 'delete').map((i) => byDigest.get(i.imageDigest)!).sort();
}

// ECR semantics exactly: no grace period, no limits, nothing protected.
const ecrDefaults = { mode: 'dry-run', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null } as const;

const cases = ACCEPTANCE_CASES.flatMap((c) => (['tagPatternList', 'tagPrefixList'] as TagForm[]).map((form) => [c.name, form, c] as const));

describe('AWS acceptance cases through the native parser and the planner', () => {
  it.each(cases)('%s (%s)', (_name, form, c) => {
    const rules = parseLifecyclePolicy(JSON.stringify(c.policy(form), null, 2));
    const ruleSet: RuleSet = {
      defaults: ecrDefaults,
      protect: { tags: [], repositories: [] },
      policies: [{ name: 'native', repositories: { include: ['**'], exclude: [] }, rules, origin: 'lifecyclePolicy' }],
    };
    expect(expiredNames(c, ruleSet)).toEqual(c.expired);
  });

  it.each(cases)('%s (%s) inline in a rules file', (_name, form, c) => {
    const text = stringify({
      version: 1,
      defaults: { minAge: '0s' },
      policies: [{ name: 'native', repositories: { include: ['**'] }, lifecyclePolicy: c.policy(form) }],
    });
    expect(expiredNames(c, parseRules(text))).toEqual(c.expired);
  });
});
