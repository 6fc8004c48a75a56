/**
 * Reports of huge runs stay usable and are never one giant string: JSON and CSV come in pieces
 * with the same text as the whole renderers, the local store streams them to disk, and the HTML
 * page of a 100,000-image run carries a bounded number of rows, links to result.csv, and shows
 * the same figures as the CSV's rows.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { writeChunksAtomic } from '../../lib/adapters/chunked-write.js';
import { LocalReportStore } from '../../lib/adapters/report-store-local.js';
import { jsonChunks } from '../../lib/core/json-chunks.js';
import { renderResultCsv, resultCsvLines } from '../../lib/core/report-csv.js';
import { planFileBody, planFileChunks, resultFiles } from '../../lib/core/report-files.js';
import { MAX_IMAGE_ROWS, renderReportHtml } from '../../lib/core/report-html.js';
import { runFigures } from '../../lib/core/report-summary.js';
import { decisionDigest, parseDecisionDigest } from '../../lib/core/report-history.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { parseCsv } from '../fixtures/csv.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('jsonChunks', () => {
  it('joins to exactly JSON.stringify for any JSON value, indent and split depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2, 4), fc.integer({ min: 0, max: 6 }), (value, indent, depth) => {
        expect([...jsonChunks(value, indent, depth)].join('')).toBe(JSON.stringify(value, null, indent));
      }),
      { numRuns: 400 },
    );
  });

  it('leaves out undefined members and writes undefined array elements as null, as JSON.stringify does', () => {
    const value = { a: undefined, b: [1, undefined, { c: undefined, d: 'x' }], e: { f: undefined } };
    expect([...jsonChunks(value)].join('')).toBe(JSON.stringify(value, null, 2));
  });

  it('yields a result image by image, never as one string', () => {
    const result = buildSampleResult({ extraRepositories: 5, imagesPerExtraRepository: 200 });
    const pieces = [...jsonChunks(result)];
    expect(pieces.join('')).toBe(JSON.stringify(result, null, 2));
    const longest = Math.max(...pieces.map((p) => p.length));
    const longestImage = Math.max(...result.repositories.flatMap((r) => r.images.map((i) => JSON.stringify(i, null, 2).length)));
    // The largest piece is at most one image (indented a little deeper), far below the document.
    expect(longest).toBeLessThanOrEqual(longestImage * 2);
    expect(pieces.length).toBeGreaterThan(result.totals.images);
  });
});

describe('report files in pieces', () => {
  it('the CSV lines, the result files and plan.json join to the whole renderings', () => {
    const result = buildSampleResult({ extraRepositories: 3, imagesPerExtraRepository: 50 });
    const lines = [...resultCsvLines(result)];
    expect(lines).toHaveLength(result.totals.images + 1);
    expect(lines.join('')).toBe(renderResultCsv(result));
    for (const file of resultFiles(result)) expect([...file.chunks()].join(''), file.kind).toBe(file.render());
    const plan = buildSamplePlan();
    expect([...planFileChunks(plan)].join('')).toBe(`${JSON.stringify(plan, null, 2)}\n`);
    expect(planFileBody(plan)).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });

  it('writeChunksAtomic writes every piece in order and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chunked-'));
    dirs.push(dir);
    const pieces = Array.from({ length: 5000 }, (_, i) => `${'x'.repeat(i % 700)}|${i}\n`);
    await writeChunksAtomic(join(dir, 'out.txt'), pieces);
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe(pieces.join(''));
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('writeChunksAtomic keeps the old file and removes its temp file when the pieces fail midway', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chunked-'));
    dirs.push(dir);
    const file = join(dir, 'result.json');
    await writeChunksAtomic(file, ['old']);
    function* failing(): Generator<string> {
      yield 'x'.repeat(2 << 20);
      throw new Error('renderer broke');
    }
    await expect(writeChunksAtomic(file, failing())).rejects.toThrow('renderer broke');
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['result.json']);
  });

  it('the local store writes the same bytes as the whole renderers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-'));
    dirs.push(dir);
    const result = buildSampleResult({ extraRepositories: 4, imagesPerExtraRepository: 100 });
    const store = new LocalReportStore(dir, { layout: 'flat' });
    await store.writePlan(buildSamplePlan(), result.runId);
    const written = await store.writeResult(result);
    const rendered = Object.fromEntries(resultFiles(result).map((f) => [f.kind, f.render()]));
    expect(await readFile(written.files.resultJson, 'utf8')).toBe(rendered.resultJson);
    expect(await readFile(written.files.resultCsv, 'utf8')).toBe(rendered.resultCsv);
    expect(await readFile(written.files.reportHtml, 'utf8')).toBe(rendered.reportHtml);
    expect(await readFile(join(dir, 'plan.json'), 'utf8')).toBe(planFileBody(buildSamplePlan()));
  });
});

/** The rows embedded in a report page's script data. */
function embeddedRows(html: string): unknown[][] {
  const json = /<script type="application\/json" id="image-data">(.*?)<\/script>/s.exec(html)![1]!;
  return (JSON.parse(json) as { rows: unknown[][] }).rows;
}

/** The totals cards: `data-total` key -> shown value. */
function cards(html: string): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const m of html.matchAll(/data-total="(\w+)"><div class="label">[^<]+<\/div><div class="value">([^<]+)</g)) shown[m[1]!] = m[2]!;
  return shown;
}

