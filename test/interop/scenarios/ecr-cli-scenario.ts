import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliResult, CliRunner } from '../support/aws-cli.js';
import type { StepObservation } from '../support/compare.js';
import { InteropScenarioError } from '../support/errors.js';
import { DigestBook, flattenResponse, type Fields } from '../support/normalise.js';
import { buildFixtures, INDEX_TYPE, sha256Digest, type BlobFixture, type Fixtures, type ManifestFixture } from './fixtures.js';

/** The repository the scenario works in; the name has a slash like most real ones. */
export const REPO = 'interop/app';
const MISSING_REPO = 'interop/missing';
/** Stands in for an upload id the server never returned (moto has no layer upload API). */
const PLACEHOLDER_UPLOAD_ID = '00000000-0000-4000-8000-000000000000';
const PUSH_CONCURRENCY = 5;
/** A lifecycle policy ECR accepts (expire untagged images after 14 days), as attached in the scenario. */
const LIFECYCLE_POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'expire untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }],
});

/** How to run the scenario: a CLI runner bound to one ECR implementation, and a scratch directory for blob files. */
export interface ScenarioOptions {
  readonly cli: CliRunner;
  readonly workDir: string;
}

/**
 * Runs the scripted ECR scenario with the real AWS CLI and returns one normalised observation per step:
 * create, push through the layer upload API and PutImage, describe, list, batch-get, batch-delete by tag
 * and by digest, error cases, pagination, delete-repository. The scenario never branches on what the
 * server answered, so both implementations go through the same steps in the same order.
 */
