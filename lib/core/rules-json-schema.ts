/**
 * The JSON Schema of rules files, generated from the zod schema so editors (e.g. the YAML
 * language server) autocomplete and flag the same shapes the loader checks. Cross-field rules
 * (exactly one condition, tag status vs patterns...) are the loader's alone.
 */
import * as z from 'zod';
import { nativeLifecyclePolicySchema } from './lifecycle-policy.js';
import { buildRulesFileSchema } from './rules-schema.js';

/** Builds the JSON Schema (draft-07, the draft most editors support) for `rules/*.yml`. */
export function buildRulesJsonSchema(): Record<string, unknown> {
  const schema = buildRulesFileSchema(nativeLifecyclePolicySchema);
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: json.$schema,
    title: 'ecr-sweeper rules file',
    ...Object.fromEntries(Object.entries(json).filter(([k]) => k !== '$schema')),
  };
}

/** The schema as the text committed to `rules/schema.json` (2-space JSON, trailing newline). */
export function renderRulesJsonSchema(): string {
  return `${JSON.stringify(buildRulesJsonSchema(), null, 2)}\n`;
}