describe('the HTML report of a 100,000-image run', () => {
  const result: SweepResult = buildSampleResult({ extraRepositories: 100, imagesPerExtraRepository: 1000 });
  const html = renderReportHtml(result);
  const csv = parseCsv(renderResultCsv(result));

  it('carries at most MAX_IMAGE_ROWS rows, the acted-on images first, and links to result.csv for the rest', () => {
    expect(result.totals.images).toBeGreaterThan(100_000);
    const rows = embeddedRows(html);
    expect(rows).toHaveLength(MAX_IMAGE_ROWS);
    expect(html).toMatch(/This page lists 20,000 of the run's [\d,]+ images[^<]*<a href="result\.csv">result\.csv<\/a>/);
    // More images were acted on than the page carries: it carries only those, no kept image.
    const acted = result.repositories.flatMap((r) => r.images).filter((i) => i.decision !== 'keep' || i.outcome.status === 'failed').length;
    expect(acted).toBeGreaterThan(MAX_IMAGE_ROWS);
    expect(rows.every((r) => r[6] !== 'keep' || r[9] === 'failed')).toBe(true);
  });

  it('shows the totals of every image, the same as the CSV rows count', () => {
    const [header, ...body] = csv;
    const outcome = header!.indexOf('outcome');
    const shown = cards(html);
    const number = (text: string | undefined): number => Number(String(text).replace(/,/g, ''));
    expect(body).toHaveLength(result.totals.images);
    expect(number(shown.images)).toBe(body.length);
    expect(number(shown.deleted)).toBe(body.filter((r) => r[outcome] === 'deleted' || r[outcome] === 'already-gone').length);
    expect(number(shown.failedDeletions)).toBe(body.filter((r) => r[outcome] === 'failed').length);
    expect(number(shown.skipped)).toBe(body.filter((r) => r[outcome] === 'skipped').length);
    expect(number(shown.images)).toBe(runFigures(result).images);
  });

  it('a run under the limit keeps every row and no cut note', () => {
    const small = buildSampleResult();
    const page = renderReportHtml(small);
    expect(embeddedRows(page)).toHaveLength(small.totals.images);
    expect(page).not.toContain('id="rows-cut"');
  });

  it('a limit above the acted-on images carries all of them, then kept images, in result order', () => {
    const small = buildSampleResult({ extraRepositories: 3, imagesPerExtraRepository: 100 });
    const images = small.repositories.flatMap((r) => r.images);
    const acted = images.filter((i) => i.decision !== 'keep' || i.outcome.status === 'failed').length;
    const limit = acted + 10;
    expect(images.length).toBeGreaterThan(limit);
    const rows = embeddedRows(renderReportHtml(small, { maxImageRows: limit }));
    expect(rows).toHaveLength(limit);
    expect(rows.filter((r) => r[6] !== 'keep' || r[9] === 'failed')).toHaveLength(acted);
    const order = rows.map((r) => r[0] as number);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('the decision digest of a big run', () => {
  it('builds each repository\'s decisions only when read, and the local store streams exactly JSON.stringify of it', async () => {
    const result = buildSampleResult({ extraRepositories: 20, imagesPerExtraRepository: 100 });
    let reads = 0;
    const counted: SweepResult = {
      ...result,
      repositories: result.repositories.map((r) => {
        const copy = { ...r };
        Object.defineProperty(copy, 'images', {
          enumerable: true,
          get: () => {
            reads += 1;
            return r.images;
          },
        });
        return copy;
      }),
    };
    const digest = decisionDigest(counted);
    // Nothing read yet: the digest holds no image of its own.
    expect(reads).toBe(0);
    for (const name of Object.keys(digest.repositories)) expect(Object.getOwnPropertyDescriptor(digest.repositories, name)?.get, name).toBeTypeOf('function');
    const dir = await mkdtemp(join(tmpdir(), 'digest-'));
    dirs.push(dir);
    await new LocalReportStore(dir, { layout: 'flat' }).writeHistory([], digest);
    expect(reads).toBe(result.repositories.length);
    const written = await readFile(join(dir, 'history', 'decisions.json'), 'utf8');
    expect(written).toBe(`${JSON.stringify(decisionDigest(result))}\n`);
    expect(parseDecisionDigest(written)).toEqual(JSON.parse(JSON.stringify(decisionDigest(result))));
  });
});

describe('jsonChunks reads members lazily', () => {
  it('reads each getter member when it comes to write it, not all up front', () => {
    const pieces: string[] = [];
    const piecesBefore: number[] = [];
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      Object.defineProperty(value, `repo-${i}`, {
        enumerable: true,
        get: () => {
          piecesBefore.push(pieces.length);
          return { images: [i, i + 1] };
        },
      });
    }
    const expected = JSON.stringify(value, null, 2);
    piecesBefore.length = 0;
    for (const piece of jsonChunks(value)) pieces.push(piece);
    expect(pieces.join('')).toBe(expected);
    // Every member's getter ran once, each after the previous member's text was out.
    expect(piecesBefore).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(piecesBefore[i]!).toBeGreaterThan(piecesBefore[i - 1]!);
  });
});
