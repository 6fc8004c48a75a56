/**
 * Renders the HTML report in headless Chromium (from npm: `@sparticuz/chromium`) and checks what a person
 * would see: the chart has a bar pair per repository, the tables are there, the filters hide
 * rows, and the page makes no request and breaks no CSP rule. Saves a screenshot; with
 * ECR_SWEEPER_UPDATE_SCREENSHOT=1 it also refreshes docs/report.png.
 */
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { collectFailures, runFigures, summarizeRepositories, topRepositories } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { buildSampleResult } from '../fixtures/sample-result.js';
import { buildSampleInsights } from '../fixtures/sample-insights.js';
import { ruleTotals } from '../../lib/core/report-rules.js';
import { buildInsights, type ReportInsights } from '../../lib/core/report-insights.js';
import { ECR_PRICES } from '../../lib/core/ecr-prices.js';
import { historyEntry } from '../../lib/core/report-history.js';
import { launchHeadlessChromium } from '../support/headless-chromium.js';
import { imagesInUse, inUseFigures } from '../../lib/core/report-in-use.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));
const DOCS_NARROW_SCREENSHOT = fileURLToPath(new URL('../../docs/report-narrow.png', import.meta.url));
const DOCS_TREND_SCREENSHOT = fileURLToPath(new URL('../../docs/report-trend-narrow.png', import.meta.url));

/** What a person sees of one chart row: whether it is drawn, and how wide its bars and label are, in CSS px. */
interface ChartRowView {
  repository: string | null;
  others: boolean;
  visible: boolean;
  bytes: number;
  images: number;
  track: number;
  nameWidth: number;
  fontSize: number;
}

interface OpenedReport {
  page: Page;
  /** Requests to anything but the report file itself. */
  foreignRequests: string[];
  /** Console errors, page errors and CSP violations. */
  problems: string[];
}

