import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../lib/core/json-syntax.js';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Valid JSON with one character deleted, replaced or inserted: mostly broken, sometimes still valid. */
const mutatedJson = fc
  .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.constantFrom(...'{}[]:,"\\ \t\n-0123456789.eE+tfnlrsu\'x\u0001'))
  .map(([text, at, op, c]) => {
    const i = text.length === 0 ? 0 : at % (text.length + 1);
    if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
    if (op === 'replace') return text.slice(0, i) + c + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i);
  });

describe('findJsonSyntaxError', () => {
  it('accepts exactly what JSON.parse accepts (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 3 }), mutatedJson, fc.string({ unit: fc.constantFrom(...'{}[]:," 1a\\'), maxLength: 12 })), (text) => {
        const error = findJsonSyntaxError(text);
        expect(error === null).toBe(parses(text));
        if (error) {
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it.each<[string, number, string]>([
    ['', 0, 'expected a value, found the end of the file'],
    ['{"a": 1,, }', 8, "expected a double-quoted property name, found ','"],
    ['{"a" 1}', 5, "expected ':' after the property name, found '1'"],
    ['{"a": 1 "b": 2}', 8, `expected ',' or '}' after a property value, found '"'`],
    ['[1 2]', 3, "expected ',' or ']' after an array element, found '2'"],
    ['[1, 2,]', 6, "trailing comma before ']'"],
    ['{"a": 1,}', 8, "trailing comma before '}'"],
    ['{"a": tru}', 6, 'unexpected word "tru"; a value is a "string", a number, true, false, null, an {object} or an [array]'],
    ["{'a': 1}", 1, "expected a double-quoted property name, found '''"],
    ['["x\'s", \'y\']', 8, 'strings must be in double quotes'],
    ['{"a": "b', 6, 'unterminated string (no closing ")'],
    ['"a\tb"', 2, 'control character in a string; write it as an escape such as \\n or \\t'],
    ['"a\\qb"', 2, 'invalid escape "\\\\q" in a string'],
    ['"\\u12G4"', 1, 'invalid escape "\\\\u" in a string'],
    ['01', 0, 'a number cannot have leading zeros'],
    ['-', 0, 'invalid number (a digit must follow "-")'],
    ['1.', 1, 'invalid number (a digit must follow "." or the exponent)'],
    ['{} {}', 3, "unexpected text after the JSON value, found '{'"],
    ['\uFEFF{}', 0, 'expected a value, found U+FEFF'],
    ['[\u00a0]', 1, 'expected a value, found U+00A0'],
  ])('%j: offset %i, %s', (text, offset, message) => {
    expect(parses(text)).toBe(false);
    expect(findJsonSyntaxError(text)).toEqual({ offset, message });
  });

  it('handles nesting deeper than the call stack allows', () => {
    const depth = 200_000;
    expect(findJsonSyntaxError('['.repeat(depth) + ']'.repeat(depth))).toBeNull();
    expect(findJsonSyntaxError(`${'['.repeat(depth)}}`)).toEqual({ offset: depth, message: "expected a value, found '}'" });
  });
});
