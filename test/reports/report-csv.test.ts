import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, renderResultCsv } from '../../lib/core/report-csv.js';
import type { ResultImage, SweepResult } from '../../lib/core/result-model.js';
import { parseCsv } from '../fixtures/csv.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

function oneImage(image: Partial<ResultImage>): Pick<SweepResult, 'repositories'> {
  const full: ResultImage = {
    imageDigest: 'sha256:aaa',
    imageTags: [],
    pushedAt: '2026-11-01T00:00:00.000Z',
    lastPulledAt: null,
    sizeInBytes: 10,
    role: 'image',
    decision: 'delete',
    rule: 'r1',
    reason: 'delete: old',
    outcome: { status: 'deleted' },
    ...image,
  };
  return {
    repositories: [
      {
        repositoryName: 'repo',
        policy: 'p',
        planStatus: 'planned',
        status: 'completed',
        images: [full],
        counts: { images: 1, planned: 1, deleted: 1, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 10 },
      },
    ],
  };
}

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    [' padded ', '" padded "'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [Number.NaN, ''],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tleading tab', "'\tleading tab"],
    ['a=b', 'a=b'],
  ])('neutralises a formula: %j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('renderResultCsv', () => {
  it('writes a header and one CRLF-terminated row per image, in result order', () => {
    const result = buildSampleResult();
    const rows = parseCsv(renderResultCsv(result));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(result.totals.images + 1);
    const expectedOrder = result.repositories.flatMap((r) => r.images.map((i) => `${r.repositoryName} ${i.imageDigest}`));
    expect(rows.slice(1).map((r) => `${r[0]} ${r[1]}`)).toEqual(expectedOrder);
  });

  it('fills every audit column, including the failure code and message', () => {
    const rows = parseCsv(
      renderResultCsv(
        oneImage({
          imageTags: ['v1', 'latest'],
          lastPulledAt: '2026-11-20T00:00:00.000Z',
          outcome: { status: 'failed', code: 'ImageReferencedByManifestList', message: 'referenced, by an index' },
          role: 'child',
        }),
      ),
    );
    expect(rows[1]).toEqual([
      'repo',
      'sha256:aaa',
      'v1 latest',
      '2026-11-01T00:00:00.000Z',
      '2026-11-20T00:00:00.000Z',
      '10',
      'delete',
      'r1',
      'delete: old',
      'failed',
      'ImageReferencedByManifestList',
      'referenced, by an index',
      'child',
      '',
    ]);
  });

  it('ends the header with used_by, the audit columns unchanged before it (the CSV contract)', () => {
    expect(CSV_COLUMNS).toEqual([
      'repository', 'digest', 'tags', 'pushed', 'last_pulled', 'size_bytes', 'decision', 'rule', 'reason', 'outcome', 'failure_code', 'outcome_detail', 'role', 'used_by',
    ]);
  });

  it('lists every consumer of an in-use image in used_by, each once, "; "-separated (names hold commas)', () => {
    const usages = [
      { consumer: 'ECS service prod/api (task definition api:42)', source: 'ecs' as const, reference: 'api:v1' },
      { consumer: 'ECS service prod/api (task definition api:42)', source: 'ecs' as const, reference: 'api@sha256:aaa' },
      { consumer: 'Lambda function resize, alias live', source: 'lambda' as const, reference: 'api@sha256:aaa' },
    ];
    const rows = parseCsv(renderResultCsv(oneImage({ decision: 'keep', usages, outcome: { status: 'kept', reason: 'keep: in use' } })));
    expect(rows[1]?.[CSV_COLUMNS.indexOf('used_by')]).toBe(
      'ECS service prod/api (task definition api:42); Lambda function resize, alias live',
    );
    // The whole sample: a used_by cell for each image that carries usages, empty for the rest.
    const result = buildSampleResult();
    const sample = parseCsv(renderResultCsv(result)).slice(1);
    const inUse = result.repositories.flatMap((r) => r.images).filter((i) => i.usages?.length);
    expect(inUse.length).toBeGreaterThan(3);
    expect(sample.filter((r) => r[CSV_COLUMNS.indexOf('used_by')] !== '')).toHaveLength(inUse.length);
  });

  it.each([
    [{ status: 'deleted', alreadyGone: true } as const, 'already-gone', ''],
    [{ status: 'skipped', reason: 'dry run' } as const, 'skipped', ''],
    [{ status: 'kept', reason: 'delete: old' } as const, 'kept', ''],
  ])('labels outcome %j as %s with no failure code', (outcome, label, code) => {
    const rows = parseCsv(renderResultCsv(oneImage({ outcome })));
    expect(rows[1]?.[9]).toBe(label);
    expect(rows[1]?.[10]).toBe(code);
  });

  it('leaves size and times empty when the registry gave none', () => {
    const rows = parseCsv(renderResultCsv(oneImage({ sizeInBytes: null, pushedAt: null, rule: null })));
    expect(rows[1]?.slice(3, 8)).toEqual(['', '', '', 'delete', '']);
  });

  it('guards a tag cell that starts with a formula character', () => {
    const csv = renderResultCsv(oneImage({ imageTags: ['=cmd|calc!A1'] }));
    expect(parseCsv(csv)[1]?.[2]).toBe("'=cmd|calc!A1");
  });

  it('round-trips any tags and reasons (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(fc.array(text.filter((t) => !t.includes(' ')), { maxLength: 3 }), text, (tags, reason) => {
        const rows = parseCsv(renderResultCsv(oneImage({ imageTags: tags, reason })));
        const unguard = (cell: string | undefined) => (cell && /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
        expect(rows).toHaveLength(2);
        expect(rows[1]).toHaveLength(CSV_COLUMNS.length);
        expect(unguard(rows[1]?.[2])).toBe(tags.join(' '));
        expect(unguard(rows[1]?.[8])).toBe(reason);
      }),
    );
  });
});
