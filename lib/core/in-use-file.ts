/**
 * In-use files, the pure part: the text of one file in, its usages or a precise problem out; then
 * the files of a run judged together (age, clock, expected sources, size). Reading files from disk
 * or S3 is the adapter's (lib/adapters/in-use-files.ts). Every problem names the file and, inside
 * it, the line and column or the JSON path, because one bad file blocks every deletion (fail
 * closed) and the person who has to fix it is rarely the one who wrote it.
 *
 * Two formats:
 * - a JSON array of image reference strings (the format ecrm's `scan --output` writes);
 * - `{ "generatedAt": ISO, "source": "prod-eks", "kind"?: "Kubernetes", "images": [...] }`, where
 *   an image is a reference string or `{ "image": "...", "consumer": "deployment shop/web" }`.
 */
import { editDistance } from './edit-distance.js';
import { parseImageReference } from './image-reference.js';
import type { InUseUsage } from './in-use.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { isoTime } from './iso-time.js';
import { lineColumn } from './rules-source.js';

/**
 * Bytes one file may have. The Kubernetes exporter writes each distinct image once with one
 * consumer, about 200 bytes an entry, so 16 MiB holds some 80,000 images: several times the largest
 * clusters (Kubernetes' own limit is 150,000 pods, most sharing images), and small enough that a
 * Lambda function reads and parses it in well under a second.
 */
export const MAX_IN_USE_FILE_BYTES = 16 * 1_048_576;
/**
 * Files one run may read. One per cluster or producer; 1,000 is one ListObjectsV2 page and more
 * clusters than any one registry serves, so more files means a wrong prefix (a bucket root).
 */
export const MAX_IN_USE_FILES = 1_000;
/**
 * References all files of a run may hold together. The in-use set is kept in memory for the whole
 * run (about 300 bytes a usage with its consumer), so 250,000 is some 75 MB: three full-size files.
 */
export const MAX_IN_USE_REFERENCES = 250_000;
/** How far in the future a file's time may be before it is refused: clocks of clusters and of the sweeper differ a little. */
export const IN_USE_FILE_FUTURE_SKEW_MS = 5 * 60_000;
/** Longest `source`, `kind` or `consumer`: one line in a reason (a Kubernetes namespace and name alone may take 317 characters). */
export const MAX_IN_USE_NAME_CHARS = 512;

/** What a problem is; the adapter's I/O problems use the same codes. */
export type InUseFileProblemCode =
  /** Not valid JSON, or not one of the two formats. */
  | 'file-malformed'
  /** Older than `maxAge`. */
  | 'file-stale'
  /** Its time is later than now (beyond a small clock skew). */
  | 'file-from-future'
  /** An `expect`ed source has no file. */
  | 'file-missing'
  /** Larger than {@link MAX_IN_USE_FILE_BYTES}. */
  | 'file-too-large'
  /** Exists but cannot be read (permissions, not a regular file, an I/O error). */
  | 'file-unreadable'
  /** A location that does not exist, or holds no `.json` file. */
  | 'location-not-found'
  /** An S3 prefix that cannot be listed. */
  | 'location-unlistable'
  /** More files than {@link MAX_IN_USE_FILES}. */
  | 'too-many-files'
  /** More references than {@link MAX_IN_USE_REFERENCES}. */
  | 'too-many-references';

/** Why in-use files cannot be trusted; any one fails the run closed. */
export interface InUseFileProblem {
  code: InUseFileProblemCode;
  /** The file or location: a path or an `s3://` URI. */
  where: string;
  /** Inside the file: `line 3, column 7` or a JSON path such as `$.images[4]`. */
  at?: string;
  message: string;
}

/** One file as the adapter read it. */
export interface InUseFileMeta {
  /** How messages and consumers name the file: its path or `s3://bucket/key`. */
  where: string;
  /** The file name without `.json`: the source name when the file does not give one. */
  name: string;
  /** Modification time (mtime, S3 LastModified), epoch ms; the file's age when it has no `generatedAt`. */
  modifiedAt: number | null;
}

