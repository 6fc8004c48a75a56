/**
 * Repository globs (`include`, `exclude`, `protect.repositories`, `--repository`), compiled to
 * RE2 so that matching is linear in the repository name. picomatch compiles to a backtracking
 * JavaScript RegExp: `*a*a*a*a*b` against a 255-character name (any user who can create a
 * repository can pick one) took half a minute per match. The syntax is picomatch's, restricted to
 * what a repository name needs, and matches as picomatch does for every valid ECR name:
 * - `*` any run of characters within one path segment, `?` one character other than `/`;
 * - `**`, always a whole segment, spans segments: `team/**` matches `team`, `team/a`, `team/a/b`;
 *   `**\/x` matches `x` and `a/b/x`; `a/**\/b` matches `a/b` and `a/x/b`;
 * - `[abc]`, `[a-z]`, `[^a]` one character of (or not of) a set;
 * - `{a,b}` one of the alternatives (no `/` or `**` inside, no nesting).
 * Anything else (negation `!`, extglobs `+(…)`, escapes, numeric ranges `{1..3}`) is refused
 * with the reason, rather than matched in some other way than written.
 */
import { RE2JS } from 're2js';
import { ConfigError } from '../errors.js';

/**
 * A repository glob outside the supported syntax. A configuration error (CLI exit 2): the rules
 * loader reports it positioned, and a `--repository` filter or an event's filter is refused
 * before any ECR call.
 */
export class RepositoryGlobError extends ConfigError {
  readonly glob: string;
  constructor(glob: string, message: string, options?: ErrorOptions) {
    super(`invalid repository glob ${JSON.stringify(glob)}: ${message}`, options);
    this.glob = glob;
  }
}

const LITERAL = /[A-Za-z0-9._\-,]/;
const CLASS_BODY = /^\^?[A-Za-z0-9._-]+$/;
const SYNTAX = 'a repository glob takes letters, digits, ".", "_", "-", "/" and *, **, ?, [...], {a,b}';

/**
 * Checks a repository glob's syntax. Returns `null` when valid, otherwise what is wrong.
 *
 * @example checkRepositoryGlob('team-*\/**') // null
 * @example checkRepositoryGlob('!legacy')    // 'negation ("!") is not supported; list the repositories to leave out under exclude'
 */
export function checkRepositoryGlob(glob: string): string | null {
  try {
    toSource(glob);
    return null;
  } catch (error) {
    if (error instanceof SyntaxProblem) return error.message;
    throw error;
  }
}

const compiled = new Map<string, (name: string) => boolean>();

/**
 * Compiles a repository glob to a whole-name matcher, linear in the name's length.
 *
 * @example compileRepositoryGlob('team/*')('team/app') // true; 'team/a/b' is false
 * @throws RepositoryGlobError when the glob uses syntax outside the supported set.
 */
export function compileRepositoryGlob(glob: string): (name: string) => boolean {
  let m = compiled.get(glob);
  if (m) return m;
  let source: string;
  try {
    source = toSource(glob);
  } catch (error) {
    throw new RepositoryGlobError(glob, (error as Error).message, { cause: error });
  }
  const re = RE2JS.compile(source, RE2JS.DOTALL);
  m = (name: string) => re.testExact(name);
  compiled.set(glob, m);
  return m;
}

class SyntaxProblem extends Error {}

const GLOBSTAR = Symbol('**');

/** The RE2 source of a glob, anchored by the caller (testExact). */
function toSource(glob: string): string {
  if (glob.length === 0) throw new SyntaxProblem('a repository glob must not be empty');
  if (glob.startsWith('!')) throw new SyntaxProblem('negation ("!") is not supported; list the repositories to leave out under exclude');
  const segments: (string | typeof GLOBSTAR)[] = [];
  for (const seg of splitSegments(glob)) {
    if (seg === '.' || seg === '..') throw new SyntaxProblem(`a path segment cannot be "${seg}"`);
    if (seg === '**') {
      if (segments[segments.length - 1] !== GLOBSTAR) segments.push(GLOBSTAR);
    } else segments.push(seg);
  }
  const last = segments.length - 1;
  let out = '';
  segments.forEach((seg, i) => {
    if (seg === GLOBSTAR) {
      if (segments.length === 1) out += '.*';
      else if (i === 0) out += '(?:.*/)?';
      // As picomatch: a trailing /** also matches the bare prefix (team/** matches team), except
      // after a segment ending in * (team-*/** does not match team-a), so no repository becomes
      // governed that picomatch left alone.
      else if (i === last) out += String(segments[i - 1]).endsWith('*') ? '/.*' : '(?:/.*)?';
      else out += '/(?:.*/)?';
      return;
    }
    if (i > 0 && segments[i - 1] !== GLOBSTAR) out += '/';
    out += segmentSource(seg, false);
  });
  return out;
}

/** Splits on `/` outside `[...]` and `{...}`; a `/` inside them is refused. */
function splitSegments(glob: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let inClass = false;
  for (const ch of glob) {
    if (inClass) {
      if (ch === ']') inClass = false;
      else if (ch === '/') throw new SyntaxProblem('"/" cannot be inside [...]');
    } else if (ch === '[') inClass = true;
    else if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === '/' && depth > 0) throw new SyntaxProblem('"/" cannot be inside {...}; write one glob per alternative');
    if (ch === '/' && depth === 0 && !inClass) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** One path segment (or one brace alternative) as RE2 source. */
function segmentSource(seg: string, inBraces: boolean): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') {
      if (seg[i + 1] === '*') throw new SyntaxProblem('"**" must be a whole path segment (team/**, **/app, a/**/b); within a segment use *');
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) throw new SyntaxProblem('"[" has no closing "]"');
      const body = seg.slice(i + 1, end);
      if (body.startsWith('!')) throw new SyntaxProblem('write a negated set as [^...], not [!...]');
      if (!CLASS_BODY.test(body)) throw new SyntaxProblem(`[${body}] may only hold letters, digits, ".", "_" and "-" ranges such as a-z`);
      out += body.startsWith('^') ? `[^/${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else if (ch === '{') {
      if (inBraces) throw new SyntaxProblem('{...} cannot be nested');
      const end = seg.indexOf('}', i + 1);
      if (end < 0) throw new SyntaxProblem('"{" has no closing "}"');
      const body = seg.slice(i + 1, end);
      if (body.includes('{')) throw new SyntaxProblem('{...} cannot be nested');
      if (!body.includes(',')) {
        throw new SyntaxProblem(`{${body}} needs at least two alternatives separated by "," (numeric ranges such as {1..3} are not supported; write {1,2,3})`);
      }
      out += `(?:${body.split(',').map((alt) => segmentSource(alt, true)).join('|')})`;
      i = end;
    } else if (LITERAL.test(ch)) {
      out += ch === '.' ? '\\.' : ch;
    } else if (ch === ']' || ch === '}') {
      throw new SyntaxProblem(`"${ch}" has no opening "${ch === ']' ? '[' : '{'}"`);
    } else {
      throw new SyntaxProblem(`${JSON.stringify(ch)} is not supported: ${SYNTAX}`);
    }
  }
  return out;
}
