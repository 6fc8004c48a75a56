/**
 * The HTTP layer: one port for every service a sweep calls. ECR and ECS speak AWS JSON 1.1 and App
 * Runner JSON 1.0 over `POST /` (dispatched by X-Amz-Target), Lambda and Batch REST-JSON (by path),
 * STS awsQuery (form body); then the SigV4 presence check, fault injection, each service's own error
 * shape, and the `/_emulator/*` side door for stats and blobs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EcrApiError, EmulatorStateError } from './errors.js';
import type { Accounts } from './accounts.js';
import type { Faults } from './faults.js';
import type { Principals } from './principals.js';
import { answerSts, tokenProblem } from './sts.js';
import { answerEc2 } from './ec2.js';
import { ORGANIZATIONS_OPERATIONS, ORGANIZATIONS_TARGET_PREFIX, type Organization } from './organization.js';
import { APPRUNNER_OPERATIONS } from './operations/apprunner.js';
import { BATCH_ROUTES } from './operations/batch.js';
import type { ConsumerCallContext } from './operations/consumer-support.js';
import { ECS_OPERATIONS } from './operations/ecs.js';
import { OPERATIONS, type CallContext } from './operations/index.js';
import { LAMBDA_OPERATIONS, lambdaRoute } from './operations/lambda.js';
import type { SeededRandom } from './random.js';
import { toSnapshot, type Registry } from './registry.js';
import { parseNowOption } from './time.js';
import type { FaultOptions } from './types.js';

/** The X-Amz-Target prefix of every ECR operation. */
export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
/** The X-Amz-Target prefix of every ECS operation. */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** The X-Amz-Target prefix of every App Runner operation (JSON 1.0). */
export const APPRUNNER_TARGET_PREFIX = 'AppRunner.';
const JSON_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** What the request handler works on. */
export interface ServerDeps {
  /** The default account's default Region (the side door's registry). */
  registry: Registry;
  /** Every account and Region: the registry and consumers (ECS, Lambda, Batch, App Runner) a request reaches. */
  accounts: Accounts;
  faults: Faults;
  random: SeededRandom;
  principals: Principals;
  /** The AWS Organization (Organizations API); undefined: every caller is outside any organization. */
  organization?: Organization | undefined;
  baseUrl: () => string;
  /** Where unexpected handler errors are reported (they become ServerException). */
  onInternalError?: (error: unknown) => void;
}

