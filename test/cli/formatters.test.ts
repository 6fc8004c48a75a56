import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyExitCode } from '../../lib/cli/exit-codes.js';
import { formatBytes } from '../../lib/cli/format-bytes.js';
import { formatBytes as reportFormatBytes } from '../../lib/core/report-summary.js';
import { displayPath, formatIssue } from '../../lib/cli/format-issues.js';
import { PLAN_CSV_COLUMNS, renderPlanCsv } from '../../lib/cli/format-plan-csv.js';
import { renderPlanTable } from '../../lib/cli/format-plan-table.js';
import { MAX_LISTED_FAILURES, renderResultTable } from '../../lib/cli/format-result-table.js';
import { renderWarnings } from '../../lib/cli/format-warnings.js';
import { parseConcurrency, parseFormat, parseMaxDuration, parseNow } from '../../lib/cli/options.js';
import { CliUsageError } from '../../lib/cli/errors.js';
import { formatDuration } from '../../lib/core/report-summary.js';
import { parseCsv } from '../fixtures/csv.js';
import { image, plan, repo, resultFrom, samplePlan } from './plan-fixture.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [3 * 1024 ** 3, '3 GiB'],
    [1024 ** 2 - 1, '1 MiB'],
    [null, '?'],
    [-2048, '-2 KiB'],
  ])('%s → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('prints a size exactly as the HTML report and Slack do (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (n) => {
        expect(formatBytes(n)).toBe(reportFormatBytes(n));
      }),
    );
  });

  it('never prints 1024 of a unit below PiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (n) => {
        const [value] = formatBytes(n).split(' ');
        expect(Number(value)).toBeLessThan(1024);
      }),
    );
  });
});

describe('renderPlanTable', () => {
  const text = renderPlanTable(samplePlan());

  it('lists governed repositories with their counts and bytes, and counts the unmanaged ones', () => {
    const apiRow = text.split('\n').find((l) => l.includes('team/api'));
    expect(apiRow).toBeDefined();
    expect(apiRow).toMatch(/team\/api\s*│\s*services\s*│\s*planned\s*│\s*2\s*│\s*1\s*│\s*1\s*│\s*3 GiB/);
    expect(text).toContain('prod/payments');
    expect(text).not.toContain('sandbox/a');
    expect(text).toContain('2 repositories are not governed by any policy');
  });

  it('prints totals and the blocked reasons', () => {
    expect(text).toMatch(/Total: 6 repositories \(2 not shown\)\s*│\s*│\s*1 blocked/);
    expect(text).toContain('Blocked by a safety limit');
    expect(text).toContain('team/batch: would delete 100% of images > maxDeletePercentPerRepository 50%');
  });

  it('says "not listed" for a protected repository instead of 0 images, and why the total has more repositories than rows', () => {
    expect(text).toMatch(/prod\/payments\s*│\s*-\s*│\s*protected\s*│\s*not listed\s*│/);
    const rows = text.split('\n').filter((l) => /^│ \S/.test(l) && !l.includes('Repository') && !l.includes('Total'));
    expect(rows).toHaveLength(4);
    expect(text).toContain('2 repositories are not governed by any policy (untouched, not listed, no row above).');
  });

  it('says a dry run deletes nothing, and has no colour codes', () => {
    expect(text.split('\n')[0]).toBe('Plan (dry run: nothing is deleted) evaluated at 2026-11-27T12:00:00.000Z');
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('marks repositories that ran their attached lifecycle policy, and lists those without one', () => {
    const withAttached = renderPlanTable(
      plan([
        repo('apps/api', [image({ decision: 'delete', rule: 'priority-1', reason: 'delete: ...' })], { policy: 'own', rulesFrom: 'attached-lifecycle-policy' }),
        repo('apps/none', [], { policy: 'own', status: 'no-lifecycle-policy', statusReason: 'no lifecycle policy is attached to this repository, so it is untouched' }),
      ]),
    );
    expect(withAttached).toMatch(/apps\/api\s*│\s*own \(attached policy\)\s*│\s*planned/);
    expect(withAttached).toMatch(/apps\/none\s*│\s*own\s*│\s*no-lifecycle-policy/);
    expect(withAttached).toContain('No lifecycle policy attached (their policy runs attached policies; untouched):\n  - apps/none (policy own)');
  });

  it('adds an Archive column only when something transitions', () => {
    expect(text).not.toContain('Archive');
    const withTransition = plan([repo('r', [image({ decision: 'transition', reason: 'transition: archive' })])]);
    expect(renderPlanTable(withTransition)).toContain('Archive');
  });

  it('has no blocked section when nothing is blocked', () => {
    expect(renderPlanTable(plan([repo('r', [image()])]))).not.toContain('Blocked');
  });
});

describe('renderPlanCsv', () => {
  const csv = renderPlanCsv(samplePlan());
  const lines = csv.split('\r\n');

  it('has the header then one row per image, CRLF-terminated', () => {
    expect(lines[0]).toBe(PLAN_CSV_COLUMNS.join(','));
    expect(lines.filter((l) => l !== '')).toHaveLength(1 + 4);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('neutralises formula cells and quotes quotes', () => {
    const web = lines.find((l) => l.startsWith('team/web'));
    expect(web).toContain(`,'=cmd|calc pr-12,`);
    expect(web).toContain('"delete: ""pr"" build, pushed 30d ago > 7d"');
  });
});

describe('renderPlanCsv round trip', () => {
  it('any reason and rule id read back as written (formula-looking cells get a leading apostrophe)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (reason, rule) => {
        const p = plan([repo('r', [image({ reason, rule, decision: 'delete' })])]);
        const rows = parseCsv(renderPlanCsv(p));
        expect(rows).toHaveLength(2);
        const neutral = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
        expect(rows[1]?.[PLAN_CSV_COLUMNS.indexOf('reason')]).toBe(neutral(reason));
        expect(rows[1]?.[PLAN_CSV_COLUMNS.indexOf('rule')]).toBe(neutral(rule));
        expect(rows[1]).toHaveLength(PLAN_CSV_COLUMNS.length);
      }),
    );
  });
});

