/**
 * Rule evaluation with ECR's lifecycle semantics, over the "pool": the manifests nothing else
 * holds (no index lists them, they refer to no subject in the repository).
 *
 * - Every rule sees the whole repository at once and ranks its WHOLE selection, including images
 *   a higher-priority rule also selected.
 * - An image can be expired only by the first rule (in priority order) whose selection contains
 *   it: a higher-priority rule that selects an image protects it even when it keeps it.
 *   Hence "expired by at most one rule" holds by construction.
 *
 * Protections (protect.tags, minAge, safety limits) are applied afterwards by the planner; they
 * never change a rule's ranking, only whether its verdict is carried out.
 */
import semver from 'semver';
import { compareDigests, type GraphNode } from './image-graph.js';
import { formatAgeAgainst, formatBytes, ordinal } from './plan-reasons.js';
import { ruleConditions, type Condition, type Rule } from './rules-model.js';
import { compileTagPattern, matchesAllPatterns, matchesAnyTag, type TagMatcher } from './tag-pattern.js';

/** The images rules rank, with what evaluation needs besides their graph nodes. */
export interface Pool {
  nodes: readonly GraphNode[];
  /**
   * Per position: bytes the image occupies (its own size, or for an index the sum of its
   * children's sizes); NaN when unknown.
   */
  footprints: Float64Array;
}

function footprintAt(pool: Pool, i: number): number | undefined {
  const f = pool.footprints[i]!;
  return Number.isNaN(f) ? undefined : f;
}

/** The verdict of the rules on the pool, one entry per pool position. */
export interface RuleEvaluation {
  /** Index (into the policy's rules) of the first rule whose selection contains the image, or -1. */
  claim: Int32Array;
  /** 1 when the claiming rule's condition is met (expire or transition). */
  met: Uint8Array;
  /** For an image its claiming rule keeps: the first lower-priority rule that would have acted on it, or -1. */
  overruledBy: Int32Array;
  /** Per pool position: the claiming rule's explanation, without the leading verb. */
  detail: string[];
}

interface CompiledRule {
  rule: Rule;
  patterns: TagMatcher[];
  excludes: TagMatcher[];
}

const compiledRules = new WeakMap<Rule, CompiledRule>();

function compile(rule: Rule): CompiledRule {
  let c = compiledRules.get(rule);
  if (!c) {
    c = {
      rule,
      patterns: rule.selection.tagPatterns.map(compileTagPattern),
      excludes: rule.selection.excludeTagPatterns.map(compileTagPattern),
    };
    compiledRules.set(rule, c);
  }
  return c;
}

/** True when the rule's selection contains the image (tag status, patterns, excludes, storage class). */
function selects(rule: CompiledRule, node: GraphNode): boolean {
  const sel = rule.rule.selection;
  if (sel.storageClass === 'standard' ? node.status !== 'ACTIVE' : node.status !== 'ARCHIVED') return false;
  const tagged = node.tags.length > 0;
  if (sel.tagStatus === 'tagged' && !tagged) return false;
  if (sel.tagStatus === 'untagged' && tagged) return false;
  if (rule.patterns.length > 0 && !matchesAllPatterns(rule.patterns, node.tags)) return false;
  for (const ex of rule.excludes) if (matchesAnyTag(ex, node.tags)) return false;
  return true;
}

/**
 * The time count and total-size rules rank by, newest first. ECR orders by push time, or by the
 * restore time for an image brought back from archive; archived images rank by when they were
 * archived. Undefined when the image has no push time: such an image is never ranked.
 */
export function rankTime(node: GraphNode, storageClass: 'standard' | 'archive'): number | undefined {
  if (node.pushedAt === undefined) return undefined;
  if (storageClass === 'archive') return node.lastArchivedAt ?? node.pushedAt;
  return node.lastActivatedAt !== undefined && node.lastActivatedAt > node.pushedAt ? node.lastActivatedAt : node.pushedAt;
}