/** Builds the node:http request listener. */
export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, deps).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof EcrApiError) {
        // E.g. an oversized body: the client's fault, answered as such.
        sendError(res, error);
        return;
      }
      deps.onInternalError?.(error);
      sendError(res, new EcrApiError('ServerException', 'Internal error in the emulator', 500));
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/_emulator/')) {
    sideDoor(req.method ?? 'GET', url, await readBody(req), res, deps);
    return;
  }
  const body = await readBody(req);
  const method = req.method ?? 'GET';
  const target = header(req, 'x-amz-target') ?? '';
  const scope = /Credential=([^/,\s]+)\/(?:[^/,\s]+\/([^/,\s]+)\/([^/,\s]+)\/)?/.exec(header(req, 'authorization') ?? '');
  const securityToken = header(req, 'x-amz-security-token');
  if (method === 'POST' && url.pathname === '/' && !target && isQueryProtocol(req)) {
    // STS and EC2 both speak the query protocol; the SigV4 scope's service tells them apart.
    const signed = { body, accessKeyId: scope?.[1], region: scope?.[2], securityToken };
    if (scope?.[3] === 'ec2') answerEc2(signed, deps, res);
    else answerSts(signed, deps, res);
    return;
  }
  const route = routeOf(method, url, target);
  if (!route) {
    sendJson(res, 404, { message: `Not found: ${method} ${url.pathname}. The ECR, ECS and App Runner APIs are served at POST /, Lambda under /2015-03-31/functions, Batch at POST /v1/describejobdefinitions.` });
    return;
  }
  const { protocol, operation } = route;
  const { faults } = deps;
  const accessKeyId = scope?.[1];
  const account = accessKeyId === undefined ? deps.accounts.defaultAccount : deps.principals.accountOf(accessKeyId);
  const where = deps.accounts.route(account, scope?.[2]);
  // Counted under the account and Region only once the emulator routes by them.
  const counted = deps.accounts.routed ? where.key : undefined;
  faults.countRequest(operation, counted);
  const fail = (error: EcrApiError): void => {
    faults.countFailed(operation, counted);
    protocol.sendError(res, error);
  };

  const authorization = header(req, 'authorization');
  if (!authorization) return fail(new EcrApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403));
  if (!authorization.startsWith('AWS4-HMAC-SHA256') || accessKeyId === undefined) {
    return fail(new EcrApiError('IncompleteSignatureException', `Authorization header requires 'Credential' parameter. Authorization=${authorization.slice(0, 40)}`, 400));
  }
  const badToken = tokenProblem(accessKeyId, securityToken, deps.principals);
  if (badToken) return fail(new EcrApiError('UnrecognizedClientException', badToken, 403));
  // AWS answers a call into a Region the account has not enabled as if the key were unknown there.
  if (!deps.accounts.isEnabled(account, scope?.[2])) return fail(new EcrApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403));
  if (!route.call) return fail(protocol.unknownOperation(route.name));
  if (faults.denies(operation)) {
    const action = operation.includes(':') ? operation : `ecr:${operation}`;
    return fail(protocol.accessDenied(`User: ${deps.principals.arnOf(accessKeyId)} is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action (injected by the emulator)`));
  }

  const latency = faults.latency(operation);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  const verdict = faults.decide(operation, where.key, where.rateLimits);
  if (verdict === 'throttle') {
    faults.countThrottled(operation, counted);
    protocol.sendError(res, protocol.throttle());
    return;
  }
  if (verdict === 'server-error') return fail(protocol.serverError());

  let input: Record<string, unknown>;
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    input = { ...(parsed as Record<string, unknown>), ...route.members };
  } catch (cause) {
    return fail(new EcrApiError('SerializationException', 'The request body is not a JSON object', 400, { cause }));
  }

  try {
    const answer = route.call(input, {
      ecr: { registry: where.registry, accessKeyId, principals: deps.principals, random: deps.random, baseUrl: deps.baseUrl() },
      consumers: { consumers: where.consumers, registry: where.registry },
      organizations: { organization: deps.organization, callerAccount: account },
    });
    sendJson(res, 200, answer ?? {}, {}, protocol.contentType);
  } catch (error) {
    if (error instanceof EcrApiError) return fail(error);
    deps.onInternalError?.(error);
    fail(protocol.serverError(`Internal error in the emulator: ${(error as Error)?.message ?? String(error)}`));
  }
}

