import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderReportHtml } from '../../lib/core/report-html.js';
import { collectFailures } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

const HOSTILE = {
  repository: 'evil/<img src=x onerror=alert(1)>',
  tag: '</script><script>alert("tag")</script>',
  reason: 'delete: <b onmouseover="alert(2)">old</b> & "quoted" \'single\'',
  message: '<iframe src="https://evil.example"></iframe>',
  aborted: '<svg onload=alert(3)>',
};

function hostileResult(): SweepResult {
  const result = buildSampleResult();
  const repo = result.repositories[0]!;
  repo.repositoryName = HOSTILE.repository;
  repo.images[0]!.imageTags = [HOSTILE.tag];
  repo.images[0]!.reason = HOSTILE.reason;
  repo.images[5]!.outcome = { status: 'failed', code: '<code>', message: HOSTILE.message };
  result.abortedReason = HOSTILE.aborted;
  return result;
}

/** The text between the first `open` and the next `close`. */
function between(html: string, open: string, close: string): string {
  const start = html.indexOf(open);
  if (start < 0) throw new Error(`no ${open}`);
  const end = html.indexOf(close, start + open.length);
  return html.slice(start + open.length, end);
}

function embeddedData(html: string): { repositories: string[]; rows: string[][] } {
  return JSON.parse(between(html, '<script type="application/json" id="image-data">', '</script>')) as { repositories: string[]; rows: string[][] };
}

