/**
 * The functions' configuration: environment variables set by serverless.yml, validated once
 * at cold start so a bad deployment fails with a message naming the variable, before any call.
 */
// A namespace import lets esbuild drop the parts of zod not used (its locales alone are ~250 KB).
import * as z from 'zod';
import { ConfigError } from '../../lib/errors.js';
import { ECR_PRICES, parsePriceOverride, type PriceTable } from '../../lib/core/ecr-prices.js';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type HttpTimeouts } from '../../lib/adapters/http-timeouts.js';

/** Treats an empty string as unset: serverless.yml passes '' for every optional param left blank. */
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
/** A bucket, with or without a key prefix: `s3://bucket/`, `s3://bucket/in-use/`. */
const S3_PREFIX_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

const envSchema = z.object({
  REPORT_BUCKET: z
    .string({ error: 'required: the S3 bucket for reports and checkpoints' })
    .trim()
    .min(1, 'required: the S3 bucket for reports and checkpoints'),
  REPORT_PREFIX: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ?? '').replace(/^\/+|\/+$/g, '') || 'ecr-sweeper'),
  RULES_FILE: z.string().trim().optional().transform((v) => v || 'rules/default.yml'),
  RULES_S3_URI: optional.refine((v) => v === undefined || S3_URI.test(v), 'expected s3://bucket/key'),
  RULES_SSM_PARAMETER: optional,
  ECR_REGION: optional,
  /** The deployment's in-use prefix: where `inUse.files` reads when the rules list no location. */
  IN_USE_S3_URI: optional.refine((v) => v === undefined || S3_PREFIX_URI.test(v), 'expected s3://bucket/prefix/'),
  CONCURRENCY: integer(1, 64, 4),
  /** Time kept back from the Lambda timeout to write the result, the reports and the Slack message. */
  DEADLINE_MARGIN_MS: integer(0, 600_000, 60_000),
  PRESIGN_EXPIRY_SECONDS: integer(1, 604_800, 604_800),
  /** Every AWS client's connection and request timeouts (lib/adapters/http-timeouts.ts). */
  ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS: integer(1, 600_000, DEFAULT_CONNECTION_TIMEOUT_MS),
  ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: integer(1, 600_000, DEFAULT_REQUEST_TIMEOUT_MS),
  SLACK_WEBHOOK_SSM_PARAMETER: optional,
  SLACK_WEBHOOK_SECRET_ARN: optional,
  /** Path-style S3 URLs, for local S3 servers (s3rver, moto) in tests. */
  S3_FORCE_PATH_STYLE: optional.transform((v) => v === 'true' || v === '1'),
  LAMBDA_TASK_ROOT: optional,
  /** A price table (JSON) laid over the built-in ECR prices for the reports' cost estimates. */
  PRICES_JSON: optional,
});

/** Validated function configuration. */
export interface FunctionConfig {
  reportBucket: string;
  reportPrefix: string;
  /** The bundled rules file, relative to the task root. */
  rulesFile: string;
  rulesS3: { bucket: string; key: string } | undefined;
  rulesSsmParameter: string | undefined;
  ecrRegion: string | undefined;
  /** `s3://bucket/prefix/` of the deployment's in-use files (serverless.yml: inUseBucket, inUsePrefix). */
  inUseS3Uri: string | undefined;
  concurrency: number;
  deadlineMarginMs: number;
  presignExpirySeconds: number;
  /** Connection and request timeouts of every AWS client the function builds. */
  httpTimeouts: Required<HttpTimeouts>;
  slackWebhook: { kind: 'ssm'; name: string } | { kind: 'secretsmanager'; secretId: string } | undefined;
  s3ForcePathStyle: boolean;
  taskRoot: string | undefined;
  /** Prices for the cost estimates: the built-in table, with PRICES_JSON laid over it. */
  prices: PriceTable;
}

/**
 * Reads and validates the functions' environment.
 *
 * @example const config = loadConfig(process.env);
 * @throws ConfigError listing every invalid variable by name.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): FunctionConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid function configuration (environment variables):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.SLACK_WEBHOOK_SSM_PARAMETER && e.SLACK_WEBHOOK_SECRET_ARN) {
    throw new ConfigError(
      'invalid function configuration: set SLACK_WEBHOOK_SSM_PARAMETER or SLACK_WEBHOOK_SECRET_ARN, not both',
    );
  }
  // Checked at cold start like every variable: a bad table must not surface after a sweep.
  const prices = e.PRICES_JSON === undefined ? ECR_PRICES : parsePriceOverride(e.PRICES_JSON, 'invalid function configuration: PRICES_JSON');
  const s3Match = e.RULES_S3_URI ? S3_URI.exec(e.RULES_S3_URI) : null;
  return {
    reportBucket: e.REPORT_BUCKET,
    reportPrefix: e.REPORT_PREFIX,
    rulesFile: e.RULES_FILE,
    rulesS3: s3Match ? { bucket: s3Match[1]!, key: s3Match[2]! } : undefined,
    rulesSsmParameter: e.RULES_SSM_PARAMETER,
    ecrRegion: e.ECR_REGION,
    inUseS3Uri: e.IN_USE_S3_URI,
    concurrency: e.CONCURRENCY,
    deadlineMarginMs: e.DEADLINE_MARGIN_MS,
    presignExpirySeconds: e.PRESIGN_EXPIRY_SECONDS,
    httpTimeouts: { connectionTimeoutMs: e.ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS, requestTimeoutMs: e.ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS },
    slackWebhook: e.SLACK_WEBHOOK_SSM_PARAMETER
      ? { kind: 'ssm', name: e.SLACK_WEBHOOK_SSM_PARAMETER }
      : e.SLACK_WEBHOOK_SECRET_ARN
        ? { kind: 'secretsmanager', secretId: e.SLACK_WEBHOOK_SECRET_ARN }
        : undefined,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE ?? false,
    taskRoot: e.LAMBDA_TASK_ROOT,
    prices,
  };
}
