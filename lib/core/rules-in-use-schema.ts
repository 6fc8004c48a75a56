/**
 * The `inUse:` block of a rules file: which in-use sources a run scans (ECS, Lambda, Batch, App
 * Runner, in-use files) and how. Every source is `true`, `false` or, where it has settings, a
 * mapping; `{}` and `true` both mean the source's defaults. Values out of their bounds
 * (`IN_USE_LIMITS`) are refused here, with the bound, like every other rules error.
 */
import * as z from 'zod';
import {
  DEFAULT_IN_USE_FILE_MAX_AGE_MS,
  DEFAULT_IN_USE_RESCAN_AFTER_MS,
  DEFAULT_LAMBDA_VERSIONS,
  DEFAULT_TASK_DEFINITION_REVISIONS,
} from './in-use-settings.js';
import { formatDuration } from './duration.js';
import { IN_USE_LIMITS as L } from './rules-limits.js';
import { boundedDurationSchema } from './rules-unit-schema.js';
import { booleanHint, describeValue } from './rules-zod-issues.js';
import { checkS3Uri } from './s3-uri.js';

/** A whole number within the revision bounds; the message names the key and the bounds. */
function revisionCount(what: string) {
  const bounds = `${what} is a whole number from ${L.minRevisions} to ${L.maxRevisions}`;
  return z
    .int({ error: bounds })
    .min(L.minRevisions, { error: (issue) => `${bounds}, got ${describeValue(issue.input)}` })
    .max(L.maxRevisions, { error: (issue) => `${bounds}, got ${describeValue(issue.input)}` });
}

/** `true`, `false` or the source's settings mapping. */
function sourceToggle<T extends z.ZodType>(settings: T, example: string) {
  return z.union([z.boolean(), settings], {
    error: (issue) => `expected true, false or a mapping such as ${example}, got ${describeValue(issue.input)}${booleanHint(issue.input)}`,
  });
}

const clusterGlobSchema = z
  .string({ error: 'expected a cluster name glob such as "prod-*"' })
  .max(L.maxClusterGlobLength, { error: `a cluster name glob is at most ${L.maxClusterGlobLength} characters`, abort: true })
  .regex(/^[A-Za-z0-9_*?-]+$/, {
    error: 'a cluster name glob takes letters, digits, "_", "-" (what ECS cluster names have) and the wildcards * and ?',
  })
  .describe('An ECS cluster name glob: * any run of characters, ? one character.');

const ecsSettingsSchema = z
  .strictObject({
    clusters: z
      .array(clusterGlobSchema)
      .min(1, { error: 'list at least one cluster glob, or leave clusters out to scan every cluster' })
      .max(L.maxClusterGlobs, { error: `at most ${L.maxClusterGlobs} cluster globs` })
      .optional()
      .describe('Cluster name globs to scan; absent = every cluster of the account and Region.'),
    taskDefinitionRevisions: revisionCount('taskDefinitionRevisions')
      .optional()
      .describe(
        `Newest ACTIVE revisions per task definition family that count as in use (rollback targets, scheduled tasks); default ${DEFAULT_TASK_DEFINITION_REVISIONS}.`,
      ),
  })
  .describe('ECS settings.');

const lambdaSettingsSchema = z
  .strictObject({
    versions: revisionCount('versions')
      .optional()
      .describe(`Newest published versions per image function that count as in use, besides $LATEST and aliased versions; default ${DEFAULT_LAMBDA_VERSIONS}.`),
  })
  .describe('Lambda settings.');

