/**
 * The planner: a pure function from (repository inventory, rules, now) to a plan in which every
 * manifest has a decision and a reason a person understands. No I/O, clock or randomness:
 * the same inputs always give the same plan, whatever the order of the input images.
 *
 * Order of decisions for one repository:
 * 1. the governing policy (or protection / no policy) — {@link selectPolicy};
 * 2. the manifest graph: indexes, their children, referrers and their subjects — `image-graph.ts`;
 * 3. the rules, with ECR's semantics, over the pool of manifests nothing holds — `planner-rules.ts`;
 * 4. guards that beat every rule: images in use (and the indexes of in-use children), protected
 *    tags, no push time, minAge, unreadable indexes;
 * 5. children and referrers follow the manifests that hold them (kept if any holder is kept);
 *    a subject and its referrers share one fate: one that remains keeps the subject — `plan-shared-fate.ts`;
 * 6. safety limits: too many deletions blocks the whole repository.
 */
import { buildImageGraph, compareDigests, type GraphNode, type ImageGraph } from './image-graph.js';
import type { RepositoryInventory } from './inventory.js';
import type { Decision, Plan, PlanCounts, PlannedImage, RepositoryPlan } from './plan-model.js';
import { countImages, summarizePlan } from './plan-summary.js';
import { follow, type Verdict } from './plan-follow.js';
import { flatString, formatAgeAgainst, shortDigest } from './plan-reasons.js';
import { shareFate } from './plan-shared-fate.js';
import { isoTime } from './iso-time.js';
import { evaluateRules } from './planner-rules.js';
import { selectPolicy } from './repository-match.js';
import type { Policy, RepositoryTags, Rule, RuleSet } from './rules-model.js';
import { appliedSettings, heldBackBy, sourceNote, type AppliedSettings } from './policy-settings.js';
import { compileTagPattern, type TagMatcher } from './tag-pattern.js';
import { describeUsages, type InUseUsage } from './in-use.js';

export { selectPolicy, usesRepositoryTags, type PolicySelection } from './repository-match.js';
export { compileAttachedPolicy, noAttachedPolicyPlan, type AttachedPolicyText, type CompiledAttachedPolicy } from './attached-policy.js';
export { summarizePlan, countImages } from './plan-summary.js';
export { deletionOrder, deletionLayers, transitionLayers } from './plan-order.js';

/** Options of {@link planRepository}. */
export interface PlanRepositoryOptions {
  /**
   * Deletions the run may still make (what `maxDeletionsPerRun` leaves after earlier
   * repositories). Defaults to `ruleSet.defaults.maxDeletionsPerRun` (null = no cap).
   */
  deletionBudget?: number;
  /**
   * Deletions the governing policy's own `maxDeletionsPerRun` still allows (what earlier
   * repositories of the same policy left). Defaults to the policy's setting (none = no cap).
   */
  policyDeletionBudget?: number;
  /** The repository's resource tags, needed when a policy selects repositories by tag. */
  repositoryTags?: RepositoryTags;
  /**
   * The compiled lifecycle policy attached to the repository, needed when its governing policy is
   * `lifecyclePolicy: attached` (see `attached-policy.ts`).
   */
  attachedRules?: readonly Rule[];
  /**
   * The repository's images in use, by digest, with who uses each (see `resolveInUse` in
   * `in-use.ts`). An in-use image is kept whatever the rules, and so are its children, its
   * referrers, its subject and the indexes that list it. Absent = nothing known to be in use.
   */
  inUse?: ReadonlyMap<string, readonly InUseUsage[]>;
}

/**
 * Plans one repository. The engine calls it once per repository so memory stays proportional
 * to the largest repository, threading `deletionBudget` from one call to the next.
 *
 * @example
 * const plan = planRepository({ repositoryName: 'app', images }, ruleSet, Date.parse('2026-01-01'));
 * plan.images.filter((i) => i.decision === 'delete'); // with plan.images[k].reason saying why
 */