describe('renderReportHtml', () => {
  it('shows a big DRY RUN banner only in a dry run', () => {
    const dry = renderReportHtml(buildSampleResult({ mode: 'dry-run' }));
    const apply = renderReportHtml(buildSampleResult());
    expect(dry).toContain('<strong>DRY RUN — nothing was deleted.</strong>');
    expect(dry).toContain('<body class="mode-dry-run">');
    expect(dry).toContain('Would be freed per repository');
    expect(apply).not.toContain('DRY RUN');
    expect(apply).toContain('<strong>2 failed deletions, 1 failed repository.</strong>');
    expect(apply).toContain('<h2>Failures: 2 failed deletions, 1 failed repository</h2>');
    expect(dry).toContain('<strong>1 failed repository.</strong>');
    expect(apply).toContain('<h2>Freed per repository</h2>');
  });

  it('puts the totals at the top, each card named for what it counts', () => {
    const html = renderReportHtml(buildSampleResult());
    const totals = between(html, '<section id="totals" class="totals">', '</section>');
    const cards = [...totals.matchAll(/data-total="(\w+)"><div class="label">([^<]+)<\/div><div class="value">([^<]+)</g)].map((m) => [m[1], m[2], m[3]]);
    expect(cards).toEqual([
      ['mode', 'Mode', 'apply'],
      ['repositories', 'Repositories', '8'],
      ['images', 'Images seen', '54'],
      ['deleted', 'Deleted', '25'],
      ['failedDeletions', 'Failed deletions', '2'],
      ['failedRepositories', 'Failed repositories', '1'],
      ['skipped', 'Skipped', '1'],
      ['bytesFreed', 'Bytes freed', '29.6 GiB'],
      ['inUseKept', 'Kept in use', '8'],
    ]);
    expect(totals).toContain('<div class="note">3 not listed</div>');
    expect(html.indexOf('id="totals"')).toBeLessThan(html.indexOf('id="chart"'));
  });

  it('counts a dry run\'s planned deletions as "would delete", never as skipped', () => {
    const html = renderReportHtml(buildSampleResult({ mode: 'dry-run' }));
    const totals = between(html, '<section id="totals" class="totals">', '</section>');
    const cards = [...totals.matchAll(/data-total="(\w+)"><div class="label">([^<]+)<\/div><div class="value">([^<]+)</g)].map((m) => [m[1], m[2], m[3]]);
    expect(cards).toEqual([
      ['mode', 'Mode', 'dry run'],
      ['repositories', 'Repositories', '8'],
      ['images', 'Images seen', '54'],
      ['wouldDelete', 'Would delete', '28'],
      ['failedRepositories', 'Failed repositories', '1'],
      ['bytesWouldFree', 'Would free', '30.5 GiB'],
      ['inUseKept', 'Kept in use', '8'],
    ]);
    expect(totals).not.toMatch(/skipped/i);
    const repositories = between(html, '<table class="data" id="repository-table">', '</table>');
    expect(repositories).toContain('<th class="num">Would delete</th>');
    expect(repositories).not.toMatch(/skipped/i);
    expect(embeddedData(html).rows.filter((r) => r[9] === 'skipped')).toEqual([]);
    expect(new Set(embeddedData(html).rows.filter((r) => r[6] === 'delete').map((r) => r[9]))).toEqual(new Set(['would-delete']));
  });

  it('says "not listed" instead of 0 images for repositories whose images were never read', () => {
    const html = renderReportHtml(buildSampleResult());
    const row = (name: string) => between(html, `<tr data-repository="${name}"`, '</tr>');
    for (const name of ['infra/base-images', 'sandbox/legacy-tools', 'ml/notebooks']) {
      expect(row(name).split('<td class="num">')[1]).toMatch(/^<span class="not-listed">not listed<\/span>/);
    }
    expect(row('data/etl').split('<td class="num">')[1]).toMatch(/^8</);
    expect(html).toContain('<h2>Repositories (8)</h2>');
    expect(html).toContain('3 repositories were not listed');
  });

  it('shows the warnings, and no warnings section when there are none', () => {
    const result = buildSampleResult();
    expect(renderReportHtml(result)).not.toContain('id="warnings"');
    result.warnings = [
      { code: 'policy-glob-matches-nothing', message: 'Policy "ml" matches no repository <ml-*>.' },
      { code: 'pull-time-not-excluded', message: 'Pull times are recorded since 2026.', repositoryName: 'web/frontend' },
    ];
    const section = between(renderReportHtml(result), '<section id="warnings">', '</section>');
    expect(section).toContain('<h2>Warnings (2)</h2>');
    expect(section).toContain('<code>policy-glob-matches-nothing</code>: Policy &quot;ml&quot; matches no repository &lt;ml-*&gt;.');
    expect(section).toContain('<code>pull-time-not-excluded</code> <strong>web/frontend</strong>: Pull times are recorded since 2026.');
  });

  it('draws one chart row per contributing repository, and folds the rest into others', () => {
    const small = renderReportHtml(buildSampleResult());
    // frontend, payments, report-worker and trainer freed bytes; the rest deleted nothing.
    expect(small.match(/<li class="chart-row"/g)).toHaveLength(4);
    expect(small).not.toContain('<li class="chart-row chart-others');

    const big = renderReportHtml(buildSampleResult({ extraRepositories: 30, imagesPerExtraRepository: 10 }), { chartTopN: 12 });
    const rows = [...big.matchAll(/<li class="([^"]+)" data-repository="([^"]+)"/g)].map((m) => ({ classes: m[1]!, name: m[2]! }));
    // Wide: 12 named + others; narrow: the first 6 named + its own others.
    expect(rows.filter((r) => !r.classes.includes('chart-narrow-only'))).toHaveLength(13);
    expect(rows.filter((r) => !r.classes.includes('chart-wide-only'))).toHaveLength(7);
    expect(rows.filter((r) => r.classes.includes('chart-others')).map((r) => r.name)).toEqual(['others (22 repositories)', 'others (28 repositories)']);
  });

  it('scales the bars to the largest named repository: a huge "others" bar is cut, not the named ones squashed', () => {
    // 30 generated repositories folded into "others" hold far more than the top named one.
    const result = buildSampleResult({ extraRepositories: 30, imagesPerExtraRepository: 40 });
    const html = renderReportHtml(result, { chartTopN: 2, chartNarrowTopN: 2 });
    const widths = [...html.matchAll(/<li class="([^"]+)" data-repository="([^"]+)"[\s\S]*?<rect class="bar bar-bytes([^"]*)" x="0" y="1" width="([\d.]+)%"/g)].map((m) => ({
      others: m[1]!.includes('chart-others'),
      offScale: m[3] === ' bar-off-scale',
      width: Number(m[4]),
    }));
    expect(widths.map((w) => w.others)).toEqual([false, false, true]);
    expect(widths[0]!.width).toBe(100);
    expect(widths[1]!.width).toBeGreaterThan(5);
    expect(widths[2]).toEqual({ others: true, offScale: true, width: 100 });
    expect(html).toContain('<div class="chart-off-scale">bar cut: more than the scale of the named repositories</div>');
  });

  it('says there is nothing to chart when nothing would be deleted', () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    for (const r of result.repositories) for (const i of r.images) i.decision = 'keep';
    for (const r of result.repositories) r.counts.planned = 0;
    expect(renderReportHtml(result)).toContain('No image would be deleted.');
  });

  it('lists every failure with its code, and caps a long list with a note', () => {
    const result = buildSampleResult();
    const html = renderReportHtml(result);
    const table = between(html, '<table class="data" id="failure-table">', '</table>');
    expect(table.match(/<tr>/g)).toHaveLength(collectFailures(result).length + 1);
    expect(table).toContain('<code>ImageReferencedByManifestList</code>');
    expect(table).toContain('<code>AccessDeniedException</code>');
    const capped = renderReportHtml(result, { maxFailureRows: 1 });
    expect(capped).toContain('2 more failures are not shown; <code>result.csv</code> lists every one.');
  });

  it('embeds every image row for the filterable table', () => {
    const result = buildSampleResult();
    const data = embeddedData(renderReportHtml(result));
    expect(data.rows).toHaveLength(result.totals.images);
    expect(data.repositories).toEqual(result.repositories.map((r) => r.repositoryName));
  });

  it('escapes user data everywhere: no injected element survives', () => {
    const html = renderReportHtml(hostileResult());
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b onmouseover');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<svg onload');
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain(escapeHtml(HOSTILE.repository));
    expect(html).toContain(escapeHtml(HOSTILE.aborted));
    const data = embeddedData(html);
    expect(data.repositories[0]).toBe(HOSTILE.repository);
    expect(data.rows[0]?.[2]).toBe(HOSTILE.tag);
    expect(data.rows[0]?.[8]).toBe(HOSTILE.reason);
  });

  it('keeps the page structure whatever the user strings are (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (tag, reason) => {
        const result = buildSampleResult();
        result.repositories[0]!.images[0]!.imageTags = [tag];
        result.repositories[0]!.images[0]!.reason = reason;
        result.repositories[0]!.repositoryName = reason;
        const html = renderReportHtml(result);
        expect(html.match(/<script/gi)).toHaveLength(2);
        expect(html.match(/<\/script/gi)).toHaveLength(2);
        expect(html.match(/<!--/g)).toBeNull();
        const data = embeddedData(html);
        expect(data.rows[0]?.[2]).toBe(tag);
        expect(data.rows[0]?.[8]).toBe(reason);
      }),
      { numRuns: 60 },
    );
  });

  it('loads nothing from the network and allows only its own inline script and style', () => {
    const html = renderReportHtml(buildSampleResult());
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/href="(?!#)/i);
    expect(html).not.toMatch(/@import|url\(/i);
    const csp = between(html, '<meta http-equiv="Content-Security-Policy" content="', '">').replace(/&#39;/g, "'");
    const script = between(html, '<script>', '</script>');
    const style = between(html, '<style>', '</style>');
    const hash = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src '${hash(script)}'`);
    expect(csp).toContain(`style-src '${hash(style)}'`);
  });

  it('stays compact for large runs: under 400 bytes per image', () => {
    const result = buildSampleResult({ extraRepositories: 100, imagesPerExtraRepository: 100 });
    const html = renderReportHtml(result);
    expect(result.totals.images).toBeGreaterThan(10_000);
    expect(html.length / result.totals.images).toBeLessThan(400);
  });

  it('renders a run that found no repository at all', () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    result.repositories = [];
    result.totals = { images: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 0, repositories: 0, failedRepositories: 0 };
    const html = renderReportHtml(result);
    expect(html).toContain('No image would be deleted.');
    expect(html).toContain('No failures.');
    expect(embeddedData(html).rows).toEqual([]);
  });

  it.each([
    ['<a href="x">', '&lt;a href=&quot;x&quot;&gt;'],
    ["it's & done", 'it&#39;s &amp; done'],
  ])('escapeHtml(%j) = %j', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });

  it('jsonForScript escapes characters that could end the script element', () => {
    const text = jsonForScript({ a: '</script><!-- \u2028 &' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ a: '</script><!-- \u2028 &' });
  });
});

describe('renderReportHtml: per-policy settings', () => {
  it("notes, per repository, the values its policy set over defaults (and nothing for the defaults' own)", () => {
    const result = buildSampleResult();
    const [own, plain] = result.repositories;
    own!.policy = 'payments';
    own!.settings = {
      policy: 'payments',
      mode: { value: 'dry-run', from: 'defaults' },
      minAgeMs: { value: 30 * 86_400_000, from: 'policy' },
      maxDeletePercentPerRepository: { value: 20, from: 'policy' },
      policyMaxDeletionsPerRun: null,
      protectTags: [
        { value: 'latest', from: 'defaults' },
        { value: 'release-*', from: 'policy' },
      ],
    };
    plain!.settings = { ...own!.settings, policy: 'rest', minAgeMs: { value: 86_400_000, from: 'defaults' }, maxDeletePercentPerRepository: { value: null, from: 'defaults' }, protectTags: [] };
    const html = renderReportHtml(result);
    const row = (name: string) => between(html, `<tr data-repository="${escapeHtml(name)}"`, '</tr>');
    expect(row(own!.repositoryName)).toContain('policy payments sets minAge 30d; maxDeletePercentPerRepository 20%; protect.tags + release-*');
    expect(row(plain!.repositoryName)).not.toContain(' sets ');
  });
});
