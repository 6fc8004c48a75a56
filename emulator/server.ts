/**
 * The HTTP layer: AWS JSON 1.1 over `POST /` (X-Amz-Target dispatch, SigV4 presence check, error
 * bodies with `__type`), fault injection, and the `/_emulator/*` side door for stats and blobs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EcrApiError, EmulatorStateError } from './errors.js';
import type { Faults } from './faults.js';
import type { Principals } from './principals.js';
import { OPERATIONS, type CallContext } from './operations/index.js';
import type { SeededRandom } from './random.js';
import { toSnapshot, type Registry } from './registry.js';
import { parseNowOption } from './time.js';
import type { FaultOptions } from './types.js';

/** The X-Amz-Target prefix of every ECR operation. */
export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const JSON_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** What the request handler works on. */
export interface ServerDeps {
  registry: Registry;
  faults: Faults;
  random: SeededRandom;
  principals: Principals;
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
  if (req.method !== 'POST' || url.pathname !== '/') {
    sendJson(res, 404, { message: `Not found: ${req.method} ${url.pathname}. The ECR API is served at POST /.` });
    return;
  }
  const target = header(req, 'x-amz-target') ?? '';
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || '(no X-Amz-Target)';
  if (!target && isStsQuery(req)) {
    answerSts(body, /Credential=([^/,\s]+)\//.exec(header(req, 'authorization') ?? '')?.[1], deps, res);
    return;
  }
  const { faults } = deps;
  faults.countRequest(operation);

  const authorization = header(req, 'authorization');
  if (!authorization) {
    faults.countFailed(operation);
    sendError(res, new EcrApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403));
    return;
  }
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  if (!authorization.startsWith('AWS4-HMAC-SHA256') || accessKeyId === undefined) {
    faults.countFailed(operation);
    sendError(res, new EcrApiError('IncompleteSignatureException', `Authorization header requires 'Credential' parameter. Authorization=${authorization.slice(0, 40)}`, 400));
    return;
  }
  const handler = target.startsWith(TARGET_PREFIX) ? OPERATIONS[operation] : undefined;
  if (!handler) {
    faults.countFailed(operation);
    sendError(res, new EcrApiError('InvalidAction', `The action or operation requested is invalid: '${target}'. Verify that the action is typed correctly.`));
    return;
  }

  const latency = faults.latency(operation);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  const verdict = faults.decide(operation);
  if (verdict === 'throttle') {
    faults.countThrottled(operation);
    sendError(res, new EcrApiError('ThrottlingException', 'Rate exceeded'));
    return;
  }
  if (verdict === 'server-error') {
    faults.countFailed(operation);
    sendError(res, new EcrApiError('ServerException', 'We encountered an internal error. Please try again. (injected by the emulator)', 500));
    return;
  }

  let input: Record<string, unknown>;
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as Record<string, unknown>;
  } catch (cause) {
    faults.countFailed(operation);
    sendError(res, new EcrApiError('SerializationException', 'The request body is not a JSON object', 400, { cause }));
    return;
  }

  const ctx: CallContext = {
    registry: deps.registry,
    accessKeyId,
    principals: deps.principals,
    random: deps.random,
    baseUrl: deps.baseUrl(),
  };
  try {
    sendJson(res, 200, handler(input, ctx) ?? {});
  } catch (error) {
    faults.countFailed(operation);
    if (error instanceof EcrApiError) {
      sendError(res, error);
      return;
    }
    deps.onInternalError?.(error);
    sendError(res, new EcrApiError('ServerException', `Internal error in the emulator: ${(error as Error)?.message ?? String(error)}`, 500));
  }
}

function isStsQuery(req: IncomingMessage): boolean {
  return (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

/**
 * The one STS operation the emulator serves, GetCallerIdentity (awsQuery: form-encoded request,
 * XML answer), so a tool can learn which principal its calls are made as. Counted in the stats as
 * `sts:GetCallerIdentity`; no faults are injected (they model ECR's limits, not STS's).
 */
function answerSts(body: Buffer, accessKeyId: string | undefined, deps: ServerDeps, res: ServerResponse): void {
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const operation = `sts:${action || '(no Action)'}`;
  deps.faults.countRequest(operation);
  const requestId = randomUUID();
  const xml = (status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
    res.end(text);
  };
  const stsError = (status: number, code: string, message: string): void => {
    deps.faults.countFailed(operation);
    xml(status, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  };
  if (accessKeyId === undefined) return stsError(403, 'MissingAuthenticationToken', 'Request is missing a SigV4 Authorization header with Credential=');
  if (action !== 'GetCallerIdentity') return stsError(400, 'InvalidAction', `The emulator serves only the STS action GetCallerIdentity, not '${action}'`);
  const arn = deps.principals.arnOf(accessKeyId);
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)?.[1] ?? deps.registry.registryId;
  xml(
    200,
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${escapeXml(arn)}</Arn><UserId>${escapeXml(accessKeyId)}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function sideDoor(method: string, url: URL, body: Buffer, res: ServerResponse, deps: ServerDeps): void {
  const path = url.pathname;
  if (path === '/_emulator/stats' && method === 'GET') return sendJson(res, 200, deps.faults.stats());
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

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: EcrApiError): void {
  sendJson(res, error.status, { __type: error.code, message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.code });
}
