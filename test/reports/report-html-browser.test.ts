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
import { collectFailures, summarizeRepositories, topRepositories } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { buildSampleResult } from '../fixtures/sample-result.js';
import { launchHeadlessChromium } from '../support/headless-chromium.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));

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

  async function open(result: SweepResult, name: string, pageSize?: number): Promise<OpenedReport> {
    const file = path.join(dir, `${name}.html`);
    await writeFile(file, renderReportHtml(result, pageSize ? { pageSize } : {}));
    const href = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
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

  const visibleRows = (page: Page) =>
    page.$$eval('#image-rows tr', (rows) =>
      rows.map((r) => ({ repository: r.getAttribute('data-repository'), decision: r.getAttribute('data-decision'), outcome: r.getAttribute('data-outcome') })),
    );

  it('draws a bar pair per repository, shows the tables, filters rows, and saves a screenshot', async () => {
    const result = buildSampleResult();
    const { page, foreignRequests, problems } = await open(result, 'apply');

    // Chart: one row per contributing repository, each with a bytes bar and an images bar.
    const expected = topRepositories(summarizeRepositories(result), 12).top.map((s) => s.repositoryName);
    const chart = await page.$$eval('#chart-svg g.chart-row', (rows) =>
      rows.map((g) => ({
        repository: g.getAttribute('data-repository'),
        bytes: Number(g.querySelector('rect.bar-bytes')?.getAttribute('width')),
        images: Number(g.querySelector('rect.bar-images')?.getAttribute('width')),
        height: (g as unknown as { getBBox(): { height: number } }).getBBox().height,
      })),
    );
    expect(chart.map((c) => c.repository)).toEqual(expected);
    for (const bar of chart) {
      expect(bar.bytes).toBeGreaterThan(0);
      expect(bar.images).toBeGreaterThan(0);
      expect(bar.height).toBeGreaterThan(0);
    }
    // The biggest repository gets the full-width bytes bar.
    expect(chart[0]!.bytes).toBeGreaterThan(chart[chart.length - 1]!.bytes);

    // Tables.
    expect(await page.locator('#repository-table tbody tr').count()).toBe(result.repositories.length);
    expect(await page.locator('#failure-table tbody tr').count()).toBe(collectFailures(result).length);
    expect(await page.locator('#failure-table').innerText()).toContain('ImageReferencedByManifestList');
    expect(await page.locator('[data-total="deleted"] .value').innerText()).toBe('25');
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
    expect(await page.locator('#image-count').innerText()).toBe('Showing 5 of 5 matching images (61 in all)');

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
    await page.click('#chart-svg g.chart-row[data-repository="ml/trainer-gpu"] rect.bar-bytes');
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

  it('shows the dry-run banner and what would be freed', async () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    const { page, problems } = await open(result, 'dry-run');
    const banner = page.locator('.banner-dry-run');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toMatch(/^DRY RUN — nothing was deleted\./);
    expect(await page.locator('#chart h2').innerText()).toBe('Would be freed per repository');
    expect(await page.locator('[data-total="deleted"] .value').innerText()).toBe('0');
    expect(await page.locator('#chart-svg g.chart-row').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pages thousands of rows and folds small repositories into "others"', async () => {
    const result = buildSampleResult({ extraRepositories: 40, imagesPerExtraRepository: 100 });
    const { page, problems } = await open(result, 'large', 500);

    expect(await page.locator('#chart-svg g.chart-row').count()).toBe(13);
    expect(await page.locator('#chart-svg g.chart-others').count()).toBe(1);
    expect(await page.locator('#image-rows tr').count()).toBe(500);
    await page.click('#show-more');
    expect(await page.locator('#image-rows tr').count()).toBe(1000);

    await page.selectOption('#filter-repository', { label: 'generated/service-007' });
    expect(await page.locator('#image-rows tr').count()).toBe(100);
    expect(await page.locator('#show-more').isHidden()).toBe(true);
    expect(problems).toEqual([]);
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
    for (const width of [1024, 800, 400]) {
      await page.setViewportSize({ width, height: 1000 });
      expect((await horizontalFit(page)).pageFits, `at ${width} px`).toBe(true);
    }
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