export async function runEcrScenario(options: ScenarioOptions): Promise<StepObservation[]> {
  const fx = buildFixtures();
  const book = bookFor(fx);
  const observations: StepObservation[] = [];
  await mkdir(options.workDir, { recursive: true });

  const cli = (args: readonly string[]): Promise<CliResult> => options.cli(['ecr', ...args]);
  let stepStarted = Date.now();
  const record = (step: string, fields: Fields): void => {
    // Steps of the two runs are paired by name, so a name must never repeat within a run.
    if (observations.some((o) => o.step === step)) throw new InteropScenarioError(`scenario bug: step "${step}" recorded twice`);
    const now = Date.now();
    observations.push({ step, fields, ms: now - stepStarted });
    stepStarted = now;
  };
  /** Runs one CLI call and records its normalised outcome as a step. */
  const step = async (name: string, args: readonly string[], opts: StepOptions = {}): Promise<CliResult> => {
    const result = await cli(args);
    record(name, outcomeFields(result, book, opts));
    return result;
  };
  const writeTemp = async (name: string, data: Buffer | string): Promise<string> => {
    const path = join(options.workDir, name);
    await writeFile(path, data);
    return path;
  };
  const putImage = async (name: string, m: ManifestFixture, tag?: string): Promise<CliResult> => {
    const file = await writeTemp(`${m.label.replace(/[^a-z0-9-]/gi, '_')}.json`, m.text);
    const tagArgs = tag === undefined ? [] : ['--image-tag', tag];
    return step(name, ['put-image', '--repository-name', REPO, '--image-manifest', `file://${file}`, ...tagArgs]);
  };

  // --- Repository --------------------------------------------------------------------------------
  await step('create-repository', ['create-repository', '--repository-name', REPO]);
  await step('create-repository (already exists)', ['create-repository', '--repository-name', REPO]);
  const described = await step('describe-repositories', ['describe-repositories', '--repository-names', REPO]);

  // --- Repository resource tags and the attached lifecycle policy -----------------------------------
  // The ARN as the server gives it (account ids differ between implementations).
  const arn = stringAt(arrayAt(described.json, 'repositories')[0], 'repositoryArn') ?? `arn:aws:ecr:us-east-1:123456789012:repository/${REPO}`;
  await step('list-tags-for-resource (none yet)', ['list-tags-for-resource', '--resource-arn', arn]);
  await step('tag-resource (team=data, env=prod)', ['tag-resource', '--resource-arn', arn, '--tags', 'Key=team,Value=data', 'Key=env,Value=prod']);
  await step('tag-resource (team=web overwrites team)', ['tag-resource', '--resource-arn', arn, '--tags', 'Key=team,Value=web']);
  await step('list-tags-for-resource (after tagging)', ['list-tags-for-resource', '--resource-arn', arn]);
  await step('untag-resource (env and a key it lacks)', ['untag-resource', '--resource-arn', arn, '--tag-keys', 'env', 'never-set']);
  await step('list-tags-for-resource (after untagging)', ['list-tags-for-resource', '--resource-arn', arn]);
  await step('list-tags-for-resource (not an ARN)', ['list-tags-for-resource', '--resource-arn', REPO]);
  await step('list-tags-for-resource (unknown repository)', ['list-tags-for-resource', '--resource-arn', arn.replace(REPO, MISSING_REPO)]);
  await step('tag-resource (129-character key)', ['tag-resource', '--resource-arn', arn, '--tags', `Key=${'k'.repeat(129)},Value=v`]);
  await step('tag-resource (51 tags in all)', [
    'tag-resource', '--resource-arn', arn, '--tags', ...Array.from({ length: 50 }, (_, i) => `Key=k${i},Value=v`),
  ]);
  await step('list-tags-for-resource (after the refused calls)', ['list-tags-for-resource', '--resource-arn', arn], { summarise: summariseTags });
  await step('get-lifecycle-policy (none attached)', ['get-lifecycle-policy', '--repository-name', REPO]);
  const lifecycle = await writeTemp('lifecycle.json', LIFECYCLE_POLICY);
  await step('put-lifecycle-policy', ['put-lifecycle-policy', '--repository-name', REPO, '--lifecycle-policy-text', `file://${lifecycle}`]);
  // lastEvaluatedAt is when the server last ran the policy: not comparable, so not recorded.
  await step('get-lifecycle-policy (attached)', ['get-lifecycle-policy', '--repository-name', REPO], { summarise: summariseLifecyclePolicy });

  // --- Push: blobs through the layer upload API ----------------------------------------------------
  const uploadBlob = async (blob: BlobFixture, completeWith = blob.digest, note = ''): Promise<void> => {
    const suffix = `(${blob.label}${note})`;
    const init = await step(`initiate-layer-upload ${suffix}`, ['initiate-layer-upload', '--repository-name', REPO]);
    const uploadId = stringAt(init.json, 'uploadId') ?? PLACEHOLDER_UPLOAD_ID;
    for (const [i, part] of blob.parts.entries()) {
      const file = await writeTemp(`${blob.label.replace(/[^a-z0-9-]/gi, '_')}.part${i}`, blob.bytes.subarray(part.first, part.last + 1));
      await step(`upload-layer-part ${i + 1}/${blob.parts.length} ${suffix}`, [
        'upload-layer-part', '--repository-name', REPO, '--upload-id', uploadId,
        '--part-first-byte', String(part.first), '--part-last-byte', String(part.last),
        '--layer-part-blob', `fileb://${file}`,
      ]);
    }
    await step(`complete-layer-upload ${suffix}`, [
      'complete-layer-upload', '--repository-name', REPO, '--upload-id', uploadId, '--layer-digests', completeWith,
    ]);
  };
  await uploadBlob(fx.config);
  for (const layer of fx.layers) await uploadBlob(layer);
  await uploadBlob(fx.ociEmptyConfig);

  // Upload errors: a part that does not start where the previous one ended, a digest that does not match
  // the bytes, an upload id the server never issued, and the same layer uploaded twice.
  {
    const init = await step('initiate-layer-upload (part order check)', ['initiate-layer-upload', '--repository-name', REPO]);
    const uploadId = stringAt(init.json, 'uploadId') ?? PLACEHOLDER_UPLOAD_ID;
    const file = await writeTemp('gap.part', fx.corrupt.bytes.subarray(0, 100));
    await step('upload-layer-part (first part not at byte 0)', [
      'upload-layer-part', '--repository-name', REPO, '--upload-id', uploadId,
      '--part-first-byte', '50', '--part-last-byte', '149', '--layer-part-blob', `fileb://${file}`,
    ]);
  }
  await uploadBlob(fx.corrupt, fx.neverUploadedDigest, ', completed with a wrong digest');
  {
    // Two small parts: every part but the last must be at least 5 MiB (2015 ref LayerPartTooSmallException).
    const init = await step('initiate-layer-upload (two small parts)', ['initiate-layer-upload', '--repository-name', REPO]);
    const uploadId = stringAt(init.json, 'uploadId') ?? PLACEHOLDER_UPLOAD_ID;
    for (const [i, first] of [0, 100].entries()) {
      const file = await writeTemp(`small.part${i}`, fx.corrupt.bytes.subarray(first, first + 100));
      await step(`upload-layer-part ${i + 1}/2 (two small parts)`, [
        'upload-layer-part', '--repository-name', REPO, '--upload-id', uploadId,
        '--part-first-byte', String(first), '--part-last-byte', String(first + 99), '--layer-part-blob', `fileb://${file}`,
      ]);
    }
    await step('complete-layer-upload (two small parts)', [
      'complete-layer-upload', '--repository-name', REPO, '--upload-id', uploadId,
      '--layer-digests', sha256Digest(fx.corrupt.bytes.subarray(0, 200)),
    ]);
  }
  {
    const init = await step('initiate-layer-upload (no parts)', ['initiate-layer-upload', '--repository-name', REPO]);
    const uploadId = stringAt(init.json, 'uploadId') ?? PLACEHOLDER_UPLOAD_ID;
    await step('complete-layer-upload (no parts)', [
      'complete-layer-upload', '--repository-name', REPO, '--upload-id', uploadId, '--layer-digests', fx.config.digest,
    ]);
  }
  await uploadBlob(fx.config, fx.config.digest, ', uploaded again');
  await step('complete-layer-upload (unknown upload id)', [
    'complete-layer-upload', '--repository-name', REPO, '--upload-id', PLACEHOLDER_UPLOAD_ID,
    '--layer-digests', fx.config.digest,
  ]);
  await step('get-download-url-for-layer (layer-2, in no image yet)', [
    'get-download-url-for-layer', '--repository-name', REPO, '--layer-digest', fx.layers[1]!.digest,
  ]);
  await step('get-download-url-for-layer (never uploaded)', [
    'get-download-url-for-layer', '--repository-name', REPO, '--layer-digest', fx.neverUploadedDigest,
  ]);
  await step('batch-check-layer-availability', [
    'batch-check-layer-availability', '--repository-name', REPO,
    '--layer-digests', fx.config.digest, fx.layers[0]!.digest, fx.neverUploadedDigest,
  ]);

  // --- Push: manifests -----------------------------------------------------------------------------
  const pushedA = await putImage('put-image (manifest A, tag v1)', fx.manifestA, 'v1');
  // Later steps address image A by the digest the server reported, as a real client would; a server that
  // computes digests its own way then differs once, here, instead of in every later step.
  const digestA = reportedDigest(pushedA) ?? fx.manifestA.digest;
  book.addDigest(digestA, fx.manifestA.label);
  await step('get-download-url-for-layer (layer-2, in image A)', [
    'get-download-url-for-layer', '--repository-name', REPO, '--layer-digest', fx.layers[1]!.digest,
  ]);
  await putImage('put-image (manifest A, tag v1 again)', fx.manifestA, 'v1');
  await putImage('put-image (manifest naming a never-uploaded layer)', fx.manifestMissingLayer, 'broken');
  {
    const file = await writeTemp('not-json.txt', 'this is not a manifest');
    await step(
      'put-image (manifest that is not JSON)',
      ['put-image', '--repository-name', REPO, '--image-manifest', `file://${file}`, '--image-tag', 'garbage'],
      { namesField: 'imageManifest' },
    );
  }
  // Whatever the server did with the broken push, take it out again so later counts do not depend on it.
  await step('batch-delete-image (tag broken, cleanup)', ['batch-delete-image', '--repository-name', REPO, '--image-ids', 'imageTag=broken']);
  await putImage('put-image (manifest A, second tag v2)', fx.manifestA, 'v2');
  const pushedB = await putImage('put-image (manifest B, untagged)', fx.manifestB);
  const digestB = reportedDigest(pushedB) ?? fx.manifestB.digest;
  book.addDigest(digestB, fx.manifestB.label);

  // --- Describe, list, get ------------------------------------------------------------------------
  await step('describe-images', ['describe-images', '--repository-name', REPO]);
  await step('describe-images (tagStatus=UNTAGGED)', ['describe-images', '--repository-name', REPO, '--filter', 'tagStatus=UNTAGGED']);
  await step('describe-images (imageIds: tag v1)', ['describe-images', '--repository-name', REPO, '--image-ids', 'imageTag=v1']);
  await step('list-images', ['list-images', '--repository-name', REPO]);
  await step('list-images (tagStatus=TAGGED)', ['list-images', '--repository-name', REPO, '--filter', 'tagStatus=TAGGED']);
  await step('list-images (tagStatus=UNTAGGED)', ['list-images', '--repository-name', REPO, '--filter', 'tagStatus=UNTAGGED']);
  await step('batch-get-image (tag v1, missing tag)', [
    'batch-get-image', '--repository-name', REPO, '--image-ids', 'imageTag=v1', 'imageTag=no-such-tag',
  ]);

  // --- Delete by tag, then by digest ----------------------------------------------------------------
  await step('batch-delete-image (tag v1 of a two-tag image)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', 'imageTag=v1',
  ]);
  await step('describe-images (manifest A after untagging v1)', [
    'describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${digestA}`,
  ]);
  await step('batch-delete-image (digest of manifest A)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', `imageDigest=${digestA}`,
  ]);
  await step('describe-images (manifest A after delete)', [
    'describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${digestA}`,
  ]);
  await step('list-images (after deletes)', ['list-images', '--repository-name', REPO]);

  // --- Error cases ------------------------------------------------------------------------------------
  await step('describe-images (unknown repository)', ['describe-images', '--repository-name', MISSING_REPO]);
  await step('batch-get-image (unknown repository)', ['batch-get-image', '--repository-name', MISSING_REPO, '--image-ids', 'imageTag=v1']);
  await step('batch-delete-image (missing digest)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', `imageDigest=${fx.neverUploadedDigest}`,
  ]);
  await step('batch-delete-image (neither digest nor tag)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', '[{}]',
  ]);
  await step('batch-delete-image (invalid digest)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', 'imageDigest=sha256:not-a-hex-digest',
  ]);
  await step(
    'batch-delete-image (101 image ids)',
    ['batch-delete-image', '--repository-name', REPO, '--image-ids', ...Array.from({ length: 101 }, (_, i) => `imageTag=t${i}`)],
    { namesField: 'imageIds', summarise: summariseBatch },
  );
  await step(
    'describe-images (imageIds with maxResults)',
    ['describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${digestB}`, '--max-results', '10'],
    { namesField: 'maxResults' },
  );
  await step('list-images (maxResults 1001)', ['list-images', '--repository-name', REPO, '--max-results', '1001'], {
    namesField: 'maxResults',
  });

  // --- Pagination: 25 more images, then pages of 10 ------------------------------------------------------
  await pushPaged(fx, cli, book, writeTemp, record);
  // A tag and a digest that both exist but name different images: nothing may be deleted.
  await step('batch-delete-image (tag p01 with the digest of manifest B)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', `imageDigest=${digestB},imageTag=p01`,
  ]);
  await paginate(cli, record);

  // --- A multi-arch index and an OCI referrer --------------------------------------------------------
  const child = fx.paged[0]!;
  const childDigest = await digestOf(cli, child.label.replace('manifest:', ''), child.digest);
  const pushedIndex = await putImage('put-image (index of p01 and p02, tag multi)', fx.index, 'multi');
  book.addDigest(reportedDigest(pushedIndex) ?? fx.index.digest, fx.index.label);
  await step('describe-images (imageIds: tag multi)', ['describe-images', '--repository-name', REPO, '--image-ids', 'imageTag=multi']);
  await step('batch-get-image (tag multi, accepting manifest lists)', [
    'batch-get-image', '--repository-name', REPO, '--image-ids', 'imageTag=multi', '--accepted-media-types', INDEX_TYPE,
  ]);
  await step('batch-delete-image (digest of p01, a child of the index)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', `imageDigest=${childDigest}`,
  ]);
  const pushedReferrer = await putImage('put-image (referrer of p03, untagged)', fx.referrer);
  const referrerDigest = reportedDigest(pushedReferrer) ?? fx.referrer.digest;
  book.addDigest(referrerDigest, fx.referrer.label);
  await step('describe-images (imageIds: the referrer)', [
    'describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${referrerDigest}`,
  ]);
  const subjectDigest = await digestOf(cli, 'p03', fx.paged[2]!.digest);
  await step('list-image-referrers (subject p03)', [
    'list-image-referrers', '--repository-name', REPO, '--subject-id', `imageDigest=${subjectDigest}`,
  ]);
  await step('batch-delete-image (tag multi, its only tag)', ['batch-delete-image', '--repository-name', REPO, '--image-ids', 'imageTag=multi']);
  await step('describe-images (index after deleting its only tag)', [
    'describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${reportedDigest(pushedIndex) ?? fx.index.digest}`,
  ]);
  await step('batch-delete-image (digest of p01, no longer referenced)', [
    'batch-delete-image', '--repository-name', REPO, '--image-ids', `imageDigest=${childDigest}`,
  ]);

  // --- Moving a tag leaves the old image untagged ------------------------------------------------------
  await putImage('put-image (manifest p05, tag p04 moved onto it)', fx.paged[4]!, 'p04');
  await step('describe-images (p04 and p05 after the tag moved)', [
    'describe-images', '--repository-name', REPO, '--image-ids',
    `imageDigest=${book.digestFor(fx.paged[3]!.label) ?? fx.paged[3]!.digest}`,
    `imageDigest=${book.digestFor(fx.paged[4]!.label) ?? fx.paged[4]!.digest}`,
  ]);
  await step('get-authorization-token', ['get-authorization-token']);

  // --- Delete the repository --------------------------------------------------------------------------
  await step('delete-repository (not empty, no force)', ['delete-repository', '--repository-name', REPO]);
  await step('delete-repository (force)', ['delete-repository', '--repository-name', REPO, '--force']);
  await step('describe-repositories (after delete)', ['describe-repositories', '--repository-names', REPO]);
  return observations;
}

