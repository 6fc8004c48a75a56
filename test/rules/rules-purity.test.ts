import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '..', '..', 'lib', 'core');
const mine = readdirSync(CORE).filter((f) => /^(rules-|lifecycle-policy|duration|size)/.test(f) && f.endsWith('.ts'));

describe('rules parsing stays pure', () => {
  it.each(mine)('%s imports no I/O, clock or SDK module', (file) => {
    const text = readFileSync(join(CORE, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const spec of imports) {
      expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\/|\.\.\/errors\.js$|yaml$|zod$|date-fns\/constants$)/);
    }
    expect(text).not.toMatch(/Date\.now|process\.env|new Date\(\)/);
  });
});