describe('renderResultTable and applyExitCode', () => {
  const p = samplePlan();

  it('shows deleted counts and bytes freed for a clean apply, exit 3 because a repository was blocked', () => {
    const result = resultFrom({ ...p, mode: 'apply' }, () => ({ status: 'deleted' }));
    const text = renderResultTable(result);
    expect(text).toMatch(/team\/api\s*│\s*completed\s*│\s*1\s*│\s*1\s*│\s*0/);
    expect(text).toContain('(apply)');
    expect(text).toContain('team/batch: would delete 100%');
    expect(applyExitCode(result)).toBe(3);
  });

  it('prints the run time as the HTML report and Slack do (one definition)', () => {
    const result = { ...resultFrom({ ...p, mode: 'apply' }, () => ({ status: 'deleted' })), durationMs: 245_000 };
    expect(formatDuration(result.durationMs)).toBe('4 min 05 s');
    expect(renderResultTable(result)).toContain('(apply) finished in 4 min 05 s');
  });

  it('exit 0 when everything planned was deleted and nothing was blocked', () => {
    const clean = plan([repo('r', [image({ decision: 'delete', reason: 'delete: old' })])], 'apply');
    expect(applyExitCode(resultFrom(clean, () => ({ status: 'deleted' })))).toBe(0);
  });

  it('lists failures with codes, caps the list, and exits 1', () => {
    const many = plan(
      [repo('r', Array.from({ length: MAX_LISTED_FAILURES + 5 }, (_, i) => image({ imageDigest: `sha256:${String(i).padStart(64, '0')}`, decision: 'delete', reason: 'delete' })))],
      'apply',
    );
    const result = resultFrom(many, () => ({ status: 'failed', code: 'ImageReferencedByManifestList', message: 'still referenced' }));
    const text = renderResultTable(result);
    expect(text).toContain(`Failed deletions (${MAX_LISTED_FAILURES + 5}):`);
    expect(text).toContain('ImageReferencedByManifestList: still referenced');
    expect(text).toContain('... and 5 more (see result.csv)');
    expect(applyExitCode(result)).toBe(1);
  });

  it('a run-wide abort is exit 3 even with failures, and says why', () => {
    const clean = plan([repo('r', [image({ decision: 'delete', reason: 'delete' })])], 'apply');
    const result = resultFrom(clean, () => ({ status: 'failed', code: 'X', message: 'y' }), { abortedReason: 'maxDeletionsPerRun 10 exceeded: 12 planned' });
    expect(renderResultTable(result)).toContain('ABORTED by a safety limit: maxDeletionsPerRun 10 exceeded');
    expect(applyExitCode(result)).toBe(3);
  });

  it('a dry-run result says nothing was deleted, and counts "would delete", not skipped', () => {
    const text = renderResultTable(resultFrom(p, () => ({ status: 'would-delete' })));
    expect(text).toContain('dry run: nothing was deleted');
    expect(text).toMatch(/Repository\s*│\s*Status\s*│\s*Planned\s*│\s*Would delete\s*│\s*Kept\s*│\s*Would free/);
    expect(text).toMatch(/team\/api\s*│\s*completed\s*│\s*1\s*│\s*1\s*│\s*1\s*│\s*3 GiB/);
    expect(text).not.toMatch(/skipped/i);
  });

  it('the total row says how many repositories have no row, and the line below says why', () => {
    const text = renderResultTable(resultFrom({ ...p, mode: 'apply' }, () => ({ status: 'deleted' })));
    expect(text).toMatch(/Total: 6 repositories \(3 not shown\)/);
    expect(text).toContain('3 repositories not shown: 1 protected (not listed), 2 unmanaged (not listed).');
  });
});

