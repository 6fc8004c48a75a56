import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatInUseFileProblem,
  judgeInUseFiles,
  parseInUseFile,
  roughAge,
  type InUseFileMeta,
  type ParsedInUseFile,
} from '../../lib/core/in-use-file.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const WEB = `${HOST}/web:v1`;
const API = `${HOST}/api@sha256:${'a'.repeat(64)}`;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const META: InUseFileMeta = { where: 's3://b/in-use/prod-eks.json', name: 'prod-eks', modifiedAt: NOW - HOUR };

function parse(value: unknown, meta: InUseFileMeta = META): ParsedInUseFile {
  return parseInUseFile(typeof value === 'string' ? value : JSON.stringify(value), meta);
}

function ok(value: unknown, meta: InUseFileMeta = META) {
  const parsed = parse(value, meta);
  if (!parsed.ok) throw new Error(`expected a file, got ${formatInUseFileProblem(parsed.problem)}`);
  return parsed.file;
}

describe('parseInUseFile: the two formats', () => {
  it('reads a plain array (ecrm scan --output) with the file as consumer and the modification time as its age', () => {
    const file = ok([WEB, API]);
    expect(file.usages).toEqual([
      { consumer: 'in-use file s3://b/in-use/prod-eks.json', source: 'file', reference: WEB },
      { consumer: 'in-use file s3://b/in-use/prod-eks.json', source: 'file', reference: API },
    ]);
    expect(file).toMatchObject({ sourceName: 'prod-eks', asOf: NOW - HOUR, asOfFrom: 'modified' });
  });

  it('reads the object form: the consumer names the cluster and the file, generatedAt is the age', () => {
    const file = ok({ generatedAt: '2026-12-01T11:30:00Z', source: 'prod-eks', images: [WEB] });
    expect(file.usages).toEqual([{ consumer: 'Kubernetes prod-eks (from in-use file s3://b/in-use/prod-eks.json)', source: 'file', reference: WEB }]);
    expect(file).toMatchObject({ sourceName: 'prod-eks', asOf: Date.parse('2026-12-01T11:30:00Z'), asOfFrom: 'generatedAt' });
  });

  it('names a consumer per image, inside the source, and lets kind name something other than Kubernetes', () => {
    const file = ok({
      source: 'prod-eks',
      images: [{ image: WEB, consumer: 'deployment shop/web' }, { image: API }, API],
    });
    expect(file.usages.map((u) => u.consumer)).toEqual([
      'Kubernetes prod-eks, deployment shop/web (from in-use file s3://b/in-use/prod-eks.json)',
      'Kubernetes prod-eks (from in-use file s3://b/in-use/prod-eks.json)',
      'Kubernetes prod-eks (from in-use file s3://b/in-use/prod-eks.json)',
    ]);
    const nomad = ok({ source: 'batch-farm', kind: 'Nomad', images: [WEB] });
    expect(nomad.usages[0]?.consumer).toBe('Nomad batch-farm (from in-use file s3://b/in-use/prod-eks.json)');
  });

  it('without a source, the file name is the source and a per-image consumer stands alone', () => {
    const file = ok({ images: [{ image: WEB, consumer: 'cron box-7' }, WEB] });
    expect(file.sourceName).toBe('prod-eks');
    expect(file.usages.map((u) => u.consumer)).toEqual(['cron box-7 (from in-use file s3://b/in-use/prod-eks.json)', 'in-use file s3://b/in-use/prod-eks.json']);
  });

  it('keeps references exactly as written (the resolver parses them), accepts a BOM and empty lists', () => {
    const spaced = ` ${WEB}`;
    expect(ok([spaced]).usages[0]?.reference).toBe(spaced);
    expect(ok(`\uFEFF${JSON.stringify([WEB])}`).usages).toHaveLength(1);
    expect(ok([]).usages).toEqual([]);
    expect(ok({ images: [] }).usages).toEqual([]);
    // Other registries are still references: the resolver counts them, the file is fine.
    expect(ok(['nginx:1.27', 'public.ecr.aws/a/b:c']).usages).toHaveLength(2);
  });

  it.each([
    ['2026-12-01T11:30Z', Date.parse('2026-12-01T11:30:00Z')],
    ['2026-12-01T13:30:00+02:00', Date.parse('2026-12-01T11:30:00Z')],
    ['2026-12-01T11:30:00.123456Z', Date.parse('2026-12-01T11:30:00.123Z')],
  ])('reads generatedAt %s', (generatedAt, expected) => {
    expect(ok({ generatedAt, images: [] }).asOf).toBe(expected);
  });
});

