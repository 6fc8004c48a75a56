/**
 * Registry-level pull-time update exclusions: ListPullTimeUpdateExclusions, which lists the IAM
 * principal ARNs whose pulls do not update lastRecordedPullTime (default page 100, maxResults
 * 1..1000, cursor tokens). The exclusions are set by the emulator's options and programmatic API.
 */
import { decodeToken, encodeToken } from '../pagination.js';
import { S, validateInput } from '../validate.js';
import type { CallContext, Input } from './context.js';

/** ListPullTimeUpdateExclusions: principal ARNs in ARN order. */
export function listPullTimeUpdateExclusions(input: Input, ctx: CallContext): unknown {
  validateInput(input, { maxResults: S.maxResults, nextToken: S.nextToken });
  const all = ctx.principals.listExclusions();
  const scope = 'ListPullTimeUpdateExclusions';
  const after = typeof input.nextToken === 'string' ? String(decodeToken(input.nextToken, scope).after) : undefined;
  const start = after === undefined ? 0 : all.findIndex((arn) => arn > after);
  const rest = start < 0 ? [] : all.slice(start);
  const size = typeof input.maxResults === 'number' ? input.maxResults : 100;
  const page = rest.slice(0, size);
  const answer: { pullTimeUpdateExclusions: string[]; nextToken?: string } = { pullTimeUpdateExclusions: page };
  if (rest.length > size) answer.nextToken = encodeToken({ scope, after: page[page.length - 1] as string });
  return answer;
}
