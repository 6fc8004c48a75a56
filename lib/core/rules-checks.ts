/**
 * Checks of the rules file that involve more than one field. They run on the raw value, next
 * to the schema, so a file with both a typo and a rule with two conditions reports both.
 * Each check looks only at values of the right type; wrong types are the schema's to report.
 */
import type { IssuePath } from './rules-source.js';
import { DAY_MS, parseDuration } from './duration.js';
import { archiveMinimumMessage, LIFECYCLE_POLICY_LIMITS } from './lifecycle-policy.js';
import { RESOURCE_TAG_LIMITS } from './rules-schema.js';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The expiry conditions of `when:`; a rule has at least one, and all it has must hold. In evaluation order. */
export const CONDITION_KEYS = [
  'imageCountMoreThan',
  'sinceImagePushed',
  'sinceImagePulled',
  'sinceImageTransitioned',
  'sizeLargerThan',
  'totalSizeMoreThan',
] as const;

type Add = (path: IssuePath, message: string, options?: { key?: boolean }) => void;

/** Runs every cross-field check on a parsed (not yet validated) rules document. */
export function checkRulesDocument(doc: unknown, add: Add): void {
  if (!isObj(doc) || !Array.isArray(doc.policies)) return;
  const names = new Map<string, number>();
  doc.policies.forEach((policy, p) => {
    if (!isObj(policy)) return;
    const at = (...rest: IssuePath) => ['policies', p, ...rest];
    if (typeof policy.name === 'string') {
      const first = names.get(policy.name);
      if (first !== undefined) add(at('name'), `policy name "${policy.name}" is already used by policies[${first}]; names must be unique`);
      else names.set(policy.name, p);
    }
    const hasRules = policy.rules !== undefined;
    const hasNative = policy.lifecyclePolicy !== undefined;
    if (hasRules && hasNative) add(at('lifecyclePolicy'), 'a policy has either rules or lifecyclePolicy, not both', { key: true });
    if (!hasRules && !hasNative) add(at(), `policy "${String(policy.name ?? p)}" needs rules or lifecyclePolicy`);
    if (isObj(policy.repositories)) checkRepositories(policy.repositories, (rest, message, options) => add(at('repositories', ...rest), message, options));
    if (Array.isArray(policy.rules)) checkRules(policy.rules, (rest, message, options) => add(at('rules', ...rest), message, options));
  });
}

/** A policy selects repositories by name globs, by resource tags, or both; never by nothing. */
function checkRepositories(repositories: Raw, add: Add): void {
  const tags = repositories.tags;
  if (repositories.include === undefined && tags === undefined) {
    add([], 'give repositories.include (name globs), repositories.tags (resource tags, e.g. { team: data }), or both');
  }
  if (isObj(tags)) {
    const count = Object.keys(tags).length;
    if (count === 0) add(['tags'], 'list at least one tag (e.g. { team: data }), or leave tags out');
    for (const key of Object.keys(tags)) {
      if (key.length === 0) add(['tags', key], 'a tag key must not be empty', { key: true });
      if (key.length > RESOURCE_TAG_LIMITS.maxKeyLength) {
        add(['tags', key], `a tag key is at most ${RESOURCE_TAG_LIMITS.maxKeyLength} characters (ECR's limit), this one has ${key.length}`, { key: true });
      }
    }
    if (count > RESOURCE_TAG_LIMITS.maxTags) {
      add(['tags'], `${count} tags: an ECR repository has at most ${RESOURCE_TAG_LIMITS.maxTags}, so no repository could match them all`);
    }
  }
}

function checkRules(rules: unknown[], add: Add): void {
  const ids = new Map<string, number>();
  const lastAnyByStorage = new Map<string, number>();
  const untaggedByStorage = new Map<string, number>();
  rules.forEach((rule, r) => {
    if (!isObj(rule)) return;
    if (typeof rule.id === 'string') {
      const first = ids.get(rule.id);
      if (first !== undefined) add([r, 'id'], `rule id "${rule.id}" is already used by rules[${first}] in this policy; ids must be unique`);
      else ids.set(rule.id, r);
    }
    const select = isObj(rule.select) ? rule.select : undefined;
    const when = isObj(rule.when) ? rule.when : undefined;
    const action = rule.action ?? 'expire';
    const storage = select?.storageClass === 'archive' ? 'archive' : 'standard';

    if (select) checkSelect(select, (rest, message, options) => add([r, 'select', ...rest], message, options));

    if (when) {
      const present = CONDITION_KEYS.filter((k) => when[k] !== undefined);
      if (present.length === 0) {
        add([r, 'when'], `no expiry condition: give at least one of ${CONDITION_KEYS.join(', ')} (several must all hold)`);
      }
      if (when.orderBy !== undefined && when.imageCountMoreThan === undefined) {
        add([r, 'when', 'orderBy'], 'orderBy only applies to imageCountMoreThan', { key: true });
      }
      if (when.sinceImageTransitioned !== undefined && storage !== 'archive') {
        add([r, 'when', 'sinceImageTransitioned'], 'sinceImageTransitioned needs select.storageClass: archive (only archived images have a transition time)', { key: true });
      }
      if (storage === 'archive' && action === 'expire' && tooSoonAfterArchive(when.sinceImageTransitioned)) {
        add([r, 'when', 'sinceImageTransitioned'], archiveMinimumMessage(String(when.sinceImageTransitioned)));
      }
    }
    if (action === 'transition' && storage === 'archive') {
      add([r, 'action'], 'transition moves images to archive; it cannot select images that are already archived (select.storageClass: archive)');
    }

    // Under ECR's evaluation, an image matching a higher rule's selection can never be expired by a
    // lower rule, so a rule below an all-selecting rule is dead code; refuse it rather than surprise.
    if (select) {
      const shadow = lastAnyByStorage.get(storage);
      if (shadow !== undefined) {
        add([r], `rules[${shadow}] selects every ${storage} image (tagStatus: any, no excludeTagPatterns), so this lower-priority rule could never expire anything; put the "any" rule last`);
      }
      if (select.tagStatus === 'any' && select.excludeTagPatterns === undefined) lastAnyByStorage.set(storage, r);
      if (select.tagStatus === 'untagged') {
        const first = untaggedByStorage.get(storage);
        if (first !== undefined) {
          add([r, 'select', 'tagStatus'], `rules[${first}] already selects untagged ${storage} images, so this rule could never expire anything; merge them (one untagged rule per storage class, as in ECR)`);
        } else untaggedByStorage.set(storage, r);
      }
    }
  });
}

function checkSelect(select: Raw, add: Add): void {
  const status = select.tagStatus;
  if (status === 'tagged' && select.tagPatterns === undefined) {
    add(['tagStatus'], 'tagStatus "tagged" needs tagPatterns (use ["*"] to select every tagged image)');
  }
  if (status === 'untagged') {
    for (const key of ['tagPatterns', 'excludeTagPatterns'] as const) {
      if (select[key] !== undefined) add([key], `tagStatus "untagged" takes no ${key}: untagged images have no tags to match`, { key: true });
    }
  }
  if (status === 'any' && select.tagPatterns !== undefined) {
    add(['tagPatterns'], 'tagPatterns need tagStatus "tagged" (with "any", use excludeTagPatterns to leave images out)', { key: true });
  }
}

/** True for a valid positive duration under ECR's archive minimum; malformed values are the schema's to report. */
function tooSoonAfterArchive(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    return false;
  }
  return ms > 0 && ms < LIFECYCLE_POLICY_LIMITS.minArchiveDaysBeforeExpire * DAY_MS;
}
