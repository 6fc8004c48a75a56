/**
 * In-use files (source `file`): the references that Kubernetes clusters (deploy/kubernetes/) or
 * anything else write down, read from local paths (the CLI) and S3 prefixes (the Lambda
 * functions). Reading is all-or-nothing: an unreadable, malformed, stale or missing file, a
 * location that does not exist or a prefix that cannot be listed fails the scan closed with an
 * {@link InUseFilesError} naming every file at fault, because an image a missing file would have
 * protected looks unused. The parsing and the judging are pure (lib/core/in-use-file.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import {
  formatInUseFileProblem,
  judgeInUseFiles,
  MAX_IN_USE_FILE_BYTES,
  MAX_IN_USE_FILES,
  MAX_IN_USE_REFERENCES,
  parseInUseFile,
  type InUseFileProblem,
  type ParsedInUseFile,
} from '../core/in-use-file.js';
import type { InUseFileSettings } from '../core/rules-model.js';
import { parseS3Uri, type S3Location } from '../core/s3-uri.js';
import { InUseSourceError } from '../engine/errors.js';
import type { InUseScan, InUseSourceReader } from '../engine/types.js';
import { ConfigError } from '../errors.js';
import { formatBytesLimit, InputTooLargeError, NotARegularFileError, readTextCapped } from './bounded-read.js';

/**
 * Parses `s3://bucket/prefix`, or returns null for anything that is not an `s3://` URI.
 *
 * @example parseS3Location('s3://ops/in-use/') // { bucket: 'ops', prefix: 'in-use/' }
 * A prefix may be empty (the whole bucket) and is taken as S3 takes a prefix, so `in-use/prod`
 * also matches `in-use/production.json`.
 * @throws S3UriError (a ConfigError) for an `s3://` URI that no bucket can have.
 */