interface StepOptions {
  /** For InvalidParameterException cases: record whether the message names this request field. */
  readonly namesField?: string;
  /** Replaces the flattened response with a few derived fields (for responses with very many items). */
  readonly summarise?: (json: unknown) => Fields;
}

/** A tag list as its size and sorted keys: after a refused call, what matters is whether anything changed. */
function summariseTags(json: unknown): Fields {
  const keys = arrayAt(json, 'tags').map((t) => stringAt(t, 'Key') ?? '?');
  return { 'tags count': String(keys.length), 'tag keys': keys.length > 3 ? `${keys.length} keys` : [...keys].sort().join(',') };
}

/** GetLifecyclePolicy without its run time: the repository and whether the text is the one attached. */
function summariseLifecyclePolicy(json: unknown): Fields {
  const text = stringAt(json, 'lifecyclePolicyText');
  let same = false;
  try {
    same = text !== undefined && JSON.stringify(JSON.parse(text)) === LIFECYCLE_POLICY;
  } catch {
    same = false;
  }
  return { repositoryName: stringAt(json, 'repositoryName') ?? '(absent)', 'lifecyclePolicyText is the policy put': String(same) };
}

/** Counts instead of 101 rows: what matters is whether the call was refused or ran item by item. */
function summariseBatch(json: unknown): Fields {
  const codes = arrayAt(json, 'failures').map((f) => stringAt(f, 'failureCode') ?? '?');
  return {
    'imageIds count': String(arrayAt(json, 'imageIds').length),
    'failures count': String(codes.length),
    'failure codes': `[${[...new Set(codes)].sort().join(', ')}]`,
  };
}

