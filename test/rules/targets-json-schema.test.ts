/**
 * rules/schema.json and the loader agree on `targets:` and `organization:`: what the loader
 * accepts, editors accept; what the schema can express (shapes, keys, patterns, counts), both
 * refuse. The checks across values (both blocks, roleName with roleArn, an ARN of another account,
 * duplicates) are the loader's alone, as docs/rules.md says: the schema accepts those shapes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseRules } from '../../lib/core/rules-parser.js';

const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '../../rules/schema.json'), 'utf8')) as Record<string, unknown>;
const editorSchema = z.fromJSONSchema(shipped);

const POLICY = { name: 'p', repositories: { include: ['**'] }, rules: [{ id: 'a', select: { tagStatus: 'untagged' }, when: { sinceImagePushed: '7d' } }] };
const documentWith = (blocks: Record<string, unknown>) => ({ version: 1, ...blocks, policies: [POLICY] });

function loaderAccepts(blocks: Record<string, unknown>): boolean {
  try {
    parseRules(JSON.stringify(documentWith(blocks)));
    return true;
  } catch {
    return false;
  }
}
const schemaAccepts = (blocks: Record<string, unknown>) => editorSchema.safeParse(documentWith(blocks)).success;

const T = (entry: Record<string, unknown>) => ({ targets: [{ accountId: '111111111111', roleName: 'r', regions: ['eu-west-1'], ...entry }] });
const O = (org: Record<string, unknown>) => ({ organization: { roleName: 'r', regions: 'all', ...org } });

describe('rules/schema.json and the loader on targets and organization', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a role name and a Region list', T({})],
    ['a role ARN and all Regions', T({ roleName: undefined, roleArn: 'arn:aws:iam::111111111111:role/a/b', regions: 'all' })],
    ['no role (the caller\'s own account)', T({ roleName: undefined })],
    ['an external id', T({ externalId: 'abc:123/x' })],
    ['GovCloud, China and ISO Regions', T({ regions: ['us-gov-west-1', 'cn-north-1', 'us-iso-east-1', 'us-isob-east-1'] })],
    ['200 Regions', T({ regions: Array.from({ length: 200 }, (_, i) => `xx-test-${i % 10}`).filter((r, i, all) => all.indexOf(r) === i) })],
    ['an organization with no filters', O({})],
    ['an organization with every filter', O({ externalId: 'ab', regions: ['eu-west-1'], accounts: { include: [], exclude: ['222222222222'] }, ous: { include: ['ou-ab12-cd34ef56'] } })],
  ])('both accept: %s', (_name, blocks) => {
    expect(loaderAccepts(blocks)).toBe(true);
    expect(schemaAccepts(blocks)).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty target list', { targets: [] }],
    ['targets as a mapping', { targets: { accountId: '111111111111' } }],
    ['an account id as a number', T({ accountId: 111111111111 })],
    ['an 11-digit account id', T({ accountId: '11111111111' })],
    ['a Region without its number', T({ regions: ['eu-west'] })],
    ['a Region in capitals', T({ regions: ['EU-WEST-1'] })],
    ['one Region as a string', T({ regions: 'eu-west-1' })],
    ['an empty Region list', T({ regions: [] })],
    ['201 Regions', T({ regions: Array.from({ length: 201 }, () => 'eu-west-1') })],
    ['no regions', T({ regions: undefined })],
    ['a role name with a space', T({ roleName: 'a b' })],
    ['a user ARN', T({ roleName: undefined, roleArn: 'arn:aws:iam::111111111111:user/bob' })],
    ['a one-character external id', T({ externalId: 'x' })],
    ['an unknown key', T({ region: 'eu-west-1' })],
    ['1,001 targets', { targets: Array.from({ length: 1001 }, (_, i) => ({ accountId: String(i).padStart(12, '0'), roleName: 'r', regions: ['eu-west-1'] })) }],
    ['an organization without a role', { organization: { regions: 'all' } }],
    ['an organization with a roleArn', O({ roleArn: 'arn:aws:iam::111111111111:role/r' })],
    ['a malformed OU id', O({ ous: { include: ['ou-1'] } })],
    ['a short account id in a filter', O({ accounts: { exclude: ['1234'] } })],
    ['1,001 ids in a filter', O({ accounts: { exclude: Array.from({ length: 1001 }, (_, i) => String(i).padStart(12, '0')) } })],
  ])('both refuse: %s', (_name, blocks) => {
    expect(loaderAccepts(blocks)).toBe(false);
    expect(schemaAccepts(blocks)).toBe(false);
  });

  it.each<[string, Record<string, unknown>]>([
    ['targets and organization together', { ...T({}), ...O({}) }],
    ['roleName and roleArn together', T({ roleArn: 'arn:aws:iam::111111111111:role/r' })],
    ['a role ARN of another account', T({ roleName: undefined, roleArn: 'arn:aws:iam::222222222222:role/r' })],
    ['the same account and Region twice', { targets: [T({}).targets[0], T({}).targets[0]] }],
    ['an account both included and excluded', O({ accounts: { include: ['111111111111'], exclude: ['111111111111'] } })],
  ])('loader only (documented): %s', (_name, blocks) => {
    expect(loaderAccepts(blocks)).toBe(false);
    expect(schemaAccepts(blocks)).toBe(true);
  });
});
