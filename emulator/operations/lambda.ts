/**
 * The Lambda read operations the in-use scan makes (REST-JSON under `/2015-03-31/functions`):
 * ListFunctions, ListVersionsByFunction, ListAliases and GetFunction, with Lambda's 50-item pages,
 * Marker pagination and 404 ResourceNotFoundException.
 */
import type { LambdaFunction, LambdaVersion } from '../consumers/model.js';
import { EcrApiError } from '../errors.js';
import { byText, pageOf, validateAs, type ConsumerCallContext, type ConsumerHandler } from './consumer-support.js';

type Input = Record<string, unknown>;

const INVALID = 'InvalidParameterValueException';
/** Lambda answers at most 50 items a page, whatever MaxItems asks. */
const PAGE_CAP = 50;
const maxItems = { type: 'integer', min: 1, max: 10_000 } as const;

function invalidToken(): EcrApiError {
  return new EcrApiError(INVALID, 'Invalid Marker: it was not returned by this call.');
}

function notFound(what: string): EcrApiError {
  return new EcrApiError('ResourceNotFoundException', `Function not found: ${what}`, 404, { extra: { Type: 'User' } });
}

/** Splits `name`, `name:qualifier`, `account:function:name[:q]` or a function ARN. */
function functionOf(input: Input, ctx: ConsumerCallContext): { fn: LambdaFunction; qualifier?: string } {
  const given = input.FunctionName;
  if (typeof given !== 'string' || given === '') throw new EcrApiError(INVALID, 'FunctionName is required.');
  const m = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([A-Za-z0-9_-]{1,64})(?::([$A-Za-z0-9_-]{1,128}))?$/.exec(given);
  if (!m) throw new EcrApiError(INVALID, `1 validation error detected: Value '${given}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern`);
  const [, region, arnAccount, account, name, embedded] = m;
  const fn = ctx.consumers.lambda.get(name as string);
  if ((region !== undefined && region !== ctx.consumers.region) || ((arnAccount ?? account) !== undefined && (arnAccount ?? account) !== ctx.consumers.registryId) || !fn) {
    throw notFound(ctx.consumers.arn('lambda', `function:${name as string}`));
  }
  const qualifier = typeof input.Qualifier === 'string' && input.Qualifier !== '' ? input.Qualifier : undefined;
  if (embedded !== undefined && qualifier !== undefined && embedded !== qualifier) {
    throw new EcrApiError(INVALID, 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = qualifier ?? embedded;
  return q === undefined ? { fn } : { fn, qualifier: q };
}

function lastModified(ms: number): string {
  // Lambda's own format: 2026-06-01T00:00:00.000+0000.
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function configuration(fn: LambdaFunction, v: LambdaVersion, arnQualifier: string | undefined, ctx: ConsumerCallContext): Record<string, unknown> {
  const config: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: arnQualifier === undefined ? fn.arn : `${fn.arn}:${arnQualifier}`,
    Role: ctx.consumers.arn('iam', `role/${fn.name}-role`).replace(`:${ctx.consumers.region}:`, '::'),
    CodeSize: 0,
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: lastModified(v.lastModified),
    CodeSha256: v.codeSha256,
    Version: v.version,
    PackageType: fn.packageType,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    Architectures: ['x86_64'],
  };
  if (fn.packageType === 'Zip') {
    config.Runtime = 'nodejs22.x';
    config.Handler = 'index.handler';
  }
  return config;
}

const listFunctions: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { MaxItems: maxItems, Marker: { type: 'string' }, FunctionVersion: { type: 'string', enum: ['ALL'] }, MasterRegion: { type: 'string' } });
  const all = input.FunctionVersion === 'ALL';
  const entries: { key: string; config: () => Record<string, unknown> }[] = [];
  for (const fn of [...ctx.consumers.lambda.values()].sort((a, b) => byText(a.name, b.name))) {
    // Without FunctionVersion=ALL only $LATEST, with an unqualified ARN.
    entries.push({ key: `${fn.name}:$LATEST`, config: () => configuration(fn, fn.latest, all ? '$LATEST' : undefined, ctx) });
    if (all) for (const v of fn.versions) entries.push({ key: `${fn.name}:${v.version}`, config: () => configuration(fn, v, v.version, ctx) });
  }
  const size = Math.min((input.MaxItems as number | undefined) ?? PAGE_CAP, PAGE_CAP);
  const { page, nextToken } = pageOf(entries, (e) => e.key, input.Marker, size, `lambda:ListFunctions:${all ? 'ALL' : ''}`, invalidToken);
  return { Functions: page.map((e) => e.config()), ...(nextToken ? { NextMarker: nextToken } : {}) };
};

