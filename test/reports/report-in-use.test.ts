/**
 * The in-use figures and words every report shares (lib/core/report-in-use.ts), and how the HTML
 * report and the Slack message render them: table tests, a property over random reports, and
 * hostile strings from consumers and error messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InUseSource } from '../../lib/core/in-use.js';
import type { InUseReport, InUseSourceReport } from '../../lib/core/plan-model.js';
import {
  IN_USE_SOURCE_NAMES,
  consumerList,
  consumersOf,
  inUseFailureHeadline,
  inUseFigures,
  inUseSourceFailed,
  inUseSummary,
} from '../../lib/core/report-in-use.js';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { SLACK_LIMITS, buildSlackMessage } from '../../lib/core/report-slack.js';
import { runFigures } from '../../lib/core/report-summary.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

const ZERO = { resolved: 0, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 };

function source(source: InUseSource, status: InUseSourceReport['status'], usages = 0, error?: InUseSourceReport['error']): InUseSourceReport {
  return { source, label: `${IN_USE_SOURCE_NAMES[source]} (label)`, status, usages, calls: {}, ...(error ? { error } : {}) };
}

function report(sources: InUseSourceReport[], imagesKept: number): InUseReport {
  return { scannedAt: '2026-11-27T06:00:00.000Z', rescans: 0, sources, counts: { ...ZERO }, imagesKept };
}

const DENIED = { code: 'AccessDeniedException', message: 'not authorized to perform: lambda:ListFunctions' };

describe('inUseSummary', () => {
  it.each([
    [[source('ecs', 'scanned', 8), source('lambda', 'scanned', 4), source('batch', 'off')], 12, 'in use: 12 images kept (ECS 8 usages, Lambda 4; Batch off)'],
    [[source('ecs', 'scanned', 1)], 1, 'in use: 1 image kept (ECS 1 usage)'],
    [[source('ecs', 'scanned', 1234), source('file', 'scanned', 0)], 1200, 'in use: 1,200 images kept (ECS 1,234 usages, in-use files 0)'],
    [[source('ecs', 'scanned', 3), source('lambda', 'failed', 0, DENIED), source('apprunner', 'off'), source('batch', 'off')], 3, 'in use: 3 images kept (Lambda failed; ECS 3 usages; App Runner off, Batch off)'],
    [[source('ecs', 'off'), source('lambda', 'off')], 0, 'in use: 0 images kept (ECS off, Lambda off)'],
    [[], 0, 'in use: 0 images kept'],
  ])('%j kept %i → %s', (sources, kept, text) => {
    expect(inUseSummary(report(sources, kept), kept)).toBe(text);
  });

  it('names every source once, counts only scanned usages, and says the kept figure (property)', () => {
    const sourceReport = fc
      .record({ source: fc.constantFrom<InUseSource>('ecs', 'lambda', 'batch', 'apprunner', 'file'), status: fc.constantFrom('scanned', 'off', 'failed') as fc.Arbitrary<InUseSourceReport['status']>, usages: fc.nat(5000) })
      .map((s) => source(s.source, s.status, s.status === 'scanned' ? s.usages : 0, s.status === 'failed' ? DENIED : undefined));
    fc.assert(
      fc.property(fc.uniqueArray(sourceReport, { selector: (s) => s.source, maxLength: 5 }), fc.nat(100_000), (sources, kept) => {
        const r = report(sources, kept);
        const text = inUseSummary(r, kept);
        const f = inUseFigures(r)!;
        expect(f.scanned.length + f.off.length + f.failed.length).toBe(sources.length);
        expect(f.usages).toBe(sources.reduce((n, s) => n + s.usages, 0));
        expect(text.startsWith(`in use: ${kept.toLocaleString('en-US')} image${kept === 1 ? '' : 's'} kept`)).toBe(true);
        for (const s of sources) expect(text.split(IN_USE_SOURCE_NAMES[s.source]).length - 1, s.source).toBe(1);
        expect(inUseSourceFailed(r)).toBe(f.failed.length > 0);
        // Failed sources lead the list: the reader sees them first.
        if (f.failed.length > 0) expect(text).toMatch(/\((?:[^;]*) failed(?:;|\))/);
      }),
    );
  });
});

describe('failure headline and consumers', () => {
  it('says that nothing is deleted where the failed sources look, in the right number', () => {
    expect(inUseFailureHeadline(1)).toBe('1 in-use source could not be read: nothing is deleted in the registry it covers (fail closed)');
    expect(inUseFailureHeadline(2)).toBe('2 in-use sources could not be read: nothing is deleted in the registry they cover (fail closed)');
  });

  it('lists each consumer once, in usage order, and folds the rest into "and N more"', () => {
    const usages = ['A', 'B', 'A', 'C', 'D', 'E'].map((consumer, i) => ({ consumer, source: 'ecs' as const, reference: `r${i}` }));
    expect(consumersOf({ usages })).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(consumerList({ usages })).toBe('A; B; C; D; E');
    expect(consumerList({ usages }, 3)).toBe('A; B; C; and 2 more');
    expect(consumerList({ usages }, 5)).toBe('A; B; C; D; E');
    expect(consumerList({})).toBe('');
  });

  it('runFigures.inUseKept is what the engine reports as imagesKept, 0 without in-use images', () => {
    expect(runFigures(buildSampleResult()).inUseKept).toBe(8);
    expect(buildSampleResult().inUse!.imagesKept).toBe(8);
    expect(runFigures(buildSampleResult({ inUse: 'none' })).inUseKept).toBe(0);
  });
});

describe('the HTML report', () => {
  it('renders hostile consumers and error messages as text', () => {
    const result = buildSampleResult({ inUse: 'failed' });
    result.inUse!.sources[0]!.error = { code: '<b>x</b>', message: '<img src=x onerror=alert(1)>' };
    const image = result.repositories[0]!.images.find((i) => i.usages)!;
    image.usages = [{ consumer: '<script>alert(1)</script>', source: 'file', reference: 'x' }];
    const html = renderReportHtml(result);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('bounds the in-use images (maxInUseRows) and the consumers per image (3), and counts the rest', () => {
    const result = buildSampleResult({ extraRepositories: 10, imagesPerExtraRepository: 30 });
    const html = renderReportHtml(result, { maxInUseRows: 4 });
    const table = html.slice(html.indexOf('id="in-use-images"'), html.indexOf('</table>', html.indexOf('id="in-use-images"')));
    expect(table.match(/<tr data-in-use-repository=/g)).toHaveLength(4);
    const total = Number(/<h3>Images in use \((\d+)\)<\/h3>/.exec(html)![1]);
    expect(html).toContain(`and ${total - 4} more in-use images`);
    const many = renderReportHtml(result);
    expect(many).toMatch(/Lambda function gen-\d+-0, version \d+; Lambda function gen-\d+-1, version \d+; Lambda function gen-\d+-2, version \d+; and 1 more/);
  });

  it('marks the card red and the source row failed when a source failed, and has no section without a report', () => {
    const failed = renderReportHtml(buildSampleResult({ inUse: 'failed' }));
    expect(failed).toContain('class="card card-inUseKept card-bad" data-total="inUseKept"');
    expect(failed).toContain('<tr data-source="ecs" data-status="failed" class="in-use-failed">');
    const ok = renderReportHtml(buildSampleResult());
    expect(ok).toContain('class="card card-inUseKept" data-total="inUseKept"');
    expect(ok).not.toContain('id="in-use-failed"');
    const none = renderReportHtml(buildSampleResult({ inUse: 'none' }));
    expect(none).not.toContain('<section id="in-use">');
    expect(none).not.toContain('data-total="inUseKept"');
  });
});

describe('the Slack message', () => {
  it('leads with a failed source, escaped, and stays within Block Kit limits with many failed sources', () => {
    const result = buildSampleResult({ mode: 'dry-run', inUse: 'failed' });
    result.inUse!.sources = Array.from({ length: 60 }, (_, i) => ({
      ...source('file', 'failed', 0, { code: 'InUseFileStale', message: `<!channel> s3://b/in-use/cluster-${i}.json is 30h old > 24h ${'x'.repeat(300)}` }),
      label: `in-use files (cluster-${i})`,
    }));
    const message = buildSlackMessage(result);
    const header = message.blocks[0]!;
    expect(header.type === 'header' && header.text.text).toMatch(/^ECR sweep: IN-USE SCAN FAILED \(in-use files, in-use files/);
    const first = message.blocks[1]!;
    expect(first.type === 'section' && first.text?.text).toMatch(/^:rotating_light: \*In-use scan failed: 60 in-use sources could not be read/);
    expect(first.type === 'section' && first.text?.text).toMatch(/\n…and \d+ more in the report\.$/);
    const all = JSON.stringify(message);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  });

  it('has no in-use line without a report', () => {
    expect(JSON.stringify(buildSlackMessage(buildSampleResult({ inUse: 'none' })))).not.toMatch(/In use|IN-USE/);
  });
});
