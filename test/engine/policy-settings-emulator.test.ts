/**
 * Per-policy settings and compound rules end to end (issue 13 §1): a rules file parsed from YAML,
 * swept on the ECR emulator through the real AWS SDK over HTTP. Payments keeps 30 days of grace,
 * the rest 3; releases go only when beyond the newest 2 AND older than 20 days; a policy in
 * dry-run plans but never deletes; a policy saying apply never makes a dry run delete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateImage } from '../../emulator/index.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import { imageKeys, startFixture, type EmulatorFixture } from './support/emulator.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const DAY = 86_400_000;

const RULES = (paymentsMode = '') =>
  parseRules(
    [
      'version: 1',
      'defaults: { mode: dry-run, minAge: 3d }',
      'protect: { tags: [latest] }',
      'policies:',
      '  - name: payments',
      '    repositories: { include: ["payments/**"] }',
      '    minAge: 30d',
      ...(paymentsMode ? [`    mode: ${paymentsMode}`] : []),
      '    rules: &rules',
      '      - id: releases',
      '        select: { tagStatus: tagged, tagPatterns: ["*.*.*"] }',
      '        when: { imageCountMoreThan: 2, orderBy: semver, sinceImagePushed: 20d }',
      '      - id: untagged',
      '        select: { tagStatus: untagged }',
      '        when: { sinceImagePushed: 7d }',
      '  - name: legacy',
      '    repositories: { include: ["legacy/**"] }',
      '    mode: dry-run',
      '    rules: *rules',
      '  - name: rest',
      '    repositories: { include: ["**"] }',
      '    rules: *rules',
    ].join('\n'),
    { file: 'teams.yml' },
  );

// 1.4.0 and 1.3.0 are the newest two versions; 1.1.0 is beyond them and older than 20d but younger than 30d.
const IMAGES: StateImage[] = [
  { tags: ['1.0.0'], pushedAt: '-50d' },
  { tags: ['1.1.0'], pushedAt: '-25d' },
  { tags: ['1.2.0'], pushedAt: '-40d' },
  { tags: ['1.3.0'], pushedAt: '-5d' },
  { tags: ['1.4.0'], pushedAt: '-4d' },
  { pushedAt: '-10d', seed: 'u10' },
  { pushedAt: '-40d', seed: 'u40' },
];

let fixture: EmulatorFixture | undefined;
afterEach(async () => {
  await fixture?.emulator.stop();
  fixture = undefined;
});

async function start(): Promise<EmulatorFixture> {
  fixture = await startFixture({
    now: NOW_ISO,
    state: { repositories: ['payments/api', 'shop/web', 'legacy/app'].map((name) => ({ name, images: IMAGES })) },
  });
  return fixture;
}

/** What remains in a repository: tags, or "untagged <age>d" for untagged images. */
function remaining(f: EmulatorFixture, repository: string): string[] {
  return f.emulator
    .images(repository)
    .map((i) => (i.imageTags.length ? i.imageTags.join(',') : `untagged ${Math.round((NOW - i.imagePushedAt) / DAY)}d`))
    .sort();
}

describe('per-policy settings and compound rules on the emulator', () => {
  it('apply honours the policy minAge, the compound rule and a dry-run policy', async () => {
    const f = await start();
    const { plan, result } = await runSweep({ registry: ecrRegistry(f.ecr) }, { ruleSet: RULES(), mode: 'apply', now: NOW });

    // The rest (minAge 3d): releases beyond the newest 2 and older than 20d, untagged older than 7d.
    expect(remaining(f, 'shop/web')).toEqual(['1.3.0', '1.4.0']);
    // Payments (minAge 30d): 1.1.0 (25d) and the 10-day-old untagged image are in their grace period.
    expect(remaining(f, 'payments/api')).toEqual(['1.1.0', '1.3.0', '1.4.0', 'untagged 10d']);
    // Legacy is dry-run: planned like the rest, nothing deleted.
    expect(remaining(f, 'legacy/app')).toHaveLength(IMAGES.length);

    const payments = result.repositories.find((r) => r.repositoryName === 'payments/api')!;
    const tagged = (tag: string) => payments.images.find((i) => i.imageTags.includes(tag))!;
    expect(tagged('1.1.0').reason).toBe("keep: younger than minAge 30d of policy 'payments' (pushed 25d ago) (rule releases would delete it)");
    expect(tagged('1.0.0')).toMatchObject({
      reason: "delete: 5th highest version (1.0.0) of 'releases' (rule keeps 2) and pushed 50d ago > 20d",
      outcome: { status: 'deleted' },
    });
    expect(plan.repositories.find((r) => r.repositoryName === 'payments/api')!.settings).toMatchObject({ minAgeMs: { value: 30 * DAY, from: 'policy' } });

    const legacy = result.repositories.find((r) => r.repositoryName === 'legacy/app')!;
    expect(legacy.counts).toMatchObject({ planned: 5, deleted: 0, skipped: 0, wouldDelete: 5 });
    expect(legacy.statusReason).toBe('policy legacy is dry-run: planned, nothing deleted or archived');
    for (const image of legacy.images.filter((i) => i.decision === 'delete')) {
      expect(image.outcome).toEqual({ status: 'would-delete', reason: 'policy legacy is dry-run' });
    }
    expect(result.totals).toMatchObject({ deleted: 3 + 5, failed: 0 });
  });

  it("a policy's mode apply makes neither a plan nor a sweep under dry-run defaults delete", async () => {
    const f = await start();
    const before = imageKeys(f.emulator);
    const rules = RULES('apply');
    const plan = await buildPlan({ registry: ecrRegistry(f.ecr) }, { ruleSet: rules, now: NOW });
    expect(plan.summary.delete).toBeGreaterThan(0);
    // No mode given: the rules' defaults.mode (dry-run) decides, whatever payments says.
    const { result } = await runSweep({ registry: ecrRegistry(f.ecr) }, { ruleSet: rules, now: NOW });
    expect(result.mode).toBe('dry-run');
    expect(result.totals.deleted).toBe(0);
    expect(f.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(imageKeys(f.emulator)).toEqual(before);
  });
});
