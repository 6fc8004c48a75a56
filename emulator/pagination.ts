/**
 * Opaque pagination tokens. A token is a cursor (the last item's listing position), not an offset,
 * so deleting images between pages never makes a listing skip one. It is bound to the operation
 * and repository it came from.
 */
import { invalidParameter } from './errors.js';

/** What a token remembers. */
export interface Cursor {
  /** Operation and scope the token belongs to, e.g. `DescribeImages:team/app`. */
  scope: string;
  /** Last listing position served. */
  after: number | string;
  /** ListImages: how many tags of the `after` image were already served. */
  tagOffset?: number;
}

/** Encodes a cursor as an opaque token. */
export function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a token for `scope`; InvalidParameterException when it is not one of ours. */
export function decodeToken(token: string, scope: string): Cursor {
  let cursor: Cursor | undefined;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
  } catch {
    cursor = undefined;
  }
  if (!cursor || typeof cursor !== 'object' || cursor.scope !== scope || (typeof cursor.after !== 'number' && typeof cursor.after !== 'string')) {
    throw invalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");
  }
  return cursor;
}
