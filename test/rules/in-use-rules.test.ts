/**
 * The rules file's `inUse:` block: what each valid block means (the settings the engine scans
 * with), and every kind of bad value refused with its path, line, column and an exact message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseRules } from '../../lib/core/rules-parser.js';
import { clusterSelected, DEFAULT_IN_USE_SETTINGS, describeInUseSettings, inUseSettingsOf, inUseSourcesOn } from '../../lib/core/in-use-settings.js';
import { IN_USE_LIMITS } from '../../lib/core/rules-limits.js';
import { hashRules } from '../../lib/engine/sweep.js';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';
import { expectedInUseSettings, inUseBlockArb, inUseBlockDocument } from './in-use-arbitraries.js';

const POLICIES = ['policies:', '  - name: p', '    repositories: { include: ["**"] }', '    rules:', '      - { id: a, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }'];

/** A valid file whose `inUse:` block holds `lines` (indented under it); the first is line 3. */
const withInUse = (...lines: string[]) => `${['version: 1', 'inUse:', ...lines.map((l) => `  ${l}`), ...POLICIES].join('\n')}\n`;

function issuesOf(text: string): RuleIssue[] {
  try {
    parseRules(text, { file: 'r.yml' });
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  throw new Error('expected the rules to be rejected');
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('inUse: valid blocks', () => {
  it('an omitted block leaves RuleSet.inUse unset, and inUseSettingsOf gives the defaults: ECS and Lambda on, the rest off', () => {
    const rs = parseRules(`${['version: 1', ...POLICIES].join('\n')}\n`);
    expect(rs.inUse).toBeUndefined();
    expect(inUseSettingsOf(rs)).toEqual({
      ecs: { clusters: null, taskDefinitionRevisions: 5 },
      lambda: { versions: 5 },
      batch: false,
      apprunner: false,
      files: null,
      rescanAfterMs: 5 * MIN,
    });
  });

  it.each<[string, string[], Partial<typeof DEFAULT_IN_USE_SETTINGS>]>([
    ['an empty block is the defaults', ['{}'], {}],
    ['ecs: {} is the ECS defaults', ['ecs: {}'], {}],
    ['ecs: true is the ECS defaults', ['ecs: true'], {}],
    ['ecs: false turns ECS off', ['ecs: false'], { ecs: false }],
    ['ECS clusters and revisions', ['ecs: { clusters: ["prod-*", "batch_?"], taskDefinitionRevisions: 10 }'], { ecs: { clusters: ['prod-*', 'batch_?'], taskDefinitionRevisions: 10 } }],
    ['ECS revisions alone keep every cluster', ['ecs: { taskDefinitionRevisions: 1 }'], { ecs: { clusters: null, taskDefinitionRevisions: 1 } }],
    ['lambda versions', ['lambda: { versions: 100 }'], { lambda: { versions: 100 } }],
    ['lambda: false turns Lambda off', ['lambda: false'], { lambda: false }],
    ['batch and App Runner on', ['batch: true', 'apprunner: true'], { batch: true, apprunner: true }],
    ['files: true reads the deployment prefix with the defaults', ['files: true'], { files: { locations: [], maxAgeMs: DAY, expect: [] } }],
    ['files: {} is the same', ['files: {}'], { files: { locations: [], maxAgeMs: DAY, expect: [] } }],
    ['files: false is no files', ['files: false'], { files: null }],
    [
      'files with locations, maxAge and expect',
      ['files:', '  locations: ["./in-use", "s3://my-bucket/in-use/", "s3://my.bucket", "/var/lib/in-use/prod.json"]', '  maxAge: 36h', '  expect: [prod-eks, staging_eks.2]'],
      { files: { locations: ['./in-use', 's3://my-bucket/in-use/', 's3://my.bucket', '/var/lib/in-use/prod.json'], maxAgeMs: 36 * HOUR, expect: ['prod-eks', 'staging_eks.2'] } },
    ],
    ['maxAge at its bounds: 1m', ['files: { maxAge: 1m }'], { files: { locations: [], maxAgeMs: MIN, expect: [] } }],
    ['maxAge at its bounds: 7d', ['files: { maxAge: 7d }'], { files: { locations: [], maxAgeMs: 7 * DAY, expect: [] } }],
    ['rescanAfter 1h', ['rescanAfter: 1h'], { rescanAfterMs: HOUR }],
    ['rescanAfter 60s', ['rescanAfter: 60s'], { rescanAfterMs: MIN }],
    ['an access point alias is a bucket name S3 accepts', ['files: { locations: ["s3://my-ap-abc123-s3alias/in-use/"] }'], { files: { locations: ['s3://my-ap-abc123-s3alias/in-use/'], maxAgeMs: DAY, expect: [] } }],
  ])('%s', (_name, lines, changes) => {
    const text = lines[0] === '{}' ? withInUse().replace('inUse:\n', 'inUse: {}\n') : withInUse(...lines);
    expect(parseRules(text).inUse).toEqual({ ...DEFAULT_IN_USE_SETTINGS, ...changes });
  });

  it('any valid block parses into settings within the documented bounds, as docs/rules.md describes it', () => {
    fc.assert(
      fc.property(inUseBlockArb, (block) => {
        const text = stringify({ version: 1, inUse: inUseBlockDocument(block), policies: [{ name: 'p', repositories: { include: ['**'] }, rules: [{ id: 'a', select: { tagStatus: 'untagged' }, when: { sinceImagePushed: '7d' } }] }] });
        const settings = inUseSettingsOf(parseRules(text));
        expect(settings).toEqual(expectedInUseSettings(block));
        const L = IN_USE_LIMITS;
        if (settings.ecs) expect(settings.ecs.taskDefinitionRevisions).toSatisfy((n: number) => n >= L.minRevisions && n <= L.maxRevisions);
        if (settings.lambda) expect(settings.lambda.versions).toSatisfy((n: number) => n >= L.minRevisions && n <= L.maxRevisions);
        if (settings.files) expect(settings.files.maxAgeMs).toSatisfy((ms: number) => ms >= L.minFileMaxAgeMs && ms <= L.maxFileMaxAgeMs);
        expect(settings.rescanAfterMs).toSatisfy((ms: number) => ms >= L.minRescanAfterMs && ms <= L.maxRescanAfterMs);
      }),
      { numRuns: 300 },
    );
  });

  it('any revision or version count outside 1..100 is refused at its key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 })), fc.boolean(), (n, ecs) => {
        const [issue, ...more] = issuesOf(withInUse(ecs ? `ecs: { taskDefinitionRevisions: ${n} }` : `lambda: { versions: ${n} }`));
        expect(more).toEqual([]);
        expect(issue?.path).toBe(ecs ? 'inUse.ecs.taskDefinitionRevisions' : 'inUse.lambda.versions');
        expect(issue?.message).toMatch(/is a whole number from 1 to 100, got number -?\d+$/);
      }),
    );
  });

  it('the rules hash (checkpoints) is unchanged without the block and changes with it', () => {
    const without = parseRules(`${['version: 1', ...POLICIES].join('\n')}\n`);
    const withDefaults = parseRules(withInUse('ecs: true'));
    const ecsOff = parseRules(withInUse('ecs: false'));
    // No key at all (not even undefined): a file without the block hashes as it did before the block existed.
    expect(Object.keys(without)).not.toContain('inUse');
    expect(hashRules(ecsOff)).not.toBe(hashRules(withDefaults));
    expect(hashRules(ecsOff)).not.toBe(hashRules(without));
  });
});

