/**
 * `npm run rules:schema`: writes rules/schema.json from the zod schema. A test fails when the
 * committed file is stale, so run this after changing `lib/core/rules-schema.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRulesJsonSchema } from '../lib/core/rules-json-schema.js';

const target = fileURLToPath(new URL('./schema.json', import.meta.url));
writeFileSync(target, renderRulesJsonSchema());
process.stdout.write(`wrote ${target}\n`);
