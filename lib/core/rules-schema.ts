/**
 * The rules file format (`rules/*.yml`), as a strict zod schema. It checks each value's shape
 * and syntax; rules that involve several fields (at least one condition, tag status vs patterns,
 * unique ids...) are checked in `rules-checks.ts` so every problem is reported, not just the first.
 * The same schema, with the native lifecycle policy shape plugged in, is exported as JSON Schema.
 */
import * as z from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { parseSize, SIZE_PATTERN } from './size.js';
import { checkTagPattern } from './rules-pattern.js';
import { checkRepositoryGlob } from './repository-glob.js';
import { RULES_FILE_LIMITS } from './rules-limits.js';
import { DURATION_HELP, SIZE_HELP, unitStringSchema } from './rules-unit-schema.js';
import { inUseSchema } from './rules-in-use-schema.js';
import { organizationSchema, targetsSchema } from './rules-targets-schema.js';

const MAX_PATTERN = RULES_FILE_LIMITS.maxPatternLength;

/** A duration string; zero allowed (for `minAge`). */
export const durationSchema = unitStringSchema(DURATION_HELP, DURATION_PATTERN, parseDuration).describe(
  'A duration: a whole number and one unit, s, m, h, d or w (e.g. 14d).',
);

/** A duration that must be longer than zero (rule conditions). */
export const positiveDurationSchema = unitStringSchema(DURATION_HELP, DURATION_PATTERN, parseDuration, (ms) =>
  ms > 0 ? undefined : 'the duration must be longer than 0',
).describe('A duration longer than zero: a whole number and one unit, s, m, h, d or w (e.g. 14d).');

/** A size string such as `500MiB`. */
export const sizeSchema = unitStringSchema(SIZE_HELP, SIZE_PATTERN, parseSize).describe(
  'A size, e.g. 500MiB or 20GB. kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024.',
);