export function parseS3Location(uri: string): S3Location | null {
  // Any casing of the scheme is meant as S3, never as a local path: `S3://` gets the URI error.
  if (!/^s3:\/\//i.test(uri)) return null;
  // One definition of a valid URI, the one the rules loader checks (lib/core/s3-uri.ts).
  return parseS3Uri(uri);
}

/** The in-use files could not be trusted; `problems` lists every file at fault (the message, the first ten). */
export class InUseFilesError extends InUseSourceError {
  readonly problems: readonly InUseFileProblem[];
  constructor(problems: readonly InUseFileProblem[], options?: ErrorOptions) {
    const [first, ...rest] = problems;
    if (!first) throw new RangeError('InUseFilesError needs at least one problem');
    const shown = rest.slice(0, 9).map(formatInUseFileProblem);
    const more = rest.length > shown.length ? [`and ${rest.length - shown.length} more`] : [];
    const message = [`${first.at !== undefined ? `${first.at}: ` : ''}${first.message}`, ...shown, ...more].join('; ');
    super('file', first.code, message, { ...options, location: first.where });
    this.problems = problems;
  }
}

export interface InUseFileReaderOptions {
  settings: InUseFileSettings;
  /** Relative local paths are resolved against this: the directory of the rules file. */
  baseDirectory: string;
  /** Reads the `s3://` locations; required when there is one. */
  s3?: S3Client;
  /** Read when `settings.locations` is empty: the deployment's own in-use prefix (`IN_USE_S3_URI`). */
  defaultLocation?: string;
  /** Files read at once; default 8. */
  concurrency?: number;
  /** Limits, lowered by tests; default the documented ones (lib/core/in-use-file.ts). */
  limits?: { maxFileBytes?: number; maxFiles?: number; maxReferences?: number };
  /** ListObjectsV2 page size; default S3's 1000. */
  listPageSize?: number;
}

type Location = { kind: 'local'; written: string; path: string } | { kind: 's3'; written: string; bucket: string; prefix: string };

/** One file found in a location, read later. */
interface FileEntry {
  where: string;
  name: string;
  read(signal: AbortSignal | undefined): Promise<{ text: string; modifiedAt: number | null } | InUseFileProblem>;
}

/** The `file` in-use source: every in-use file under the configured locations. */
export class InUseFileReader implements InUseSourceReader {
  readonly source = 'file' as const;
  readonly label: string;
  private readonly locations: Location[];
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly maxReferences: number;

  /** @throws ConfigError when there is no location, an `s3://` URI is invalid, or one is given without an S3 client. */
  constructor(private readonly options: InUseFileReaderOptions) {
    const written = options.settings.locations.length > 0 ? options.settings.locations : options.defaultLocation ? [options.defaultLocation] : [];
    if (written.length === 0) {
      throw new ConfigError('inUse.files has no locations and this deployment has no in-use prefix (IN_USE_S3_URI); list the files or S3 prefixes to read');
    }
    this.locations = written.map((location): Location => {
      const s3 = parseS3Location(location);
      if (!s3) return { kind: 'local', written: location, path: resolve(options.baseDirectory, location) };
      if (!options.s3) throw new ConfigError(`in-use file location ${location} is in S3, but this run has no S3 client`);
      return { kind: 's3', written: location, ...s3 };
    });
    this.label = `in-use files (${written.join(', ')})`;
    this.maxFileBytes = options.limits?.maxFileBytes ?? MAX_IN_USE_FILE_BYTES;
    this.maxFiles = options.limits?.maxFiles ?? MAX_IN_USE_FILES;
    this.maxReferences = options.limits?.maxReferences ?? MAX_IN_USE_REFERENCES;
  }

  /**
   * Reads every file and returns their usages.
   *
   * @throws InUseFilesError (an InUseSourceError of source `file`) naming every file at fault.
   */
  async scan({ now, signal }: { now: number; signal?: AbortSignal }): Promise<InUseScan> {
    const calls: Record<string, number> = {};
    const count = (operation: string) => (calls[operation] = (calls[operation] ?? 0) + 1);
    const problems: InUseFileProblem[] = [];
    const notes: string[] = [];
    const entries: FileEntry[] = [];
    const seen = new Set<string>();
    for (const location of this.locations) {
      const found =
        location.kind === 'local'
          ? await this.listLocal(location, problems)
          : await this.listS3(location, { problems, notes, count, signal, room: this.maxFiles + 1 - entries.length });
      for (const entry of found) {
        // Two locations may name one file (a directory and a file in it): read it once.
        if (seen.has(entry.where)) continue;
        seen.add(entry.where);
        entries.push(entry);
      }
      if (entries.length > this.maxFiles) break;
    }
    if (entries.length > this.maxFiles) {
      throw new InUseFilesError([
        {
          code: 'too-many-files',
          where: this.label,
          message: `more than ${this.maxFiles.toLocaleString('en-US')} in-use files; one a cluster or producer is expected, so check that the locations name the in-use prefix, not a whole bucket`,
        },
      ]);
    }
    const limit = pLimit(this.options.concurrency ?? 8);
    const parsed = await Promise.all(
      entries.map((entry) =>
        limit(async (): Promise<ParsedInUseFile> => {
          signal?.throwIfAborted();
          if (entry.where.startsWith('s3://')) count('s3:GetObject');
          const read = await entry.read(signal);
          if ('code' in read) return { ok: false, problem: read };
          return parseInUseFile(read.text, { where: entry.where, name: entry.name, modifiedAt: read.modifiedAt });
        }),
      ),
    ).catch((error: unknown) => {
      // Reads and parsing turn every fault into a problem; what is left is the signal, or a bug.
      if (signal?.aborted) throw new InUseSourceError('file', 'Aborted', 'the scan of the in-use files was stopped', { cause: error, location: this.label });
      throw new InUseSourceError('file', 'file-unreadable', messageOf(error), { cause: error, location: this.label });
    });
    const judged = judgeInUseFiles(parsed, {
      now,
      maxAgeMs: this.options.settings.maxAgeMs,
      expect: this.options.settings.expect,
      maxReferences: this.maxReferences,
    });
    const all = [...problems, ...judged.problems];
    if (signal?.aborted) throw new InUseSourceError('file', 'Aborted', 'the scan of the in-use files was stopped', { cause: signal.reason, location: this.label });
    if (all.length > 0) throw new InUseFilesError(all);
    return { usages: judged.usages, calls, ...(notes.length > 0 ? { notes } : {}) };
  }

  /** A file, or the `*.json` files of a directory (not its subdirectories), sorted by name. */
  private async listLocal(location: Extract<Location, { kind: 'local' }>, problems: InUseFileProblem[]): Promise<FileEntry[]> {
    const where = location.path;
    try {
      const stats = await stat(where);
      if (stats.isDirectory()) {
        const names = (await readdir(where, { withFileTypes: true }))
          .filter((d) => !d.isDirectory() && d.name.endsWith('.json'))
          .map((d) => d.name)
          .sort();
        if (names.length === 0) {
          problems.push({ code: 'location-not-found', where, message: 'the directory holds no .json file; the in-use files it should hold are missing' });
        }
        return names.map((name) => this.localEntry(resolve(where, name)));
      }
      return [this.localEntry(where)];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        code === 'ENOENT' || code === 'ENOTDIR'
          ? { code: 'location-not-found', where, message: `does not exist${location.written !== where ? ` (inUse.files location '${location.written}')` : ''}` }
          : { code: 'file-unreadable', where, message: `cannot be read: ${messageOf(error)}` },
      );
      return [];
    }
  }

  private localEntry(path: string): FileEntry {
    return {
      where: path,
      name: stripJson(basename(path)),
      read: async () => {
        try {
          const modifiedAt = (await stat(path)).mtimeMs;
          const text = await readTextCapped(path, {
            what: 'in-use file',
            maxBytes: this.maxFileBytes,
            limitName: 'the limit for one in-use file',
            subject: 'it',
          });
          return { text, modifiedAt: Math.floor(modifiedAt) };
        } catch (error) {
          if (error instanceof InputTooLargeError) return { code: 'file-too-large', where: path, message: error.message };
          if (error instanceof NotARegularFileError) return { code: 'file-unreadable', where: path, message: error.message };
          return { code: 'file-unreadable', where: path, message: `cannot be read: ${messageOf(error)}` };
        }
      },
    };
  }

  /** Every `.json` object under the prefix (ListObjectsV2, every page), up to `room` of them. */
  private async listS3(
    location: Extract<Location, { kind: 's3' }>,
    context: { problems: InUseFileProblem[]; notes: string[]; count: (operation: string) => void; signal: AbortSignal | undefined; room: number },
  ): Promise<FileEntry[]> {
    const s3 = this.options.s3!;
    const where = `s3://${location.bucket}/${location.prefix}`;
    const entries: FileEntry[] = [];
    let skipped = 0;
    let tooLargeHere = 0;
    let token: string | undefined;
    try {
      do {
        context.count('s3:ListObjectsV2');
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            Prefix: location.prefix,
            ...(token ? { ContinuationToken: token } : {}),
            ...(this.options.listPageSize ? { MaxKeys: this.options.listPageSize } : {}),
          }),
          { abortSignal: context.signal },
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key;
          if (!key || key.endsWith('/')) continue;
          if (!key.endsWith('.json')) {
            skipped++;
            continue;
          }
          const objectWhere = `s3://${location.bucket}/${key}`;
          if (object.Size !== undefined && object.Size > this.maxFileBytes) {
            context.problems.push({ code: 'file-too-large', where: objectWhere, message: tooLarge(object.Size, this.maxFileBytes) });
            tooLargeHere++;
            continue;
          }
          entries.push(this.s3Entry(location.bucket, key));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        // Past the room left, the run fails anyway: listing a whole bucket would only cost calls.
      } while (token && entries.length < context.room);
    } catch (error) {
      context.problems.push({ code: 'location-unlistable', where, message: `cannot be listed: ${awsMessageOf(error)}` });
      return [];
    }
    if (entries.length === 0 && tooLargeHere === 0) {
      context.problems.push({ code: 'location-not-found', where, message: 'holds no .json object; the in-use files it should hold are missing' });
    }
    if (skipped > 0) context.notes.push(`${skipped} object${skipped === 1 ? '' : 's'} under ${where} not read: only .json objects are in-use files`);
    return entries;
  }

  private s3Entry(bucket: string, key: string): FileEntry {
    const where = `s3://${bucket}/${key}`;
    return {
      where,
      name: stripJson(key.slice(key.lastIndexOf('/') + 1)),
      read: async (signal) => {
        try {
          const out = await this.options.s3!.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          const bytes = await readCapped(out.Body as AsyncIterable<Uint8Array> | undefined, this.maxFileBytes);
          if (bytes === null) return { code: 'file-too-large', where, message: tooLarge(out.ContentLength ?? this.maxFileBytes + 1, this.maxFileBytes) };
          return { text: new TextDecoder('utf-8').decode(bytes), modifiedAt: out.LastModified?.getTime() ?? null };
        } catch (error) {
          return { code: 'file-unreadable', where, message: `cannot be read: ${awsMessageOf(error)}` };
        }
      },
    };
  }
}

/** The body's bytes, or null as soon as they pass `max` (the object may have grown since it was listed). */
async function readCapped(body: AsyncIterable<Uint8Array> | undefined, max: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) {
      (body as { destroy?: () => void }).destroy?.();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(size: number, max: number): string {
  return `is ${size.toLocaleString('en-US')} bytes, larger than ${formatBytesLimit(max)}, the limit for one in-use file; not read`;
}

function stripJson(name: string): string {
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `AccessDenied: Access Denied`: the S3 error code first, as the AWS console and CLI print it. */
function awsMessageOf(error: unknown): string {
  const name = (error as { name?: string }).name;
  const message = messageOf(error);
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
}