/** Per-condition scratch: whether it holds for each selected image, and a figure for the reason. */
interface ConditionScan {
  condition: Condition;
  met: Uint8Array;
  /** Rank (count conditions), age in ms (since* conditions), size or running total (size conditions); NaN = not ranked. */
  figure: Float64Array;
  /** Semver ranking: the version each selected image was ranked by. */
  versions?: (string | undefined)[];
}

/** Per-rule scratch: which pool images it selects, whether all its conditions hold, and each condition's scan. */
interface RuleScan {
  selected: Uint8Array;
  /** 1 when every condition holds. */
  met: Uint8Array;
  parts: ConditionScan[];
}

/**
 * Evaluates a policy's rules over the pool with ECR's semantics. Pure and deterministic:
 * ties in rankings are broken by digest.
 */
export function evaluateRules(pool: Pool, rules: readonly Rule[], now: number): RuleEvaluation {
  const n = pool.nodes.length;
  const compiled = rules.map(compile);
  const scans = compiled.map((c) => scanRule(c, pool, now));
  const claim = new Int32Array(n).fill(-1);
  const met = new Uint8Array(n);
  const overruledBy = new Int32Array(n).fill(-1);
  const detail: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    while (r < scans.length && !scans[r]!.selected[i]) r++;
    if (r === scans.length) {
      detail[i] = 'no rule selects it';
      continue;
    }
    claim[i] = r;
    const scan = scans[r]!;
    met[i] = scan.met[i]!;
    detail[i] = explain(compiled[r]!.rule, scan, i, pool.nodes[i]!, now);
    if (!met[i]) {
      for (let later = r + 1; later < scans.length; later++) {
        if (scans[later]!.selected[i] && scans[later]!.met[i]) {
          overruledBy[i] = later;
          break;
        }
      }
    }
  }
  return { claim, met, overruledBy, detail };
}

/**
 * Scans a rule: each condition is evaluated on its own over the rule's whole selection (a count
 * condition ranks every selected image, a total-size condition sums them all), then an image
 * meets the rule only when it meets every condition. So an added condition can only turn a
 * "met" into "not met", never the reverse.
 */
function scanRule(c: CompiledRule, pool: Pool, now: number): RuleScan {
  const n = pool.nodes.length;
  const selected = new Uint8Array(n);
  const members: number[] = [];
  for (let i = 0; i < n; i++) {
    if (selects(c, pool.nodes[i]!)) {
      selected[i] = 1;
      members.push(i);
    }
  }
  const parts = ruleConditions(c.rule).map((cond) => scanCondition(c, cond, pool, members, now));
  let met = parts[0]!.met;
  if (parts.length > 1) {
    met = new Uint8Array(n);
    for (const i of members) met[i] = parts.every((part) => part.met[i] === 1) ? 1 : 0;
  }
  return { selected, met, parts };
}

function scanCondition(c: CompiledRule, cond: Condition, pool: Pool, members: readonly number[], now: number): ConditionScan {
  const n = pool.nodes.length;
  const met = new Uint8Array(n);
  const figure = new Float64Array(n).fill(Number.NaN);
  const scan: ConditionScan = { condition: cond, met, figure };
  const storageClass = c.rule.selection.storageClass;
  switch (cond.type) {
    case 'imageCountMoreThan': {
      if (cond.orderBy === 'semver') {
        rankBySemver(c, pool, members, cond.count, scan);
        break;
      }
      const ranked = newestFirst(members, pool, storageClass, false);
      for (let pos = 0; pos < ranked.length; pos++) {
        const i = ranked[pos]!;
        figure[i] = pos + 1;
        if (pos >= cond.count) met[i] = 1;
      }
      break;
    }
    case 'sinceImagePushed':
    case 'sinceImagePulled':
    case 'sinceImageTransitioned': {
      const agedFrom = AGED_FROM[cond.type];
      for (const i of members) {
        const t = agedFrom(pool.nodes[i]!);
        if (t === undefined) continue;
        figure[i] = now - t;
        if (now - t > cond.ms) met[i] = 1;
      }
      break;
    }
    case 'sizeLargerThan':
      for (const i of members) {
        const size = footprintAt(pool, i);
        if (size === undefined) continue;
        figure[i] = size;
        if (size > cond.bytes) met[i] = 1;
      }
      break;
    case 'totalSizeMoreThan': {
      // Oldest expire first until the rest fits == keep the longest newest-first run that fits.
      const ranked = newestFirst(members, pool, storageClass, true);
      let total = 0;
      let over = false;
      for (const i of ranked) {
        total += footprintAt(pool, i)!;
        if (total > cond.bytes) over = true;
        figure[i] = total;
        if (over) met[i] = 1;
      }
      break;
    }
  }
  return scan;
}

