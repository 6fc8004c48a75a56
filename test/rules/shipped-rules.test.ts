import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, RulesValidationError } from '../../lib/errors.js';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import { renderRulesJsonSchema } from '../../lib/core/rules-json-schema.js';
import { DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';

const ROOT = join(import.meta.dirname, '..', '..');
const rulesDir = join(ROOT, 'rules');

describe('shipped rules files', () => {
  it('rules/schema.json is up to date (run `npm run rules:schema`)', () => {
    expect(readFileSync(join(rulesDir, 'schema.json'), 'utf8')).toBe(renderRulesJsonSchema());
  });

  it('rules/default.yml validates and is safe: dry-run, grace period, limits, protections', async () => {
    const rs = await loadRulesFile(join(rulesDir, 'default.yml'));
    expect(rs.defaults.mode).toBe('dry-run');
    expect(rs.defaults.minAgeMs).toBeGreaterThanOrEqual(86_400_000);
    expect(rs.defaults.maxDeletionsPerRun).not.toBeNull();
    expect(rs.defaults.maxDeletePercentPerRepository).not.toBeNull();
    expect(rs.protect.tags).toEqual(expect.arrayContaining(['latest', 'prod*']));
    expect(rs.policies[0]?.rules.map((r) => r.id)).toEqual(['pr-builds', 'branch-builds', 'main-builds', 'release-candidates', 'untagged']);
    // The in-use defaults, written out so a reader sees them: ECS and Lambda on.
    expect(rs.inUse).toEqual(DEFAULT_IN_USE_SETTINGS);
  });

  it('every example validates, and the lifecycle policy beside it is valid native JSON', async () => {
    const files = (await readdir(join(rulesDir, 'examples'))).sort();
    const yml = files.filter((f) => f.endsWith('.yml'));
    expect(yml.length).toBeGreaterThanOrEqual(4);
    for (const f of yml) {
      const rs = await loadRulesFile(join(rulesDir, 'examples', f));
      expect(rs.policies.length, f).toBeGreaterThan(0);
    }
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      expect(() => parseLifecyclePolicy(readFileSync(join(rulesDir, 'examples', f), 'utf8'), { file: f })).not.toThrow();
    }
    const native = await loadRulesFile(join(rulesDir, 'examples', 'native-lifecycle.yml'));
    expect(native.policies.map((p) => [p.name, p.origin, p.rules.map((r) => r.id)])).toEqual([
      ['legacy-apps', 'lifecyclePolicy', ['priority-1', 'priority-2', 'priority-10']],
      ['tools', 'lifecyclePolicy', ['priority-1', 'priority-2']],
    ]);
    const inUse = await loadRulesFile(join(rulesDir, 'examples', 'in-use.yml'));
    expect(inUse.inUse).toEqual({
      ecs: { clusters: ['prod-*', 'payments'], taskDefinitionRevisions: 10 },
      lambda: { versions: 3 },
      batch: true,
      apprunner: true,
      files: { locations: ['s3://my-company-ecr-sweeper/in-use/'], maxAgeMs: 12 * 3_600_000, expect: ['prod-eks', 'staging-eks'] },
      rescanAfterMs: 2 * 60_000,
    });
    const byTag = await loadRulesFile(join(rulesDir, 'examples', 'teams-by-tag.yml'));
    expect(byTag.policies.map((p) => [p.name, p.origin, p.repositories.tags ?? null])).toEqual([
      ['data-team', 'rules', { team: 'data' }],
      ['payments-prod', 'rules', { team: 'payments', env: 'prod' }],
      ['own-lifecycle-policies', 'attached', null],
    ]);
    const organization = await loadRulesFile(join(rulesDir, 'examples', 'organization.yml'));
    expect(organization.targets).toEqual({
      kind: 'organization',
      roleName: 'EcrSweeperTarget',
      externalId: 'ecr-sweeper-prod',
      regions: ['eu-west-1', 'us-east-1'],
      accounts: { include: [], exclude: ['123456789012'] },
      ous: { include: [], exclude: ['ou-ab12-sandbox1'] },
    });
  });
});

describe('loadRulesFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rules-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sets RuleSet.source to the path given', async () => {
    const path = join(dir, 'ok.yml');
    await writeFile(path, 'version: 1\npolicies:\n  - name: p\n    repositories: { include: ["*"] }\n    rules:\n      - { id: a, select: { tagStatus: untagged }, when: { imageCountMoreThan: 2 } }\n');
    const rs = await loadRulesFile(path);
    expect(rs.source).toBe(path);
    expect(rs.policies[0]?.rules[0]?.source).toEqual({ file: path, line: 6, column: 9 });
  });

  it('resolves lifecyclePolicy paths relative to the rules file and names them in errors', async () => {
    const sub = join(dir, 'nested');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub, { recursive: true }));
    await writeFile(join(sub, 'bad.json'), '{\n  "rules": [\n    { "rulePriority": 1, "selection": { "tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 2 }, "action": { "type": "expire" } }\n  ]\n}\n');
    const path = join(dir, 'native.yml');
    await writeFile(path, 'version: 1\npolicies:\n  - name: p\n    repositories: { include: ["*"] }\n    lifecyclePolicy: nested/bad.json\n');
    const error = await loadRulesFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RulesValidationError);
    expect((error as RulesValidationError).issues).toEqual([
      expect.objectContaining({ file: join(dir, 'nested/bad.json'), line: 3, path: 'rules[0].selection.tagStatus' }),
    ]);
  });

  it('reports a missing lifecycle policy file at the rules file position', async () => {
    const path = join(dir, 'missing.yml');
    await writeFile(path, 'version: 1\npolicies:\n  - name: p\n    repositories: { include: ["*"] }\n    lifecyclePolicy: nope.json\n');
    const error = (await loadRulesFile(path).catch((e: unknown) => e)) as RulesValidationError;
    expect(error).toBeInstanceOf(RulesValidationError);
    expect(error.issues[0]).toMatchObject({ file: path, line: 5, column: 22, message: expect.stringMatching(/cannot read lifecycle policy file "nope.json": ENOENT/) });
  });

  it('throws ConfigError, with the cause, when the rules file cannot be read', async () => {
    const error = (await loadRulesFile(join(dir, 'absent.yml')).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/cannot read rules file .*absent\.yml: ENOENT/);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
