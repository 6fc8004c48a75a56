/**
 * The planner is the functional core: no SDK, file system, environment, clock, logger or
 * randomness. This reads its sources and fails if one of them reaches for any of those.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '../../lib/core');
const PLANNER_FILES = readdirSync(CORE).filter(
  (f) => /^(planner.*|tag-pattern|repository-match|image-graph|plan-(?!model).*|iso-time)\.ts$/.test(f),
);

const FORBIDDEN: [RegExp, string][] = [
  [/from '(node:|fs|path|os|child_process|http)/, 'a Node built-in'],
  [/from '@aws-sdk/, 'the AWS SDK'],
  [/from '@aws-lambda-powertools/, 'a logger'],
  [/from '\.\.\/(adapters|engine|cli)\//, 'the imperative shell'],
  [/\bprocess\./, 'the process (env, clock)'],
  [/Date\.now\(|new Date\(\)/, 'the clock'],
  [/Math\.random\(/, 'randomness'],
  [/console\./, 'logging'],
];

describe('planner purity', () => {
  it('covers the planner modules', () => {
    expect(PLANNER_FILES).toEqual(
      expect.arrayContaining(['planner.ts', 'planner-rules.ts', 'image-graph.ts', 'tag-pattern.ts', 'repository-match.ts', 'plan-order.ts']),
    );
  });

  it.each(PLANNER_FILES)('%s uses no I/O, clock, environment, logger or randomness', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const [pattern, what] of FORBIDDEN) expect(pattern.test(source), `${file} reaches for ${what}`).toBe(false);
  });
});