describe('inUse: bad values, with path, line, column and message', () => {
  const ECS_MAPPING = 'expected true, false or a mapping such as { clusters: ["prod-*"], taskDefinitionRevisions: 5 }';
  it.each<[string, string[], Omit<RuleIssue, 'file'>[]]>([
    ['a misspelt source', ['lamda: false'], [{ line: 3, column: 3, path: 'inUse.lamda', message: 'unknown key "lamda" — did you mean "lambda"?' }]],
    ['appRunner for apprunner', ['appRunner: true'], [{ line: 3, column: 3, path: 'inUse.appRunner', message: 'unknown key "appRunner" — did you mean "apprunner"?' }]],
    ['a misspelt key inside ecs', ['ecs: { cluster: [prod] }'], [{ line: 3, column: 10, path: 'inUse.ecs.cluster', message: 'unknown key "cluster" — did you mean "clusters"?' }]],
    ['a misspelt key inside files', ['files: { maxage: 1h }'], [{ line: 3, column: 12, path: 'inUse.files.maxage', message: 'unknown key "maxage" — did you mean "maxAge"?' }]],
    ['an unknown key, nothing close', ['kubernetes: true'], [{ line: 3, column: 3, path: 'inUse.kubernetes', message: 'unknown key "kubernetes" (allowed here: ecs, lambda, batch, apprunner, files, rescanAfter)' }]],
    ['ecs: yes (YAML 1.2 reads a string)', ['ecs: yes'], [{ line: 3, column: 8, path: 'inUse.ecs', message: `${ECS_MAPPING}, got "yes" — did you mean true?` }]],
    ['ecs: ture', ['ecs: ture'], [{ line: 3, column: 8, path: 'inUse.ecs', message: `${ECS_MAPPING}, got "ture" — did you mean true?` }]],
    ['ecs with no value', ['ecs:'], [{ line: 3, column: 7, path: 'inUse.ecs', message: `${ECS_MAPPING}, got null` }]],
    ['lambda: off', ['lambda: off'], [{ line: 3, column: 11, path: 'inUse.lambda', message: 'expected true, false or a mapping such as { versions: 5 }, got "off" — did you mean false?' }]],
    ['lambda: 5', ['lambda: 5'], [{ line: 3, column: 11, path: 'inUse.lambda', message: 'expected true, false or a mapping such as { versions: 5 }, got number 5' }]],
    ['batch: no', ['batch: no'], [{ line: 3, column: 10, path: 'inUse.batch', message: 'batch is true or false, got "no" — did you mean false?' }]],
    ['apprunner: 1', ['apprunner: 1'], [{ line: 3, column: 14, path: 'inUse.apprunner', message: 'apprunner is true or false, got number 1' }]],
    ['files: [a list]', ['files: ["./in-use"]'], [{ line: 3, column: 10, path: 'inUse.files', message: 'expected true, false or a mapping such as { locations: ["s3://my-bucket/in-use/"], maxAge: 24h }, got a list' }]],
    ['the block as a boolean', [], []],
    ['revisions 0', ['ecs: { taskDefinitionRevisions: 0 }'], [{ line: 3, column: 35, path: 'inUse.ecs.taskDefinitionRevisions', message: 'taskDefinitionRevisions is a whole number from 1 to 100, got number 0' }]],
    ['revisions 101', ['ecs: { taskDefinitionRevisions: 101 }'], [{ line: 3, column: 35, path: 'inUse.ecs.taskDefinitionRevisions', message: 'taskDefinitionRevisions is a whole number from 1 to 100, got number 101' }]],
    ['revisions 2.5', ['ecs: { taskDefinitionRevisions: 2.5 }'], [{ line: 3, column: 35, path: 'inUse.ecs.taskDefinitionRevisions', message: 'taskDefinitionRevisions is a whole number from 1 to 100, got number 2.5' }]],
    ['revisions "5"', ['ecs: { taskDefinitionRevisions: "5" }'], [{ line: 3, column: 35, path: 'inUse.ecs.taskDefinitionRevisions', message: 'taskDefinitionRevisions is a whole number from 1 to 100, got "5"' }]],
    ['versions 1000', ['lambda: { versions: 1000 }'], [{ line: 3, column: 23, path: 'inUse.lambda.versions', message: 'versions is a whole number from 1 to 100, got number 1000' }]],
    ['clusters as a string', ['ecs: { clusters: "prod-*" }'], [{ line: 3, column: 20, path: 'inUse.ecs.clusters', message: 'expected a list, got "prod-*"' }]],
    ['clusters empty', ['ecs: { clusters: [] }'], [{ line: 3, column: 20, path: 'inUse.ecs.clusters', message: 'list at least one cluster glob, or leave clusters out to scan every cluster' }]],
    [
      'a cluster glob with a "/"',
      ['ecs: { clusters: ["prod/*"] }'],
      [{ line: 3, column: 21, path: 'inUse.ecs.clusters[0]', message: 'a cluster name glob takes letters, digits, "_", "-" (what ECS cluster names have) and the wildcards * and ?, got "prod/*"' }],
    ],
    ['maxAge too short', ['files: { maxAge: 30s }'], [{ line: 3, column: 20, path: 'inUse.files.maxAge', message: 'maxAge is from 1m to 1w, got 30s' }]],
    ['maxAge too long', ['files: { maxAge: 8d }'], [{ line: 3, column: 20, path: 'inUse.files.maxAge', message: 'maxAge is from 1m to 1w, got 8d' }]],
    [
      'maxAge not a duration',
      ['files: { maxAge: 24 }'],
      [{ line: 3, column: 20, path: 'inUse.files.maxAge', message: 'expected a duration such as 30m, 12h, 14d or 2w (a whole number and one unit: s, m, h, d, w), got number 24' }],
    ],
    ['rescanAfter too short', ['rescanAfter: 30s'], [{ line: 3, column: 16, path: 'inUse.rescanAfter', message: 'rescanAfter is from 1m to 1h, got 30s' }]],
    ['rescanAfter too long', ['rescanAfter: 2h'], [{ line: 3, column: 16, path: 'inUse.rescanAfter', message: 'rescanAfter is from 1m to 1h, got 2h' }]],
    ['locations empty', ['files: { locations: [] }'], [{ line: 3, column: 23, path: 'inUse.files.locations', message: "list at least one location, or leave locations out to read the deployment's in-use prefix" }]],
    ['an empty location', ['files: { locations: [""] }'], [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: 'a location must not be empty' }]],
    [
      'a bucket with capitals and "_"',
      ['files: { locations: ["s3://My_Bucket/in-use/"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: '"s3://My_Bucket/in-use/" is not a usable S3 URI: bucket "My_Bucket": a bucket name has only lowercase letters, digits, "." and "-"' }],
    ],
    [
      'a two-letter bucket',
      ['files: { locations: ["s3://ab"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: '"s3://ab" is not a usable S3 URI: bucket "ab": a bucket name has 3 to 63 characters, this one has 2' }],
    ],
    ['no bucket', ['files: { locations: ["s3:///in-use/"] }'], [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: '"s3:///in-use/" is not a usable S3 URI: no bucket: write s3://bucket/prefix/' }]],
    [
      'a bucket named like an IP address',
      ['files: { locations: ["s3://192.168.5.4/x"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: '"s3://192.168.5.4/x" is not a usable S3 URI: bucket "192.168.5.4": a bucket name is not an IP address' }],
    ],
    [
      'S3:// in capitals',
      ['files: { locations: ["S3://bucket/in-use/"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: 'expected a local path or an s3://bucket/prefix/ URI, got "S3://bucket/in-use/": in-use files are read from disk or S3 only — did you mean "s3://bucket/in-use/"?' }],
    ],
    [
      's3:/ with one slash',
      ['files: { locations: ["s3:/bucket/x"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: 'expected a local path or an s3://bucket/prefix/ URI, got "s3:/bucket/x": in-use files are read from disk or S3 only — did you mean "s3://bucket/x"?' }],
    ],
    [
      'an https URL',
      ['files: { locations: ["https://example.com/in-use.json"] }'],
      [{ line: 3, column: 24, path: 'inUse.files.locations[0]', message: 'expected a local path or an s3://bucket/prefix/ URI, got "https://example.com/in-use.json": in-use files are read from disk or S3 only' }],
    ],
    [
      'a source name with a space',
      ['files: { expect: ["prod eks"] }'],
      [{ line: 3, column: 21, path: 'inUse.files.expect[0]', message: 'a source name starts with a letter or digit and takes letters, digits, ".", "_" and "-" (a file\'s "source", or its name without .json), got "prod eks"' }],
    ],
    ['expect empty', ['files: { expect: [] }'], [{ line: 3, column: 20, path: 'inUse.files.expect', message: 'list at least one source name, or leave expect out' }]],
  ])('%s', (name, lines, expected) => {
    const text = name === 'the block as a boolean' ? withInUse().replace('inUse:\n', 'inUse: true\n') : withInUse(...lines);
    const want = name === 'the block as a boolean' ? [{ line: 2, column: 8, path: 'inUse', message: 'expected a mapping (key: value), got boolean true' }] : expected;
    expect(issuesOf(text)).toEqual(want.map((i) => ({ file: 'r.yml', ...i })));
  });

  it('reports every problem of the block at once, in file order', () => {
    const issues = issuesOf(withInUse('ecs: { taskDefinitionRevisions: 0 }', 'lambda: { versions: 0 }', 'batch: yes', 'rescanAfter: 2d'));
    expect(issues.map((i) => `${i.line}:${i.path}`)).toEqual(['3:inUse.ecs.taskDefinitionRevisions', '4:inUse.lambda.versions', '5:inUse.batch', '6:inUse.rescanAfter']);
  });

  it('bounds the lists: at most 100 cluster globs, 20 locations and 100 expected sources, each of bounded length', () => {
    const list = (n: number, f: (i: number) => string) => JSON.stringify(Array.from({ length: n }, (_, i) => f(i)));
    expect(issuesOf(withInUse(`ecs: { clusters: ${list(101, (i) => `c${i}`)} }`)).map((i) => [i.path, i.message])).toEqual([['inUse.ecs.clusters', 'at most 100 cluster globs']]);
    expect(issuesOf(withInUse(`files: { locations: ${list(21, (i) => `./d${i}`)} }`)).map((i) => [i.path, i.message])).toEqual([['inUse.files.locations', 'at most 20 locations']]);
    expect(issuesOf(withInUse(`files: { expect: ${list(101, (i) => `s${i}`)} }`)).map((i) => [i.path, i.message])).toEqual([['inUse.files.expect', 'at most 100 expected sources']]);
    expect(issuesOf(withInUse(`ecs: { clusters: ["${'c'.repeat(256)}"] }`)).map((i) => i.message)).toEqual(['a cluster name glob is at most 255 characters']);
    expect(issuesOf(withInUse(`files: { locations: ["./${'d'.repeat(1023)}"] }`)).map((i) => i.message)).toEqual(['a location is at most 1024 characters']);
    expect(issuesOf(withInUse(`files: { expect: ["${'s'.repeat(129)}"] }`)).map((i) => i.message)).toEqual(['a source name is at most 128 characters']);
  });
});

describe('describeInUseSettings (validate\'s line)', () => {
  it.each<[string, string[], string[], string]>([
    [
      'the defaults',
      ['ecs: true'],
      ['ECS', 'Lambda'],
      'ECS (every cluster; newest 5 task definition revisions per family), Lambda (newest 5 versions per function); off: Batch, App Runner, in-use files; rescan before deleting when older than 5m',
    ],
    [
      'every source off',
      ['ecs: false', 'lambda: false'],
      [],
      'no source (nothing is protected as in use); off: ECS, Lambda, Batch, App Runner, in-use files',
    ],
    [
      'one revision, one version, files from the deployment prefix',
      ['ecs: { taskDefinitionRevisions: 1 }', 'lambda: { versions: 1 }', 'batch: true', 'files: true'],
      ['ECS', 'Lambda', 'Batch', 'in-use files'],
      "ECS (every cluster; newest 1 task definition revision per family), Lambda (newest 1 version per function), Batch, in-use files (the deployment's in-use prefix; max age 1d); off: App Runner; rescan before deleting when older than 5m",
    ],
  ])('%s', (_name, lines, sources, line) => {
    const settings = inUseSettingsOf(parseRules(withInUse(...lines)));
    expect(inUseSourcesOn(settings)).toEqual(sources);
    expect(describeInUseSettings(settings)).toBe(line);
  });
});

describe('clusterSelected', () => {
  const ecs = (clusters: string[] | null) => ({ clusters, taskDefinitionRevisions: 5 });
  it.each<[string[] | null, string, boolean]>([
    [null, 'anything', true],
    [['prod-*'], 'prod-eu', true],
    [['prod-*'], 'prod-', true],
    [['prod-*'], 'staging-prod-eu', false],
    [['prod-*'], 'Prod-eu', false],
    [['batch_?'], 'batch_1', true],
    [['batch_?'], 'batch_12', false],
    [['a', 'b*'], 'bee', true],
    [['payments'], 'payments-v2', false],
  ])('%j selects %s: %s', (clusters, name, selected) => {
    expect(clusterSelected(ecs(clusters), name)).toBe(selected);
  });

  it('any cluster glob the loader accepts matches as a whole-name glob', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    fc.assert(
      fc.property(name, name, (a, b) => {
        const settings = inUseSettingsOf(parseRules(withInUse(`ecs: { clusters: ["${a}*"] }`)));
        expect(settings.ecs && clusterSelected(settings.ecs, `${a}${b}`)).toBe(true);
        expect(settings.ecs && clusterSelected(settings.ecs, `.${a}`)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('docs/rules.md, In-use protection', () => {
  it('the bad-in-use.yml example fails with exactly the lines the docs show', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/rules.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## In-use protection'));
    const [, yamlText, printed] = /`bad-in-use\.yml`:\n\n```yaml\n([\s\S]*?)```[\s\S]*?prints:\n\n```\n([\s\S]*?)```/.exec(section) ?? [];
    expect(yamlText, 'the example is in the docs').toBeDefined();
    let issues: RuleIssue[] = [];
    try {
      parseRules(yamlText ?? '', { file: 'bad-in-use.yml' });
    } catch (error) {
      issues = [...(error as RulesValidationError).issues];
    }
    const lines = issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.path}: ${i.message}`);
    expect([...lines, `bad-in-use.yml: invalid (${issues.length} problems)`].join('\n')).toBe(printed?.trimEnd());
  });
});
