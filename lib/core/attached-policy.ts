/**
 * `lifecyclePolicy: attached`: a policy that runs, in each repository it governs, the native
 * lifecycle policy attached to that repository. The engine fetches the text (GetLifecyclePolicy);
 * this module compiles it with the native policy parser, exactly as a policy file would be, and
 * words the plan of a repository that has none. Pure: text in, rules or a message out.
 */
import { RulesValidationError } from '../errors.js';
import { parseLifecyclePolicy } from './lifecycle-policy.js';
import type { RepositoryPlan } from './plan-model.js';
import type { Rule } from './rules-model.js';

/** What the engine found attached to a repository. */
export type AttachedPolicyText = { found: false } | { found: true; text: string };

/** A compiled attached policy, or why it cannot run. */
export type CompiledAttachedPolicy = { ok: true; rules: Rule[] } | { ok: false; message: string };

/** Status reason of a repository whose policy runs attached lifecycle policies but that has none. */
export const NO_ATTACHED_POLICY_REASON = 'no lifecycle policy is attached to this repository, so it is untouched';

/**
 * Compiles a repository's attached lifecycle policy text with ECR's own validation
 * (`lifecycle-policy.ts`). A policy ECR stored but ecr-sweeper cannot read exactly (a field it
 * does not know, a limit it enforces differently) is refused, never guessed at.
 *
 * @example
 * compileAttachedPolicy(text, 'team/app') // { ok: true, rules: [{ id: 'priority-1', ... }] }
 */
export function compileAttachedPolicy(text: string, repositoryName: string): CompiledAttachedPolicy {
  try {
    return { ok: true, rules: parseLifecyclePolicy(text, { file: `lifecycle policy of ${repositoryName}` }) };
  } catch (error) {
    if (!(error instanceof RulesValidationError)) throw error;
    const problems = error.issues.map((i) => `${[i.line, i.column].filter((x) => x !== undefined).join(':')}${i.line !== undefined ? ' ' : ''}${i.path ? `${i.path}: ` : ''}${i.message}`);
    return { ok: false, message: `its attached lifecycle policy is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}` };
  }
}

/**
 * The plan of a repository governed by an `attached` policy that has no lifecycle policy: not
 * listed, nothing in it touched, and said so.
 */
export function noAttachedPolicyPlan(repositoryName: string, policy: string): RepositoryPlan {
  return {
    repositoryName,
    policy,
    status: 'no-lifecycle-policy',
    statusReason: NO_ATTACHED_POLICY_REASON,
    images: [],
    counts: { images: 0, delete: 0, keep: 0, transition: 0, bytesToFree: 0 },
  };
}
