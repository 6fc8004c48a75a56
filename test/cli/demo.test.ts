/**
 * `npm start`'s demo function: the emulator with the generated registry, a plan with the shipped
 * default rules, the table, and the reports, all without AWS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerate } from '../../emulator/cli-args.js';
import { startEmulator } from '../../emulator/index.js';
import { resolveGeneratorOptions } from '../../emulator/generator.js';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { DEMO_LATER, DEMO_NOW, DEMO_REGISTRY, demoGenerateSpec, runDemo } from '../../lib/cli/demo.js';
import { DEMO_CLUSTER, demoConsumers } from '../../lib/cli/demo-consumers.js';
import { parseHistory } from '../../lib/core/report-history.js';
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

  it('shows in-use protection: what ECS, Lambda and the Kubernetes in-use file run is kept although a rule would delete it, naming the consumer', async () => {
    // The demo's choice of images, made again on the same registry (seeded, same clock).
    const registry = await startEmulator({ port: 0, generate: DEMO_REGISTRY, now: DEMO_NOW });
    const { picks } = demoConsumers(registry, Date.parse(DEMO_NOW));
    const children = registry.images(picks.kubernetes.repository).find((i) => i.imageDigest === picks.kubernetes.digest)?.childDigests ?? [];
    await registry.stop();
    expect(children.length).toBeGreaterThan(0);

    const cap = capturedIo({ env: {}, cwd: temp.dir });
    const reports = join(temp.dir, 'in-use');
    expect(await runDemo({ io: cap.io, reportsDir: reports })).toBe(0);
    const out = cap.stdout();
    // The summary line of each run: every source on by default (and the file the demo's rules add) scanned.
    expect(out.match(/^in use: [1-9]\d* images kept \(ECS [1-9]\d* usages, Lambda [1-9]\d*, in-use files 1; Batch off, App Runner off\)$/gm)).toHaveLength(2);
    expect(out).toContain('In use, so kept although a rule would delete them:');

    const plan = JSON.parse(readFileSync(join(reports, 'plan.json'), 'utf8')) as Plan;
    const imageOf = (repository: string, digest: string) => plan.repositories.find((r) => r.repositoryName === repository)?.images.find((i) => i.imageDigest === digest);
    const wouldDelete = { service: 'untagged', rollback: 'release-candidates', lambda: 'main-builds', kubernetes: 'pr-builds' } as const;
    for (const [story, pick] of Object.entries(picks) as [keyof typeof picks, (typeof picks)[keyof typeof picks]][]) {
      const image = imageOf(pick.repository, pick.digest);
      expect(image?.decision, story).toBe('keep');
      expect(image!.reason, story).toMatch(new RegExp(`^keep: in use by .*\\(rule ${wouldDelete[story]} would delete it\\)$`));
      expect(image!.reason, story).toContain(`in use by ${pick.consumer}`);
      expect((image!.usages ?? []).map((u) => u.consumer), story).toContainEqual(expect.stringContaining(pick.consumer));
      // The highlights name it too, with the same reason.
      expect(out, story).toContain(image!.reason);
    }
    // The index the cluster runs keeps its children.
    for (const child of children) expect(imageOf(picks.kubernetes.repository, child)?.decision).toBe('keep');
    expect(plan.inUse?.sources.map((s) => [s.source, s.status])).toEqual([
      ['ecs', 'scanned'],
      ['lambda', 'scanned'],
      ['batch', 'off'],
      ['apprunner', 'off'],
      ['file', 'scanned'],
    ]);
    expect(out).toContain(`from in-use file ${join(reports, 'demo-inputs', 'in-use', `${DEMO_CLUSTER}.json`)}`);
  });

  it('runs the registry twice, a week apart, so the report shows totals per rule, money, a trend and what changed', async () => {
    const cap = capturedIo({ env: {}, cwd: temp.dir });
    const reports = join(temp.dir, 'twice');
    expect(await runDemo({ io: cap.io, reportsDir: reports })).toBe(0);
    const out = cap.stdout();
    expect(out).toContain(`First run, at ${DEMO_NOW}:`);
    expect(out).toContain(`Second run, a week later (${DEMO_LATER})`);
    expect(out).toContain(`Plan (dry run: nothing is deleted) evaluated at ${DEMO_LATER}`);
    expect(out.match(/^Per rule:$/gm)).toHaveLength(2);
    expect(out).toMatch(/^Estimated storage cost an apply run would free: \$[\d,]+\.\d\d per month \(estimated\)$/m);
    expect(out).toContain('No previous run in this report directory: nothing to compare with yet.');
    expect(out).toMatch(/^Since the last run \(evaluated 2026-11-27 12:00 UTC\): [1-9][\d,]* images changed decision/m);

    const history = parseHistory(readFileSync(join(reports, 'history', 'runs.jsonl'), 'utf8')).runs;
    expect(history.map((h) => h.now)).toEqual([DEMO_NOW, DEMO_LATER]);
    expect(history[1]!.deletions).toBeGreaterThan(history[0]!.deletions);
    const html = readFileSync(join(reports, 'report.html'), 'utf8');
    for (const id of ['money', 'changes', 'changed-images', 'rules', 'rule-table', 'trend', 'trend-size', 'trend-deletions']) expect(html, id).toContain(`id="${id}"`);

    // A second `npm start` shows the same two runs, not four.
    const again = capturedIo({ env: {}, cwd: temp.dir });
    expect(await runDemo({ io: again.io, reportsDir: reports })).toBe(0);
    expect(parseHistory(readFileSync(join(reports, 'history', 'runs.jsonl'), 'utf8')).runs).toHaveLength(2);
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
