/**
 * Repository operations: CreateRepository, DescribeRepositories, DeleteRepository (resource tags: `resource-tags.ts`).
 */
import { EcrApiError, invalidParameter } from '../errors.js';
import { decodeToken, encodeToken } from '../pagination.js';
import { S, validateInput } from '../validate.js';
import { repositoryFor, repositoryShape, type CallContext, type Input } from './context.js';
import { checkTags, mergeTags, TAG_LIST, type ResourceTag } from './resource-tags.js';

/**
 * CreateRepository: RepositoryAlreadyExistsException, LimitExceededException; its `tags` are checked
 * as TagResource checks them (InvalidTagParameterException, TooManyTagsException) before anything is created.
 */
export function createRepository(input: Input, ctx: CallContext): unknown {
  validateInput(input, {
    registryId: S.registryId,
    repositoryName: S.repositoryName,
    tags: TAG_LIST,
    imageTagMutability: { type: 'string', enum: ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] },
    imageScanningConfiguration: { type: 'structure', members: { scanOnPush: { type: 'boolean' } } },
    encryptionConfiguration: {
      type: 'structure',
      members: {
        encryptionType: { type: 'string', required: true, enum: ['AES256', 'KMS', 'KMS_DSSE'] },
        kmsKey: { type: 'string', min: 1, max: 2048 },
      },
    },
  });
  if (input.registryId !== undefined && input.registryId !== ctx.registry.registryId) {
    throw invalidParameter(`Invalid parameter at 'registryId' failed to satisfy constraint: 'registry ${String(input.registryId)} is not this registry (${ctx.registry.registryId})'`);
  }
  const tags = (input.tags as ResourceTag[] | undefined) ?? [];
  checkTags(tags);
  const resourceTags = mergeTags([], tags);
  const repo = ctx.registry.create(input.repositoryName as string);
  const mutability = input.imageTagMutability as string | undefined;
  if (mutability) repo.imageTagMutability = mutability.startsWith('IMMUTABLE') ? 'IMMUTABLE' : 'MUTABLE';
  repo.resourceTags = resourceTags;
  const scanning = input.imageScanningConfiguration as { scanOnPush?: boolean } | undefined;
  repo.scanOnPush = scanning?.scanOnPush ?? false;
  const encryption = input.encryptionConfiguration as { encryptionType: string; kmsKey?: string } | undefined;
  if (encryption) {
    repo.encryptionType = encryption.encryptionType;
    repo.kmsKey = encryption.kmsKey;
  }
  return { repository: repositoryShape(repo, ctx) };
}

/** DescribeRepositories: by name (RepositoryNotFoundException) or paginated, sorted by name. */
export function describeRepositories(input: Input, ctx: CallContext): unknown {
  validateInput(input, {
    registryId: S.registryId,
    repositoryNames: { type: 'list', min: 1, max: 100, member: { ...S.repositoryName, required: false } },
    nextToken: S.nextToken,
    maxResults: S.maxResults,
  });
  const registryId = input.registryId as string | undefined;
  const names = input.repositoryNames as string[] | undefined;
  if (names) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter("Invalid parameter: 'repositoryNames' cannot be used together with 'maxResults' or 'nextToken'");
    }
    const unique = [...new Set(names)];
    return { repositories: unique.map((n) => repositoryShape(ctx.registry.get(n, registryId), ctx)) };
  }
  if (registryId !== undefined && registryId !== ctx.registry.registryId) return { repositories: [] };
  const max = (input.maxResults as number | undefined) ?? 100;
  const scope = 'DescribeRepositories';
  const after = input.nextToken !== undefined ? String(decodeToken(input.nextToken as string, scope).after) : undefined;
  const all = ctx.registry.repositories();
  const start = after === undefined ? 0 : firstAfter(all.map((r) => r.name), after);
  const page = all.slice(start, start + max);
  const out: Record<string, unknown> = { repositories: page.map((r) => repositoryShape(r, ctx)) };
  const last = page[page.length - 1];
  if (last && start + max < all.length) out.nextToken = encodeToken({ scope, after: last.name });
  return out;
}

/** DeleteRepository: RepositoryNotEmptyException unless `force`. */
export function deleteRepository(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { force: { type: 'boolean' } });
  if (repo.size > 0 && input.force !== true) {
    throw new EcrApiError(
      'RepositoryNotEmptyException',
      `The repository with name '${repo.name}' in registry with id '${ctx.registry.registryId}' cannot be deleted because it still contains images`,
    );
  }
  const shape = repositoryShape(repo, ctx);
  ctx.registry.delete(repo.name);
  return { repository: shape };
}

function firstAfter(sortedNames: string[], after: string): number {
  let lo = 0;
  let hi = sortedNames.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sortedNames[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
