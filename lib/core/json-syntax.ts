/**
 * Finds where JSON text (RFC 8259) first goes wrong, for messages with a line and column.
 * `JSON.parse` only sometimes gives a position ("Unexpected token '}', ... is not valid JSON"
 * has none), and the YAML parser, which positions everything else, accepts much that JSON
 * does not (`tru`, `'single quotes'`, trailing text), so neither alone can place the error.
 */

/** The first JSON syntax error: its character offset in the text and what is wrong there. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

class Stop {
  constructor(readonly error: JsonSyntaxError) {}
}

/** A character as a reader can see it: quoted when printable, its code point when not. */
function describe(codePoint: number): string {
  const printable = codePoint > 0x20 && codePoint !== 0x7f && codePoint !== 0xfeff && !(codePoint >= 0x80 && codePoint <= 0xa0);
  return printable ? `'${String.fromCodePoint(codePoint)}'` : `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;

/**
 * Returns the first syntax error in `text`, or null when it is valid JSON (exactly when
 * `JSON.parse` accepts it).
 *
 * @example
 * findJsonSyntaxError('{"a": 1,, }') // { offset: 8, message: "expected a double-quoted property name, found ','" }
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const stop = (message: string, at = i): never => {
    throw new Stop({ offset: at, message });
  };
  const found = (): string => (i >= text.length ? 'the end of the file' : describe(text.codePointAt(i)!));
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };

  const string = () => {
    const start = i;
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) stop('unterminated string (no closing ")', start);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') stop('control character in a string; write it as an escape such as \\n or \\t');
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && ESCAPES.has(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else stop(`invalid escape ${JSON.stringify(text.slice(i, i + 2))} in a string`);
      } else {
        i++;
      }
    }
  };

  // Iterative, with an explicit stack of open containers, so deep nesting cannot overflow the call stack.
  const open: Array<'{' | '['> = [];
  const value = () => {
    skipWhitespace();
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        open.pop();
        i++;
        return false; // empty container: a complete value
      }
      if (c === '{') key();
      return true; // a member value follows
    }
    if (c === '"') string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) stop('invalid number (a digit must follow "-")');
      i += m![0].length;
      if (text[i] !== undefined && /[0-9]/.test(text[i]!)) stop('a number cannot have leading zeros', i - 1);
      if (text[i] === '.' || text[i] === 'e' || text[i] === 'E') stop('invalid number (a digit must follow "." or the exponent)');
    } else if (c === "'") stop('strings must be in double quotes');
    else if (c !== undefined && /[A-Za-z_$]/.test(c)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      if (word === 'true' || word === 'false' || word === 'null') i += word.length;
      else stop(`unexpected word "${word}"; a value is a "string", a number, true, false, null, an {object} or an [array]`);
    } else stop(`expected a value, found ${found()}`);
    return false;
  };
  const key = () => {
    skipWhitespace();
    if (text[i] !== '"') stop(`expected a double-quoted property name, found ${found()}`);
    string();
    skipWhitespace();
    if (text[i] !== ':') stop(`expected ':' after the property name, found ${found()}`);
    i++;
  };

  try {
    let opened = value();
    for (;;) {
      if (opened) {
        opened = value();
        continue;
      }
      // A value just ended: close containers or move to the next member.
      const container = open[open.length - 1];
      if (container === undefined) break;
      skipWhitespace();
      const close = container === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        skipWhitespace();
        if (text[i] === close) stop(`trailing comma before '${close}'`);
        if (container === '{') key();
        opened = value();
      } else if (text[i] === close) {
        open.pop();
        i++;
      } else {
        stop(`expected ',' or '${close}' after ${container === '{' ? 'a property value' : 'an array element'}, found ${found()}`);
      }
    }
    skipWhitespace();
    if (i < text.length) stop(`unexpected text after the JSON value, found ${found()}`);
    return null;
  } catch (error) {
    if (error instanceof Stop) return error.error;
    throw error;
  }
}
