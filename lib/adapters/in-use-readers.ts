/**
 * The in-use sources a run scans, built by the drivers (CLI, Lambda functions) from the rules'
 * `inUse:` settings and the run's clients: one reader per enabled source, none for a source the
 * rules turn off (the engine reports it `off`). ECS and Lambda are on by default; Batch, App
 * Runner and in-use files when the rules ask for them.
 */
import type { InUseSettings } from '../core/rules-model.js';
import type { AwsClients } from './aws-clients.js';
import type { InUseSourceReader } from '../engine/types.js';
import { AppRunnerInUseReader } from './in-use-apprunner.js';
import { BatchInUseReader } from './in-use-batch.js';
import { EcsInUseReader } from './in-use-ecs.js';
import { InUseFileReader, parseS3Location } from './in-use-files.js';
import { LambdaInUseReader } from './in-use-lambda.js';

/** Where in-use files are found. */
export interface InUseReaderPlaces {
  /** Relative local file locations resolve against this: the rules file's directory. */
  baseDir: string;
  /** Read when `inUse.files` lists no locations: the deployment's in-use prefix (`IN_USE_S3_URI`). */
  defaultFilesLocation?: string | undefined;
}

/**
 * One reader per source the settings enable. Clients are taken only for those (they are built on
 * first use), so a run without Batch never builds a Batch client.
 *
 * @example
 * ```ts
 * const readers = createInUseReaders(inUseSettingsOf(ruleSet), clients, { baseDir: dirname(rulesPath) });
 * await runSweep({ registry: ecrRegistry(clients.ecr), inUse: { readers } }, options);
 * ```
 * @throws ConfigError when in-use files are on with no location and no default location.
 */
export function createInUseReaders(
  settings: InUseSettings,
  clients: Pick<AwsClients, 'ecs' | 'lambda' | 'batch' | 'apprunner' | 's3'>,
  places: InUseReaderPlaces,
): InUseSourceReader[] {
  const readers: InUseSourceReader[] = [];
  if (settings.ecs !== false) readers.push(new EcsInUseReader(clients.ecs, settings.ecs));
  if (settings.lambda !== false) readers.push(new LambdaInUseReader(clients.lambda, settings.lambda));
  if (settings.batch) readers.push(new BatchInUseReader(clients.batch));
  if (settings.apprunner) readers.push(new AppRunnerInUseReader(clients.apprunner));
  if (settings.files !== null) {
    const files = settings.files;
    const locations = files.locations.length > 0 ? files.locations : places.defaultFilesLocation !== undefined ? [places.defaultFilesLocation] : [];
    // Only a location in S3 needs the S3 client: a run reading local files builds none.
    const needsS3 = locations.some((l) => parseS3Location(l) !== null);
    readers.push(
      new InUseFileReader({
        settings: files,
        baseDirectory: places.baseDir,
        ...(needsS3 ? { s3: clients.s3 } : {}),
        ...(places.defaultFilesLocation !== undefined ? { defaultLocation: places.defaultFilesLocation } : {}),
      }),
    );
  }
  return readers;
}