function isQueryProtocol(req: IncomingMessage): boolean {
  return (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

function sideDoor(method: string, url: URL, body: Buffer, res: ServerResponse, deps: ServerDeps): void {
  const path = url.pathname;
  if (path === '/_emulator/stats' && method === 'GET') {
    const account = url.searchParams.get('account');
    const region = url.searchParams.get('region');
    if (account !== null || region !== null) return sendJson(res, 200, deps.faults.statsOf(`${account ?? deps.accounts.defaultAccount}/${region ?? deps.accounts.defaultRegion}`));
    return sendJson(res, 200, deps.faults.stats());
  }
  if (path === '/_emulator/stats/reset' && method === 'POST') {
    deps.faults.resetStats();
    return sendJson(res, 200, deps.faults.stats());
  }
  if (path === '/_emulator/health' && method === 'GET') return sendJson(res, 200, { ok: true });
  if (path === '/_emulator/now' && method === 'GET') return sendJson(res, 200, clockAnswer(deps));
  if (path === '/_emulator/now' && method === 'POST') {
    // {"now": ISO-8601 | epoch ms} freezes the clock; {"now": null} lets it follow wall time.
    return withJson(res, body, (input) => {
      const now = (input as { now?: unknown }).now;
      if (now === null) deps.registry.clock.set(undefined);
      else if (typeof now === 'string' || typeof now === 'number') deps.registry.clock.set(parseNowOption(now));
      else throw new EmulatorStateError('now', 'send {"now": "<ISO-8601>"} or {"now": null}');
      return clockAnswer(deps);
    });
  }
  if (path === '/_emulator/faults' && method === 'GET') return sendJson(res, 200, deps.faults.get());
  if (path === '/_emulator/faults' && method === 'POST') {
    return withJson(res, body, (input) => {
      deps.faults.set(input as FaultOptions);
      return deps.faults.get();
    });
  }
  if (path === '/_emulator/repositories' && method === 'GET') {
    const name = url.searchParams.get('name');
    if (name !== null) {
      const repo = deps.registry.find(name);
      if (!repo) return sendJson(res, 404, { message: `no repository named '${name}'` });
      return sendJson(res, 200, { repositoryName: name, images: [...repo.list()].map(toSnapshot) });
    }
    return sendJson(res, 200, { now: new Date(deps.registry.clock.now()).toISOString(), repositories: deps.registry.snapshotRepositories() });
  }
  const blob = /^\/_emulator\/blobs\/([^/]+)\/([^/]+)$/.exec(path);
  if (blob && method === 'GET') {
    const repo = deps.registry.find(decodeURIComponent(blob[1] as string));
    const stored = repo?.uploadedBlobs.get(decodeURIComponent(blob[2] as string));
    if (!stored) return sendJson(res, 404, { message: 'no uploaded blob with that digest (synthetic layers of state images have no bytes)' });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': stored.data.length });
    res.end(stored.data);
    return;
  }
  sendJson(res, 404, { message: `Not found: ${method} ${path}` });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new EcrApiError('SerializationException', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function clockAnswer(deps: ServerDeps): { now: string; frozen: boolean } {
  return { now: new Date(deps.registry.clock.now()).toISOString(), frozen: deps.registry.clock.isFixed() };
}

/** Parses a side-door JSON body, runs `apply`, answers its result or a 400 naming the problem. */
function withJson(res: ServerResponse, body: Buffer, apply: (input: Record<string, unknown>) => unknown): void {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, { message: 'the body must be a JSON object' });
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return sendJson(res, 400, { message: 'the body must be a JSON object' });
  try {
    sendJson(res, 200, apply(input as Record<string, unknown>));
  } catch (error) {
    if (error instanceof EmulatorStateError) return sendJson(res, 400, { message: error.message });
    throw error;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}, contentType = JSON_TYPE): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: EcrApiError): void {
  sendJson(res, error.status, { __type: error.code, message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.code });
}

/** The wire conventions of one service: content type, error body, and its throttling and failure exceptions. */
interface Protocol {
  contentType: string;
  sendError(res: ServerResponse, error: EcrApiError): void;
  throttle(): EcrApiError;
  serverError(message?: string): EcrApiError;
  unknownOperation(name: string): EcrApiError;
  accessDenied(message: string): EcrApiError;
}

const SERVER_ERROR_TEXT = 'We encountered an internal error. Please try again. (injected by the emulator)';

/** AWS JSON 1.0/1.1 (ECR, ECS, App Runner): `{"__type", "message"}` bodies, HTTP 400 for client errors. */
function jsonProtocol(contentType: string, serverErrorCode: string, unknown: (name: string) => EcrApiError): Protocol {
  return {
    contentType,
    sendError: (res, error) => sendJson(res, error.status, { __type: error.code, message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.code }, contentType),
    throttle: () => new EcrApiError('ThrottlingException', 'Rate exceeded'),
    serverError: (message = SERVER_ERROR_TEXT) => new EcrApiError(serverErrorCode, message, 500),
    unknownOperation: unknown,
    accessDenied: (message) => new EcrApiError('AccessDeniedException', message, 400),
  };
}

/** AWS REST-JSON (Lambda, Batch): the code in `x-amzn-ErrorType`, 429 for throttling, 404 for unknown paths. */
function restProtocol(serverErrorCode: string): Protocol {
  return {
    contentType: 'application/json',
    sendError: (res, error) =>
      sendJson(res, error.status, { Type: error.status >= 500 ? 'Service' : 'User', message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.code }, 'application/json'),
    throttle: () => new EcrApiError('TooManyRequestsException', 'Rate exceeded', 429, { extra: { Reason: 'CallerRateLimitExceeded' } }),
    serverError: (message = SERVER_ERROR_TEXT) => new EcrApiError(serverErrorCode, message, 500),
    unknownOperation: (name) => new EcrApiError('UnknownOperationException', `The emulator does not serve ${name}`, 404),
    accessDenied: (message) => new EcrApiError('AccessDeniedException', message, 403),
  };
}

const unknownJsonOperation = (name: string): EcrApiError => new EcrApiError('UnknownOperationException', `The emulator does not serve the operation ${name}`);

const PROTOCOLS = {
  ecr: jsonProtocol(JSON_TYPE, 'ServerException', (target) => new EcrApiError('InvalidAction', `The action or operation requested is invalid: '${target}'. Verify that the action is typed correctly.`)),
  ecs: jsonProtocol(JSON_TYPE, 'ServerException', unknownJsonOperation),
  apprunner: jsonProtocol('application/x-amz-json-1.0', 'InternalServiceErrorException', unknownJsonOperation),
  organizations: {
    ...jsonProtocol(JSON_TYPE, 'ServiceException', unknownJsonOperation),
    // Organizations throttles with TooManyRequestsException, not ThrottlingException.
    throttle: () => new EcrApiError('TooManyRequestsException', 'AWS Organizations can\'t complete your request because another request is already in progress or the rate is exceeded. Try again later.', 400, { extra: { Type: 'RequestLimit' } }),
  },
  lambda: restProtocol('ServiceException'),
  batch: restProtocol('ServerException'),
} satisfies Record<string, Protocol>;

/** What a handler of any service may need; each takes its part. */
interface RouteContext {
  ecr: CallContext;
  consumers: ConsumerCallContext;
  organizations: { organization: Organization | undefined; callerAccount: string };
}

/** A request matched to a service: its protocol, the operation name counted and faulted, and its handler. */
interface Route {
  protocol: Protocol;
  /** `DescribeImages` for ECR (as always), `<service>:<Operation>` for the others, e.g. `ecs:DescribeTasks`. */
  operation: string;
  /** How an unknown operation is named in its error. */
  name: string;
  /** Members taken from the path and query (REST), merged over the JSON body. */
  members: Record<string, unknown>;
  call?: (input: Record<string, unknown>, ctx: RouteContext) => unknown;
}

/** Matches a request to a service by its protocol: X-Amz-Target prefix for JSON, path for REST. */
function routeOf(method: string, url: URL, target: string): Route | undefined {
  const path = url.pathname;
  if (path.startsWith('/2015-03-31/functions')) {
    const found = lambdaRoute(method, path);
    if (!found) return { protocol: PROTOCOLS.lambda, operation: `lambda:${method} ${path}`, name: `${method} ${path}`, members: {} };
    const handler = LAMBDA_OPERATIONS[found.operation];
    const members: Record<string, unknown> = { ...found.members };
    for (const [key, value] of url.searchParams) members[key] = key === 'MaxItems' && /^\d+$/.test(value) ? Number(value) : value;
    return { protocol: PROTOCOLS.lambda, operation: `lambda:${found.operation}`, name: found.operation, members, ...(handler ? { call: (input, ctx) => handler(input, ctx.consumers) } : {}) };
  }
  if (path.startsWith('/v1/')) {
    const handler = method === 'POST' ? BATCH_ROUTES[path.replace(/\/$/, '')] : undefined;
    const operation = handler ? `batch:${handler.operation}` : `batch:${method} ${path}`;
    return { protocol: PROTOCOLS.batch, operation, name: `${method} ${path}`, members: {}, ...(handler ? { call: (input, ctx) => handler.handler(input, ctx.consumers) } : {}) };
  }
  if (method !== 'POST' || path !== '/') return undefined;
  if (target.startsWith(ORGANIZATIONS_TARGET_PREFIX)) {
    const name = target.slice(ORGANIZATIONS_TARGET_PREFIX.length);
    return {
      protocol: PROTOCOLS.organizations,
      operation: `organizations:${name}`,
      name,
      members: {},
      ...(ORGANIZATIONS_OPERATIONS.has(name)
        ? {
            call: (input, ctx) => {
              const { organization, callerAccount } = ctx.organizations;
              if (!organization) throw new EcrApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
              return organization.call(name, input, callerAccount);
            },
          }
        : {}),
    };
  }
  for (const [prefix, service, table] of [
    [ECS_TARGET_PREFIX, 'ecs', ECS_OPERATIONS],
    [APPRUNNER_TARGET_PREFIX, 'apprunner', APPRUNNER_OPERATIONS],
  ] as const) {
    if (!target.startsWith(prefix)) continue;
    const name = target.slice(prefix.length);
    const handler = Object.hasOwn(table, name) ? table[name] : undefined;
    return { protocol: PROTOCOLS[service], operation: `${service}:${name}`, name, members: {}, ...(handler ? { call: (input, ctx) => handler(input, ctx.consumers) } : {}) };
  }
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || '(no X-Amz-Target)';
  const handler = target.startsWith(TARGET_PREFIX) && Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  return { protocol: PROTOCOLS.ecr, operation, name: target, members: {}, ...(handler ? { call: (input, ctx) => handler(input, ctx.ecr) } : {}) };
}
