/**
 * `npm start`'s demo function: the emulator with the generated registry, a plan with the shipped
 * default rules, the table, and the reports, all without AWS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerate } from '../../emulator/cli-args.js';
import { resolveGeneratorOptions } from '../../emulator/generator.js';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { DEMO_NOW, DEMO_REGISTRY, demoGenerateSpec, runDemo } from '../../lib/cli/demo.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { useTempDir } from './cli-harness.js';
import { capturedIo } from './in-process-io.js';

const temp = useTempDir();

describe('runDemo', () => {
  it('plans the sample registry with rules/default.yml, prints the table and the report path, and exits 0', async () => {
    // No AWS settings at all: the demo must not depend on the developer's environment.
    const cap = capturedIo({ env: {}, cwd: temp.dir });
    const code = await runDemo({ io: cap.io, reportsDir: join(temp.dir, 'reports') });
    expect(cap.stderr()).toBe('');
    expect(code).toBe(0);

    const out = cap.stdout();
    expect(out).toContain(`Plan (dry run: nothing is deleted) evaluated at ${DEMO_NOW}`);
    expect(out).toMatch(/Total: \d{2} repositories/);
    const html = join(temp.dir, 'reports', 'report.html');
    expect(out).toContain(`Report: ${html}`);
    expect(existsSync(html)).toBe(true);

    // The sample registry has every kind of manifest, and the default rules find work in it.
    const plan = JSON.parse(readFileSync(join(temp.dir, 'reports', 'plan.json'), 'utf8')) as Plan;
    const images = plan.repositories.flatMap((r) => r.images);
    expect(plan.repositories.length).toBeGreaterThanOrEqual(24);
    expect(images.length).toBeGreaterThanOrEqual(2000);
    for (const role of ['image', 'index', 'child', 'referrer'] as const) expect(images.some((i) => i.role === role), role).toBe(true);
    expect(images.some((i) => i.imageTags.length === 0)).toBe(true);
    expect(plan.summary.delete).toBeGreaterThan(0);
    expect(plan.summary.keep).toBeGreaterThan(0);

    // Every shipped default rule is seen at work: at least one deletion each.
    const { policies } = await loadRulesFile(join(import.meta.dirname, '..', '..', 'rules', 'default.yml'));
    const ruleIds = policies.flatMap((p) => p.rules.map((r) => r.id));
    expect(ruleIds).toEqual(['pr-builds', 'branch-builds', 'main-builds', 'release-candidates', 'untagged']);
    const deletions = new Map<string, number>();
    for (const image of images) if (image.decision === 'delete' && image.rule !== null) deletions.set(image.rule, (deletions.get(image.rule) ?? 0) + 1);
    for (const id of ruleIds) expect(deletions.get(id) ?? 0, `deletions by rule ${id}`).toBeGreaterThanOrEqual(1);
    // Nothing is blocked: the demo shows the rules, not the safety limits.
    expect(plan.summary.blockedRepositories).toBe(0);
  });

  it('prints an npm run emulator command that serves the very same registry', async () => {
    const cap = capturedIo({ env: {}, cwd: temp.dir });
    expect(await runDemo({ io: cap.io, reportsDir: join(temp.dir, 'spec') })).toBe(0);
    expect(cap.stdout()).toContain(`npm run emulator -- --generate ${demoGenerateSpec()} --now ${DEMO_NOW}`);
    expect(resolveGeneratorOptions(parseGenerate(demoGenerateSpec()))).toEqual(resolveGeneratorOptions(DEMO_REGISTRY));
  });

  it('prints the same plan on every run (fixed seed and clock)', async () => {
    const runOnce = async (name: string) => {
      const cap = capturedIo({ env: {}, cwd: temp.dir });
      expect(await runDemo({ io: cap.io, reportsDir: join(temp.dir, name) })).toBe(0);
      // The report path differs by directory; everything else must not.
      return cap.stdout().replaceAll(join(temp.dir, name), '<reports>');
    };
    expect(await runOnce('a')).toBe(await runOnce('b'));
  });
});
