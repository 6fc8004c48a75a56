/**
 * Bounded input: a rules file is read up to 1 MiB and a lifecycle policy up to ECR's 30,720
 * characters, and no further; only regular files are read; the counts of a rules file are
 * checked before any pattern is compiled. Cases that used to exhaust memory or run for minutes
 * carry a per-test timeout of a few seconds: reaching it is how they failed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputTooLargeError, NotARegularFileError, readTextCapped, readTextCappedSync } from '../../lib/adapters/bounded-read.js';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';
import { RULES_FILE_LIMITS } from '../../lib/core/rules-limits.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { ConfigError, RulesValidationError, type RuleIssue } from '../../lib/errors.js';

const FAST = { timeout: 5_000 };
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-bounded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function issuesOf(fn: () => unknown): RuleIssue[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof RulesValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a RulesValidationError');
}

/** A valid rules file with `policies` policies of `rules` rules, each rule with `patterns` tag patterns. */
function rulesText(policies: number, rules: number, patterns: number, extra = ''): string {
  const lines = ['version: 1', extra, 'policies:'];
  for (let p = 0; p < policies; p++) {
    lines.push(`  - name: p${p}`, `    repositories: { include: ["team-${p}/**"] }`, '    rules:');
    for (let r = 0; r < rules; r++) {
      const list = Array.from({ length: patterns }, (_, i) => `"v${r}-${i}-*"`).join(', ');
      lines.push(`      - id: r${r}`, `        select: { tagStatus: tagged, tagPatterns: [${list}] }`, `        when: { imageCountMoreThan: ${r + 1} }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function sparseFile(name: string, bytes: number): Promise<string> {
  const path = join(dir, name);
  const handle = await open(path, 'w');
  await handle.truncate(bytes); // sparse: no disk used, reads return zeros
  await handle.close();
  return path;
}

describe('rules file counts are checked before any pattern is compiled', () => {
  it('a file at every limit is valid', () => {
    const L = RULES_FILE_LIMITS;
    // 100 rules of 5 patterns = 500 tag patterns; 100 policies of 1 rule with 1 pattern.
    expect(() => parseRules(rulesText(1, L.maxRulesPerPolicy, L.maxTagPatterns / L.maxRulesPerPolicy))).not.toThrow();
    expect(() => parseRules(rulesText(L.maxPolicies, 1, 1))).not.toThrow();
  });

  it.each([
    ['policies', () => rulesText(RULES_FILE_LIMITS.maxPolicies + 1, 1, 1), { path: 'policies', line: 4 }, /^101 policies; a rules file has at most 100$/],
    ['rules in a policy', () => rulesText(1, RULES_FILE_LIMITS.maxRulesPerPolicy + 1, 1), { path: 'policies[0].rules', line: 7 }, /^101 rules; a policy has at most 100$/],
    [
      'tag patterns',
      () => rulesText(1, 2, 251),
      { path: 'policies[0].rules[1].select.tagPatterns', line: 11 },
      /^more than 500 tag patterns \(protect\.tags, tagPatterns and excludeTagPatterns together\) by here; a rules file has at most 500$/,
    ],
    [
      'repository globs',
      () => rulesText(1, 1, 1, `protect:\n  repositories: [${Array.from({ length: 500 }, (_, i) => `"r${i}"`).join(', ')}]`),
      { path: 'policies[0].repositories.include', line: 6 },
      /^more than 500 repository globs .* by here; a rules file has at most 500$/,
    ],
  ])('too many %s: one positioned issue, nothing else validated', (_what, text, where, message) => {
    const issues = issuesOf(() => parseRules(text(), { file: 'big.yml' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'big.yml', ...where, message: expect.stringMatching(message) });
  });

  it('100,000 regexes are refused without compiling them', FAST, () => {
    const list = Array.from({ length: 100_000 }, () => '"/(a+)+/"').join(',');
    const text = `version: 1\nprotect:\n  tags: [${list}]\npolicies:\n  - name: p\n    repositories: { include: ["**"] }\n    rules:\n      - id: r\n        select: { tagStatus: untagged }\n        when: { sinceImagePushed: 1d }\n`;
    expect(text.length).toBeLessThan(RULES_FILE_LIMITS.maxBytes);
    const issues = issuesOf(() => parseRules(text, { file: 'r.yml' }));
    expect(issues).toEqual([expect.objectContaining({ path: 'protect.tags', line: 3, message: expect.stringMatching(/^more than 500 tag patterns/) })]);
  });

  it('a pattern or glob over 300 characters is refused at its position', () => {
    const long = `v${'x'.repeat(300)}`;
    const text = `version: 1\nprotect:\n  tags: ["${'y'.repeat(300)}", "${long}"]\n  repositories: ["${'z'.repeat(301)}"]\npolicies:\n  - name: p\n    repositories: { include: ["**"] }\n    rules:\n      - id: r\n        select: { tagStatus: untagged }\n        when: { sinceImagePushed: 1d }\n`;
    const issues = issuesOf(() => parseRules(text, { file: 'r.yml' }));
    expect(issues).toEqual([
      expect.objectContaining({ path: 'protect.tags[1]', line: 3, message: 'a tag pattern is at most 300 characters' }),
      expect.objectContaining({ path: 'protect.repositories[0]', line: 4, message: 'a repository glob is at most 300 characters' }),
    ]);
  });

  it('rules text over 1 MiB is refused before it is parsed', FAST, () => {
    const text = `version: 1\n# ${'x'.repeat(RULES_FILE_LIMITS.maxBytes)}\n`;
    expect(issuesOf(() => parseRules(text, { file: 'r.yml' }))).toEqual([
      { file: 'r.yml', path: '', message: `the rules text is ${text.length.toLocaleString('en-US')} characters; a rules file is at most 1 MiB (1,048,576 bytes)` },
    ]);
  });
});

