/**
 * Parsed source text (YAML, or JSON, which is YAML 1.2) that remembers where every value came
 * from, so validation problems found on plain values can be reported at a line and column.
 * JSON text is read by the YAML parser for positions but judged by JSON's own syntax rules.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import type { RuleIssue } from '../errors.js';
import { findJsonSyntaxError } from './json-syntax.js';

export type IssuePath = readonly (string | number)[];

/** A document parsed with positions, plus the syntax problems found while parsing. */
export interface SourceDocument {
  file?: string;
  /** The plain JavaScript value (undefined when the text is empty). */
  value: unknown;
  syntaxIssues: RuleIssue[];
  /** Line and column (1-based) of the node at `path`, or of its nearest existing ancestor. */
  locate(path: IssuePath, options?: { key?: boolean }): { line: number; column: number };
  /** Builds a positioned issue. */
  issue(path: IssuePath, message: string, options?: { key?: boolean }): RuleIssue;
}

/**
 * Formats an issue path the way users see it in messages: `policies[0].rules[1].when`.
 */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/**
 * Parses YAML (or JSON) text, keeping positions. Never throws: syntax errors come back as
 * `syntaxIssues` with their line and column, and `value` is whatever could be read.
 */
export function parseSourceDocument(text: string, file?: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const syntaxIssues: RuleIssue[] = [...doc.errors].map((e) => {
    const pos = at(e.pos[0]);
    return { ...(file !== undefined ? { file } : {}), ...pos, path: '', message: `YAML syntax: ${yamlErrorMessage(e, pos)}` };
  });
  let value: unknown;
  if (syntaxIssues.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      syntaxIssues.push({ ...(file !== undefined ? { file } : {}), line: 1, column: 1, path: '', message: `YAML: ${(error as Error).message}` });
    }
  }

  const locate = (path: IssuePath, options: { key?: boolean } = {}) => {
    let node: unknown = doc.contents;
    let offset = node && (node as Node).range ? (node as Node).range![0] : 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (pair) {
          keyNode = pair.key;
          next = pair.value ?? pair.key;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined) break;
      const last = i === path.length - 1;
      const target = last && options.key && keyNode ? keyNode : next;
      const range = (target as Node | null)?.range;
      if (range) offset = range[0];
      node = next;
    }
    return at(offset);
  };

  return {
    ...(file !== undefined ? { file } : {}),
    value,
    syntaxIssues,
    locate,
    issue(path, message, options) {
      return { ...(file !== undefined ? { file } : {}), ...locate(path, options), path: formatPath(path), message };
    },
  };
}

/**
 * The yaml library's message in the user's terms. Its MULTIPLE_DOCS text points at a library
 * function ("please use YAML.parseAllDocuments()"), which means nothing to someone editing a file.
 */
function yamlErrorMessage(error: YAMLError, pos: { line: number; column: number }): string {
  if (error.code === 'MULTIPLE_DOCS') {
    return `a rules file holds one YAML document, but a second one starts at line ${pos.line}, column ${pos.column}; remove the "---" (or "...") separator there, or split the file`;
  }
  return error.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '');
}

/** A JSON source document: positions as for YAML, but syntax judged by JSON's rules. */
export interface JsonSourceDocument extends SourceDocument {
  /** True when the text is not JSON but reads as YAML, so callers can say "must be JSON" instead. */
  isYamlNotJson: boolean;
}

/**
 * Parses JSON text, keeping positions. Syntax errors are JSON's, each with its line and column
 * (`JSON syntax: expected ',' or '}' after a property value, found ","`), never the YAML
 * parser's wording; `value` is undefined when the text is not valid JSON. Never throws.
 */
export function parseJsonSourceDocument(text: string, file?: string): JsonSourceDocument {
  const yaml = parseSourceDocument(text, file);
  const jsonError = findJsonSyntaxError(text);
  const fileField = file !== undefined ? { file } : {};
  if (jsonError) {
    const pos = lineColumn(text, jsonError.offset);
    const readsAsYaml = yaml.syntaxIssues.length === 0 && !/^\s*[[{]/.test(text) && yaml.value !== null && typeof yaml.value === 'object';
    return {
      ...yaml,
      value: undefined,
      syntaxIssues: [{ ...fileField, ...pos, path: '', message: `JSON syntax: ${jsonError.message}` }],
      isYamlNotJson: readsAsYaml,
    };
  }
  // Valid JSON the YAML parser still refuses: a key repeated in one object.
  const syntaxIssues = yaml.syntaxIssues.map((issue) => ({
    ...issue,
    message: issue.message.startsWith('YAML syntax: Map keys must be unique')
      ? 'JSON: a key appears twice in the same object; each key may appear once'
      : issue.message.replace(/^YAML syntax: /, 'JSON: '),
  }));
  return { ...yaml, syntaxIssues, isYamlNotJson: false };
}

/** 1-based line and column of a character offset (lines end at \n, \r\n or \r, as JSON whitespace allows). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Orders issues for reading: by file (first appearance kept), then line, then column.
 * Stable, so issues at the same spot keep the order they were found in.
 */
export function sortIssues(issues: readonly RuleIssue[]): RuleIssue[] {
  const fileOrder = new Map<string | undefined, number>();
  for (const i of issues) if (!fileOrder.has(i.file)) fileOrder.set(i.file, fileOrder.size);
  return [...issues].sort(
    (a, b) =>
      (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
