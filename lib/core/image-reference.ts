/**
 * Image references as consumers write them (ECS task definitions, Lambda functions, pod specs):
 * `[host[:port]/]repository[:tag][@digest]`. Parsing never throws: a reference the planner cannot
 * read comes back as `{ ok: false, problem }`, so one bad consumer never stops a run, and the
 * caller counts it instead of guessing which image it meant.
 */

/** How an ECR registry host is spelt; all forms of one account and Region name the same registry. */
export type EcrHostForm = 'standard' | 'fips' | 'dual-stack' | 'dual-stack-fips';

/** An Amazon ECR private registry named by its host. */
export interface EcrRegistry {
  accountId: string;
  /** Lowercase, e.g. `eu-west-1`, `cn-north-1`. */
  region: string;
  /** `aws-cn` for the China Regions (`cn-*`, hosts under `amazonaws.com.cn`). */
  partition: 'aws' | 'aws-cn';
  hostForm: EcrHostForm;
  /** The port when the reference gave one (unusual for ECR, but valid). */
  port?: number;
}

/** Any other registry host (Docker Hub spelt out, ECR Public, a private registry), lowercased. */
export interface OtherRegistry {
  other: string;
}

/** A parsed reference. `registry: null` = no host (Docker Hub by convention). */
export interface ImageReference {
  registry: EcrRegistry | OtherRegistry | null;
  repositoryName: string;
  /** `latest` when the reference gives neither a tag nor a digest. */
  tag?: string;
  /** When both a tag and a digest are given, the digest is what the consumer runs. */
  digest?: string;
}

export type ParsedImageReference = { ok: true; reference: ImageReference } | { ok: false; input: string; problem: string };

// Docker's reference grammar for paths, tags and digests; ECR repository names follow the same path rules.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const ECR_HOST = /^(\d{12})\.(dkr\.ecr|dkr\.ecr-fips|dkr-ecr|dkr-ecr-fips)\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(amazonaws\.com|amazonaws\.com\.cn|on\.aws)$/;

/**
 * Parses an image reference. Host names are case-insensitive (lowercased); repository names,
 * tags and digests are not (an uppercase repository name is malformed, as Docker says).
 *
 * @example
 * parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments:v42')
 * // { ok: true, reference: { registry: { accountId: '123456789012', region: 'eu-west-1', ... }, repositoryName: 'payments', tag: 'v42' } }
 */
export function parseImageReference(input: string): ParsedImageReference {
  const bad = (problem: string): ParsedImageReference => ({ ok: false, input, problem });
  const text = input.trim();
  if (text === '') return bad('the reference is empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return bad(`'${digest}' is not a digest (sha256:<64 hex> or sha512:<128 hex>)`);
  }
  let host: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component is a host when it has a dot or a port, or is localhost.
    if (first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost') {
      host = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return bad(`'${tag}' is not a valid tag`);
  }
  if (!REPOSITORY.test(rest)) return bad(`'${rest}' is not a valid repository name (lowercase letters, digits, separators . _ - and /)`);
  let registry: ImageReference['registry'] = null;
  if (host !== undefined) {
    const parsedHost = parseHost(host);
    if (typeof parsedHost === 'string') return bad(parsedHost);
    registry = parsedHost;
  }
  const reference: ImageReference = { registry, repositoryName: rest };
  if (tag !== undefined) reference.tag = tag;
  else if (digest === undefined) reference.tag = 'latest';
  if (digest !== undefined) reference.digest = digest;
  return { ok: true, reference };
}

/** The registry a host names, or a problem. */
function parseHost(raw: string): EcrRegistry | OtherRegistry | string {
  const lower = raw.toLowerCase();
  let name = lower;
  let port: number | undefined;
  const colon = lower.lastIndexOf(':');
  if (colon >= 0) {
    const digits = lower.slice(colon + 1);
    if (!/^\d{1,5}$/.test(digits) || Number(digits) < 1 || Number(digits) > 65535) return `'${raw}' has an invalid port`;
    port = Number(digits);
    name = lower.slice(0, colon);
  }
  if (!HOST.test(name)) return `'${raw}' is not a valid registry host`;
  const m = ECR_HOST.exec(name);
  if (!m) return { other: port === undefined ? name : `${name}:${port}` };
  const [, accountId, service, region, domain] = m as unknown as [string, string, string, string, string];
  const dualStack = domain === 'on.aws';
  // Dual-stack hosts are `dkr-ecr`, the others `dkr.ecr`; China Regions live under `.com.cn`. A mix names no endpoint.
  const china = region.startsWith('cn-');
  if (dualStack !== service.startsWith('dkr-') || (!dualStack && china !== (domain === 'amazonaws.com.cn'))) {
    return { other: port === undefined ? name : `${name}:${port}` };
  }
  const fips = service.endsWith('-fips');
  const registry: EcrRegistry = {
    accountId,
    region,
    partition: china ? 'aws-cn' : 'aws',
    hostForm: dualStack ? (fips ? 'dual-stack-fips' : 'dual-stack') : fips ? 'fips' : 'standard',
  };
  if (port !== undefined) registry.port = port;
  return registry;
}

/** The host of an ECR registry in its host form. */
export function ecrHost(registry: EcrRegistry): string {
  const dual = registry.hostForm === 'dual-stack' || registry.hostForm === 'dual-stack-fips';
  const fips = registry.hostForm === 'fips' || registry.hostForm === 'dual-stack-fips';
  const service = `${dual ? 'dkr-ecr' : 'dkr.ecr'}${fips ? '-fips' : ''}`;
  const domain = dual ? 'on.aws' : registry.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${registry.accountId}.${service}.${registry.region}.${domain}${registry.port === undefined ? '' : `:${registry.port}`}`;
}

/**
 * Writes a reference back as text: the inverse of {@link parseImageReference} for what it returns
 * (a host-less reference whose first path component looks like a host, `a.b/c`, is read back with
 * that host, as Docker reads it; the parser never returns such a reference).
 */
export function formatImageReference(reference: ImageReference): string {
  const { registry } = reference;
  const host = registry === null ? '' : 'other' in registry ? `${registry.other}/` : `${ecrHost(registry)}/`;
  return `${host}${reference.repositoryName}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** True when the reference names the ECR registry of `accountId` in `region` (in any host form). */
export function isThisRegistry(reference: ImageReference, accountId: string, region: string): boolean {
  const r = reference.registry;
  return r !== null && !('other' in r) && r.accountId === accountId && r.region === region.toLowerCase();
}