describe('lifecycle policy text over 30,720 characters is refused before it is parsed', () => {
  it('a 40 MB policy string', FAST, () => {
    const text = `{"rules":[{"rulePriority":1,"description":"${'x'.repeat(40_000_000)}","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`;
    expect(issuesOf(() => parseLifecyclePolicy(text, { file: 'p.json' }))).toEqual([
      { file: 'p.json', path: '', message: `lifecycle policy text is ${text.length} characters; ECR allows at most 30720` },
    ]);
  });
});

describe('capped reads', () => {
  const cap = { what: 'rules file', maxBytes: 1000, limitName: 'the test limit' };

  it('reads a file within the cap whole, multi-byte characters intact', async () => {
    const path = join(dir, 'ok.txt');
    const text = `${'é'.repeat(400)}😀`; // 804 bytes
    await writeFile(path, text);
    expect(await readTextCapped(path, cap)).toBe(text);
    expect(readTextCappedSync(path, cap)).toBe(text);
    expect(readTextCappedSync(path, { what: 'policy', maxChars: 402, limitName: 'x' })).toBe(text);
  });

  it('refuses one byte over the byte cap, and one character over the character cap', async () => {
    const path = join(dir, 'over.txt');
    await writeFile(path, 'a'.repeat(1001));
    await expect(readTextCapped(path, cap)).rejects.toThrow(new InputTooLargeError(path, `rules file ${path} is larger than 1,000 bytes, the test limit; stopped reading there`));
    expect(() => readTextCappedSync(path, { what: 'policy', maxChars: 1000, limitName: 'the cap', subject: 'it' })).toThrow(
      'it is longer than 1,000 characters, the cap; stopped reading there',
    );
  });

  it('stops at the cap: a 1 GiB file is refused after reading 1 MiB', FAST, async () => {
    const path = await sparseFile('huge.yml', 1024 ** 3);
    const error = await loadRulesFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputTooLargeError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`rules file ${path} is larger than 1 MiB (1,048,576 bytes), the limit for a rules file; stopped reading there`);
  });

  it.each([
    ['/dev/zero', 'a character device'],
    ['/tmp', 'a directory'],
  ])('refuses %s before opening it', FAST, async (path, kind) => {
    await expect(loadRulesFile(path)).rejects.toThrow(new NotARegularFileError(path, kind, `rules file ${path}`));
  });

  it('refuses a FIFO instead of waiting for a writer', FAST, async () => {
    const fifo = join(dir, 'rules.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(loadRulesFile(fifo)).rejects.toThrow(`rules file ${fifo} is a FIFO (named pipe), not a regular file; give the path of a file`);
  });
});

describe('lifecyclePolicy: <path> files referenced from a rules file', () => {
  const rulesWith = (path: string) => `version: 1
policies:
  - name: legacy
    repositories: { include: ["legacy/**"] }
    lifecyclePolicy: ${JSON.stringify(path)}
`;

  it.each([
    ['/dev/zero', 'it is a character device, not a regular file; give the path of a file'],
    ['big.json', "it is longer than 30,720 characters, ECR's limit for a lifecycle policy; stopped reading there"],
  ])('%s is refused at the key, as a validation problem (exit 2)', FAST, async (target, reason) => {
    await writeFile(join(dir, 'big.json'), `{"rules": [], "description": "${'x'.repeat(200_000)}"}`);
    const rules = join(dir, `uses-${target.replace(/\W/g, '')}.yml`);
    await writeFile(rules, rulesWith(target));
    const error = await loadRulesFile(rules).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RulesValidationError);
    expect((error as RulesValidationError).issues).toEqual([
      { file: rules, line: 5, column: 22, path: 'policies[0].lifecyclePolicy', message: `cannot read lifecycle policy file ${JSON.stringify(target)}: ${reason}` },
    ]);
  });
});
