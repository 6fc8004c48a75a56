/**
 * STS on the emulator's one port (awsQuery: form-encoded request, XML answer): GetCallerIdentity and
 * AssumeRole, with just what `@aws-sdk/client-sts` and `fromTemporaryCredentials` need. Counted in
 * the stats as `sts:<Action>`; no faults are injected (they model ECR's limits, not STS's).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Accounts, Role } from './accounts.js';
import type { Faults } from './faults.js';
import type { Principals } from './principals.js';

/** What an STS request needs of the emulator. */
export interface StsDeps {
  faults: Faults;
  principals: Principals;
  accounts: Accounts;
}

/** The signed parts of an STS request. */
export interface StsRequest {
  body: Buffer;
  accessKeyId: string | undefined;
  region: string | undefined;
  securityToken: string | undefined;
}

class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StsError';
  }
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CHAIN_LIMIT_SECONDS = 3600;

/** Answers one STS request. */
export function answerSts(request: StsRequest, deps: StsDeps, res: ServerResponse): void {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const operation = `sts:${action || '(no Action)'}`;
  deps.faults.countRequest(operation);
  const requestId = randomUUID();
  const xml = (status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
    res.end(text);
  };
  try {
    const { accessKeyId } = request;
    if (accessKeyId === undefined) throw new StsError(403, 'MissingAuthenticationToken', 'Request is missing a SigV4 Authorization header with Credential=');
    checkToken(accessKeyId, request.securityToken, deps, 'InvalidClientTokenId');
    if (!deps.accounts.isEnabled(deps.principals.accountOf(accessKeyId), request.region)) {
      throw new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    if (action === 'GetCallerIdentity') {
      const arn = deps.principals.arnOf(accessKeyId);
      const account = deps.principals.accountOf(accessKeyId);
      const session = deps.principals.session(accessKeyId);
      const userId = session ? session.arn.replace(/^.*:assumed-role\/([^/]+)\/(.+)$/, (_, role: string, name: string) => `${roleIdOf(`arn:aws:iam::${account}:role/${role}`)}:${name}`) : accessKeyId;
      return xml(200, `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${esc(arn)}</Arn><UserId>${esc(userId)}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
    }
    if (action === 'AssumeRole') return xml(200, assumeRole(form, accessKeyId, deps, requestId));
    throw new StsError(400, 'InvalidAction', `The emulator serves only the STS actions GetCallerIdentity and AssumeRole, not '${action}'`);
  } catch (error) {
    if (!(error instanceof StsError)) throw error;
    deps.faults.countFailed(operation);
    xml(error.status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${esc(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  }
}

/**
 * A temporary key must come with its own session token, as AWS checks; `code` is the service's
 * name for a bad token (`InvalidClientTokenId` in STS, `UnrecognizedClientException` elsewhere).
 * Returns the message of the failure, or undefined when the key is not a session's or matches.
 */
export function tokenProblem(accessKeyId: string, securityToken: string | undefined, principals: Principals): string | undefined {
  const session = principals.session(accessKeyId);
  if (!session || session.sessionToken === securityToken) return undefined;
  return 'The security token included in the request is invalid.';
}

function checkToken(accessKeyId: string, securityToken: string | undefined, deps: StsDeps, code: string): void {
  const problem = tokenProblem(accessKeyId, securityToken, deps.principals);
  if (problem) throw new StsError(403, code, problem);
}

function assumeRole(form: URLSearchParams, accessKeyId: string, deps: StsDeps, requestId: string): string {
  const roleArn = form.get('RoleArn');
  const sessionName = form.get('RoleSessionName');
  const durationText = form.get('DurationSeconds');
  const externalId = form.get('ExternalId') ?? undefined;
  const problems: string[] = [];
  if (roleArn === null) problems.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  else if (roleArn.length < 20 || roleArn.length > 2048) problems.push(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`);
  if (sessionName === null) problems.push("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  else if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) problems.push(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
  const duration = durationText === null ? CHAIN_LIMIT_SECONDS : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900) problems.push(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  else if (duration > 43_200) problems.push(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
  if (problems.length > 0) throw new StsError(400, 'ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);

  const callerArn = deps.principals.arnOf(accessKeyId);
  const role = deps.accounts.roles.get(roleArn as string);
  if (!role || !role.assumable || !trusts(role, accessKeyId, deps.principals) || (role.externalId !== undefined && role.externalId !== externalId)) {
    // STS gives one answer for a missing role, a refusing trust policy and a wrong external id, so a
    // caller cannot probe which roles exist.
    throw new StsError(403, 'AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn as string}`);
  }
  if (deps.principals.isRoleSession(accessKeyId) && duration > CHAIN_LIMIT_SECONDS) {
    throw new StsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) throw new StsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  const arn = `arn:aws:sts::${role.accountId}:assumed-role/${role.shortName}/${sessionName as string}`;
  // Wall time, not the emulator's clock: the SDK compares Expiration with its own clock to refresh.
  const expiresAt = Math.floor(Date.now() / 1000) * 1000 + duration * 1000;
  const session = {
    accessKeyId: `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `EMULATOR${randomBytes(48).toString('base64')}`,
    arn,
    accountId: role.accountId,
    expiresAt,
  };
  deps.principals.addSession(session);
  const expiration = new Date(expiresAt).toISOString().replace('.000Z', 'Z');
  return `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${esc(session.secretAccessKey)}</SecretAccessKey><SessionToken>${esc(session.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>${roleIdOf(role.arn)}:${esc(sessionName as string)}</AssumedRoleId><Arn>${esc(arn)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

/** Whether the role's trust policy names the caller: `*`, its account, its ARN, or its session's role. */
function trusts(role: Role, accessKeyId: string, principals: Principals): boolean {
  const account = principals.accountOf(accessKeyId);
  const candidates = new Set(['*', account, `arn:aws:iam::${account}:root`, principals.arnOf(accessKeyId), principals.excludableArnOf(accessKeyId)]);
  return role.trustedPrincipals.some((p) => candidates.has(p));
}

/** A stable `AROA…` unique id per role, as IAM gives every role one. */
function roleIdOf(roleArn: string): string {
  return `AROA${createHash('sha256').update(roleArn).digest('hex').toUpperCase().slice(0, 17)}`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