export function planRepository(
  inventory: RepositoryInventory,
  ruleSet: RuleSet,
  now: number,
  options: PlanRepositoryOptions = {},
): RepositoryPlan {
  const selection = selectPolicy(inventory.repositoryName, ruleSet, options.repositoryTags);
  const graph = buildImageGraph(inventory.images);
  const policyName = selection.policy?.name ?? null;
  if (selection.protected) {
    return uniformPlan(inventory.repositoryName, graph, policyName, 'protected', selection.reason, `keep: protected repository (${selection.reason})`, options.inUse);
  }
  if (selection.needsTags) {
    // Not governed by a guess: without its tags no policy can be named, so nothing is touched.
    return uniformPlan(inventory.repositoryName, graph, null, 'unmanaged', selection.reason, `keep: ${selection.reason}`, options.inUse);
  }
  if (!selection.policy) {
    return uniformPlan(inventory.repositoryName, graph, null, 'unmanaged', selection.reason, 'keep: no policy governs this repository', options.inUse);
  }
  let policy = selection.policy;
  if (policy.origin === 'attached') {
    if (options.attachedRules === undefined) {
      const reason = `policy '${policy.name}' runs the repository's attached lifecycle policy, which was not given`;
      return uniformPlan(inventory.repositoryName, graph, policy.name, 'unmanaged', reason, `keep: ${reason}`, options.inUse);
    }
    policy = { ...policy, rules: options.attachedRules };
  }
  const settings = appliedSettings(selection.policy, ruleSet);
  const verdicts = decide(graph, policy, settings, now, options.inUse);
  // A policy held back in dry-run deletes nothing in any run, so it spends none of the run's budget.
  const budget = heldBackBy(settings) !== undefined ? undefined : (options.deletionBudget ?? ruleSet.defaults.maxDeletionsPerRun ?? undefined);
  const policyBudget = options.policyDeletionBudget ?? settings.policyMaxDeletionsPerRun ?? undefined;
  const blocked = checkLimits(verdicts, graph.nodes.length, settings, budget, policyBudget);
  if (blocked) {
    for (const v of verdicts) {
      if (v.decision !== 'delete') continue;
      v.reason = `keep: repository blocked, ${blocked}; without the limit: ${v.reason}`;
      v.decision = 'keep';
      v.rule = null;
    }
  }
  const images = toPlannedImages(graph, verdicts, options.inUse);
  const plan: RepositoryPlan = {
    repositoryName: inventory.repositoryName,
    policy: policyName,
    status: blocked ? 'blocked' : 'planned',
    images,
    counts: countVerdicts(graph.nodes, verdicts),
    settings,
  };
  if (blocked) plan.statusReason = blocked;
  if (selection.policy.origin === 'attached') plan.rulesFrom = 'attached-lifecycle-policy';
  return plan;
}

/**
 * Plans a whole registry, one repository at a time, threading the run's deletion budget
 * (`maxDeletionsPerRun`) in the order the inventories come; a repository that would exceed
 * what is left is blocked and uses none of it. Repositories appear in the plan by name.
 */
export function planRegistry(inventories: Iterable<RepositoryInventory>, ruleSet: RuleSet, now: number): Plan {
  const budgets = new DeletionBudgets(ruleSet);
  const plans: RepositoryPlan[] = [];
  for (const inventory of inventories) {
    const plan = planRepository(inventory, ruleSet, now, budgets.optionsFor(inventory.repositoryName));
    budgets.spend(plan);
    plans.push(plan);
  }
  return summarizePlan(plans, now, ruleSet.defaults.mode);
}

/**
 * The run's `maxDeletionsPerRun` and each policy's own, threaded through the repositories in
 * the order they are planned. A blocked repository spends nothing; a repository whose policy is
 * held back in dry-run spends only its policy's budget (it deletes nothing in any run).
 */
export class DeletionBudgets {
  private run: number | undefined;
  private readonly policies = new Map<string, number>();

  constructor(private readonly ruleSet: RuleSet) {
    this.run = ruleSet.defaults.maxDeletionsPerRun ?? undefined;
  }

  /** The budgets for planning `repositoryName` next (with its resource tags when a policy selects by tag). */
  optionsFor(repositoryName: string, repositoryTags?: RepositoryTags): PlanRepositoryOptions {
    const options: PlanRepositoryOptions = {};
    if (this.run !== undefined) options.deletionBudget = this.run;
    const policy = selectPolicy(repositoryName, this.ruleSet, repositoryTags).policy;
    const left = policy ? this.policies.get(policy.name) : undefined;
    if (left !== undefined) options.policyDeletionBudget = left;
    return options;
  }

  /** Records what a planned repository spends. */
  spend(plan: RepositoryPlan): void {
    if (plan.status !== 'planned') return;
    const deletes = plan.counts.delete;
    // A plan without settings (stored by an older version) spends the run's budget, to be safe.
    if (this.run !== undefined && heldBackBy(plan.settings) === undefined) this.run = Math.max(0, this.run - deletes);
    const cap = plan.settings?.policyMaxDeletionsPerRun ?? null;
    if (plan.settings && cap !== null) this.policies.set(plan.settings.policy, Math.max(0, (this.policies.get(plan.settings.policy) ?? cap) - deletes));
  }
}