describe('parseInUseFile: malformed input is named with the file and where in it', () => {
  it.each<[string, unknown, string | undefined, RegExp]>([
    ['not JSON', '{"images": [', 'line 1, column 13', /JSON syntax: /],
    ['trailing comma', '[\n  "a:1",\n]', 'line 3, column 1', /JSON syntax/],
    ['a number', 42, '$', /expected a JSON array of image references or an object with "images", found the number 42/],
    ['null', null, '$', /found null/],
    ['a string', '"web:v1"', '$', /found the string "web:v1"/],
    ['a number in the array', [WEB, 7], '$[1]', /expected an image reference string, found the number 7/],
    ['an object in the plain array', [{ image: WEB }], '$[0]', /expected an image reference string, found an object/],
    ['an unparseable reference', ['Web:v1'], '$[0]', /"Web:v1" is not an image reference: 'Web' is not a valid repository name/],
    ['an empty reference', [''], '$[0]', /is not an image reference: the reference is empty/],
    ['no images', { source: 'prod-eks' }, '$', /missing "images"/],
    ['images not a list', { images: { a: WEB } }, '$.images', /expected "images" to be an array, found an object/],
    ['a mistyped key', { generatedAt: '2026-12-01T11:30:00Z', image: [WEB] }, '$.image', /unknown key "image" \(did you mean 'images'\?\)/],
    ['an odd key', { images: [], 'x y': 1 }, '$["x y"]', /unknown key "x y"/],
    ['generatedAt without an offset', { generatedAt: '2026-12-01T11:30:00', images: [] }, '$.generatedAt', /ISO-8601 time with its offset/],
    ['generatedAt as a number', { generatedAt: NOW, images: [] }, '$.generatedAt', /found the number/],
    ['generatedAt on February 30', { generatedAt: '2026-02-30T00:00:00Z', images: [] }, '$.generatedAt', /ISO-8601/],
    ['generatedAt at hour 24', { generatedAt: '2026-02-03T24:00:00Z', images: [] }, '$.generatedAt', /ISO-8601/],
    ['source not a string', { source: 3, images: [] }, '$.source', /expected "source" to be a string, found the number 3/],
    ['an empty source', { source: ' ', images: [] }, '$.source', /"source" is empty/],
    ['a source with a line break', { source: 'a\nb', images: [] }, '$.source', /control character or line break/],
    ['a long source', { source: 'x'.repeat(513), images: [] }, '$.source', /longer than 512 characters/],
    ['kind without source', { kind: 'Nomad', images: [] }, '$.kind', /needs "source"/],
    ['an image object without image', { images: [{ consumer: 'pod a/b' }] }, '$.images[0].image', /found undefined|found the value undefined/],
    ['an image object with a bad reference', { images: [WEB, { image: 'a b' }] }, '$.images[1].image', /"a b" is not an image reference/],
    ['an image object with a mistyped key', { images: [{ image: WEB, consmer: 'x' }] }, '$.images[0].consmer', /did you mean 'consumer'/],
    ['an empty consumer', { images: [{ image: WEB, consumer: '' }] }, '$.images[0].consumer', /"consumer" is empty/],
    ['a nested array', { images: [[WEB]] }, '$.images[0]', /found an array/],
  ])('%s', (_name, value, at, message) => {
    const parsed = parse(value);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.code).toBe('file-malformed');
    expect(parsed.problem.where).toBe(META.where);
    expect(parsed.problem.at).toBe(at);
    expect(parsed.problem.message).toMatch(message);
    expect(formatInUseFileProblem(parsed.problem)).toBe(`${META.where}: ${at}: ${parsed.problem.message}`);
  });

  it('shortens a long bad value in the message', () => {
    const parsed = parse([`${'x'.repeat(200)} y`]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.message.length).toBeLessThan(300);
  });
});

