/**
 * The same scripted AWS CLI scenario against our ECR emulator and against moto's ECR server, compared
 * field by field. Every difference is printed (step | field | emulator | moto | reference verdict); the
 * run fails when a difference is not a known moto deviation, i.e. when the emulator departs from the API
 * reference or when nobody has judged the difference yet. See docs/interop.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures } from './scenarios/fixtures.js';
import { runEcrScenario } from './scenarios/ecr-cli-scenario.js';
import { KNOWN_MOTO_DEVIATIONS } from './scenarios/known-moto-deviations.js';
import { openCliRunner, type OpenedCliRunner } from './support/aws-cli-driver.js';
import { diffObservations, type StepObservation } from './support/compare.js';
import { renderDeviationSummary, renderDifferenceTable, type JudgedDifference } from './support/difference-table.js';
import { startInteropEmulator, type InteropEmulator } from './support/emulator-server.js';
import { startMoto, type MotoServer } from './support/moto-server.js';
import { ABSENT } from './support/normalise.js';
import { classify } from './support/verdicts.js';

describe('AWS CLI scenario: ECR emulator vs moto', () => {
  let workDir = '';
  let moto: MotoServer | undefined;
  let emulator: InteropEmulator | undefined;
  let emulatorCli: OpenedCliRunner | undefined;
  let motoCli: OpenedCliRunner | undefined;
  let emulatorRun: StepObservation[] = [];
  let judged: JudgedDifference[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-interop-'));
    [moto, emulator] = await Promise.all([startMoto(), startInteropEmulator()]);
    [emulatorCli, motoCli] = await Promise.all([openCliRunner(emulator.url), openCliRunner(moto.url)]);
    // Both runs at once: the two servers are independent, and each run is ~90 sequential CLI commands.
    const [onEmulator, onMoto] = await Promise.all([
      runEcrScenario({ cli: emulatorCli.run, workDir: join(workDir, 'emulator') }),
      runEcrScenario({ cli: motoCli.run, workDir: join(workDir, 'moto') }),
    ]);
    emulatorRun = onEmulator;
    judged = diffObservations(onEmulator, onMoto).map((d) => ({ ...d, verdict: classify(d, KNOWN_MOTO_DEVIATIONS) }));
    const report =
      `AWS CLI (${emulatorCli.mode} mode) against the ECR emulator and moto: ${onEmulator.length} steps, ` +
      `${judged.length} differences.\n\n${renderDeviationSummary(judged)}\n\n${renderDifferenceTable(judged)}\n`;
    console.log(`\nemulator: ${emulator.origin}; moto: ${moto.url}\n${report}`);
    const out = process.env.INTEROP_TABLE_OUT;
    if (out !== undefined && out !== '') await writeFile(out, report);
  }, 180_000); // ~30 s on an idle machine; the margin is for two cores shared with other test runs.

  afterAll(async () => {
    await Promise.all([emulatorCli?.close(), motoCli?.close()]);
    await Promise.all([moto?.stop(), emulator?.stop()]);
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  it('every difference is a known moto deviation from the reference', () => {
    const failing = judged
      .filter((d) => d.verdict.kind !== 'moto-deviation')
      .map((d) => `${d.step} | ${d.field} | emulator: ${d.emulator} | moto: ${d.moto} | ${d.verdict.text}`);
    expect(failing).toEqual([]);
  });

  it('every entry in the known-deviation table still explains at least one difference', () => {
    // A stale entry would hide a future emulator regression on the same field; drop it when moto is fixed.
    const used = new Set(judged.map((d) => d.verdict.deviationId));
    const stale = [...new Set(KNOWN_MOTO_DEVIATIONS.map((d) => d.id))].filter((id) => !used.has(id));
    expect(stale).toEqual([]);
  });

  // The emulator against the reference directly, whatever moto does: two implementations can agree
  // and both be wrong. Each row: step (by name), field, what the reference requires.
  const fx = buildFixtures();
  const referenceChecks: ReadonlyArray<readonly [string, string, string]> = [
    ['create-repository', 'repository.repositoryName', 'interop/app'],
    ['create-repository (already exists)', 'error', 'RepositoryAlreadyExistsException'],
    ['upload-layer-part 1/2 (blob:layer-1)', 'lastByteReceived', String(fx.layers[0]!.parts[0]!.last)],
    ['upload-layer-part 2/2 (blob:layer-1)', 'lastByteReceived', String(fx.layers[0]!.parts[1]!.last)],
    ['complete-layer-upload (blob:layer-1)', 'layerDigest', 'blob:layer-1'],
    ['put-image (manifest A, tag v1)', 'image.imageId.imageDigest', 'manifest:A'],
    ['put-image (manifest A, tag v1)', 'image.imageManifest', 'manifest:A (exact bytes)'],
    ['put-image (manifest A, tag v1 again)', 'error', 'ImageAlreadyExistsException'],
    ['put-image (manifest naming a never-uploaded layer)', 'error', 'LayersNotFoundException'],
    ['describe-images', 'imageDetails[manifest:A].imageTags', '[v1, v2]'],
    ['describe-images', 'imageDetails[manifest:A].imageSizeInBytes', String(fx.manifestA.layerBytes)],
    ['describe-images', 'imageDetails[manifest:A].imagePushedAt', '<epoch-seconds>'],
    ['describe-images', 'imageDetails[manifest:B].imageTags', ABSENT],
    ['describe-images (tagStatus=UNTAGGED)', 'imageDetails[manifest:A].imageDigest', ABSENT],
    ['list-images (tagStatus=TAGGED)', 'imageIds[manifest:B].imageDigest', ABSENT],
    ['batch-get-image (tag v1, missing tag)', 'images[manifest:A v1].imageManifest', 'manifest:A (exact bytes)'],
    ['batch-get-image (tag v1, missing tag)', 'failures[tag no-such-tag].failureCode', 'ImageNotFound'],
    ['batch-delete-image (tag v1 of a two-tag image)', 'imageIds[manifest:A v1].imageTag', 'v1'],
    ['describe-images (manifest A after untagging v1)', 'imageDetails[manifest:A].imageTags', '[v2]'],
    ['describe-images (manifest A after delete)', 'error', 'ImageNotFoundException'],
    ['list-images (after deletes)', 'imageIds[manifest:B].imageDigest', 'manifest:B'],
    ['describe-images (unknown repository)', 'error', 'RepositoryNotFoundException'],
    ['batch-delete-image (missing digest)', 'failures[blob:never-uploaded].failureCode', 'ImageNotFound'],
    ['batch-delete-image (invalid digest)', 'failures[sha256:not-a-hex-digest].failureCode', 'InvalidImageDigest'],
    ['batch-delete-image (101 image ids)', 'error', 'InvalidParameterException'],
    ['describe-images (imageIds with maxResults)', 'error', 'InvalidParameterException'],
    ['batch-delete-image (tag p01 with the digest of manifest B)', 'failures[manifest:B p01].failureCode', 'ImageTagDoesNotMatchDigest'],
    ['describe-images --max-results 10 (page 1)', 'imageDetails count', '10'],
    ['describe-images --max-results 10 (page 3)', 'imageDetails count', '6'],
    ['describe-images --max-results 10 (page 3)', 'nextToken', ABSENT],
    ['describe-images pages combined', 'images', '26'],
    ['describe-images pages combined', 'repeated across pages', '0'],
    ['describe-images pages combined', 'tags p01..p25 missing', '[]'],
    ['describe-images --page-size 7 (CLI follows nextToken)', 'imageDetails count', '26'],
    ['list-images --max-results 10 (page 3)', 'imageIds count', '6'],
    ['list-images pages combined', 'image ids', '26'],
    ['list-images pages combined', 'repeated across pages', '0'],
    ['put-image (index of p01 and p02, tag multi)', 'image.imageId.imageDigest', 'manifest:index'],
    ['describe-images (imageIds: tag multi)', 'imageDetails[manifest:index].imageSizeInBytes', String(fx.index.layerBytes)],
    ['batch-get-image (tag multi, accepting manifest lists)', 'images[manifest:index multi].imageManifest', 'manifest:index (exact bytes)'],
    ['batch-delete-image (digest of p01, a child of the index)', 'failures[manifest:p01].failureCode', 'ImageReferencedByManifestList'],
    ['describe-images (imageIds: the referrer)', 'imageDetails[manifest:referrer].subjectManifestDigest', 'manifest:p03'],
    ['list-image-referrers (subject p03)', 'referrers[manifest:referrer].artifactType', fx.referrerArtifactType],
    ['describe-images (index after deleting its only tag)', 'error', 'ImageNotFoundException'],
    ['batch-delete-image (digest of p01, no longer referenced)', 'imageIds[manifest:p01 p01].imageTag', 'p01'],
    ['complete-layer-upload (two small parts)', 'error', 'LayerPartTooSmallException'],
    ['complete-layer-upload (no parts)', 'error', 'EmptyUploadException'],
    ['complete-layer-upload (blob:config, uploaded again)', 'error', 'LayerAlreadyExistsException'],
    ['get-download-url-for-layer (layer-2, in no image yet)', 'error', 'LayerInaccessibleException'],
    ['get-download-url-for-layer (layer-2, in image A)', 'layerDigest', 'blob:layer-2'],
    ['put-image (manifest that is not JSON)', 'error', 'InvalidParameterException'],
    ['batch-delete-image (neither digest nor tag)', 'failures[0].failureCode', 'MissingDigestAndTag'],
    ['describe-images (p04 and p05 after the tag moved)', 'imageDetails[manifest:p04].imageTags', ABSENT],
    ['describe-images (p04 and p05 after the tag moved)', 'imageDetails[manifest:p05].imageTags', '[p04, p05]'],
    ['get-authorization-token', 'authorizationData[0].authorizationToken', '<base64 of AWS:password>'],
    ['delete-repository (not empty, no force)', 'error', 'RepositoryNotEmptyException'],
    ['describe-repositories (after delete)', 'error', 'RepositoryNotFoundException'],
  ];
  it.each(referenceChecks)('emulator: %s → %s is %s', (step, field, expected) => {
    const observation = emulatorRun.find((o) => o.step === step);
    expect(observation, `step "${step}" did not run`).toBeDefined();
    expect(observation?.fields[field] ?? ABSENT).toBe(expected);
  });
});