function uniformPlan(
  repositoryName: string,
  graph: ImageGraph,
  policy: string | null,
  status: 'protected' | 'unmanaged',
  statusReason: string,
  reason: string,
  inUse: PlanRepositoryOptions['inUse'],
): RepositoryPlan {
  const verdicts = graph.nodes.map((): Verdict => ({ decision: 'keep', rule: null, reason }));
  const images = toPlannedImages(graph, verdicts, inUse);
  return { repositoryName, policy, status, statusReason, images, counts: countImages(images, () => false) };
}

/**
 * Steps 3–5: rules over the pool, guards, then children and referrers follow their holders, and
 * subjects stay with the referrers that remain.
 */
function decide(graph: ImageGraph, policy: Policy, settings: AppliedSettings, now: number, inUse: PlanRepositoryOptions['inUse']): Verdict[] {
  const { nodes } = graph;
  const verdicts: Verdict[] = new Array(nodes.length);
  const guards = new Guards(graph, settings, now, inUseGuards(graph, inUse));

  const poolNodes: GraphNode[] = [];
  for (const node of nodes) if (node.parents.length === 0 && node.subject < 0) poolNodes.push(node);
  const footprints = new Float64Array(poolNodes.length);
  for (let p = 0; p < poolNodes.length; p++) footprints[p] = footprint(poolNodes[p]!, nodes) ?? Number.NaN;
  const evaluation = evaluateRules({ nodes: poolNodes, footprints }, policy.rules, now);

  for (let p = 0; p < poolNodes.length; p++) {
    const node = poolNodes[p]!;
    const claim = evaluation.claim[p]!;
    let verdict: Verdict;
    if (claim < 0) {
      const activating = node.status === 'ACTIVATING' ? ' (it is being restored from archive, ACTIVATING)' : '';
      verdict = { decision: 'keep', rule: null, reason: `keep: ${evaluation.detail[p]}${activating}` };
    } else {
      const rule = policy.rules[claim]!;
      if (evaluation.met[p]) {
        const decision: Decision = rule.action.type === 'transition' ? 'transition' : 'delete';
        verdict = { decision, rule: rule.id, reason: `${decision}: ${evaluation.detail[p]}` };
      } else {
        const later = evaluation.overruledBy[p]!;
        const reason =
          later >= 0
            ? `keep: matched by higher-priority rule '${rule.id}' which keeps it — ${evaluation.detail[p]}; rule '${policy.rules[later]!.id}' alone would ${policy.rules[later]!.action.type === 'transition' ? 'transition' : 'delete'} it`
            : `keep: ${evaluation.detail[p]}`;
        verdict = { decision: 'keep', rule: rule.id, reason };
      }
    }
    verdicts[node.index] = guards.apply(node, verdict, true);
  }

  // Children and referrers, in dependency order: a manifest is decided once all its holders are.
  const decisionOf = (h: number) => verdicts[h]!.decision;
  const ruleOf = (h: number) => verdicts[h]!.rule;
  const pending = new Int32Array(nodes.length);
  const queue: number[] = [];
  for (const node of nodes) {
    pending[node.index] = node.parents.length + (node.subject >= 0 ? 1 : 0);
    if (pending[node.index] === 0) queue.push(node.index);
  }
  for (let q = 0; q < queue.length; q++) {
    for (const d of nodes[queue[q]!]!.dependents) {
      if (--pending[d]! === 0) {
        const node = nodes[d]!;
        verdicts[d] = guards.apply(node, follow(node, nodes, decisionOf, ruleOf), false);
        queue.push(d);
      }
    }
  }
  if (queue.length < nodes.length) {
    for (const node of nodes) {
      if (verdicts[node.index] === undefined) {
        const inUse = guards.inUseReason(node);
        verdicts[node.index] = {
          decision: 'keep',
          rule: null,
          // Kept either way; when in use, the consumer is the reason that matters to the reader.
          reason: inUse !== undefined ? `keep: ${inUse}` : 'keep: part of a reference cycle (indexes or referrers that hold each other), never deleted',
        };
      }
    }
  }
  shareFate(nodes, verdicts);
  return verdicts;
}

/** Protections that beat every rule, checked for every manifest the rules or its holders would act on. */
class Guards {
  private readonly protectPatterns: { note: string; re: TagMatcher }[];
  private readonly minAgeMs: number;
  /** " of policy 'payments'" when the policy set minAge, else "". */
  private readonly minAgeOf: string;
  private readonly minAgeNote: string;

