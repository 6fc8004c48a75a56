/**
 * JSON text in pieces: the same characters as `JSON.stringify(value, null, indent)`, produced a
 * little at a time, so a writer can stream a plan or a result of a million images to a file or
 * an upload without ever holding the whole text (V8 cannot even hold a string past ~512 MiB).
 */

/** Below this depth, arrays and objects are split into one piece per element or member. */
const DEFAULT_SPLIT_DEPTH = 4;

/**
 * Yields `JSON.stringify(value, null, indent)` in pieces: arrays and objects down to `splitDepth`
 * levels are yielded element by element (so a repository's images come one at a time), deeper
 * values whole. Joining the pieces gives exactly `JSON.stringify`'s text for plain data (objects,
 * arrays, strings, finite numbers, booleans, null; `undefined` members left out, `undefined` array
 * elements as `null`, as `JSON.stringify` does).
 *
 * @example
 * ```ts
 * for (const piece of jsonChunks(result)) await file.write(piece);
 * ```
 */
export function* jsonChunks(value: unknown, indent = 2, splitDepth = DEFAULT_SPLIT_DEPTH): Generator<string> {
  yield* chunksOf(value, '', ' '.repeat(indent), splitDepth);
}

function* chunksOf(value: unknown, pad: string, step: string, depth: number): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield whole(value, pad, step);
    return;
  }
  const inner = pad + step;
  // Indent 0 is JSON.stringify's compact form: no line breaks, no space after the colon.
  const nl = step === '' ? '' : '\n';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}${nl}${inner}`;
      const element: unknown = value[i];
      // JSON.stringify writes what it cannot represent in an array as null.
      if (element === undefined || typeof element === 'function' || typeof element === 'symbol') yield 'null';
      else yield* chunksOf(element, inner, step, depth - 1);
    }
    yield `${nl}${pad}]`;
    return;
  }
  let first = true;
  const record = value as Record<string, unknown>;
  // Each member read when it is written, not all up front (Object.entries would): a member that is
  // a getter (a repository's decisions, its images) is built, written and dropped one at a time.
  for (const key of Object.keys(record)) {
    const member = record[key];
    // JSON.stringify leaves out members it cannot represent.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    yield `${first ? '{' : ','}${nl}${inner}${JSON.stringify(key)}:${step === '' ? '' : ' '}`;
    first = false;
    yield* chunksOf(member, inner, step, depth - 1);
  }
  yield first ? '{}' : `${nl}${pad}}`;
}

/** One value whole, indented to sit at `pad` (JSON strings hold no raw newline, so each newline is a line break of the layout). */
function whole(value: unknown, pad: string, step: string): string {
  const text = JSON.stringify(value, null, step.length) ?? 'null';
  return pad === '' ? text : text.replace(/\n/g, `\n${pad}`);
}
