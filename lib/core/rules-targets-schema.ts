/**
 * The `targets:` and `organization:` blocks of a rules file (issue 10): which accounts and Regions
 * a run sweeps. Shapes and syntax are checked here (account ids, Region names, role names and
 * ARNs, external ids, OU ids); what involves several values (both blocks given, roleName and
 * roleArn together, an ARN of another account, a target listed twice) in `rules-targets-checks.ts`.
 */
import * as z from 'zod';
import { TARGETS_LIMITS as L } from './rules-limits.js';
import { closest, describeValue } from './rules-zod-issues.js';

/** An account id: 12 digits, as a string (YAML would read an unquoted one as a number and drop a leading 0). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** A Region name: `eu-west-1`, `us-gov-west-1`, `us-iso-east-1`, `us-isob-east-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** An IAM role name with an optional path (`team/EcrSweeperTarget`), as IAM allows them. */
export const ROLE_NAME_PATTERN = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** An IAM role ARN; group 1 is the partition, group 2 the account. */
export const ROLE_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z])?):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** STS AssumeRole's ExternalId: 2 to 1,224 characters of this set. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
/** An organizational unit id. */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;

/**
 * Region names of the commercial, China and GovCloud partitions, for did-you-mean hints only:
 * any name of the right shape is accepted (new Regions open every year).
 */
const KNOWN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-central-1',
  'ca-west-1', 'cn-north-1', 'cn-northwest-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1',
  'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-west-1', 'us-west-2',
];

const accountIdSchema = z
  .string({ error: 'an account id is 12 digits in quotes (e.g. "012345678901"): unquoted, YAML reads it as a number and drops leading zeros' })
  .regex(ACCOUNT_ID_PATTERN, { error: 'an account id is exactly 12 digits' })
  .describe('A 12-digit AWS account id, quoted.');

/** The Region a malformed name most likely meant, if any. */
function nearRegion(text: string): string | undefined {
  const squashed = text.toLowerCase().replace(/[-_\s]/g, '');
  return closest(text.toLowerCase(), KNOWN_REGIONS) ?? KNOWN_REGIONS.find((r) => r.replace(/-/g, '') === squashed);
}

/** For a single string given as `regions:`: the list it meant, or `all`. */
function regionsHint(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (REGION_PATTERN.test(value)) return ` — write it as a list: [${value}]`;
  if (closest(value.toLowerCase(), ['all']) !== undefined) return ' — did you mean all?';
  const near = nearRegion(value);
  return near !== undefined ? ` — did you mean [${near}]?` : '';
}

const regionSchema = z
  .string({ error: 'expected a Region name such as "eu-west-1"' })
  .max(30, { error: 'a Region name is at most 30 characters', abort: true })
  .regex(REGION_PATTERN, {
    error: (issue) => {
      const near = typeof issue.input === 'string' ? nearRegion(issue.input) : undefined;
      return `expected a Region name such as eu-west-1${near !== undefined ? ` — did you mean "${near}"?` : ''}`;
    },
  })
  .describe('A Region name, e.g. eu-west-1.');

const regionsSchema = z
  .union(
    [
      z.literal('all').describe("Every Region enabled in the account (EC2 DescribeRegions, run with the target's role)."),
      z
        .array(regionSchema)
        .min(1, { error: 'list at least one Region, or write all' })
        .max(L.maxRegions, { error: `at most ${L.maxRegions} Regions` }),
    ],
    {
      error: (issue) =>
        issue.input === undefined
          ? 'missing required key "regions" (a list of Regions such as [eu-west-1, us-east-1], or all)'
          : `expected a list of Regions such as [eu-west-1, us-east-1], or all, got ${describeValue(issue.input)}${regionsHint(issue.input)}`,
    },
  )
  .describe('The Regions to sweep: a list of Region names, or all (the Regions enabled in each account).');

const roleNameSchema = z
  .string({ error: 'expected a role name such as "EcrSweeperTarget"' })
  .regex(ROLE_NAME_PATTERN, { error: 'a role name is 1 to 64 of letters, digits and +=,.@_- (optionally after a path such as "team/")' })
  .describe('The IAM role name to assume (deploy/target-role.yml creates EcrSweeperTarget); becomes arn:<partition>:iam::<account>:role/<name>.');

const externalIdSchema = z
  .string({ error: 'expected an external id string' })
  .regex(EXTERNAL_ID_PATTERN, { error: 'an external id is 2 to 1,224 of letters, digits and +=,.@:/_- (what STS accepts)' })
  .describe("The sts:ExternalId the role's trust policy asks for.");

/** One entry of `targets:`. */
export const targetEntrySchema = z
  .strictObject({
    accountId: accountIdSchema,
    roleName: roleNameSchema.optional(),
    roleArn: z
      .string({ error: 'expected a role ARN such as "arn:aws:iam::123456789012:role/EcrSweeperTarget"' })
      .max(2048, { error: 'a role ARN is at most 2,048 characters', abort: true })
      .regex(ROLE_ARN_PATTERN, { error: 'expected a role ARN such as "arn:aws:iam::123456789012:role/EcrSweeperTarget"' })
      .optional()
      .describe('The full ARN of the role to assume, instead of roleName; its account must be accountId.'),
    externalId: externalIdSchema.optional(),
    regions: regionsSchema,
  })
  .describe("An account to sweep and its Regions, reached through a role (roleName or roleArn); without one, only the caller's own account can be given (swept with the run's own credentials).");

function idFilterSchema(what: string, pattern: RegExp, example: string, error: string) {
  const id = z.string({ error }).regex(pattern, { error });
  return z
    .strictObject({
      include: z.array(id).max(L.maxIds, { error: `at most ${L.maxIds} ids` }).optional().describe(`${what} to sweep; empty or absent = all.`),
      exclude: z.array(id).max(L.maxIds, { error: `at most ${L.maxIds} ids` }).optional().describe(`${what} never swept; beats include.`),
    })
    .describe(`${what} to take and leave out, e.g. ${example}.`);
}

/** The `organization:` block. */
export const organizationSchema = z
  .strictObject({
    roleName: roleNameSchema,
    externalId: externalIdSchema.optional(),
    regions: regionsSchema,
    accounts: idFilterSchema('Account ids', ACCOUNT_ID_PATTERN, '{ exclude: ["111111111111"] }', 'an account id is 12 digits in quotes (e.g. "012345678901")').optional(),
    ous: idFilterSchema('Organizational unit ids (an account in a child OU belongs to its parents too)', OU_ID_PATTERN, '{ include: ["ou-ab12-cd34ef56"] }', 'an OU id looks like "ou-ab12-cd34ef56"').optional(),
  })
  .describe(
    'Sweep the ACTIVE accounts of the AWS Organization (ListAccounts; the run must be in the management or a delegated administrator account), through the same role in each. An account is taken when it is in accounts.include or under an OU of ous.include (neither given = every account), and never when it is in accounts.exclude or under an OU of ous.exclude.',
  );

/** The `targets:` list. */
export const targetsSchema = z
  .array(targetEntrySchema)
  .min(1, { error: "list at least one target, or leave targets out to sweep the caller's own account and Region" })
  .max(L.maxTargets, { error: `at most ${L.maxTargets} targets` })
  .describe("The accounts and Regions to sweep. Absent (and no organization): the caller's own account and Region.");

export type TargetEntryInput = z.infer<typeof targetEntrySchema>;
export type OrganizationInput = z.infer<typeof organizationSchema>;