  constructor(
    private readonly graph: ImageGraph,
    settings: AppliedSettings,
    private readonly now: number,
    /** Per graph position: why an in-use guard keeps the manifest (see {@link inUseGuards}). */
    private readonly inUse: ReadonlyMap<number, string>,
  ) {
    this.protectPatterns = settings.protectTags.map((p) => ({ note: sourceNote(p.from, settings.policy), re: compileTagPattern(p.value) }));
    this.minAgeMs = settings.minAgeMs.value;
    this.minAgeNote = sourceNote(settings.minAgeMs.from, settings.policy);
    this.minAgeOf = settings.minAgeMs.from === 'policy' ? ` of policy '${settings.policy}'` : '';
  }

  /** The verdict after protections; `inPool` = ranked by rules (not a child or referrer). */
  apply(node: GraphNode, verdict: Verdict, inPool: boolean): Verdict {
    const protectedTag = this.protectedTag(node);
    const action = verdict.decision;
    const would = action === 'keep' ? '' : ` (rule ${verdict.rule} would ${action} it)`;
    const inUse = this.inUseReason(node);
    if (inUse !== undefined) return { decision: 'keep', rule: null, reason: `keep: ${inUse}${would}`, why: inUse };
    if (protectedTag !== undefined) {
      const what = `protected tag '${protectedTag.tag}'${protectedTag.note}`;
      return { decision: 'keep', rule: null, reason: `keep: ${what}${would}`, why: what };
    }
    if (action === 'keep') return verdict;
    const younger = node.pushedAt === undefined ? undefined : this.now - Math.max(node.pushedAt, node.lastActivatedAt ?? node.pushedAt);
    if (younger === undefined) {
      return { decision: 'keep', rule: null, reason: `keep: no push time recorded, so its age is unknown${would}`, why: 'no push time recorded' };
    }
    if (younger < this.minAgeMs) {
      const { age, threshold } = formatAgeAgainst(younger, this.minAgeMs);
      return {
        decision: 'keep',
        rule: null,
        reason: `keep: younger than minAge ${threshold}${this.minAgeOf} (pushed ${age} ago)${would}`,
        why: `pushed ${age} ago < minAge ${threshold}${this.minAgeNote}`,
      };
    }
    if (node.unreadableIndex) {
      return {
        decision: 'keep',
        rule: null,
        reason: `keep: index manifest could not be read, so its children are unknown${would}`,
        why: 'its index manifest could not be read',
      };
    }
    if (inPool && !node.isIndex && node.tags.length === 0 && this.graph.unreadableIndexes.length > 0) {
      return {
        decision: 'keep',
        rule: null,
        reason: `keep: untagged, and index ${shortDigest(this.graph.unreadableIndexes[0]!)} could not be read, so this may be one of its children${would}`,
      };
    }
    return verdict;
  }

  /** Why an in-use guard keeps the manifest ("in use by ..."), or undefined. */
  inUseReason(node: GraphNode): string | undefined {
    return this.inUse.get(node.index);
  }

  private protectedTag(node: GraphNode): { tag: string; note: string } | undefined {
    for (const tag of node.tags) for (const p of this.protectPatterns) if (p.re.test(tag)) return { tag, note: p.note };
    return undefined;
  }
}

/**
 * The in-use guards of a repository: each in-use manifest, and every index that lists one
 * (transitively: an index of an index), since a consumer may pull through the index. The
 * children, referrers and subject of a kept manifest need no guard: they follow it (steps 5).
 */
function inUseGuards(graph: ImageGraph, inUse: PlanRepositoryOptions['inUse']): Map<number, string> {
  const guards = new Map<number, string>();
  if (!inUse || inUse.size === 0) return guards;
  const queue: number[] = [];
  // Digest order, so which child an index's reason names does not depend on the input order.
  const used = [...inUse.keys()].sort(compareDigests);
  for (const digest of used) {
    const node = graph.byDigest.get(digest);
    const usages = inUse.get(digest)!;
    if (!node || usages.length === 0) continue;
    guards.set(node.index, describeUsages(usages));
    queue.push(node.index);
  }
  for (let q = 0; q < queue.length; q++) {
    const child = graph.nodes[queue[q]!]!;
    for (const p of child.parents) {
      if (guards.has(p)) continue;
      guards.set(p, `index of in-use child ${shortDigest(child.digest)} (${guards.get(child.index)!})`);
      queue.push(p);
    }
  }
  return guards;
}

/**
 * Bytes an image occupies for size rules: its own size, or for an index the sum of its
 * children's sizes (an index's reported size is only its largest child's).
 */