function outcomeFields(result: CliResult, book: DigestBook, opts: StepOptions): Fields {
  const fields: Fields = { exit: String(result.exitCode) };
  if (result.error) {
    fields.error = result.error.code;
    fields['error.message'] = result.error.message === '' ? '<empty text>' : '<text>';
    if (opts.namesField !== undefined) {
      fields[`error.message names ${opts.namesField}`] = result.error.message.includes(opts.namesField) ? 'yes' : 'no';
    }
  }
  if (result.json !== undefined) {
    Object.assign(fields, opts.summarise ? opts.summarise(result.json) : flattenResponse(result.json, book));
  }
  return fields;
}

function bookFor(fx: Fixtures): DigestBook {
  const book = new DigestBook();
  book.addDigest(fx.neverUploadedDigest, 'blob:never-uploaded');
  for (const b of [fx.config, ...fx.layers, fx.corrupt, fx.ociEmptyConfig]) book.addDigest(b.digest, b.label);
  for (const m of [fx.manifestA, fx.manifestB, fx.manifestMissingLayer, ...fx.paged, fx.index, fx.referrer]) {
    book.addManifest(m.text, m.digest, m.label);
  }
  return book;
}

async function pushPaged(
  fx: Fixtures,
  cli: (args: readonly string[]) => Promise<CliResult>,
  book: DigestBook,
  writeTemp: (name: string, data: string) => Promise<string>,
  record: (step: string, fields: Fields) => void,
): Promise<void> {
  const results: Array<{ m: ManifestFixture; r: CliResult }> = [];
  const queue = [...fx.paged];
  const worker = async (): Promise<void> => {
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
      const file = await writeTemp(`${m.label.replace(/[^a-z0-9-]/gi, '_')}.json`, m.text);
      const tag = m.label.replace('manifest:', '');
      results.push({ m, r: await cli(['put-image', '--repository-name', REPO, '--image-manifest', `file://${file}`, '--image-tag', tag]) });
    }
  };
  await Promise.all(Array.from({ length: PUSH_CONCURRENCY }, worker));
  // Twenty-five pushes are one step: per-push rows would bury the table under identical differences.
  const ok = results.filter(({ r }) => r.exitCode === 0);
  const exactDigest = ok.filter(({ m, r }) => reportedDigest(r) === m.digest);
  for (const { m, r } of ok) book.addDigest(reportedDigest(r) ?? m.digest, m.label);
  const errors = [...new Set(results.flatMap(({ r }) => (r.error ? [r.error.code] : [])))].sort();
  record(`put-image x${fx.paged.length} (tags p01..p${fx.paged.length})`, {
    succeeded: `${ok.length}/${results.length}`,
    'imageDigest is sha256 of the sent bytes': `${exactDigest.length}/${ok.length}`,
    ...(errors.length > 0 ? { errors: errors.join(', ') } : {}),
  });
}

