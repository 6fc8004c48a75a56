/**
 * The interop harness's own logic: normalising responses, pairing steps, and judging differences.
 * Pure code, no servers; it runs with the interop suite because it only matters there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCliResult } from './aws-cli.js';
import { diffObservations, STEP_FIELD, type StepObservation } from './compare.js';
import { renderDeviationSummary, renderDifferenceTable } from './difference-table.js';
import { ABSENT, DigestBook, flattenResponse } from './normalise.js';
import { classify, PRESENT, type KnownDeviation } from './verdicts.js';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

describe('flattenResponse', () => {
  it.each([
    ['epoch seconds', { imagePushedAt: 1_795_774_911.5 }, 'imagePushedAt', '<epoch-seconds>'],
    ['epoch milliseconds are flagged', { createdAt: 1_795_774_911_000 }, 'createdAt', '<not epoch seconds: 1795774911000>'],
    ['ISO text timestamps are flagged', { createdAt: '2026-11-27T10:00:00Z' }, 'createdAt', '<timestamp as string: 2026-11-27T10:00:00Z>'],
    ['account ids inside ARNs', { arn: 'arn:aws:ecr:us-east-1:123456789012:repository/a' }, 'arn', 'arn:aws:ecr:us-east-1:<account>:repository/a'],
    ['upload ids', { uploadId: '0f8fad5b-d9cb-469f-a165-70867728950e' }, 'uploadId', '<uuid>'],
    ['a non-UUID upload id stays visible', { uploadId: 'upload-1' }, 'uploadId', 'upload-1'],
    ['free text', { failureReason: 'Requested image not found' }, 'failureReason', '<text>'],
    ['tokens', { nextToken: 'opaque' }, 'nextToken', '<token>'],
    ['empty arrays', { failures: [] }, 'failures', '[]'],
    ['string arrays are sorted', { imageTags: ['v2', 'v1'] }, 'imageTags', '[v1, v2]'],
    ['numbers that are not timestamps', { imageSizeInBytes: 417 }, 'imageSizeInBytes', '417'],
  ])('%s', (_name, json, field, expected) => {
    expect(flattenResponse(json, new DigestBook())[field]).toBe(expected);
  });

  it('names registered digests and numbers unknown ones in order of first sight', () => {
    const book = new DigestBook();
    book.addDigest(`sha256:${HEX_A}`, 'manifest:A');
    const fields = flattenResponse({ a: `sha256:${HEX_A}`, b: `sha256:${HEX_B}`, c: `sha256:${HEX_B}` }, book);
    expect(fields).toEqual({ a: 'manifest:A', b: 'sha256:<unregistered #1>', c: 'sha256:<unregistered #1>' });
  });

  it('tells exact manifest bytes from a re-serialised copy', () => {
    const book = new DigestBook();
    const text = JSON.stringify({ schemaVersion: 2, layers: [] }, null, 3);
    book.addManifest(text, `sha256:${HEX_A}`, 'manifest:A');
    expect(flattenResponse({ imageManifest: text }, book).imageManifest).toBe('manifest:A (exact bytes)');
    expect(flattenResponse({ imageManifest: JSON.stringify({ layers: [], schemaVersion: 2 }) }, book).imageManifest).toBe(
      'manifest:A (re-serialised)',
    );
    expect(flattenResponse({ imageManifest: '{"other":1}' }, book).imageManifest).toBe('<manifest: unknown>');
  });

  it('indexes image entries by digest label and tag, not by position', () => {
    const book = new DigestBook();
    book.addDigest(`sha256:${HEX_A}`, 'manifest:A');
    const fields = flattenResponse(
      { imageIds: [{ imageDigest: `sha256:${HEX_A}`, imageTag: 'v1' }, { imageTag: 'gone' }] },
      book,
    );
    expect(fields).toEqual({
      'imageIds[manifest:A v1].imageDigest': 'manifest:A',
      'imageIds[manifest:A v1].imageTag': 'v1',
      'imageIds[tag gone].imageTag': 'gone',
    });
  });

  it('does not depend on the order of array items (property)', () => {
    const item = fc.record({
      imageDigest: fc.constantFrom(`sha256:${HEX_A}`, `sha256:${HEX_B}`),
      imageTag: fc.string({ minLength: 1, maxLength: 4 }),
      size: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.infiniteStream(fc.nat()), (items, randoms) => {
        const shuffled = [...items]
          .map((value) => ({ value, key: randoms.next().value }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.value);
        const book = (): DigestBook => {
          const b = new DigestBook();
          b.addDigest(`sha256:${HEX_A}`, 'A');
          b.addDigest(`sha256:${HEX_B}`, 'B');
          return b;
        };
        expect(flattenResponse({ imageIds: shuffled }, book())).toEqual(flattenResponse({ imageIds: items }, book()));
      }),
    );
  });
});

describe('toCliResult', () => {
  it.each([
    [
      'a service error',
      'An error occurred (RepositoryNotFoundException) when calling the DescribeImages operation: The repository does not exist',
      { code: 'RepositoryNotFoundException', message: 'The repository does not exist' },
    ],
    [
      'an HTTP status the CLI could not map to an error code',
      'An error occurred (500) when calling the InitiateLayerUpload operation (reached max retries: 0): <html>',
      { code: '500', message: '<html>' },
    ],
    ['a CLI-side validation error', 'Parameter validation failed:\nInvalid length for parameter x', { code: 'CliParamValidation', message: 'Parameter validation failed:\nInvalid length for parameter x' }],
    ['anything else', 'Could not connect to the endpoint URL', { code: 'CliFailure', message: 'Could not connect to the endpoint URL' }],
  ])('parses %s', (_name, stderr, expected) => {
    expect(toCliResult(['ecr'], 255, '', `\n${stderr}\n`).error).toEqual(expected);
  });

  it('parses JSON output and reports no error on exit 0', () => {
    const result = toCliResult(['ecr'], 0, '{"a": 1}\n', '');
    expect(result.json).toEqual({ a: 1 });
    expect(result.error).toBeUndefined();
  });
});

describe('diffObservations', () => {
  it('pairs steps by name and reports missing fields and missing steps', () => {
    const emulator: StepObservation[] = [
      { step: 's1', fields: { exit: '0', a: '1' } },
      { step: 'only-emulator', fields: { exit: '0' } },
    ];
    const moto: StepObservation[] = [
      { step: 'only-moto', fields: { exit: '0' } },
      { step: 's1', fields: { exit: '0', b: '2' } },
    ];
    expect(diffObservations(emulator, moto)).toEqual([
      { step: 's1', field: 'a', emulator: '1', moto: ABSENT },
      { step: 's1', field: 'b', emulator: ABSENT, moto: '2' },
      { step: 'only-emulator', field: STEP_FIELD, emulator: 'ran', moto: ABSENT },
      { step: 'only-moto', field: STEP_FIELD, emulator: ABSENT, moto: 'ran' },
    ]);
  });

  it('finds nothing when both runs agree', () => {
    const run: StepObservation[] = [{ step: 's', fields: { exit: '0', x: 'y' } }];
    expect(diffObservations(run, run)).toEqual([]);
  });
});

describe('classify', () => {
  const table: KnownDeviation[] = [
    { id: 'specific', step: /^filter step$/, fields: [[/^rows\[A\]\./, ABSENT]], why: 'filter must drop A' },
    { id: 'size', step: /step$/, fields: [['size', '417'], [/^status$/, PRESENT]], why: 'size is the sum of layers' },
  ];
  it.each([
    ['moto departs, emulator meets the reference', { step: 'a step', field: 'size', emulator: '417', moto: '478' }, 'moto-deviation', 'size'],
    ['the emulator departs from the reference', { step: 'a step', field: 'size', emulator: '478', moto: '417' }, 'emulator-departs', 'size'],
    ['a difference nobody judged', { step: 'a step', field: 'other', emulator: '1', moto: '2' }, 'unclassified', undefined],
    ['a step no entry covers', { step: 'elsewhere', field: 'size', emulator: '417', moto: '478' }, 'unclassified', undefined],
    ['both satisfy a loose requirement', { step: 'a step', field: 'status', emulator: 'ACTIVE', moto: 'ARCHIVED' }, 'unclassified', 'size'],
    ['the first matching entry decides', { step: 'filter step', field: 'rows[A].size', emulator: ABSENT, moto: '478' }, 'moto-deviation', 'specific'],
  ])('%s', (_name, difference, kind, id) => {
    const verdict = classify(difference, table);
    expect(verdict.kind).toBe(kind);
    expect(verdict.deviationId).toBe(id);
  });
});

describe('rendering', () => {
  const rows = [
    {
      step: 'put-image',
      field: 'a|b',
      emulator: 'x'.repeat(200),
      moto: '1',
      verdict: { kind: 'moto-deviation' as const, text: 'moto deviates [d1]', deviationId: 'd1', why: 'because' },
    },
  ];
  it('escapes pipes, shortens long cells and lists each justification once', () => {
    const table = renderDifferenceTable(rows);
    expect(table).toContain('a\\|b');
    expect(table).toContain('…');
    expect(table).toContain('- `d1`: because');
  });
  it('summarises differences per deviation id', () => {
    expect(renderDeviationSummary(rows)).toContain('| moto-deviation | d1 | 1 | put-image |');
  });
  it('says so when there is no difference', () => {
    expect(renderDifferenceTable([])).toContain('agree on every field');
  });
});
