/**
 * Turns zod issues into rules issues a person can act on: positioned, phrased as "expected X,
 * got Y", with the allowed keys (and a likely typo fix) for unknown keys.
 */
import type * as z from 'zod';
import type { RuleIssue } from '../errors.js';
import { editDistance } from './edit-distance.js';
import { formatPath, type IssuePath, type SourceDocument } from './rules-source.js';

type AnySchema = z.core.$ZodType;

/** Object keys the schema allows at `path`, or undefined when it cannot tell. */
function allowedKeysAt(schema: AnySchema, path: IssuePath): string[] | undefined {
  let current: AnySchema | undefined = schema;
  const unwrap = (s: AnySchema | undefined): AnySchema | undefined => {
    let cur = s;
    for (let i = 0; cur && i < 10; i++) {
      const def = cur._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema; options?: AnySchema[] };
      if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) cur = def.innerType;
      else if (def.type === 'pipe' && def.in) cur = def.in;
      else if (def.type === 'union' && def.options) cur = def.options.find((o) => (o._zod.def as { type: string }).type === 'object') ?? def.options[0];
      else break;
    }
    return cur;
  };
  for (const seg of path) {
    current = unwrap(current);
    if (!current) return undefined;
    const def = current._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    if (def.type === 'object' && typeof seg === 'string') current = def.shape?.[seg];
    else if (def.type === 'array' && typeof seg === 'number') current = def.element;
    else return undefined;
  }
  current = unwrap(current);
  const def = current?._zod.def as unknown as { type: string; shape?: Record<string, AnySchema> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/**
 * The candidate a mistyped key or value most likely meant: the nearest by edit distance (case
 * ignored) within a quarter of its length, at least 1 (`taged` → `tagged`, `dryrun` → `dry-run`,
 * `Archive` → `archive`); undefined when nothing is that close.
 */
export function closest(text: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(text, c);
    if (d <= Math.max(1, Math.floor(c.length / 4)) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

// YAML 1.2 reads only true/false as booleans; these are what people write meaning one of them.
const MEANS_TRUE = new Set(['yes', 'y', 'on', 'enable', 'enabled']);
const MEANS_FALSE = new Set(['no', 'n', 'off', 'disable', 'disabled', 'none']);

/**
 * ` — did you mean true?` for a string that reads as a boolean (`yes`, `off`, `ture`), else ''.
 * YAML 1.1 habits (`yes`, `on`) are strings to the YAML 1.2 loader, so `ecs: yes` is not `true`.
 */
export function booleanHint(value: unknown): string {
  if (typeof value !== 'string') return '';
  const text = value.trim().toLowerCase();
  // Swapped letters (`ture`, `flase`) are two edits away, too far for `closest`; compare the letters.
  const letters = (s: string) => [...s].sort().join('');
  const meant = MEANS_TRUE.has(text)
    ? 'true'
    : MEANS_FALSE.has(text)
      ? 'false'
      : (['true', 'false'].find((b) => letters(b) === letters(text)) ?? closest(text, ['true', 'false']));
  return meant !== undefined ? ` — did you mean ${meant}?` : '';
}

/** Describes a value briefly for "got ..." messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !(seg in (cur as object))) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: cur };
}

/**
 * Converts one zod issue (paths relative to `base` inside `source`) into positioned rules issues.
 * Messages given explicitly in the schema are kept; zod's generic ones are rephrased.
 */
export function zodIssueToRuleIssues(
  issue: z.core.$ZodIssue,
  source: SourceDocument,
  schema: AnySchema,
  base: IssuePath = [],
  root: unknown = source.value,
  decorate: (path: IssuePath, message: string) => string = (_p, m) => m,
): RuleIssue[] {
  const rel = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const path = [...base, ...rel];
  const generic = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Unrecognized key)/.test(issue.message);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, rel) ?? [];
      return issue.keys.map((key) => {
        const close = closest(key, allowed);
        const hint = close !== undefined ? ` — did you mean "${close}"?` : allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
        return source.issue([...path, key], decorate([...path, key], `unknown key "${key}"${hint}`), { key: true });
      });
    }
    case 'invalid_type': {
      const at = valueAt(root, rel);
      if (!at.found) {
        const key = rel[rel.length - 1];
        const parent = path.slice(0, -1);
        if (typeof key === 'string' && valueAt(root, rel.slice(0, -1)).found) {
          const msg = generic ? `missing required key "${key}" (${EXPECTED[issue.expected] ?? issue.expected})` : `missing required key "${key}": ${issue.message}`;
          return [{ ...source.issue(parent, decorate(path, msg)), path: formatPath(path) }];
        }
      }
      const hint = issue.expected === 'boolean' ? booleanHint(at.value) : '';
      const msg = `${generic ? `expected ${EXPECTED[issue.expected] ?? issue.expected}` : issue.message}, got ${describeValue(at.value)}${hint}`;
      return [source.issue(path, decorate(path, msg))];
    }
    case 'invalid_value': {
      const at = valueAt(root, rel);
      const key = rel[rel.length - 1];
      if (!at.found && typeof key === 'string' && valueAt(root, rel.slice(0, -1)).found) {
        const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const expected = issue.values.length === 1 ? `must be ${options}` : `one of ${options}`;
        return [{ ...source.issue(path.slice(0, -1), decorate(path, `missing required key "${key}" (${expected})`)), path: formatPath(path) }];
      }
      const value = valueAt(root, rel).value;
      const got = describeValue(value);
      const suggestion = typeof value === 'string' ? closest(value, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      const hint = suggestion !== undefined ? ` — did you mean "${suggestion}"?` : '';
      const msg = generic ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}${hint}` : `${issue.message}${hint}`;
      return [source.issue(path, decorate(path, msg))];
    }
    case 'too_small':
    case 'too_big': {
      if (!generic) return [source.issue(path, decorate(path, issue.message))];
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const what = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      const cmp = issue.code === 'too_small' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      const got = valueAt(root, rel).value;
      const gotText = Array.isArray(got) ? `${got.length} item${got.length === 1 ? '' : 's'}` : describeValue(got);
      return [source.issue(path, decorate(path, `expected ${cmp} ${String(bound)}${what ? ` ${what}` : ''}, got ${gotText}`))];
    }
    case 'invalid_format': {
      // A hint (` — did you mean ...?`) reads last, after what was given.
      const [message = issue.message, ...hint] = issue.message.split(' — ');
      const got = `, got ${describeValue(valueAt(root, rel).value)}`;
      return [source.issue(path, decorate(path, `${message}${got}${hint.length ? ` — ${hint.join(' — ')}` : ''}`))];
    }
    case 'invalid_union': {
      // `ecs: true | { clusters, ... }`: a mapping with one bad key fails both options, and zod then
      // blames the whole value. Report what is wrong inside the mapping instead.
      const inner = mappingOptionIssues(issue, valueAt(root, rel).value);
      if (inner) return inner.flatMap((i) => zodIssueToRuleIssues({ ...i, path: [...issue.path, ...i.path] }, source, schema, base, root, decorate));
      return [source.issue(path, decorate(path, issue.message))];
    }
    default:
      return [source.issue(path, decorate(path, issue.message))];
  }
}

/**
 * For a mapping or a list that failed a union of a scalar and a mapping (or list) schema: the issues of that
 * option (the only option that did not reject the value's type outright), else undefined.
 */
function mappingOptionIssues(issue: z.core.$ZodIssueInvalidUnion, value: unknown): z.core.$ZodIssue[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  // A list fails a literal option (`regions: all | [...]`) by value, not by type: that is a rejection of its type too.
  const typeRejection = (issues: z.core.$ZodIssue[]) =>
    issues.length === 1 && (issues[0]?.code === 'invalid_type' || (Array.isArray(value) && issues[0]?.code === 'invalid_value')) && issues[0].path.length === 0;
  const candidates = issue.errors.filter((issues) => !typeRejection(issues));
  const [only, ...more] = candidates;
  return only !== undefined && more.length === 0 && only.length > 0 ? only : undefined;
}
