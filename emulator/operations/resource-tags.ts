/**
 * Repository resource tags: TagResource, UntagResource, ListTagsForResource, and the checks
 * CreateRepository shares. The resource is named by its ARN (the only taggable ECR resource is a
 * repository); tags are key/value pairs, at most 50 per repository, keys 1-128 characters, values
 * 0-256, keys starting with `aws:` reserved for AWS.
 */
import { EcrApiError, invalidParameter, repositoryNotFound } from '../errors.js';
import type { Repository } from '../registry.js';
import { validateInput, type Shape } from '../validate.js';
import type { CallContext, Input } from './context.js';

/** ECR's limit on tags per repository (TooManyTagsException beyond). */
export const MAX_RESOURCE_TAGS = 50;
/** Longest tag key and value ECR accepts (InvalidTagParameterException beyond). */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/** A resource tag as the API carries it. */
export interface ResourceTag {
  Key: string;
  Value: string;
}

const RESOURCE_ARN: Shape = { type: 'string', required: true };
/** The wire shape of a tag list; lengths are the service's to check (InvalidTagParameterException). */
export const TAG_LIST: Shape = {
  type: 'list',
  member: { type: 'structure', members: { Key: { type: 'string', required: true }, Value: { type: 'string', required: true } } },
};
const ARN_RE = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/**
 * The problem with a tag key or value, in ECR's InvalidTagParameterException terms, or undefined.
 * Shared with the state file loader so both refuse the same tags.
 */
export function tagProblem(key: string, value: string | undefined): string | undefined {
  if (key.length === 0) return 'Tag keys must be at least 1 character long';
  if (key.length > MAX_TAG_KEY_LENGTH) return `Tag key '${key.slice(0, 20)}...' is longer than ${MAX_TAG_KEY_LENGTH} characters`;
  if (key.toLowerCase().startsWith('aws:')) return `Tag key '${key}' starts with 'aws:', a prefix reserved for AWS`;
  if (value !== undefined && value.length > MAX_TAG_VALUE_LENGTH) return `The value of tag '${key}' is longer than ${MAX_TAG_VALUE_LENGTH} characters`;
  return undefined;
}

/** Checks tags as ECR does: each key and value, no key twice in one request. Throws InvalidTagParameterException. */
export function checkTags(tags: readonly ResourceTag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    const problem = tagProblem(tag.Key, tag.Value);
    if (problem) throw new EcrApiError('InvalidTagParameterException', problem);
    if (seen.has(tag.Key)) throw new EcrApiError('InvalidTagParameterException', `Tag key '${tag.Key}' appears more than once in the request`);
    seen.add(tag.Key);
  }
}

/** `current` with `added` applied (a key already present takes the new value); TooManyTagsException over 50. */
export function mergeTags(current: readonly ResourceTag[], added: readonly ResourceTag[]): ResourceTag[] {
  const merged = new Map(current.map((t) => [t.Key, t.Value]));
  for (const tag of added) merged.set(tag.Key, tag.Value);
  if (merged.size > MAX_RESOURCE_TAGS) {
    throw new EcrApiError(
      'TooManyTagsException',
      `The repository would have ${merged.size} tags; the maximum number of tags on a repository is ${MAX_RESOURCE_TAGS}`,
    );
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** The repository an ARN names: InvalidParameterException for a malformed or foreign ARN, RepositoryNotFoundException for a missing one. */
function repositoryByArn(input: Input, ctx: CallContext): Repository {
  const arn = input.resourceArn as string;
  const match = ARN_RE.exec(arn);
  if (!match) throw invalidParameter("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
  const [, region, account, name] = match as unknown as [string, string, string, string];
  if (region !== ctx.registry.region || account !== ctx.registry.registryId) {
    // Another Region's or account's repository is not in this registry.
    throw repositoryNotFound(name, account);
  }
  return ctx.registry.get(name);
}

/** TagResource: adds or overwrites tags; other tags are unchanged. */
export function tagResource(input: Input, ctx: CallContext): unknown {
  validateInput(input, { resourceArn: RESOURCE_ARN, tags: { ...TAG_LIST, required: true } });
  const repo = repositoryByArn(input, ctx);
  const tags = input.tags as ResourceTag[];
  checkTags(tags);
  repo.resourceTags = mergeTags(repo.resourceTags, tags);
  return {};
}

/** UntagResource: removes the given keys; keys the repository does not have are ignored. */
export function untagResource(input: Input, ctx: CallContext): unknown {
  validateInput(input, { resourceArn: RESOURCE_ARN, tagKeys: { type: 'list', required: true, member: { type: 'string' } } });
  const repo = repositoryByArn(input, ctx);
  const keys = input.tagKeys as string[];
  for (const key of keys) {
    const problem = tagProblem(key, undefined);
    if (problem) throw new EcrApiError('InvalidTagParameterException', problem);
  }
  const removed = new Set(keys);
  repo.resourceTags = repo.resourceTags.filter((t) => !removed.has(t.Key));
  return {};
}

/** ListTagsForResource: every tag of the repository, in the order they were first added. */
export function listTagsForResource(input: Input, ctx: CallContext): unknown {
  validateInput(input, { resourceArn: RESOURCE_ARN });
  const repo = repositoryByArn(input, ctx);
  return { tags: repo.resourceTags.map((t) => ({ Key: t.Key, Value: t.Value })) };
}