export const tagPatternSchema = z
  .string({ error: 'expected a tag pattern (a glob such as "pr-*" or a /regex/)' })
  // Checked before the pattern is compiled: compiling is the work the limit bounds.
  .max(MAX_PATTERN, { error: `a tag pattern is at most ${MAX_PATTERN} characters`, abort: true })
  .superRefine((pattern, ctx) => {
    const problem = checkTagPattern(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('A tag pattern matched against the whole tag: a glob with * and ?, or /regex/ (optionally /regex/i) in RE2 syntax: no backreferences or lookaround.');

const tagPatternListSchema = z.array(tagPatternSchema).min(1, { error: 'list at least one pattern, or leave the key out' });

const repositoryGlobSchema = z
  .string({ error: 'expected a repository glob such as "team-a/**"' })
  .regex(/^\S+$/, { error: 'a repository glob must be non-empty and contain no spaces' })
  .max(MAX_PATTERN, { error: `a repository glob is at most ${MAX_PATTERN} characters`, abort: true })
  .superRefine((glob, ctx) => {
    const problem = checkRepositoryGlob(glob);
    if (problem) ctx.addIssue({ code: 'custom', message: `invalid repository glob ${JSON.stringify(glob)}: ${problem}` });
  })
  .describe('A repository name glob: * stays within one path segment, ** (a whole segment) spans "/", ?, [a-z], [^a], {a,b}.');

/** `lifecyclePolicy: attached`: run each governed repository's own attached lifecycle policy. */
export const ATTACHED_LIFECYCLE_POLICY = 'attached';

/** ECR's limits on repository resource tags (TagResource). */
export const RESOURCE_TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

const repositoryTagsSchema = z
  .record(
    // Key lengths are checked in rules-checks.ts: zod words a bad record key as the whole map's error.
    z.string(),
    z
      .string({ error: 'a repository tag value is a string: quote it (e.g. "1234", "true") so YAML keeps it as written' })
      .max(RESOURCE_TAG_LIMITS.maxValueLength, { error: `a tag value is at most ${RESOURCE_TAG_LIMITS.maxValueLength} characters (ECR's limit)` }),
    { error: 'expected a mapping of repository tag keys to values, e.g. { team: data }' },
  )
  .describe(
    'Repository resource tags (ListTagsForResource), e.g. { team: data }: a repository must have every one, with exactly this value (case-sensitive, no wildcards).',
  );

const positiveCount = (what: string) =>
  z
    .int({ error: `${what} must be a whole number` })
    .min(1, { error: `${what} must be at least 1` });

const modeSchema = z.enum(['dry-run', 'apply']);
const percentSchema = z
  .number({ error: 'maxDeletePercentPerRepository must be a number' })
  .gt(0, { error: 'maxDeletePercentPerRepository must be more than 0' })
  .max(100, { error: 'maxDeletePercentPerRepository must be at most 100' });

export const defaultsSchema = z
  .strictObject({
    mode: modeSchema
      .optional()
      .describe('dry-run (default) only plans; apply lets the sweep delete. A caller flag can still force dry-run.'),
    minAge: durationSchema.optional().describe('Grace period: nothing pushed less than this long ago is ever deleted. Default 1d; 0s disables it.'),
    maxDeletionsPerRun: positiveCount('maxDeletionsPerRun')
      .nullable()
      .optional()
      .describe('Whole-run cap on deletions; a plan over it is blocked. null or absent = no cap.'),
    maxDeletePercentPerRepository: percentSchema
      .nullable()
      .optional()
      .describe('Per-repository cap, in percent of its images; a repository over it is blocked. null or absent = no cap.'),
  })
  .describe('Run-wide settings.');

/** The settings a policy may set for its own repositories (each overrides its `defaults` value). */
const policySettingsShape = {
  mode: modeSchema
    .optional()
    .describe('dry-run holds this policy\'s repositories back in every run (planned, never deleted); apply follows the run\'s mode and never makes a dry run delete.'),
  minAge: durationSchema.optional().describe('Grace period for this policy\'s repositories, instead of defaults.minAge.'),
  maxDeletionsPerRun: positiveCount('maxDeletionsPerRun').optional().describe('Deletion budget for this policy\'s repositories, within the run-wide defaults.maxDeletionsPerRun.'),
  maxDeletePercentPerRepository: percentSchema.optional().describe('Per-repository cap for this policy\'s repositories, instead of defaults.maxDeletePercentPerRepository.'),
  protect: z
    .strictObject({
      tags: z.array(tagPatternSchema).optional().describe('Added to protect.tags for this policy\'s repositories.'),
      repositories: z.array(repositoryGlobSchema).optional().describe('Repositories of this policy that are never touched (added to protect.repositories).'),
    })
    .optional()
    .describe('Protections added to the run-wide protect lists (never replacing them) for this policy\'s repositories.'),
};

export const protectSchema = z
  .strictObject({
    tags: z.array(tagPatternSchema).optional().describe('Images with any tag matching one of these are never deleted.'),
    repositories: z.array(repositoryGlobSchema).optional().describe('Repositories matching one of these globs are never touched.'),
  })
  .describe('What no rule can ever delete. Protection beats every rule.');

export const selectSchema = z
  .strictObject({
    tagStatus: z.enum(['tagged', 'untagged', 'any']).describe('tagged needs tagPatterns; untagged takes no patterns; any selects every image.'),
    tagPatterns: tagPatternListSchema
      .optional()
      .describe('ANDed: every pattern must match at least one of the image tags. Use ["*"] for all tagged images.'),
    excludeTagPatterns: tagPatternListSchema
      .optional()
      .describe('An image with any tag matching any of these is taken out of the selection.'),
    storageClass: z.enum(['standard', 'archive']).optional().describe('Which images the rule looks at; default standard.'),
  })
  .describe('Which images the rule looks at.');

export const whenSchema = z
  .strictObject({
    imageCountMoreThan: positiveCount('imageCountMoreThan').optional().describe('Keep the newest N of the selection; the rest expire.'),
    orderBy: z
      .enum(['pushedAt', 'semver'])
      .optional()
      .describe('With imageCountMoreThan: rank by push time (default) or by the semantic version of the matching tag.'),
    sinceImagePushed: positiveDurationSchema.optional().describe('Expire images pushed more than this long ago.'),
    sinceImagePulled: positiveDurationSchema
      .optional()
      .describe('Expire images not pulled for this long (push time when never pulled). Deletes, unlike ECR.'),
    sinceImageTransitioned: positiveDurationSchema.optional().describe('Expire images archived more than this long ago (storageClass: archive).'),
    sizeLargerThan: sizeSchema.optional().describe('Expire images larger than this.'),
    totalSizeMoreThan: sizeSchema.optional().describe('When the selection is over this budget, the oldest expire until the rest fits.'),
  })
  .describe(
    'One or more expiry conditions (plus orderBy with imageCountMoreThan). With several, an image expires only when every one holds; count and total-size conditions rank the whole selection.',
  );

export const ruleSchema = z
  .strictObject({
    id: z
      .string({ error: 'expected a rule id such as "untagged-after-7d"' })
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'a rule id is kebab-case: lowercase letters and digits separated by single "-"' })
      .describe('Kebab-case id, unique in its policy; shown in every plan reason.'),
    description: z.string().optional(),
    select: selectSchema,
    when: whenSchema,
    action: z
      .enum(['expire', 'transition'])
      .optional()
      .describe('expire (default) deletes; transition moves to archive storage (archived by an apply run, never deleted).'),
  })
  .describe('A retention rule: a selection and one or more expiry conditions, all of which must hold.');

/** Builds the file schema; `lifecyclePolicy` is pluggable so the JSON Schema can show the native shape. */
export function buildRulesFileSchema<T extends z.ZodType>(lifecyclePolicyObject: T) {
  const policySchema = z
    .strictObject({
      name: z.string({ error: 'expected a policy name' }).min(1, { error: 'a policy name must not be empty' }).describe('Unique policy name, shown in plans.'),
      description: z.string().optional(),
      repositories: z
        .strictObject({
          include: z
            .array(repositoryGlobSchema)
            .min(1, { error: 'list at least one repository glob' })
            .optional()
            .describe('Repository name globs; with tags, a repository must match both. Absent = any name (tags then required).'),
          exclude: z.array(repositoryGlobSchema).optional().describe('Repository name globs taken out of the selection.'),
          tags: repositoryTagsSchema.optional(),
        })
        .describe('Repositories this policy governs: include globs, resource tags, or both. The first policy that matches a repository governs it.'),
      rules: z.array(ruleSchema).min(1, { error: 'list at least one rule' }).optional().describe('Rules in priority order (first = highest).'),
      lifecyclePolicy: z
        .union(
          [
            z.literal(ATTACHED_LIFECYCLE_POLICY).describe("Each governed repository's own attached lifecycle policy (GetLifecyclePolicy), with every protection on top."),
            z.string().min(1).describe('Path to a native policy .json file, relative to this rules file.'),
            lifecyclePolicyObject,
          ],
          {
            error: 'expected "attached", a path to a lifecycle policy .json file or an inline lifecycle policy ({ rules: [...] })',
          },
        )
        .optional()
        .describe('A native ECR lifecycle policy: "attached" (each repository\'s own), inline, or a path; instead of rules.'),
      ...policySettingsShape,
    })
    .describe('A policy: the repositories it governs, then either rules or lifecyclePolicy, and optionally its own settings (mode, minAge, limits, protect) over defaults.');

  return z
    .strictObject({
      $schema: z.string().optional().describe('Optional JSON Schema reference for editors.'),
      version: z.literal(1, { error: 'version must be 1' }).describe('Format version; always 1.'),
      defaults: defaultsSchema.optional(),
      protect: protectSchema.optional(),
      inUse: inUseSchema.optional(),
      targets: targetsSchema.optional(),
      organization: organizationSchema.optional(),
      policies: z.array(policySchema).min(1, { error: 'list at least one policy' }),
    })
    .describe('ecr-sweeper rules file.');
}

/** The schema used to validate files: inline lifecycle policies are checked by the native validator afterwards. */
export const rulesFileSchema = buildRulesFileSchema(z.record(z.string(), z.unknown()));

export type RulesFileInput = z.infer<typeof rulesFileSchema>;
export type RuleInput = z.infer<typeof ruleSchema>;