/**
 * The members that have a rank time (and, if asked, a known size), newest first; equal times
 * by digest.
 */
function newestFirst(members: readonly number[], pool: Pool, storageClass: 'standard' | 'archive', needSize: boolean): number[] {
  const times = new Float64Array(pool.nodes.length);
  const ranked: number[] = [];
  for (const i of members) {
    const t = rankTime(pool.nodes[i]!, storageClass);
    if (t === undefined || (needSize && footprintAt(pool, i) === undefined)) continue;
    times[i] = t;
    ranked.push(i);
  }
  return ranked.sort((a, b) => times[b]! - times[a]! || compareDigests(pool.nodes[a]!.digest, pool.nodes[b]!.digest));
}

function rankBySemver(c: CompiledRule, pool: Pool, members: readonly number[], count: number, scan: ConditionScan): void {
  const versions: (string | undefined)[] = new Array(pool.nodes.length);
  const ranked: { i: number; v: semver.SemVer; t: number }[] = [];
  for (const i of members) {
    const node = pool.nodes[i]!;
    let best: semver.SemVer | null = null;
    for (const tag of node.tags) {
      if (c.patterns.length > 0 && !matchesAnyPattern(c.patterns, tag)) continue;
      const v = semver.parse(tag);
      if (v && (!best || semver.compare(v, best) > 0)) best = v;
    }
    if (!best) continue;
    const t = rankTime(node, c.rule.selection.storageClass);
    if (t === undefined) continue;
    versions[i] = best.version;
    ranked.push({ i, v: best, t });
  }
  ranked.sort((a, b) => semver.rcompare(a.v, b.v) || b.t - a.t || compareDigests(pool.nodes[a.i]!.digest, pool.nodes[b.i]!.digest));
  ranked.forEach(({ i }, pos) => {
    scan.figure[i] = pos + 1;
    if (pos >= count) scan.met[i] = 1;
  });
  scan.versions = versions;
}

function matchesAnyPattern(patterns: readonly TagMatcher[], tag: string): boolean {
  for (const p of patterns) if (p.test(tag)) return true;
  return false;
}

/**
 * The time "not pulled since" is measured from: the last recorded pull, or the restore from
 * archive if later, falling back to the push time for an image never pulled.
 */
export function pullReferenceTime(node: GraphNode): number | undefined {
  let t: number | undefined;
  for (const x of [node.lastPulledAt, node.lastActivatedAt, node.pushedAt]) {
    if (x !== undefined && (t === undefined || x > t)) t = x;
  }
  return t;
}

/** The time each age condition counts from; undefined leaves the image unaged (never met). */
const AGED_FROM: Record<'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned', (node: GraphNode) => number | undefined> = {
  sinceImagePushed: (node) => rankTime(node, 'standard'),
  sinceImagePulled: (node) => pullReferenceTime(node),
  sinceImageTransitioned: (node) => (node.status === 'ARCHIVED' ? node.lastArchivedAt : undefined),
};

/**
 * The claiming rule's explanation for pool image `i`. A single condition reads as it always has;
 * a compound rule names every condition: all of them, joined by "and", when the rule acts, and
 * otherwise the ones that do not hold, then (after "though") those that do.
 */