/** A file that parsed. */
export interface InUseFile {
  where: string;
  /** The file's `source`, else its name: what `inUse.files.expect` names. */
  sourceName: string;
  /** The time its age is judged by, epoch ms, and where that time came from. */
  asOf: number | null;
  asOfFrom: 'generatedAt' | 'modified';
  usages: InUseUsage[];
}

export type ParsedInUseFile = { ok: true; file: InUseFile } | { ok: false; problem: InUseFileProblem };

const OBJECT_KEYS = ['generatedAt', 'source', 'kind', 'images'] as const;
const IMAGE_KEYS = ['image', 'consumer'] as const;
// An ISO-8601 instant with its offset: a time without one would be read in the machine's time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Parses one in-use file. Never throws: anything that is not one of the two formats, and any
 * image string that is not an image reference, is a `file-malformed` problem naming where.
 * A leading byte order mark is ignored.
 *
 * @example
 * parseInUseFile('["123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v1"]', { where: 'in-use.json', name: 'in-use', modifiedAt: 0 })
 * // { ok: true, file: { sourceName: 'in-use', usages: [{ consumer: 'in-use file in-use.json', source: 'file', reference: '…/web:v1' }], … } }
 */
export function parseInUseFile(text: string, meta: InUseFileMeta): ParsedInUseFile {
  const bad = (message: string, at?: string): ParsedInUseFile => ({
    ok: false,
    problem: { code: 'file-malformed', where: meta.where, ...(at !== undefined ? { at } : {}), message },
  });
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const syntax = findJsonSyntaxError(body);
    if (!syntax) return bad('not valid JSON');
    const { line, column } = lineColumn(body, syntax.offset);
    return bad(`JSON syntax: ${syntax.message}`, `line ${line}, column ${column}`);
  }
  const fileConsumer = `in-use file ${meta.where}`;
  if (Array.isArray(value)) {
    const usages: InUseUsage[] = [];
    for (let i = 0; i < value.length; i++) {
      const entry: unknown = value[i];
      if (typeof entry !== 'string') return bad(`expected an image reference string, found ${kindOf(entry)}`, `$[${i}]`);
      const problem = referenceProblem(entry);
      if (problem) return bad(problem, `$[${i}]`);
      usages.push({ consumer: fileConsumer, source: 'file', reference: entry });
    }
    return { ok: true, file: { where: meta.where, sourceName: meta.name, asOf: meta.modifiedAt, asOfFrom: 'modified', usages } };
  }
  if (value === null || typeof value !== 'object') {
    return bad(`expected a JSON array of image references or an object with "images", found ${kindOf(value)}`, '$');
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!(OBJECT_KEYS as readonly string[]).includes(key)) return bad(unknownKeyMessage(key, OBJECT_KEYS), jsonPath('$', key));
  }
  let generatedAt: number | null = null;
  if (object.generatedAt !== undefined) {
    const raw = object.generatedAt;
    const instant = typeof raw === 'string' ? parseInstant(raw) : null;
    if (instant === null) {
      return bad(`expected an ISO-8601 time with its offset, such as "2026-12-01T03:00:00Z", found ${kindOf(raw)}`, '$.generatedAt');
    }
    generatedAt = instant;
  }
  const source = nameField(object.source, '$.source');
  if (typeof source === 'object') return bad(source.message, '$.source');
  const kind = nameField(object.kind, '$.kind');
  if (typeof kind === 'object') return bad(kind.message, '$.kind');
  if (kind !== undefined && source === undefined) return bad('"kind" says what the source is, so it needs "source" too', '$.kind');
  if (object.images === undefined) return bad('missing "images": the list of image references in use', '$');
  if (!Array.isArray(object.images)) return bad(`expected "images" to be an array, found ${kindOf(object.images)}`, '$.images');
  // The object format is the Kubernetes exporter's, so a source is a cluster unless `kind` says otherwise.
  const origin = source !== undefined ? `${kind ?? 'Kubernetes'} ${source}` : undefined;
  const from = `from in-use file ${meta.where}`;
  const wholeFile = origin !== undefined ? `${origin} (${from})` : fileConsumer;
  const usages: InUseUsage[] = [];
  const images: unknown[] = object.images;
  for (let i = 0; i < images.length; i++) {
    const entry = images[i];
    const at = `$.images[${i}]`;
    let reference: string;
    let consumer = wholeFile;
    if (typeof entry === 'string') {
      reference = entry;
    } else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
      const item = entry as Record<string, unknown>;
      for (const key of Object.keys(item)) {
        if (!(IMAGE_KEYS as readonly string[]).includes(key)) return bad(unknownKeyMessage(key, IMAGE_KEYS), jsonPath(at, key));
      }
      if (typeof item.image !== 'string') return bad(`expected "image" to be an image reference string, found ${kindOf(item.image)}`, `${at}.image`);
      reference = item.image;
      const named = nameField(item.consumer, `${at}.consumer`);
      if (typeof named === 'object') return bad(named.message, `${at}.consumer`);
      if (named !== undefined) consumer = origin !== undefined ? `${origin}, ${named} (${from})` : `${named} (${from})`;
    } else {
      return bad(`expected an image reference string or {"image": ..., "consumer": ...}, found ${kindOf(entry)}`, at);
    }
    const problem = referenceProblem(reference);
    if (problem) return bad(problem, typeof entry === 'string' ? at : `${at}.image`);
    usages.push({ consumer, source: 'file', reference });
  }
  return {
    ok: true,
    file: {
      where: meta.where,
      sourceName: source ?? meta.name,
      asOf: generatedAt ?? meta.modifiedAt,
      asOfFrom: generatedAt !== null ? 'generatedAt' : 'modified',
      usages,
    },
  };
}