const fileLocationSchema = z
  .string({ error: 'expected a local path or an s3://bucket/prefix/ URI' })
  .min(1, { error: 'a location must not be empty' })
  .max(L.maxFileLocationLength, { error: `a location is at most ${L.maxFileLocationLength} characters`, abort: true })
  .superRefine((location, ctx) => {
    const problem = checkLocation(location);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('A local path (a .json file or a directory of them, relative to the rules file) or an s3://bucket/prefix/ URI.');

const sourceNameSchema = z
  .string({ error: 'expected a source name such as "prod-eks"' })
  .max(L.maxSourceNameLength, { error: `a source name is at most ${L.maxSourceNameLength} characters`, abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: 'a source name starts with a letter or digit and takes letters, digits, ".", "_" and "-" (a file\'s "source", or its name without .json)',
  })
  .describe('A source that must have an in-use file: the file\'s "source" field, else its name without .json.');

const filesSettingsSchema = z
  .strictObject({
    locations: z
      .array(fileLocationSchema)
      .min(1, { error: 'list at least one location, or leave locations out to read the deployment\'s in-use prefix' })
      .max(L.maxFileLocations, { error: `at most ${L.maxFileLocations} locations` })
      .optional()
      .describe('Where the in-use files are; absent = the deployment\'s own in-use prefix (IN_USE_S3_URI of the Lambda functions).'),
    maxAge: boundedDurationSchema('maxAge', L.minFileMaxAgeMs, L.maxFileMaxAgeMs)
      .optional()
      .describe(
        `A file older than this fails the run closed (nothing deleted); ${formatDuration(L.minFileMaxAgeMs)} to ${formatDuration(L.maxFileMaxAgeMs)}, default ${formatDuration(DEFAULT_IN_USE_FILE_MAX_AGE_MS)}.`,
      ),
    expect: z
      .array(sourceNameSchema)
      .min(1, { error: 'list at least one source name, or leave expect out' })
      .max(L.maxExpectedSources, { error: `at most ${L.maxExpectedSources} expected sources` })
      .optional()
      .describe('Sources that must each have a file; a missing one fails the run closed.'),
  })
  .describe('In-use files: JSON arrays of image references (ecrm\'s format) or { generatedAt, source, images }, e.g. from the Kubernetes exporter.');

/** The `inUse:` block. */
export const inUseSchema = z
  .strictObject({
    ecs: sourceToggle(ecsSettingsSchema, '{ clusters: ["prod-*"], taskDefinitionRevisions: 5 }')
      .optional()
      .describe('Scan ECS tasks, services and the newest task definition revisions. Default true.'),
    lambda: sourceToggle(lambdaSettingsSchema, '{ versions: 5 }')
      .optional()
      .describe('Scan image Lambda functions: $LATEST, aliased versions and the newest versions. Default true.'),
    batch: z.boolean({ error: 'batch is true or false' }).optional().describe('Scan ACTIVE Batch job definitions. Default false.'),
    apprunner: z.boolean({ error: 'apprunner is true or false' }).optional().describe('Scan App Runner services. Default false.'),
    files: sourceToggle(filesSettingsSchema, '{ locations: ["s3://my-bucket/in-use/"], maxAge: 24h }')
      .optional()
      .describe('Read in-use files (Kubernetes and anything else). Default false; true = the deployment\'s in-use prefix with the defaults.'),
    rescanAfter: boundedDurationSchema('rescanAfter', L.minRescanAfterMs, L.maxRescanAfterMs)
      .optional()
      .describe(
        `Before deleting, scan again when the last scan is older than this; ${formatDuration(L.minRescanAfterMs)} to ${formatDuration(L.maxRescanAfterMs)}, default ${formatDuration(DEFAULT_IN_USE_RESCAN_AFTER_MS)}.`,
      ),
  })
  .describe('In-use protection: images that ECS, Lambda, Batch, App Runner or an in-use file uses are never deleted. If a source cannot be read, nothing is deleted.');

export type InUseInput = z.infer<typeof inUseSchema>;

/**
 * Why `location` is not a local path or an `s3://` URI, or undefined. Other schemes are refused
 * rather than read as odd relative paths (`https://x` would be a directory named `https:`).
 */
function checkLocation(location: string): string | undefined {
  if (/[\0\n\r]/.test(location)) return 'a location is one line with no NUL characters';
  if (location.startsWith('s3://')) {
    const problem = checkS3Uri(location);
    return problem ? `${JSON.stringify(location)} is not a usable S3 URI: ${problem}` : undefined;
  }
  // `name://…` is a URI; `s3:/b`, `S3:b` are S3 URIs mistyped. Any other colon is part of a path.
  const scheme = (/^([A-Za-z][A-Za-z0-9+.-]+):\/\//.exec(location) ?? /^(s3[an]?):/i.exec(location))?.[1];
  if (scheme === undefined) return undefined;
  const hint = /^s3[an]?$/i.test(scheme) ? ` — did you mean "s3://${location.replace(/^[^:]+:\/*/, '')}"?` : '';
  return `expected a local path or an s3://bucket/prefix/ URI, got ${JSON.stringify(location)}: in-use files are read from disk or S3 only${hint}`;
}