async function paginate(cli: (args: readonly string[]) => Promise<CliResult>, record: (step: string, fields: Fields) => void): Promise<void> {
  const base = ['describe-images', '--repository-name', REPO];
  const expectedTags = Array.from({ length: 25 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
  // Manual paging: --max-results turns the CLI's own pagination off, so each call is one API request.
  const seen: Array<{ digest: string; tags: string[] }> = [];
  let token: string | undefined;
  for (let page = 1; page <= 4; page += 1) {
    const r = await cli([...base, '--max-results', '10', ...(token === undefined ? [] : ['--next-token', token])]);
    const details = arrayAt(r.json, 'imageDetails');
    for (const d of details) seen.push({ digest: stringAt(d, 'imageDigest') ?? '', tags: arrayAt(d, 'imageTags').map(String) });
    token = stringAt(r.json, 'nextToken');
    record(`describe-images --max-results 10 (page ${page})`, {
      exit: String(r.exitCode),
      ...(r.error ? { error: r.error.code } : {}),
      'imageDetails count': String(details.length),
      nextToken: token === undefined ? '(absent)' : '<token>',
    });
    if (token === undefined) break;
  }
  const digests = seen.map((s) => s.digest);
  const tags = new Set(seen.flatMap((s) => s.tags));
  record('describe-images pages combined', {
    images: String(new Set(digests).size),
    'repeated across pages': String(digests.length - new Set(digests).size),
    'untagged images': String(seen.filter((s) => s.tags.length === 0).length),
    'tags p01..p25 missing': `[${expectedTags.filter((t) => !tags.has(t)).join(', ')}]`,
  });

  // CLI-driven paging: --page-size sets maxResults per request and the CLI follows nextToken itself.
  const all = await cli([...base, '--page-size', '7']);
  record('describe-images --page-size 7 (CLI follows nextToken)', {
    exit: String(all.exitCode),
    'imageDetails count': String(arrayAt(all.json, 'imageDetails').length),
    NextToken: stringAt(all.json, 'NextToken') === undefined ? '(absent)' : '<token>',
  });
  const listed: string[] = [];
  let listToken: string | undefined;
  for (let page = 1; page <= 4; page += 1) {
    const r = await cli(['list-images', '--repository-name', REPO, '--max-results', '10', ...(listToken === undefined ? [] : ['--next-token', listToken])]);
    const ids = arrayAt(r.json, 'imageIds');
    for (const id of ids) listed.push(`${stringAt(id, 'imageDigest') ?? ''} ${stringAt(id, 'imageTag') ?? ''}`);
    listToken = stringAt(r.json, 'nextToken');
    record(`list-images --max-results 10 (page ${page})`, {
      exit: String(r.exitCode),
      ...(r.error ? { error: r.error.code } : {}),
      'imageIds count': String(ids.length),
      nextToken: listToken === undefined ? '(absent)' : '<token>',
    });
    if (listToken === undefined) break;
  }
  record('list-images pages combined', {
    'image ids': String(new Set(listed).size),
    'repeated across pages': String(listed.length - new Set(listed).size),
  });
  let starting: string | undefined;
  for (let page = 1; page <= 4; page += 1) {
    const r = await cli(['list-images', '--repository-name', REPO, '--max-items', '12', ...(starting === undefined ? [] : ['--starting-token', starting])]);
    starting = stringAt(r.json, 'NextToken');
    record(`list-images --max-items 12 (page ${page})`, {
      exit: String(r.exitCode),
      'imageIds count': String(arrayAt(r.json, 'imageIds').length),
      NextToken: starting === undefined ? '(absent)' : '<token>',
    });
    if (starting === undefined) break;
  }
}

/** The digest the server holds for `tag` (not recorded as a step), or `fallback` when it has none. */
async function digestOf(cli: (args: readonly string[]) => Promise<CliResult>, tag: string, fallback: string): Promise<string> {
  const r = await cli(['list-images', '--repository-name', REPO, '--filter', 'tagStatus=TAGGED']);
  const id = arrayAt(r.json, 'imageIds').find((i) => stringAt(i, 'imageTag') === tag);
  return stringAt(id, 'imageDigest') ?? fallback;
}

/** The digest PutImage reported for the image it stored. */
function reportedDigest(result: CliResult): string | undefined {
  return stringAt(objectAt(objectAt(result.json, 'image'), 'imageId'), 'imageDigest');
}

function objectAt(json: unknown, key: string): unknown {
  return json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[key] : undefined;
}

function stringAt(json: unknown, key: string): string | undefined {
  const v = objectAt(json, key);
  return typeof v === 'string' ? v : undefined;
}

function arrayAt(json: unknown, key: string): unknown[] {
  const v = objectAt(json, key);
  return Array.isArray(v) ? v : [];
}