describe('parseInUseFile: properties', () => {
  it('never throws, on any text; a problem always names the file', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const parsed = parseInUseFile(text, META);
        if (!parsed.ok) expect(parsed.problem.where).toBe(META.where);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on any JSON value, and a problem has a JSON path or a position', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const parsed = parseInUseFile(JSON.stringify(value), META);
        if (!parsed.ok) expect(parsed.problem.at).toMatch(/^(\$|line \d+, column \d+)/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on objects shaped almost like the format', () => {
    const nearly = fc.record(
      {
        generatedAt: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer()),
        source: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        kind: fc.string(),
        images: fc.oneof(fc.array(fc.oneof(fc.string(), fc.record({ image: fc.string(), consumer: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }))), fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(nearly, (value) => {
        const parsed = parseInUseFile(JSON.stringify(value), META);
        if (!parsed.ok) expect(parsed.problem.at).toMatch(/^\$/);
      }),
      { numRuns: 2_000 },
    );
  });

  const reference = fc
    .tuple(fc.constantFrom(`${HOST}/`, '', 'ghcr.io/'), fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8})?$/), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/))
    .map(([host, repo, tag]) => `${host}${repo}:${tag}`);

  it('a valid file gives one usage per image, in order, with the references as written', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(reference, fc.option(fc.stringMatching(/^[a-z]+ [a-z0-9/-]{1,20}$/), { nil: undefined })), { maxLength: 30 }), fc.boolean(), (images, asObject) => {
        const value = asObject
          ? { source: 'c1', images: images.map(([image, consumer]) => (consumer === undefined ? image : { image, consumer })) }
          : images.map(([image]) => image);
        const file = ok(value);
        expect(file.usages.map((u) => u.reference)).toEqual(images.map(([image]) => image));
        expect(file.usages.every((u) => u.source === 'file' && u.consumer.includes(META.where))).toBe(true);
      }),
    );
  });
});

