/**
 * Reads user-named text files (rules, lifecycle policies) with a size cap enforced while reading:
 * a file is refused as soon as it crosses the cap, so `/dev/zero` or a 50 MB file fails in
 * milliseconds instead of growing the heap until the process dies. Only regular files are read;
 * a FIFO, a device or a directory is refused by name before it is opened (opening a FIFO would
 * block until something writes to it).
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/** The cap on what may be read, and how the file is named in messages. */
export interface ReadCap {
  /** What the file is, for messages: "rules file", "lifecycle policy file". */
  what: string;
  /** Bytes that may be read; one more is an error. */
  maxBytes?: number;
  /** Characters (UTF-16 code units, as ECR counts a policy) the text may have; one more is an error. */
  maxChars?: number;
  /** Why the limit exists, appended to the message ("ECR's limit for a lifecycle policy"). */
  limitName: string;
  /** How messages name the file; default `<what> <path>`. "it" when the caller already named it. */
  subject?: string;
}

const subjectOf = (path: string, cap: ReadCap): string => cap.subject ?? `${cap.what} ${path}`;

/** A file is larger than its documented limit; nothing past the limit was read. */
export class InputTooLargeError extends ConfigError {
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/** A path names something other than a regular file (a FIFO, a device, a directory). */
export class NotARegularFileError extends ConfigError {
  readonly path: string;
  constructor(path: string, kind: string, subject: string, options?: ErrorOptions) {
    super(`${subject} is ${kind}, not a regular file; give the path of a file`, options);
    this.path = path;
  }
}

const CHUNK = 64 * 1024;

/**
 * Reads a regular file as UTF-8, failing as soon as it crosses `cap`.
 *
 * @example const text = await readTextCapped('rules.yml', { what: 'rules file', maxBytes: 1_048_576, limitName: 'the rules file limit' });
 * @throws NotARegularFileError, InputTooLargeError (both ConfigError: exit 2), or the file system's error.
 */
export async function readTextCapped(path: string, cap: ReadCap): Promise<string> {
  refuseIrregular(await stat(path), path, subjectOf(path, cap));
  const handle = await open(path, 'r');
  try {
    const reader = new CappedText(path, cap);
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, reader.nextReadSize(CHUNK), null);
      if (bytesRead === 0) return reader.finish();
      reader.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

/** Synchronous {@link readTextCapped}, for the rules parser's synchronous file callback. */
export function readTextCappedSync(path: string, cap: ReadCap): string {
  refuseIrregular(statSync(path), path, subjectOf(path, cap));
  const fd = openSync(path, 'r');
  try {
    const reader = new CappedText(path, cap);
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, reader.nextReadSize(CHUNK), null);
      if (bytesRead === 0) return reader.finish();
      reader.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
}

function refuseIrregular(stats: Stats, path: string, subject: string): void {
  if (stats.isFile()) return;
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : 'not a file';
  throw new NotARegularFileError(path, kind, subject);
}

/** Accumulates decoded text and throws the moment a cap is crossed. */
class CappedText {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly parts: string[] = [];
  private bytes = 0;
  private chars = 0;

  constructor(
    private readonly path: string,
    private readonly cap: ReadCap,
  ) {}

  /** How much to ask for next: never more than one byte past the byte cap. */
  nextReadSize(chunk: number): number {
    if (this.cap.maxBytes === undefined) return chunk;
    return Math.max(1, Math.min(chunk, this.cap.maxBytes + 1 - this.bytes));
  }

  push(data: Uint8Array): void {
    this.bytes += data.length;
    if (this.cap.maxBytes !== undefined && this.bytes > this.cap.maxBytes) {
      throw new InputTooLargeError(this.path, `${subjectOf(this.path, this.cap)} is larger than ${formatBytesLimit(this.cap.maxBytes)}, ${this.cap.limitName}; stopped reading there`);
    }
    this.add(this.decoder.decode(data, { stream: true }));
  }

  finish(): string {
    this.add(this.decoder.decode());
    return this.parts.join('');
  }

  private add(text: string): void {
    this.chars += text.length;
    if (this.cap.maxChars !== undefined && this.chars > this.cap.maxChars) {
      throw new InputTooLargeError(
        this.path,
        `${subjectOf(this.path, this.cap)} is longer than ${this.cap.maxChars.toLocaleString('en-US')} characters, ${this.cap.limitName}; stopped reading there`,
      );
    }
    this.parts.push(text);
  }
}

/** "1 MiB (1,048,576 bytes)" for whole MiB, else "N bytes". */
export function formatBytesLimit(bytes: number): string {
  const exact = bytes.toLocaleString('en-US');
  return bytes % 1_048_576 === 0 ? `${bytes / 1_048_576} MiB (${exact} bytes)` : `${exact} bytes`;
}
