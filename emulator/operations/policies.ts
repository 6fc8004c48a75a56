/**
 * Policy operations: repository policies (Set/Get/DeleteRepositoryPolicy) and lifecycle policies
 * (Put/Get/DeleteLifecyclePolicy). The emulator stores the text; it does not enforce either.
 */
import { EcrApiError, invalidParameter } from '../errors.js';
import type { Repository } from '../registry.js';
import { repositoryFor, type CallContext, type Input } from './context.js';

const POLICY_TEXT = { type: 'string', required: true, min: 0, max: 10240 } as const;
const LIFECYCLE_TEXT = { type: 'string', required: true, min: 100, max: 30720 } as const;

/** SetRepositoryPolicy: the text must be a JSON object. */
export function setRepositoryPolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { policyText: POLICY_TEXT, force: { type: 'boolean' } });
  const text = input.policyText as string;
  if (!isJsonObject(text)) {
    throw invalidParameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
  }
  repo.policyText = text;
  return policyAnswer(repo, ctx, text);
}

/** GetRepositoryPolicy: RepositoryPolicyNotFoundException when none is set. */
export function getRepositoryPolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx);
  return policyAnswer(repo, ctx, requirePolicy(repo, ctx));
}

/** DeleteRepositoryPolicy: returns the deleted text. */
export function deleteRepositoryPolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx);
  const text = requirePolicy(repo, ctx);
  repo.policyText = undefined;
  return policyAnswer(repo, ctx, text);
}

/** PutLifecyclePolicy: the text must be JSON with a `rules` array. */
export function putLifecyclePolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx, { lifecyclePolicyText: LIFECYCLE_TEXT });
  const text = input.lifecyclePolicyText as string;
  let rules: unknown;
  try {
    rules = (JSON.parse(text) as { rules?: unknown }).rules;
  } catch {
    rules = undefined;
  }
  if (!Array.isArray(rules) || rules.length === 0) {
    throw invalidParameter("Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: the policy must be a JSON object with a non-empty \"rules\" array'");
  }
  repo.lifecyclePolicyText = text;
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, lifecyclePolicyText: text };
}

/** GetLifecyclePolicy: LifecyclePolicyNotFoundException when none is set. */
export function getLifecyclePolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx);
  const text = requireLifecycle(repo, ctx);
  // The emulator never evaluates lifecycle policies, so it reports the epoch, as ECR does for
  // policies that have never run.
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, lifecyclePolicyText: text, lastEvaluatedAt: 0 };
}

/** DeleteLifecyclePolicy: returns the deleted text. */
export function deleteLifecyclePolicy(input: Input, ctx: CallContext): unknown {
  const repo = repositoryFor(input, ctx);
  const text = requireLifecycle(repo, ctx);
  repo.lifecyclePolicyText = undefined;
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, lifecyclePolicyText: text, lastEvaluatedAt: 0 };
}

function policyAnswer(repo: Repository, ctx: CallContext, text: string): unknown {
  return { registryId: ctx.registry.registryId, repositoryName: repo.name, policyText: text };
}

function requirePolicy(repo: Repository, ctx: CallContext): string {
  if (repo.policyText === undefined) {
    throw new EcrApiError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${ctx.registry.registryId}'`,
    );
  }
  return repo.policyText;
}

function requireLifecycle(repo: Repository, ctx: CallContext): string {
  if (repo.lifecyclePolicyText === undefined) {
    throw new EcrApiError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${ctx.registry.registryId}'`,
    );
  }
  return repo.lifecyclePolicyText;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