/** How the files of a run are judged. */
export interface InUseFileJudgement {
  /** Epoch ms. */
  now: number;
  /** `inUse.files.maxAge`. */
  maxAgeMs: number;
  /** `inUse.files.expect`: source names that must have a file. */
  expect: readonly string[];
  /** Default {@link IN_USE_FILE_FUTURE_SKEW_MS}. */
  futureSkewMs?: number;
  /** Default {@link MAX_IN_USE_REFERENCES}. */
  maxReferences?: number;
}

/** The files' usages, or every reason not to trust them. */
export interface JudgedInUseFiles {
  usages: InUseUsage[];
  /** Empty when the files can be used; otherwise the run fails closed. */
  problems: InUseFileProblem[];
}

/**
 * Judges the files of a run together: each parsed file's age (its `generatedAt`, else its
 * modification time) against `maxAgeMs` and the clock, the `expect`ed sources, and the total of
 * references. Problems of files that did not parse are passed through, in order.
 *
 * @example
 * judgeInUseFiles(parsed, { now, maxAgeMs: 86_400_000, expect: ['prod-eks'] }).problems // [] when all is well
 */
export function judgeInUseFiles(files: readonly ParsedInUseFile[], judgement: InUseFileJudgement): JudgedInUseFiles {
  const skew = judgement.futureSkewMs ?? IN_USE_FILE_FUTURE_SKEW_MS;
  const maxReferences = judgement.maxReferences ?? MAX_IN_USE_REFERENCES;
  const problems: InUseFileProblem[] = [];
  const usages: InUseUsage[] = [];
  const sources = new Set<string>();
  let references = 0;
  for (const parsed of files) {
    if (!parsed.ok) {
      problems.push(parsed.problem);
      continue;
    }
    const file = parsed.file;
    sources.add(file.sourceName);
    const stamp = file.asOfFrom === 'generatedAt' ? 'generatedAt' : 'modification time';
    if (file.asOf === null || !Number.isFinite(file.asOf)) {
      problems.push({ code: 'file-stale', where: file.where, message: 'has no "generatedAt" and no modification time, so its age is unknown; add "generatedAt"' });
    } else if (file.asOf > judgement.now + skew) {
      problems.push({
        code: 'file-from-future',
        where: file.where,
        message: `${stamp} ${isoTime(file.asOf)} is ${roughAge(file.asOf - judgement.now)} in the future (more than ${roughAge(skew)} of clock skew); check the clock of whatever writes it`,
      });
    } else if (judgement.now - file.asOf > judgement.maxAgeMs) {
      problems.push({
        code: 'file-stale',
        where: file.where,
        message: `${stamp} ${isoTime(file.asOf)} is ${roughAge(judgement.now - file.asOf)} old, older than inUse.files.maxAge (${roughAge(judgement.maxAgeMs)}); whatever writes it may have stopped`,
      });
    }
    references += file.usages.length;
    for (const usage of file.usages) usages.push(usage);
  }
  if (references > maxReferences) {
    const first = files.find((f) => f.ok);
    problems.push({
      code: 'too-many-references',
      where: first?.ok ? first.file.where : 'in-use files',
      message: `the in-use files hold ${references.toLocaleString('en-US')} references, more than ${maxReferences.toLocaleString('en-US')} (each is held in memory for the whole run); list each image once`,
    });
  }
  for (const expected of judgement.expect) {
    if (!sources.has(expected)) {
      problems.push({
        code: 'file-missing',
        where: expected,
        message: `inUse.files.expect names source '${expected}', but no in-use file has that "source" or file name${nearest(expected, sources)}`,
      });
    }
  }
  return { usages: problems.length === 0 ? usages : [], problems };
}