function explain(rule: Rule, scan: RuleScan, i: number, node: GraphNode, now: number): string {
  const id = rule.id;
  // "untagged, " is said once, by the first condition.
  const texts = scan.parts.map((part, k) => explainCondition(id, part, i, node, now, k === 0));
  const namesRule = texts.some((t) => t.namesRule);
  const suffix = namesRule ? '' : ` (rule ${id})`;
  if (texts.length === 1) return `${texts[0]!.text}${suffix}`;
  const met = texts.filter((_, k) => scan.parts[k]!.met[i] === 1).map((t) => t.text);
  const unmet = texts.filter((_, k) => scan.parts[k]!.met[i] !== 1).map((t) => t.text);
  if (unmet.length === 0) return `${met.join(' and ')}${suffix}`;
  return `${unmet.join(' and ')}${met.length ? `, though ${met.join(' and ')}` : ''}${suffix}`;
}

/** One condition's explanation; `namesRule` when the text already names the rule (else "(rule id)" is added once). */
function explainCondition(
  id: string,
  part: ConditionScan,
  i: number,
  node: GraphNode,
  now: number,
  first: boolean,
): { text: string; namesRule: boolean } {
  const cond = part.condition;
  const figure = part.figure[i]!;
  const met = part.met[i]!;
  const ranked = !Number.isNaN(figure);
  const untagged = first && node.tags.length === 0 ? 'untagged, ' : '';
  const named = (text: string) => ({ text, namesRule: true });
  const plain = (text: string) => ({ text, namesRule: false });
  switch (cond.type) {
    case 'imageCountMoreThan':
      if (cond.orderBy === 'semver') {
        if (!ranked) return named(`no valid semantic version in its tags, so '${id}' does not rank it (rule keeps ${cond.count})`);
        return named(`${figure === 1 ? '' : `${ordinal(figure)} `}highest version (${part.versions?.[i]}) of '${id}' (rule keeps ${cond.count})`);
      }
      if (!ranked) return named(`no push time, so '${id}' cannot rank it (rule keeps ${cond.count})`);
      return named(`${untagged}${figure === 1 ? '' : `${ordinal(figure)} `}newest of '${id}' (rule keeps ${cond.count})`);
    case 'sinceImagePushed':
      if (!ranked) return named(`no push time, so '${id}' cannot age it`);
      return plain(`${untagged}pushed ${compared(figure, cond.ms, met)}`);
    case 'sinceImagePulled': {
      if (!ranked) return named(`no push or pull time, so '${id}' cannot age it`);
      const t = now - figure;
      const what =
        node.lastPulledAt === t ? 'last pulled' : node.lastActivatedAt === t ? 'restored from archive' : 'never pulled, pushed';
      return plain(`${untagged}${what} ${compared(figure, cond.ms, met)}`);
    }
    case 'sinceImageTransitioned':
      if (!ranked) return named(`no archive time recorded, so '${id}' cannot age it`);
      return plain(`archived ${compared(figure, cond.ms, met)}`);
    case 'sizeLargerThan':
      if (!ranked) return named(`size unknown, so '${id}' cannot weigh it`);
      return plain(`${formatBytes(figure)} ${met ? '>' : 'is not more than'} ${formatBytes(cond.bytes)}`);
    case 'totalSizeMoreThan':
      if (!ranked) return named(`size or push time unknown, so '${id}' does not count it`);
      return named(
        met
          ? `beyond the ${formatBytes(cond.bytes)} budget of '${id}' (newest images up to this one total ${formatBytes(figure)})`
          : `within the ${formatBytes(cond.bytes)} budget of '${id}' (newest images up to this one total ${formatBytes(figure)})`,
      );
  }
}

/** "14d 0h 0m 9s ago > 14d" or "2d ago is not more than 14d": the age as precise as the comparison needs. */
function compared(ageMs: number, thresholdMs: number, met: number): string {
  const { age, threshold } = formatAgeAgainst(ageMs, thresholdMs);
  return `${age} ago ${met ? '>' : 'is not more than'} ${threshold}`;
}
