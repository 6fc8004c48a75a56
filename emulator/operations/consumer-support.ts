/**
 * What the read operations of ECS, Lambda, Batch and App Runner share: their call context, request
 * validation answered with each service's own exception name, and cursor pagination.
 */
import type { Consumers } from '../consumers/model.js';
import { EcrApiError } from '../errors.js';
import { decodeToken, encodeToken } from '../pagination.js';
import type { Registry } from '../registry.js';
import { validateInput, type Shape } from '../validate.js';

/** One call to a consumer service. */
export interface ConsumerCallContext {
  consumers: Consumers;
  registry: Registry;
}

/** A consumer service operation: the request's members (body, path and query) → the JSON answer. */
export type ConsumerHandler = (input: Record<string, unknown>, ctx: ConsumerCallContext) => unknown;

/**
 * Validates `input` like {@link validateInput}, answering the service's validation exception
 * (`InvalidParameterException` for ECS, `InvalidParameterValueException` for Lambda, ...).
 */
export function validateAs(code: string, input: Record<string, unknown>, members: Record<string, Shape>): void {
  try {
    validateInput(input, members);
  } catch (error) {
    if (error instanceof EcrApiError && error.code === 'InvalidParameterException' && code !== error.code) {
      throw new EcrApiError(code, error.message, error.status, { cause: error });
    }
    throw error;
  }
}

/** One page of `items` (already in the order served) after the token's item, and the next token. */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  token: unknown,
  size: number,
  scope: string,
  invalidToken: () => EcrApiError,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (typeof token === 'string' && token !== '') {
    let after: string;
    try {
      after = String(decodeToken(token, scope).after);
    } catch (cause) {
      throw Object.assign(invalidToken(), { cause });
    }
    const at = items.findIndex((item) => keyOf(item) === after);
    if (at < 0) throw invalidToken();
    start = at + 1;
  }
  const page = items.slice(start, start + size);
  const last = page[page.length - 1];
  if (start + size >= items.length || last === undefined) return { page };
  return { page, nextToken: encodeToken({ scope, after: keyOf(last) }) };
}

/** Stable order for names and ARNs. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