/**
 * One line per problem, for an error message: `s3://b/in-use/prod.json: $.images[3]: …`.
 *
 * @example formatInUseFileProblem({ code: 'file-stale', where: 'a.json', message: '…' }) // 'a.json: …'
 */
export function formatInUseFileProblem(problem: InUseFileProblem): string {
  return `${problem.where}: ${problem.at !== undefined ? `${problem.at}: ` : ''}${problem.message}`;
}

/** "42s", "17m", "26h", "3d": an age read at a glance (whole units, rounded down). */
export function roughAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3_600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** An ISO-8601 instant with its offset, or null; `Date.parse` alone rolls February 30 over to March. */
function parseInstant(text: string): number | null {
  if (!ISO_INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  const day = text.slice(0, 10);
  const midnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms) || Number.isNaN(midnight) || isoTime(midnight).slice(0, 10) !== day) return null;
  const [hours, minutes] = [Number(text.slice(11, 13)), Number(text.slice(14, 16))];
  return hours < 24 && minutes < 60 ? ms : null;
}

function referenceProblem(reference: string): string | null {
  const parsed = parseImageReference(reference);
  if (parsed.ok) return null;
  // The parser quotes the bad part, which may be the whole (long) reference again.
  const why = parsed.problem.length > 160 ? `${parsed.problem.slice(0, 157)}...` : parsed.problem;
  return `${describeValue(reference)} is not an image reference: ${why}`;
}

/** A `source`, `kind` or `consumer`: absent, or a short one-line string. */
function nameField(value: unknown, path: string): string | undefined | { message: string } {
  if (value === undefined) return undefined;
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (typeof value !== 'string') return { message: `expected "${field}" to be a string, found ${kindOf(value)}` };
  if (value.trim() === '') return { message: `"${field}" is empty` };
  if (value.length > MAX_IN_USE_NAME_CHARS) return { message: `"${field}" is longer than ${MAX_IN_USE_NAME_CHARS} characters` };
  if (CONTROL.test(value)) return { message: `"${field}" contains a control character or line break` };
  return value;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  return `unknown key ${JSON.stringify(key)}${nearest(key, known)}; the keys are ${known.map((k) => `"${k}"`).join(', ')}`;
}

function nearest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** `$.images` for plain keys, `$["odd key"]` otherwise, as JSONPath writes them. */
function jsonPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${describeValue(value)}`;
  return `${typeof value === 'number' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : 'the value'} ${String(value)}`;
}

/** A value quoted for a message, cut short when long. */
function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(short);
}
