/**
 * `validate`, `import-policy --file` and `export-policy` through the real launcher. None of them
 * needs a registry.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DAY_MS, parseDuration } from '../../lib/core/duration.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';
import { NATIVE_POLICY, rulesYaml } from './fixtures.js';

const env = cliEnv(undefined);
const temp = useTempDir();

describe('ecr-sweeper validate', () => {
  it('exits 0 and says a good file is valid', async () => {
    const good = await writeText(temp.dir, 'good.yml', rulesYaml());
    const run = await runCliProcess(['validate', good], { env, cwd: temp.dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('good.yml: valid (1 policy, 2 rules)');
  });

  it('says which policies read tags or attached lifecycle policies at run time; export-policy refuses an attached one', async () => {
    await writeText(
      temp.dir,
      'teams.yml',
      [
        'version: 1',
        'policies:',
        '  - name: data',
        '    repositories: { tags: { team: data } }',
        '    rules: [{ id: untagged, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }]',
        '  - name: own',
        '    repositories: { include: ["**"] }',
        '    lifecyclePolicy: attached',
        '',
      ].join('\n'),
    );
    const run = await runCliProcess(['validate', 'teams.yml'], { env, cwd: temp.dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      "teams.yml: valid (2 policies, 1 rule; 1 policy runs each repository's attached lifecycle policy, 1 policy selects repositories by resource tag)\n" +
        "  targets: the caller's own account and Region\n" +
        '  in-use protection (defaults): ECS (every cluster; newest 5 task definition revisions per family), Lambda (newest 5 versions per function); off: Batch, App Runner, in-use files; rescan before deleting when older than 5m\n',
    );
    const exported = await runCliProcess(['export-policy', '--rules', 'teams.yml', '--policy', 'own'], { env, cwd: temp.dir });
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain("policy 'own' runs each repository's own attached lifecycle policy (lifecyclePolicy: attached); there is no single policy to export");
  });

  it('shows the effective in-use settings of an inUse: block, and exits 2 on a bad one', async () => {
    const file = await writeText(
      temp.dir,
      'in-use.yml',
      rulesYaml().replace(
        'policies:',
        [
          'inUse:',
          '  ecs: { clusters: ["prod-*"], taskDefinitionRevisions: 3 }',
          '  lambda: false',
          '  apprunner: true',
          '  files: { locations: ["./in-use", "s3://my-bucket/in-use/"], maxAge: 12h, expect: [prod-eks] }',
          '  rescanAfter: 10m',
          'policies:',
        ].join('\n'),
      ),
    );
    const run = await runCliProcess(['validate', 'in-use.yml'], { env, cwd: temp.dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'in-use.yml: valid (1 policy, 2 rules)\n' +
        "  targets: the caller's own account and Region\n" +
        '  in-use protection: ECS (clusters prod-*; newest 3 task definition revisions per family), App Runner, in-use files (./in-use, s3://my-bucket/in-use/; max age 12h; expect prod-eks); off: Lambda, Batch; rescan before deleting when older than 10m\n',
    );
    expect(run.code).toBe(0);

    await writeText(temp.dir, 'in-use-bad.yml', rulesYaml().replace('policies:', 'inUse:\n  ecs: yes\n  lamda: false\npolicies:'));
    const bad = await runCliProcess(['validate', 'in-use-bad.yml'], { env, cwd: temp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('in-use-bad.yml:9:8: inUse.ecs: expected true, false or a mapping such as { clusters: ["prod-*"], taskDefinitionRevisions: 5 }, got "yes" — did you mean true?');
    expect(bad.stderr).toContain('in-use-bad.yml:10:3: inUse.lamda: unknown key "lamda" — did you mean "lambda"?');
  });

  it('prints the targets a run of the file covers, and exits 2 naming both lines when targets and organization are both given', async () => {
    const file = await writeText(
      temp.dir,
      'org.yml',
      rulesYaml().replace(
        'policies:',
        ['organization:', '  roleName: EcrSweeperTarget', '  regions: all', '  accounts: { exclude: ["111111111111"] }', '  ous: { include: [ou-ab12-cd34ef56] }', 'policies:'].join('\n'),
      ),
    );
    const run = await runCliProcess(['validate', file], { env, cwd: temp.dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(
      "  targets: the organization's ACTIVE accounts (under ou-ab12-cd34ef56), except 111111111111, through role EcrSweeperTarget: all enabled Regions\n",
    );
    expect(run.code).toBe(0);

    await writeText(
      temp.dir,
      'both.yml',
      rulesYaml().replace('policies:', ['targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1] }', 'organization: { roleName: r, regions: all }', 'policies:'].join('\n')),
    );
    const bad = await runCliProcess(['validate', 'both.yml'], { env, cwd: temp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/both\.yml:(\d+):1: organization: targets and organization cannot both be given: targets \(line \d+\) lists the targets, organization \(line \1\) takes them from the organization; keep one/);
  });

  it('exits 2 and prints every problem with file:line:column on stderr', async () => {
    await writeText(
      temp.dir,
      'bad.yml',
      [
        'version: 1',
        'policies:',
        '  - name: apps',
        '    repositories: { include: ["app/*"] }',
        '    rules:',
        '      - id: Not_Kebab',
        '        select: { tagStatus: untagged }',
        '        when: { sinceImagePushed: 7 days }',
        '',
      ].join('\n'),
    );
    const run = await runCliProcess(['validate', 'bad.yml'], { env, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bad\.yml:6:13: policies\[0\]\.rules\[0\]\.id: /m);
    expect(run.stderr).toMatch(/^bad\.yml:8:\d+: policies\[0\]\.rules\[0\]\.when\.sinceImagePushed: expected a duration/m);
    expect(run.stderr).toContain('bad.yml: invalid (2 problems)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a rules file over 1 MiB, and on a device, without reading them whole', async () => {
    const big = await writeText(temp.dir, 'big.yml', `${rulesYaml()}# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const run = await runCliProcess(['validate', big, '/dev/zero'], { env, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`rules file ${big} is larger than 1 MiB (1,048,576 bytes), the limit for a rules file; stopped reading there`);
    expect(run.stderr).toContain('rules file /dev/zero is a character device, not a regular file; give the path of a file');
  });

  it('checks every file and exits 2 if any one is bad, including a missing one', async () => {
    const good = await writeText(temp.dir, 'good2.yml', rulesYaml());
    const run = await runCliProcess(['validate', good, 'missing.yml'], { env, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('good2.yml: valid');
    expect(run.stderr).toContain('missing.yml: cannot read rules file');
  });
});

describe('ecr-sweeper import-policy --file', () => {
  it('prints YAML rules that validate and keep the native rules in priority order', async () => {
    await writeText(temp.dir, 'policy.json', JSON.stringify(NATIVE_POLICY, null, 2));
    const run = await runCliProcess(['import-policy', '--file', 'policy.json'], { env, cwd: temp.dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = parseYaml(run.stdout) as { policies: { rules: { id: string; when: Record<string, unknown> }[] }[] };
    expect(doc.policies[0]?.rules.map((r) => r.id)).toEqual(['priority-1', 'priority-2']);
    expect(doc.policies[0]?.rules[0]?.when).toEqual({ imageCountMoreThan: 5 });
    // The renderer may pick any equivalent unit (14d or 2w); what matters is the duration.
    expect(parseDuration(String(doc.policies[0]?.rules[1]?.when.sinceImagePushed))).toBe(14 * DAY_MS);

    const imported = await writeText(temp.dir, 'imported.yml', run.stdout);
    expect((await runCliProcess(['validate', imported], { env, cwd: temp.dir })).code).toBe(0);
  });

  it('exits 2 naming the rule and field when the policy breaks ECR validation', async () => {
    const bad = { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] };
    await writeText(temp.dir, 'bad-policy.json', JSON.stringify(bad, null, 2));
    const run = await runCliProcess(['import-policy', '--file', 'bad-policy.json'], { env, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/bad-policy\.json:\d+:\d+: rules\[0\]/);
  });

  it('exits 2 on a policy file over ECR\'s 30,720 characters or a device, reading no further', async () => {
    await writeText(temp.dir, 'huge-policy.json', `{"rules": [], "x": "${'x'.repeat(100_000)}"}`);
    const huge = await runCliProcess(['import-policy', '--file', 'huge-policy.json'], { env, cwd: temp.dir });
    expect(huge.code).toBe(2);
    expect(huge.stdout).toBe('');
    expect(huge.stderr).toContain("lifecycle policy file huge-policy.json is longer than 30,720 characters, ECR's limit for a lifecycle policy; stopped reading there");
    const device = await runCliProcess(['import-policy', '--file', '/dev/zero'], { env, cwd: temp.dir });
    expect(device.code).toBe(2);
    expect(device.stderr).toContain('lifecycle policy file /dev/zero is a character device, not a regular file');
  });

  it('exits 2 when neither or both sources are given', async () => {
    const neither = await runCliProcess(['import-policy'], { env, cwd: temp.dir });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('exactly one of --repository NAME or --file policy.json');
  });
});

describe('ecr-sweeper export-policy', () => {
  it('prints native JSON on stdout and what it could not express on stderr', async () => {
    const rules = await writeText(
      temp.dir,
      'export.yml',
      `${rulesYaml()}      - id: regex-builds
        select: { tagStatus: tagged, tagPatterns: ['/^feature-[0-9]+$/'] }
        when: { sinceImagePushed: 30d }
`,
    );
    const run = await runCliProcess(['export-policy', '--rules', rules], { env, cwd: temp.dir });
    expect(run.code).toBe(3);
    const native = JSON.parse(run.stdout) as { rules: { rulePriority: number; selection: Record<string, unknown> }[] };
    expect(native.rules).toHaveLength(2);
    expect(native.rules[0]?.selection).toMatchObject({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' });
    expect(native.rules[1]?.selection).toMatchObject({ tagStatus: 'tagged', tagPatternList: ['pr-*'] });
    expect(run.stderr).toContain('rule regex-builds:');
    expect(run.stderr).toContain('defaults.minAge (1d grace period) has no native equivalent');
    expect(run.stderr).toContain('protect.tags (latest) has no native equivalent');
    expect(run.stderr).toContain("error: 1 rule was left out or would be rejected (listed above), so the native policy is weaker than policy 'apps'; exit 3. Pass --allow-lossy to accept it.");

    const lossy = await runCliProcess(['export-policy', '--rules', rules, '--allow-lossy'], { env, cwd: temp.dir });
    expect(lossy.code).toBe(0);
    expect(lossy.stdout).toBe(run.stdout);
    expect(lossy.stderr).toContain('rule regex-builds:');
    expect(lossy.stderr).toContain('--allow-lossy: accepting a native policy without that rule');
  });

  it('exits 0 when every rule is expressed, even with run-wide settings the native format lacks', async () => {
    const rules = await writeText(temp.dir, 'export-all.yml', rulesYaml());
    const run = await runCliProcess(['export-policy', '--rules', rules], { env, cwd: temp.dir });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { rules: unknown[] }).rules).toHaveLength(2);
    expect(run.stderr).toContain('defaults.minAge (1d grace period) has no native equivalent');
    expect(run.stderr).toContain('inUse (in-use protection through ECS, Lambda) has no native equivalent: a lifecycle policy never knows what is running');
    expect(run.stderr).not.toContain('error:');
  });

  it('says nothing of in-use protection when every source is off: nothing is lost', async () => {
    const rules = await writeText(temp.dir, 'export-no-in-use.yml', rulesYaml().replace('policies:', 'inUse: { ecs: false, lambda: false }\npolicies:'));
    const run = await runCliProcess(['export-policy', '--rules', rules], { env, cwd: temp.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('defaults.minAge (1d grace period) has no native equivalent');
    expect(run.stderr).not.toContain('inUse');
  });

  it('exits 2 listing the policies when --policy names none of them', async () => {
    const rules = await writeText(temp.dir, 'export2.yml', rulesYaml());
    const run = await runCliProcess(['export-policy', '--rules', rules, '--policy', 'nope'], { env, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("has no policy named 'nope'; it has: apps");
  });
});

describe('per-policy settings and compound rules in validate and export-policy', () => {
  const teams = [
    'version: 1',
    'defaults: { minAge: 3d }',
    'policies:',
    '  - name: payments',
    '    repositories: { include: ["payments/**"] }',
    '    minAge: 30d',
    '    mode: dry-run',
    '    protect: { tags: ["release-*"] }',
    '    rules:',
    '      - id: releases',
    '        select: { tagStatus: tagged, tagPatterns: ["*"] }',
    '        when: { imageCountMoreThan: 10, orderBy: semver, sinceImagePushed: 30d }',
    '      - id: untagged',
    '        select: { tagStatus: untagged }',
    '        when: { sinceImagePushed: 7d }',
    '',
  ].join('\n');

  it('validate lists what a policy sets over defaults and its compound rules', async () => {
    const file = await writeText(temp.dir, 'teams.yml', teams);
    const run = await runCliProcess(['validate', file], { env, cwd: temp.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('teams.yml: valid (1 policy, 2 rules)');
    expect(run.stdout).toContain("policy 'payments': mode dry-run (planned, never deleted, in every run); minAge 30d (defaults 3d); protect.tags + release-*");
    expect(run.stdout).toContain("policy 'payments' rule 'releases': compound, expires only when all hold: imageCountMoreThan and sinceImagePushed");
  });

  it('export-policy leaves a compound rule out (exit 3, a weaker policy) and names the policy settings ECR cannot carry', async () => {
    const file = await writeText(temp.dir, 'teams-export.yml', teams);
    const run = await runCliProcess(['export-policy', '--rules', file], { env, cwd: temp.dir });
    expect(run.code).toBe(3);
    const native = JSON.parse(run.stdout) as { rules: { selection: Record<string, unknown> }[] };
    expect(native.rules.map((r) => r.selection.tagStatus)).toEqual(['untagged']);
    expect(run.stderr).toMatch(/rule releases: its 2 conditions \(imageCountMoreThan and sinceImagePushed\) must all hold/);
    expect(run.stderr).toContain("policy 'payments' minAge (30d grace period) has no native equivalent");
    expect(run.stderr).toContain("policy 'payments' mode dry-run has no native equivalent");
    expect(run.stderr).toContain("policy 'payments' protect.tags (release-*) has no native equivalent");
  });
});

describe('AWS setup mistakes', () => {
  it('exits 2 with advice when there are no credentials', async () => {
    const rules = await writeText(temp.dir, 'creds.yml', rulesYaml());
    const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...noCredentials } = cliEnv('http://127.0.0.1:9');
    const run = await runCliProcess(['plan', '--rules', rules], { env: noCredentials, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ecr-sweeper: no AWS credentials found');
    expect(run.stderr).toContain('AWS_PROFILE');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with advice when no region is configured', async () => {
    const rules = await writeText(temp.dir, 'region.yml', rulesYaml());
    const { AWS_REGION: _r, ...noRegion } = cliEnv('http://127.0.0.1:9');
    const run = await runCliProcess(['plan', '--rules', rules], { env: noRegion, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no AWS region configured. Pass --region or set AWS_REGION');
  });
});
