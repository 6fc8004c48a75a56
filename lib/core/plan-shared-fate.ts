/**
 * Shared fate: a subject and its referrers (signatures, SBOMs, attestations, and their own
 * referrers, transitively) stay or go together. A referrer that remains for a reason of its own
 * (grace period, a protected tag, a kept index listing it, anything that keeps it while its
 * subject goes) keeps its subject, so no signature is ever left behind as a plain untagged image
 * signing nothing. Whatever the kept subject holds follows it: an index kept this way keeps its
 * children and its other referrers.
 */
import type { GraphNode } from './image-graph.js';
import { follow, whyItRemains, type Verdict } from './plan-follow.js';
import { shortDigest } from './plan-reasons.js';

/**
 * Turns into `keep` every manifest that must remain because a referrer of it remains, and
 * everything such a manifest holds, until nothing changes; edits `verdicts` in place.
 *
 * Verdicts only ever move to `keep`, so each manifest changes at most once and the pass ends after
 * at most one visit per manifest and relation. Which manifests change does not depend on the
 * input order (it is the least fixed point); the reasons do not either: each names a manifest
 * that remained at an earlier step (breadth-first distance from the original keeps), the
 * smallest digest among several.
 */
export function shareFate(nodes: readonly GraphNode[], verdicts: Verdict[]): void {
  const frontier: number[] = [];
  for (const node of nodes) {
    if (node.subject < 0) continue;
    const mine = verdicts[node.index]!.decision;
    const theirs = verdicts[node.subject]!.decision;
    // An archived referrer still exists, so its subject must too; archived with it is one fate.
    if (theirs !== 'keep' && (mine === 'keep' || (mine === 'transition' && theirs === 'delete'))) frontier.push(node.index);
  }
  if (frontier.length === 0) return;

  const original = verdicts.slice();
  // Step at which a manifest is known to remain: 0 for the original keeps, -1 while it may go.
  const level = new Int32Array(nodes.length).fill(-1);
  for (let i = 0; i < nodes.length; i++) if (original[i]!.decision === 'keep') level[i] = 0;
  const changed: number[] = [];
  let current = frontier;
  for (let step = 1; current.length > 0; step++) {
    const next: number[] = [];
    const reach = (i: number) => {
      if (level[i]! >= 0) return;
      level[i] = step;
      next.push(i);
      changed.push(i);
    };
    for (const x of current) {
      const node = nodes[x]!;
      if (node.subject >= 0) reach(node.subject);
      // Only a kept manifest passes its fate down; an archived referrer's holdings are archived or kept already.
      if (level[x]! >= 0) for (const d of node.dependents) reach(d);
    }
    current = next;
  }

  // Reasons in step order, so a reason may quote the (final) reason of a manifest of an earlier step.
  for (const v of changed) {
    const node = nodes[v]!;
    const step = level[v]!;
    const earlier = (h: number) => level[h]! >= 0 && level[h]! < step;
    if (node.parents.length > 0 || node.subject >= 0) {
      const followed = follow(node, nodes, (h) => (earlier(h) ? 'keep' : original[h]!.decision), (h) => original[h]!.rule);
      if (followed.decision === 'keep') {
        verdicts[v] = followed;
        continue;
      }
    }
    let anchor = -1;
    for (const d of node.dependents) {
      if (nodes[d]!.subject !== v) continue;
      const remained = earlier(d) || (step === 1 && original[d]!.decision === 'transition' && original[v]!.decision === 'delete');
      if (remained && (anchor < 0 || nodes[d]!.digest < nodes[anchor]!.digest)) anchor = d;
    }
    // Every manifest reached at a step was reached from one of an earlier step: a holder (handled
    // above) or a referrer; should that ever fail, keeping with a plain reason is still safe.
    const held = anchor >= 0 ? verdicts[anchor]! : undefined;
    // An archived anchor may itself end up kept (it follows its now kept subject): "stays" holds either way.
    const state = held?.decision === 'keep' ? 'is kept' : 'stays';
    const who = anchor >= 0 ? `referrer ${shortDigest(nodes[anchor]!.digest)}` : 'a referrer';
    const why = held ? whyItRemains(held) : 'it remains';
    verdicts[v] = {
      decision: 'keep',
      rule: null,
      reason: `keep: ${who} of this image ${state} (${why}); without it: ${original[v]!.reason}`,
      why: `its ${who} ${state}, ${why}`,
    };
  }
}