describe('flag parsing', () => {
  it.each(['2026-11-27T12:00:00Z', '2026-11-27', '2026-11-27T12:00:00.123+02:00'])('accepts --now %s', (v) => {
    expect(parseNow(v)).toBe(Date.parse(v));
  });

  it.each(['yesterday', '1', '2026-13-45T00:00:00Z', ''])('rejects --now %j with a CliUsageError naming the flag', (v) => {
    expect(() => parseNow(v)).toThrow(CliUsageError);
    expect(() => parseNow(v)).toThrow(/--now/);
  });

  it.each([['0'], ['65'], ['1.5'], ['x'], ['-1']])('rejects --concurrency %s', (v) => {
    expect(() => parseConcurrency(v)).toThrow(/--concurrency must be a whole number from 1 to 64/);
  });

  it('--max-duration takes the rules duration syntax and must be positive', () => {
    expect(parseMaxDuration('30m')).toBe(30 * 60_000);
    expect(() => parseMaxDuration('0s')).toThrow('--max-duration must be longer than 0');
    expect(() => parseMaxDuration('half an hour')).toThrow(/^--max-duration: expected a duration/);
  });

  it('a run stopped by its deadline exits 1: it is not done', () => {
    const clean = plan([repo('r', [image({ decision: 'delete', reason: 'delete' })])], 'apply');
    expect(applyExitCode(resultFrom(clean, () => ({ status: 'deleted' }), { stoppedByDeadline: true }))).toBe(1);
  });

  it('accepts --concurrency 8 and --format csv', () => {
    expect(parseConcurrency('8')).toBe(8);
    expect(parseFormat('csv', ['table', 'json', 'csv'])).toBe('csv');
    expect(() => parseFormat('xml', ['table', 'json'])).toThrow("--format must be one of table, json; got 'xml'");
  });
});

describe('formatIssue', () => {
  it('prints file:line:column: path: message, relative to the working directory', () => {
    expect(formatIssue({ file: '/w/rules/a.yml', line: 4, column: 7, path: 'policies[0].name', message: 'Required' }, 'x', '/w')).toBe(
      'rules/a.yml:4:7: policies[0].name: Required',
    );
  });

  it('falls back to the given file and omits what is unknown', () => {
    expect(formatIssue({ path: '', message: 'empty file' }, 'a.yml', '/w')).toBe('a.yml: empty file');
    expect(displayPath('/elsewhere/a.yml', '/w')).toBe('/elsewhere/a.yml');
  });
});

describe('renderWarnings', () => {
  it.each<[string, Parameters<typeof renderWarnings>[0], string]>([
    ['none: nothing at all', [], ''],
    ['one line per warning, any code, with its code', [{ code: 'a-code', message: 'first' }, { code: 'pull-time-not-excluded', message: 'second' }], 'warning (a-code): first\nwarning (pull-time-not-excluded): second\n'],
    ['the repository when the message does not name it', [{ code: 'c', message: 'index read counted as a pull', repositoryName: 'team/app' }], 'warning (c): index read counted as a pull [team/app]\n'],
    ['not twice when it does', [{ code: 'c', message: 'team/app: odd', repositoryName: 'team/app' }], 'warning (c): team/app: odd\n'],
    ['a newline in a message stays on its line', [{ code: 'c', message: 'one\n  two' }], 'warning (c): one two\n'],
  ])('%s', (_label, warnings, text) => {
    expect(renderWarnings(warnings)).toBe(text);
  });
});