describe('HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecr-sweeper-report-browser-'));
    browser = await launchHeadlessChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(result: SweepResult, name: string, pageSize?: number, width = 1280, insights?: ReportInsights): Promise<OpenedReport> {
    const file = path.join(dir, `${name}.html`);
    await writeFile(file, renderReportHtml(result, { ...(pageSize ? { pageSize } : {}), ...(insights ? { insights } : {}) }));
    return openFile(file, width);
  }

  async function openFile(file: string, width: number): Promise<OpenedReport> {
    const href = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
    const foreignRequests: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url() === href) return route.continue();
      foreignRequests.push(route.request().url());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Chromium reports a CSP violation as a console error, which `problems` collects.
    await page.goto(href);
    return { page, foreignRequests, problems };
  }

  /** Whether the page is no wider than the viewport, and which image-table headers end past its right edge. */
  // A string, because the test project has no DOM typings. Page coordinates (+ scrollX), so a
  // sideways scroll (e.g. by selectOption) cannot hide an overflow.
  const horizontalFit = (page: Page) =>
    page.evaluate<{ pageFits: boolean; offscreenColumns: string[] }>(`({
      pageFits: document.documentElement.scrollWidth <= window.innerWidth,
      offscreenColumns: [...document.querySelectorAll('#image-table thead th')]
        .filter((th) => th.getBoundingClientRect().right + window.scrollX > window.innerWidth)
        .map((th) => th.textContent),
    })`);

  const chartRows = (page: Page) =>
    page.$$eval('#chart-rows li.chart-row', (rows) =>
      rows.map((li) => {
        const box = (selector: string) => (li.querySelector(selector) as unknown as { getBoundingClientRect(): { width: number; height: number } } | null)?.getBoundingClientRect();
        const name = li.querySelector('.chart-name');
        const style = (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(name);
        return {
          repository: li.getAttribute('data-repository'),
          others: li.classList.contains('chart-others'),
          visible: (box('.chart-bars')?.height ?? 0) > 0,
          bytes: box('rect.bar-bytes')?.width ?? 0,
          images: box('rect.bar-images')?.width ?? 0,
          track: box('.chart-bars')?.width ?? 0,
          nameWidth: box('.chart-name')?.width ?? 0,
          fontSize: parseFloat(style.fontSize),
        };
      }),
    ) as Promise<ChartRowView[]>;

  const visibleRows = (page: Page) =>
    page.$$eval('#image-rows tr', (rows) =>
      rows.map((r) => ({ repository: r.getAttribute('data-repository'), decision: r.getAttribute('data-decision'), outcome: r.getAttribute('data-outcome') })),
    );

  it('draws a bar pair per repository, shows the tables, filters rows, and saves a screenshot', async () => {
    const result = buildSampleResult();
    const { page, foreignRequests, problems } = await open(result, 'apply', undefined, 1280, buildSampleInsights(result));

    // Chart: one row per contributing repository, each with a bytes bar and an images bar.
    const expected = topRepositories(summarizeRepositories(result), 12).top.map((s) => s.repositoryName);
    const chart = await chartRows(page);
    expect(chart.map((c) => c.repository)).toEqual(expected);
    for (const bar of chart) {
      expect(bar.visible).toBe(true);
      expect(bar.bytes).toBeGreaterThan(0);
      expect(bar.images).toBeGreaterThan(0);
    }
    // The biggest repository gets the full-width bytes bar.
    expect(chart[0]!.bytes).toBeCloseTo(chart[0]!.track, 0);
    expect(chart[0]!.bytes).toBeGreaterThan(chart[chart.length - 1]!.bytes);

    // Tables.
    expect(await page.locator('#repository-table tbody tr').count()).toBe(result.repositories.length);
    expect(await page.locator('#failure-table tbody tr').count()).toBe(collectFailures(result).length);
    expect(await page.locator('#failure-table').innerText()).toContain('ImageReferencedByManifestList');
    expect(await page.locator('[data-total="deleted"] .value').innerText()).toBe('25');
    expect(await page.locator('[data-total="failedDeletions"] .value').innerText()).toBe('2');
    expect(await page.locator('#failures h2').innerText()).toBe('Failures: 2 failed deletions, 1 failed repository');
    expect(await page.locator('.banner-dry-run').count()).toBe(0);

    // Every image row is there before filtering.
    expect(await visibleRows(page)).toHaveLength(result.totals.images);

    // Filter by decision.
    await page.selectOption('#filter-decision', 'delete');
    const deletes = await visibleRows(page);
    expect(deletes).toHaveLength(result.totals.planned);
    expect(deletes.every((r) => r.decision === 'delete')).toBe(true);

    // And by repository on top of it.
    await page.selectOption('#filter-repository', { label: 'api/payments' });
    const paymentDeletes = await visibleRows(page);
    expect(paymentDeletes).toHaveLength(5);
    expect(paymentDeletes.every((r) => r.repository === 'api/payments' && r.decision === 'delete')).toBe(true);
    expect(await page.locator('#image-count').innerText()).toBe('Showing 5 of 5 matching images (54 in all)');

    // Outcome filter and free-text search.
    await page.selectOption('#filter-repository', '');
    await page.selectOption('#filter-decision', '');
    await page.selectOption('#filter-outcome', 'failed');
    expect((await visibleRows(page)).map((r) => r.repository)).toEqual(['api/payments', 'batch/report-worker']);
    await page.selectOption('#filter-outcome', '');
    await page.fill('#filter-text', 'pr-41');
    expect(await visibleRows(page)).toHaveLength(4);
    await page.fill('#filter-text', '');

    // Clicking a chart bar filters the table to that repository.
    await page.click('#chart-rows li.chart-row[data-repository="ml/trainer-gpu"] rect.bar-bytes');
    const trainer = await visibleRows(page);
    expect(trainer).toHaveLength(6);
    expect(trainer.every((r) => r.repository === 'ml/trainer-gpu')).toBe(true);
    await page.selectOption('#filter-repository', '');

    expect(foreignRequests).toEqual([]);
    expect(problems).toEqual([]);

    // At 1280 px the page does not scroll sideways and every image column is on screen.
    expect(await horizontalFit(page)).toEqual({ pageFits: true, offscreenColumns: [] });

    const shot = path.join(dir, 'report.png');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1900 } });
    if (process.env.ECR_SWEEPER_UPDATE_SCREENSHOT === '1') await copyFile(shot, DOCS_SCREENSHOT);
    await page.close();
  });

  // The trend is SVG stretched to its box with HTML text around it; at phone width it must still
  // be a readable chart, not a sliver, and nothing of the new sections may push the page sideways.
  it.each([1280, 420])('draws the trend, the changes, the money and the totals per rule readably at %i px', async (width) => {
    const result = buildSampleResult({ extraRepositories: 40, imagesPerExtraRepository: 20 });
    const insights = buildSampleInsights(result, { runs: 90, changed: 12 });
    const { page, foreignRequests, problems } = await open(result, `trend-${width}`, 500, width, insights);

    expect(await horizontalFit(page)).toMatchObject({ pageFits: true });
    const charts = (await page.$$eval('#trend figure.trend', (figures) =>
      figures.map((f) => {
        const rect = (e: unknown) => (e as unknown as { getBoundingClientRect(): { width: number; height: number; right: number } } | null)?.getBoundingClientRect();
        const style = (e: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(e);
        return {
          id: f.id,
          svg: rect(f.querySelector('svg')),
          figure: rect(f),
          bars: f.querySelectorAll('rect.trend-bar').length,
          line: f.querySelector('polyline.trend-line')?.getAttribute('points')?.split(' ').length ?? 0,
          latest: f.querySelector('.trend-latest')?.textContent ?? '',
          fontSize: parseFloat(style(f.querySelector('.trend-max')).fontSize),
        };
      }),
    )) as Array<{ id: string; svg: { width: number; height: number; right: number }; figure: { right: number }; bars: number; line: number; latest: string; fontSize: number }>;
    expect(charts.map((c) => c.id)).toEqual(['trend-size', 'trend-deletions']);
    for (const chart of charts) {
      expect(chart.svg.width, chart.id).toBeGreaterThan(width < 640 ? 330 : 500);
      expect(chart.svg.height, chart.id).toBeGreaterThanOrEqual(100);
      expect(chart.svg.right, chart.id).toBeLessThanOrEqual(width);
      expect(chart.fontSize, chart.id).toBeGreaterThanOrEqual(12);
    }
    // 90 runs: 90 points on the size line, a bar for every run that deleted something.
    expect(charts[0]!.line).toBe(90);
    expect(charts[1]!.bars).toBe(insights.history!.filter((h) => h.deletions > 0).length);
    expect(charts[1]!.latest).toMatch(/^[\d,]+ \(previous run [\d,]+\)$/);
    expect(await page.locator('.trend-dates').isVisible()).toBe(true);

    // The diff: one row per changed image, both decisions and both reasons shown.
    expect(await page.locator('#changed-images tbody tr').count()).toBe(12);
    const first = await page.locator('#changed-images tbody tr').first().innerText();
    expect(first).toMatch(/keep\s+keep: pushed/);
    expect(first).toMatch(/delete\s+delete/);
    // Totals per rule and the money, labelled as estimates.
    expect(await page.locator('#rule-table tbody tr').count()).toBe(ruleTotals(result).length);
    expect(await page.locator('#money').innerText()).toMatch(/Estimated storage cost freed: \$[\d,.]+ per month \(estimated\)/);
    expect(foreignRequests).toEqual([]);
    expect(problems).toEqual([]);
    if (width < 640) {
      // The trend section only: the top of the page is the other narrow screenshot's.
      const shot = path.join(dir, 'trend-narrow.png');
      await page.locator('#trend').screenshot({ path: shot });
      if (process.env.ECR_SWEEPER_UPDATE_SCREENSHOT === '1') await copyFile(shot, DOCS_TREND_SCREENSHOT);
    } else {
      await page.screenshot({ path: path.join(dir, 'trend-wide.png'), fullPage: true, clip: { x: 0, y: 0, width, height: 2600 } });
    }
    await page.close();
  });

  it('says plainly on a first run that there is no history and no previous run yet', async () => {
    const result = buildSampleResult();
    const insights = buildInsights({ result, region: 'us-east-1', prices: ECR_PRICES, stored: { runs: [], previous: null }, runs: [historyEntry(result)] });
    const { page, problems } = await open(result, 'first-run', undefined, 420, insights);
    expect(await page.locator('#trend-empty').innerText()).toMatch(/^No history yet: this is the first run recorded/);
    expect(await page.locator('#changes-none').innerText()).toMatch(/^No previous run/);
    expect(await page.locator('#trend svg').count()).toBe(0);
    expect(await horizontalFit(page)).toMatchObject({ pageFits: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the dry-run banner and what would be freed', async () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    const { page, problems } = await open(result, 'dry-run');
    const banner = page.locator('.banner-dry-run');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toMatch(/^DRY RUN — nothing was deleted\./);
    expect(await page.locator('#chart h2').innerText()).toBe('Would be freed per repository');
    expect(await page.locator('[data-total="wouldDelete"] .value').innerText()).toBe('28');
    expect(await page.locator('[data-total="skipped"]').count()).toBe(0);
    expect(await page.locator('#chart-rows li.chart-row').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pages thousands of rows and folds small repositories into "others"', async () => {
    const result = buildSampleResult({ extraRepositories: 40, imagesPerExtraRepository: 100 });
    const { page, problems } = await open(result, 'large', 500);

    const chart = (await chartRows(page)).filter((r) => r.visible);
    expect(chart).toHaveLength(13);
    expect(chart.filter((r) => r.others)).toHaveLength(1);
    expect(await page.locator('#image-rows tr').count()).toBe(500);
    await page.click('#show-more');
    expect(await page.locator('#image-rows tr').count()).toBe(1000);

    await page.selectOption('#filter-repository', { label: 'generated/service-007' });
    expect(await page.locator('#image-rows tr').count()).toBe(100);
    expect(await page.locator('#show-more').isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  // The "others" bar of 40 generated repositories holds far more than the largest named one; it
  // once squashed every named bar, and the whole chart shrank to unreadable text at phone width.
  it.each([1280, 420])('keeps the named chart bars readable at %i px: scaled to the largest named one, others cut', async (width) => {
    const result = buildSampleResult({ extraRepositories: 40, imagesPerExtraRepository: 100 });
    const { page, problems } = await open(result, `chart-${width}`, 500, width);

    expect(await horizontalFit(page)).toMatchObject({ pageFits: true });
    const chart = (await chartRows(page)).filter((r) => r.visible);
    const named = chart.filter((r) => !r.others);
    const others = chart.filter((r) => r.others);
    // A narrow screen folds more: 6 named repositories instead of 12, and one "others".
    expect(named).toHaveLength(width < 640 ? 6 : 12);
    expect(others).toHaveLength(1);
    const widest = Math.max(...named.map((r) => r.bytes));
    expect(widest).toBeCloseTo(named[0]!.track, 0);
    expect(others[0]!.bytes).toBeLessThanOrEqual(widest + 0.5);
    for (const row of named) {
      // Each named bar is a visible share of its track, and its label is text of a readable size.
      expect(row.bytes, row.repository ?? '').toBeGreaterThanOrEqual(Math.min(40, row.track * 0.1));
      expect(row.images, row.repository ?? '').toBeGreaterThanOrEqual(8);
      expect(row.fontSize).toBeGreaterThanOrEqual(12);
      expect(row.nameWidth).toBeGreaterThan(60);
      expect(row.track).toBeGreaterThan(width < 640 ? 300 : 500);
    }
    expect(await page.locator('#chart-rows li.chart-others:visible .chart-off-scale').isVisible()).toBe(true);
    expect(problems).toEqual([]);

    if (width < 640) {
      const shot = path.join(dir, 'report-narrow.png');
      await page.screenshot({ path: shot, clip: { x: 0, y: 0, width, height: 1500 }, fullPage: true });
      if (process.env.ECR_SWEEPER_UPDATE_SCREENSHOT === '1') await copyFile(shot, DOCS_NARROW_SCREENSHOT);
    }
    await page.close();
  });

  it('fits a 1280 px screen even with very long names, tags, reasons and failure messages', async () => {
    const result = buildSampleResult();
    const repository = result.repositories[1]!;
    const failed = repository.images.find((i) => i.outcome.status === 'failed')!;
    // ECR allows 256-character repository names and 128-character tags; git SHAs make long unbroken tags.
    repository.repositoryName = `team/${'very-long-service-name-'.repeat(10)}end`;
    failed.imageTags = ['a'.repeat(128), `build-${'0123456789abcdef'.repeat(4)}`];
    failed.reason = `delete: ${'x'.repeat(300)}`;
    if (failed.outcome.status === 'failed') failed.outcome.message = `m${'y'.repeat(400)}`;
    const { page, problems } = await open(result, 'long-cells');

    await page.selectOption('#filter-repository', { label: repository.repositoryName });
    expect(await visibleRows(page)).toHaveLength(repository.images.length);
    expect(await horizontalFit(page)).toEqual({ pageFits: true, offscreenColumns: [] });

    // Narrower screens: the tables scroll inside their own box, the page itself still does not.
    for (const width of [1024, 800, 420, 400]) {
      await page.setViewportSize({ width, height: 1000 });
      expect((await horizontalFit(page)).pageFits, `at ${width} px`).toBe(true);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  // The in-use section: a failed source is the red banner at the top and a red row with its error;
  // the counts and the bounded list of in-use images with their consumers fit a phone too.
  it.each([1280, 420])('shows in-use protection readably at %i px: a failed source first, the counts, the in-use images bounded', async (width) => {
    const result = buildSampleResult({ inUse: 'failed', extraRepositories: 12, imagesPerExtraRepository: 30 });
    const file = path.join(dir, `in-use-${width}.html`);
    await writeFile(file, renderReportHtml(result, { maxInUseRows: 10 }));
    const { page, foreignRequests, problems } = await openFile(file, width);
    const figures = { ...inUseFigures(result.inUse)!, inUseKept: runFigures(result).inUseKept };

    // The failed source is the first banner, in the alarm style, naming the source and why.
    const banner = page.locator('.banner').first();
    expect(await banner.getAttribute('id')).toBe('in-use-failed');
    expect(await banner.getAttribute('class')).toContain('banner-error');
    expect(await banner.innerText()).toMatch(/^In-use scan failed: 1 in-use source could not be read: nothing is deleted/);
    expect(await banner.innerText()).toContain('ECS (all clusters): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecr-sweeper/run is not authorized');
    expect(await banner.isVisible()).toBe(true);

    // One row per source, the failed one red with its error, off said so.
    const sources = page.locator('#in-use-sources tbody tr');
    expect(await sources.count()).toBe(result.inUse!.sources.length);
    const failedRow = page.locator('#in-use-sources tr[data-status="failed"]');
    expect(await failedRow.innerText()).toContain('AccessDeniedException');
    const background = await failedRow
      .locator('td')
      .first()
      .evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(td).backgroundColor);
    expect(background).toBe('rgb(253, 236, 234)');
    expect(await page.locator('#in-use-sources tr[data-status="off"]').innerText()).toContain('turned off by the rules');

    // The counts, each under its shared label.
    expect(await page.locator('[data-in-use="inUseKept"] dd').innerText()).toBe(String(figures.inUseKept));
    expect(await page.locator('[data-in-use="usages"] dd').innerText()).toBe(String(figures.usages));
    expect(await page.locator('[data-in-use="otherRegistry"] dt').innerText()).toMatch(/^other registry$/i);
    expect(await page.locator('[data-total="inUseKept"] .value').innerText()).toBe(String(figures.inUseKept));

    // The first 10 in-use images with their consumers, and how many more.
    const inUse = result.repositories.flatMap((r) => imagesInUse(r).map((i) => ({ repository: r.repositoryName, image: i })));
    expect(inUse.length).toBeGreaterThan(10);
    expect(await page.locator('#in-use-images tbody tr').count()).toBe(10);
    expect(await page.locator('#in-use h3').innerText()).toBe(`Images in use (${inUse.length})`);
    expect(await page.locator('#in-use-more').innerText()).toMatch(new RegExp(`^and ${inUse.length - 10} more in-use images`));
    const first = await page.locator('#in-use-images tbody tr').first().innerText();
    expect(first).toContain(inUse[0]!.repository);
    expect(first).toContain('Lambda function ssr ($LATEST)');

    expect(await horizontalFit(page)).toMatchObject({ pageFits: true });
    expect(foreignRequests).toEqual([]);
    expect(problems).toEqual([]);
    await page.locator('#in-use').screenshot({ path: path.join(dir, `in-use-${width}.png`) });
    if (process.env.ECR_SWEEPER_SHOTS_DIR) await page.locator('#in-use').screenshot({ path: path.join(process.env.ECR_SWEEPER_SHOTS_DIR, `in-use-${width}.png`) });
    await page.close();
  });

  it('has no in-use section, banner or card for a run without in-use sources', async () => {
    const { page, problems } = await open(buildSampleResult({ inUse: 'none' }), 'no-in-use');
    expect(await page.locator('#in-use').count()).toBe(0);
    expect(await page.locator('#in-use-failed').count()).toBe(0);
    expect(await page.locator('[data-total="inUseKept"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders hostile tags and reasons as text, never as markup', async () => {
    const result = buildSampleResult();
    result.repositories[0]!.images[0]!.imageTags = ['<img src=x onerror="document.title=\'pwned\'">'];
    result.repositories[0]!.images[0]!.reason = '<script>document.title="pwned"</script>';
    result.repositories[0]!.repositoryName = '<b id="injected">web</b>';
    const { page } = await open(result, 'hostile');

    expect(await page.title()).toBe('ECR sweep report: sweep-20261127-0600');
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.locator('#image-rows img').count()).toBe(0);
    expect(await page.locator('#image-rows tr').first().innerText()).toContain('<script>document.title="pwned"</script>');
    await page.close();
  });
});

