/**
 * rules/schema.json and the loader agree on the `inUse:` block: what the loader accepts, editors
 * accept; what the schema can express (shapes, keys, enums, counts, bounds, patterns), both refuse.
 * A few checks are the loader's alone (duration bounds, S3 bucket rules, other URI schemes), as
 * docs/rules.md says; the schema must still accept those values' shape, never refuse more.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as z from 'zod';
import { parseRules } from '../../lib/core/rules-parser.js';
import { inUseBlockArb, inUseBlockDocument } from './in-use-arbitraries.js';

const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '../../rules/schema.json'), 'utf8')) as Record<string, unknown>;
const editorSchema = z.fromJSONSchema(shipped);

const POLICY = { name: 'p', repositories: { include: ['**'] }, rules: [{ id: 'a', select: { tagStatus: 'untagged' }, when: { sinceImagePushed: '7d' } }] };
const documentWith = (inUse: unknown) => ({ version: 1, inUse, policies: [POLICY] });

function loaderAccepts(inUse: unknown): boolean {
  try {
    parseRules(JSON.stringify(documentWith(inUse)));
    return true;
  } catch {
    return false;
  }
}
const schemaAccepts = (inUse: unknown) => editorSchema.safeParse(documentWith(inUse)).success;

describe('rules/schema.json and the loader on inUse blocks', () => {
  it.each<[string, unknown]>([
    ['empty', {}],
    ['every source on', { ecs: true, lambda: true, batch: true, apprunner: true, files: true }],
    ['every source off', { ecs: false, lambda: false, batch: false, apprunner: false, files: false }],
    ['settings mappings', { ecs: { clusters: ['prod-*'], taskDefinitionRevisions: 100 }, lambda: { versions: 1 }, files: { locations: ['./in-use', 's3://b-1/x/'], maxAge: '24h', expect: ['prod-eks'] }, rescanAfter: '5m' }],
    ['empty mappings', { ecs: {}, lambda: {}, files: {} }],
  ])('both accept: %s', (_name, inUse) => {
    expect(loaderAccepts(inUse)).toBe(true);
    expect(schemaAccepts(inUse)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['the block as a list', []],
    ['an unknown source', { kubernetes: true }],
    ['an unknown ECS key', { ecs: { cluster: ['a'] } }],
    ['an unknown files key', { files: { maxage: '1h' } }],
    ['ecs as a string', { ecs: 'yes' }],
    ['ecs null', { ecs: null }],
    ['batch as a string', { batch: 'true' }],
    ['revisions 0', { ecs: { taskDefinitionRevisions: 0 } }],
    ['revisions 101', { ecs: { taskDefinitionRevisions: 101 } }],
    ['revisions 1.5', { ecs: { taskDefinitionRevisions: 1.5 } }],
    ['versions 0', { lambda: { versions: 0 } }],
    ['clusters empty', { ecs: { clusters: [] } }],
    ['101 clusters', { ecs: { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) } }],
    ['a cluster glob with "/"', { ecs: { clusters: ['a/b'] } }],
    ['a cluster glob of 256 characters', { ecs: { clusters: ['c'.repeat(256)] } }],
    ['locations empty', { files: { locations: [] } }],
    ['an empty location', { files: { locations: [''] } }],
    ['21 locations', { files: { locations: Array.from({ length: 21 }, (_, i) => `./d${i}`) } }],
    ['maxAge not a duration', { files: { maxAge: '24 hours' } }],
    ['rescanAfter a number', { rescanAfter: 300 }],
    ['expect empty', { files: { expect: [] } }],
    ['a source name with a space', { files: { expect: ['prod eks'] } }],
  ])('both refuse: %s', (_name, inUse) => {
    expect(loaderAccepts(inUse)).toBe(false);
    expect(schemaAccepts(inUse)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['maxAge under 1m', { files: { maxAge: '30s' } }],
    ['maxAge over 7d', { files: { maxAge: '8d' } }],
    ['rescanAfter over 1h', { rescanAfter: '2h' }],
    ['a bucket with capitals', { files: { locations: ['s3://My_Bucket/x'] } }],
    ['an https location', { files: { locations: ['https://example.com/in-use.json'] } }],
  ])('loader only (documented): %s', (_name, inUse) => {
    expect(loaderAccepts(inUse)).toBe(false);
    expect(schemaAccepts(inUse)).toBe(true);
  });

  it('the schema accepts every block the loader accepts', () => {
    fc.assert(
      fc.property(inUseBlockArb, (block) => {
        const inUse = inUseBlockDocument(block);
        expect(loaderAccepts(inUse)).toBe(true);
        expect(schemaAccepts(inUse)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