const listVersionsByFunction: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { MaxItems: maxItems, Marker: { type: 'string' } });
  const { fn } = functionOf(input, ctx);
  const versions = [fn.latest, ...fn.versions];
  const size = Math.min((input.MaxItems as number | undefined) ?? PAGE_CAP, PAGE_CAP);
  const { page, nextToken } = pageOf(versions, (v) => v.version, input.Marker, size, `lambda:ListVersionsByFunction:${fn.name}`, invalidToken);
  return { Versions: page.map((v) => configuration(fn, v, v.version, ctx)), ...(nextToken ? { NextMarker: nextToken } : {}) };
};

const listAliases: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { MaxItems: maxItems, Marker: { type: 'string' }, FunctionVersion: { type: 'string' } });
  const { fn } = functionOf(input, ctx);
  const aliases = [...fn.aliases].filter((a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion).sort((a, b) => byText(a.name, b.name));
  const size = Math.min((input.MaxItems as number | undefined) ?? PAGE_CAP, PAGE_CAP);
  const { page, nextToken } = pageOf(aliases, (a) => a.name, input.Marker, size, `lambda:ListAliases:${fn.name}:${String(input.FunctionVersion ?? '')}`, invalidToken);
  return {
    Aliases: page.map((a) => ({
      AliasArn: `${fn.arn}:${a.name}`,
      Name: a.name,
      FunctionVersion: a.functionVersion,
      Description: '',
      RevisionId: `${fn.name}-${a.name}`,
      ...(a.additionalVersionWeights === undefined ? {} : { RoutingConfig: { AdditionalVersionWeights: a.additionalVersionWeights } }),
    })),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
};

const getFunction: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { Qualifier: { type: 'string', min: 1, max: 128 } });
  const { fn, qualifier } = functionOf(input, ctx);
  let version: LambdaVersion | undefined;
  if (qualifier === undefined || qualifier === '$LATEST') version = fn.latest;
  else {
    const alias = fn.aliases.find((a) => a.name === qualifier);
    const number = alias ? alias.functionVersion : qualifier;
    version = number === '$LATEST' ? fn.latest : fn.versions.find((v) => v.version === number);
  }
  if (!version) throw notFound(`${fn.arn}:${qualifier as string}`);
  const code: Record<string, unknown> =
    fn.packageType === 'Image'
      ? { RepositoryType: 'ECR', ImageUri: version.imageUri, ResolvedImageUri: version.resolvedImageUri }
      : { RepositoryType: 'S3', Location: `https://awslambda-${ctx.consumers.region}-tasks.s3.${ctx.consumers.region}.amazonaws.com/snapshots/${ctx.consumers.registryId}/${fn.name}` };
  return { Configuration: configuration(fn, version, qualifier, ctx), Code: code, Tags: {} };
};

/** Every Lambda operation the emulator serves. */
export const LAMBDA_OPERATIONS: Readonly<Record<string, ConsumerHandler>> = {
  ListFunctions: listFunctions,
  ListVersionsByFunction: listVersionsByFunction,
  ListAliases: listAliases,
  GetFunction: getFunction,
};

/**
 * The Lambda operation a REST request names, with its path members, or undefined when the emulator
 * does not serve it.
 */
export function lambdaRoute(method: string, path: string): { operation: string; members: Input } | undefined {
  const m = /^\/2015-03-31\/functions\/?(?:([^/]+)(?:\/(versions|aliases))?\/?)?$/.exec(path);
  if (!m || method !== 'GET') return undefined;
  const [, name, sub] = m;
  if (name === undefined) return { operation: 'ListFunctions', members: {} };
  const members = { FunctionName: decodeURIComponent(name) };
  if (sub === 'versions') return { operation: 'ListVersionsByFunction', members };
  if (sub === 'aliases') return { operation: 'ListAliases', members };
  return { operation: 'GetFunction', members };
}
