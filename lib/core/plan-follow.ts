/**
 * How a manifest that something holds (a child of an index, a referrer of a subject) follows its
 * holders, and the verdict record the planner keeps per manifest while it decides.
 */
import type { GraphNode } from './image-graph.js';
import type { Decision } from './plan-model.js';
import { quoteList, shortDigest } from './plan-reasons.js';

/** Per-manifest working state while a repository is planned. */
export interface Verdict {
  decision: Decision;
  rule: string | null;
  reason: string;
  /**
   * For a keep: why, in a few words that read inside another manifest's reason ("pushed 1h ago <
   * minAge 3d"). Absent when the reason after its `keep: ` says it well enough.
   */
  why?: string;
}

/** What a manifest's holders have decided, by graph position. */
export type DecisionOf = (index: number) => Decision;

/**
 * A child or referrer: kept if any holder is kept; archived with them; deleted only when all are.
 * Holders are the indexes listing it (ascending digest), then its subject.
 */
export function follow(node: GraphNode, nodes: readonly GraphNode[], decisionOf: DecisionOf, ruleOf: (index: number) => string | null): Verdict {
  const parents = node.parents.length;
  const holderCount = parents + (node.subject >= 0 ? 1 : 0);
  let keptIndexes: number[] | undefined;
  let keptSubject = false;
  let archived = -1;
  for (let k = 0; k < holderCount; k++) {
    const h = k < parents ? node.parents[k]! : node.subject;
    const decision = decisionOf(h);
    if (decision === 'keep') {
      if (k < parents) (keptIndexes ??= []).push(h);
      else keptSubject = true;
    } else if (decision === 'transition' && archived < 0) {
      archived = h;
    }
  }
  if (keptIndexes) return { decision: 'keep', rule: null, reason: `keep: child of kept ${describeHolders(keptIndexes, nodes)}` };
  if (keptSubject) return { decision: 'keep', rule: null, reason: `keep: referrer of kept subject ${shortDigest(nodes[node.subject]!.digest)}` };
  if (archived >= 0) {
    const rule = ruleOf(archived);
    const what = node.parents.includes(archived) ? `child of archived index` : `referrer of archived subject`;
    return { decision: 'transition', rule, reason: `transition: ${what} ${shortDigest(nodes[archived]!.digest)} (rule ${rule})` };
  }
  if (node.parents.length > 0) {
    const rule = ruleOf(node.parents[0]!);
    if (node.tags.length > 0) {
      // Someone may pull a tagged child directly; once its index is gone it is ranked like any image.
      return {
        decision: 'keep',
        rule: null,
        reason: `keep: child of deleted ${describeHolders(node.parents, nodes)}, but it has its own tags ${quoteList(node.tags)}; rules rank it on its own once the index is gone`,
        why: `it has its own tags ${quoteList(node.tags)}`,
      };
    }
    return { decision: 'delete', rule, reason: `delete: child of deleted ${describeHolders(node.parents, nodes)} (rule ${rule})` };
  }
  const rule = ruleOf(node.subject);
  return { decision: 'delete', rule, reason: `delete: referrer of deleted subject ${shortDigest(nodes[node.subject]!.digest)} (rule ${rule})` };
}

/** "index sha256:…" or "indexes sha256:…, sha256:… and 3 more". */
function describeHolders(indexes: readonly number[], nodes: readonly GraphNode[]): string {
  if (indexes.length === 1) return `index ${shortDigest(nodes[indexes[0]!]!.digest)}`;
  const shown = indexes.slice(0, 2).map((i) => shortDigest(nodes[i]!.digest)).join(', ');
  return `indexes ${shown}${indexes.length > 2 ? ` and ${indexes.length - 2} more` : ''}`;
}

/** The few words that say why a kept (or archived) manifest remains, for another manifest's reason. */
export function whyItRemains(verdict: Verdict): string {
  if (verdict.why !== undefined) return verdict.why;
  const colon = verdict.reason.indexOf(': ');
  return colon >= 0 ? verdict.reason.slice(colon + 2) : verdict.reason;
}