function footprint(node: GraphNode, nodes: readonly GraphNode[]): number | undefined {
  if (!node.isIndex || node.dependents.length === 0) return node.sizeInBytes;
  let total: number | undefined;
  for (const d of node.dependents) {
    const dep = nodes[d]!;
    if (dep.subject === node.index && !dep.parents.includes(node.index)) continue; // a referrer, not a child
    if (dep.sizeInBytes !== undefined) total = (total ?? 0) + dep.sizeInBytes;
  }
  return total ?? node.sizeInBytes;
}

/** The repository's counts; see {@link countImages} for how bytes are counted. */
function countVerdicts(nodes: readonly GraphNode[], verdicts: readonly Verdict[]): PlanCounts {
  const counts: PlanCounts = { images: nodes.length, delete: 0, keep: 0, transition: 0, bytesToFree: 0 };
  for (let i = 0; i < nodes.length; i++) {
    const decision = verdicts[i]!.decision;
    counts[decision]++;
    const node = nodes[i]!;
    if (decision === 'delete' && !node.isIndex && node.sizeInBytes !== undefined) counts.bytesToFree += node.sizeInBytes;
  }
  return counts;
}

/** Step 6: the reason the repository is blocked, or undefined when within the limits. */
function checkLimits(
  verdicts: readonly Verdict[],
  images: number,
  settings: AppliedSettings,
  budget: number | undefined,
  policyBudget: number | undefined,
): string | undefined {
  let deletes = 0;
  for (const v of verdicts) if (v.decision === 'delete') deletes++;
  if (deletes === 0) return undefined;
  const { value: maxPercent, from } = settings.maxDeletePercentPerRepository;
  if (maxPercent !== null && deletes * 100 > maxPercent * images) {
    const pct = Math.floor((deletes * 1000) / images) / 10;
    return `it would delete ${deletes} of ${images} images (${pct}%), more than maxDeletePercentPerRepository ${maxPercent}%${sourceNote(from, settings.policy)}`;
  }
  if (policyBudget !== undefined && deletes > policyBudget) {
    return `it would delete ${deletes} images, more than the ${Math.max(0, policyBudget)} deletions maxDeletionsPerRun of policy '${settings.policy}' still allows`;
  }
  if (budget !== undefined && deletes > budget) {
    return `it would delete ${deletes} images, more than the ${Math.max(0, budget)} deletions maxDeletionsPerRun still allows`;
  }
  return undefined;
}

function toPlannedImages(graph: ImageGraph, verdicts: readonly Verdict[], inUse: PlanRepositoryOptions['inUse']): PlannedImage[] {
  const { nodes } = graph;
  // Newest first reads best; images without a push time last; digest breaks ties.
  const time = new Float64Array(nodes.length);
  const order = new Uint32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    time[i] = nodes[i]!.pushedAt ?? Number.NEGATIVE_INFINITY;
    order[i] = i;
  }
  order.sort((a, b) => time[b]! - time[a]! || compareDigests(nodes[a]!.digest, nodes[b]!.digest));
  const out: PlannedImage[] = new Array(nodes.length);
  // Images are in push-time order and an index's children share its push time: one string serves all.
  let lastPushed: number | undefined;
  let lastPushedIso: string | null = null;
  for (let k = 0; k < order.length; k++) {
    const node = nodes[order[k]!]!;
    const v = verdicts[node.index]!;
    if (node.pushedAt !== lastPushed) {
      lastPushed = node.pushedAt;
      lastPushedIso = node.pushedAt === undefined ? null : isoTime(node.pushedAt);
    }
    const image: PlannedImage = {
      imageDigest: node.digest,
      imageTags: node.tags,
      pushedAt: lastPushedIso,
      lastPulledAt: node.lastPulledAt === undefined ? null : isoTime(node.lastPulledAt),
      sizeInBytes: node.sizeInBytes ?? null,
      role: node.role,
      decision: v.decision,
      rule: v.rule,
      reason: flatString(v.reason),
    };
    if (node.parents.length > 0) {
      const parentDigests: string[] = new Array(node.parents.length);
      for (let p = 0; p < parentDigests.length; p++) parentDigests[p] = nodes[node.parents[p]!]!.digest;
      image.parentDigests = parentDigests;
    }
    if (node.subject >= 0) image.subjectDigest = nodes[node.subject]!.digest;
    const usages = inUse?.get(node.digest);
    if (usages !== undefined && usages.length > 0) image.usages = [...usages];
    out[k] = image;
  }
  return out;
}
