/**
 * Every module in lib/core is the functional core: no SDK, file system, network, environment,
 * clock, randomness or logger. The planner and the rules loader have their own purity tests;
 * this one covers the whole directory, so a module added later is checked without being listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '../../lib/core');
const FILES = (readdirSync(CORE, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

/**
 * Packages a core module may import: pure computation only. `node:crypto` is here for hashing
 * (report-html's Content-Security-Policy hashes); its random functions are forbidden below.
 */
const PURE_PACKAGES = new Set(['yaml', 'zod', 'semver', 'picomatch', 're2js', 'node:crypto', 'date-fns', 'date-fns/constants']);

/**
 * What the core may take from date-fns: functions that do not read the machine's time zone.
 * Calendar functions (`intervalToDuration`, `differenceInDays`, `format`, ...) work in local time:
 * 14 days across a DST change are "14 days 1 hour" under TZ=Europe/Berlin, so a plan would
 * depend on the TZ environment variable.
 */
const DATE_FNS_NAMES = new Set([
  'formatDuration', 'Duration', 'FormatDistanceToken', 'Locale',
  'millisecondsInWeek', 'millisecondsInDay', 'millisecondsInHour', 'millisecondsInMinute', 'millisecondsInSecond', 'secondsInMinute',
]);

const FORBIDDEN_TEXT: [RegExp, string][] = [
  [/\bprocess\./, 'the process (environment, exit, clock)'],
  [/Date\.now\(|new Date\(\s*\)|(?<![\w.])Date\(\s*\)/, 'the clock'],
  [/performance\.now\(|setTimeout\(|setInterval\(/, 'timers'],
  [/Math\.random\(|randomBytes|randomUUID|randomInt|getRandomValues/, 'randomness'],
  [/console\./, 'logging'],
  [/\bfetch\(|\brequire\(|\bimport\(/, 'a network call or a dynamic import'],
];

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|^\s*import)\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
}

describe('lib/core purity', () => {
  it('finds the core modules', () => {
    expect(FILES).toEqual(expect.arrayContaining(['planner.ts', 'rules-parser.ts', 'report-html.ts', 'report-files.ts', 'tag-pattern.ts']));
  });

  it.each(FILES)('%s imports only core modules, lib/errors and pure packages', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const spec of importsOf(source)) {
      if (spec.startsWith('.')) {
        const target = relative(CORE, join(CORE, file, '..', spec));
        expect(target === '../errors.js' || !target.startsWith('..'), `${file} imports ${spec} from outside lib/core`).toBe(true);
      } else {
        expect(PURE_PACKAGES.has(spec), `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it.each(FILES)('%s takes from date-fns only what does not depend on the time zone', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const m of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]date-fns(?:\/[^'"]*)?['"]/g)) {
      for (const name of m[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter(Boolean)) {
        expect(DATE_FNS_NAMES.has(name), `${file} imports ${name} from date-fns`).toBe(true);
      }
    }
    expect(/import\s+\*\s+as\s+\w+\s+from\s*['"]date-fns|import\s+\w+\s+from\s*['"]date-fns/.test(source), `${file} imports all of date-fns`).toBe(false);
  });

  it.each(FILES)('%s reaches for no environment, clock, timer, randomness, logger or network', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const [pattern, what] of FORBIDDEN_TEXT) expect(pattern.test(source), `${file} reaches for ${what}`).toBe(false);
  });
});