describe('judgeInUseFiles', () => {
  const file = (value: unknown, meta: Partial<InUseFileMeta> = {}) => parse(value, { ...META, ...meta });
  const judge = (files: ParsedInUseFile[], over: Partial<Parameters<typeof judgeInUseFiles>[1]> = {}) =>
    judgeInUseFiles(files, { now: NOW, maxAgeMs: 24 * HOUR, expect: [], ...over });

  it('passes fresh files and returns every usage', () => {
    const judged = judge([file([WEB]), file({ generatedAt: '2026-12-01T11:00:00Z', source: 'c2', images: [API] }, { where: 'c2.json', name: 'c2' })], { expect: ['prod-eks', 'c2'] });
    expect(judged.problems).toEqual([]);
    expect(judged.usages.map((u) => u.reference)).toEqual([WEB, API]);
  });

  it('fails a file older than maxAge by generatedAt, even when its modification time is fresh', () => {
    const judged = judge([file({ generatedAt: '2026-11-30T10:00:00Z', source: 'prod-eks', images: [WEB] })]);
    expect(judged.usages).toEqual([]);
    expect(judged.problems).toEqual([
      {
        code: 'file-stale',
        where: META.where,
        message: 'generatedAt 2026-11-30T10:00:00.000Z is 26h old, older than inUse.files.maxAge (24h); whatever writes it may have stopped',
      },
    ]);
  });

  it('falls back to the modification time when there is no generatedAt', () => {
    expect(judge([file([WEB], { modifiedAt: NOW - 25 * HOUR })]).problems[0]).toMatchObject({ code: 'file-stale', message: expect.stringMatching(/^modification time .* 25h old/) });
    expect(judge([file([WEB], { modifiedAt: NOW - 23 * HOUR })]).problems).toEqual([]);
    expect(judge([file([WEB], { modifiedAt: null })]).problems[0]).toMatchObject({ code: 'file-stale', message: expect.stringMatching(/age is unknown/) });
  });

  it('is exact at the maxAge boundary', () => {
    expect(judge([file([WEB], { modifiedAt: NOW - 24 * HOUR })]).problems).toEqual([]);
    expect(judge([file([WEB], { modifiedAt: NOW - 24 * HOUR - 1 })]).problems).toHaveLength(1);
  });

  it('refuses a time in the future beyond the clock skew, and accepts a little skew', () => {
    expect(judge([file({ generatedAt: '2026-12-01T12:04:00Z', images: [] })]).problems).toEqual([]);
    expect(judge([file({ generatedAt: '2026-12-01T13:00:00Z', images: [] })]).problems).toEqual([
      expect.objectContaining({ code: 'file-from-future', message: expect.stringMatching(/is 60m in the future \(more than 5m of clock skew\)/) }),
    ]);
  });

  it('fails an expected source with no file, matching by source first, else by file name', () => {
    const files = [file({ source: 'prod-eks', images: [] }, { name: 'renamed' }), file([], { where: 'staging.json', name: 'staging' })];
    expect(judge(files, { expect: ['prod-eks', 'staging'] }).problems).toEqual([]);
    const judged = judge(files, { expect: ['prod-ek', 'renamed', 'dev'] });
    expect(judged.problems.map((p) => [p.code, p.where])).toEqual([
      ['file-missing', 'prod-ek'],
      ['file-missing', 'renamed'],
      ['file-missing', 'dev'],
    ]);
    expect(judged.problems[0]?.message).toMatch(/did you mean 'prod-eks'/);
    expect(judge([], { expect: ['x'] }).problems).toHaveLength(1);
  });

  it('passes through the problems of files that did not parse, and returns no usages then', () => {
    const judged = judge([file([WEB]), file('{', { where: 'bad.json' })]);
    expect(judged.usages).toEqual([]);
    expect(judged.problems).toEqual([expect.objectContaining({ code: 'file-malformed', where: 'bad.json' })]);
  });

  it('bounds the references of all files together', () => {
    const judged = judge([file([WEB, API]), file([WEB], { where: 'b.json' })], { maxReferences: 2 });
    expect(judged.problems).toEqual([expect.objectContaining({ code: 'too-many-references', message: expect.stringMatching(/hold 3 references, more than 2/) })]);
    expect(judge([file([WEB, API])], { maxReferences: 2 }).problems).toEqual([]);
  });

  it('property: usages come back only when there is no problem', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -48, max: 48 }), { maxLength: 5 }), (ages) => {
        const judged = judge(ages.map((h, i) => file([WEB], { where: `${i}.json`, modifiedAt: NOW - h * HOUR })));
        const bad = ages.filter((h) => h > 24 || h < 0).length;
        expect(judged.problems).toHaveLength(bad);
        expect(judged.usages).toHaveLength(bad === 0 ? ages.length : 0);
      }),
    );
  });
});

describe('roughAge', () => {
  it.each([
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [2 * HOUR - 1, '119m'],
    [2 * HOUR, '2h'],
    [47 * HOUR, '47h'],
    [48 * HOUR, '2d'],
    [-5, '0s'],
  ])('%d ms reads %s', (ms, text) => expect(roughAge(ms)).toBe(text));
});
