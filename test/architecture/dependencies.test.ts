/**
 * The dependency between the layers points one way: `lib/core` (pure planner) imports no other
 * layer and no AWS SDK; `lib/engine` defines the ports it needs and imports no adapter, CLI,
 * handler or AWS SDK; `lib/adapters` implement those ports (they may import the engine's ports and errors,
 * and core) and import neither the CLI nor the handlers. Every `.ts` under lib/ is read with the
 * TypeScript scanner, so `import type`, `export ... from` and dynamic `import()` all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Layer = 'core' | 'engine' | 'adapters' | 'cli' | 'functions' | 'shared' | 'other';

/** What each layer must not import (other layers, and package prefixes). */
const FORBIDDEN: Partial<Record<Layer, { layers: readonly Layer[]; packages: readonly string[] }>> = {
  core: { layers: ['engine', 'adapters', 'cli', 'functions'], packages: ['@aws-sdk/', '@smithy/', '@aws-lambda-powertools/'] },
  engine: { layers: ['adapters', 'cli', 'functions'], packages: ['@aws-sdk/', '@smithy/'] },
  adapters: { layers: ['cli', 'functions'], packages: [] },
  // lib/errors.ts, lib/run-id.ts: shared by every layer, so they import none of them.
  shared: { layers: ['core', 'engine', 'adapters', 'cli', 'functions'], packages: [] },
};

/**
 * Imports still pointing the wrong way, as `file -> specifier`, each with why it is still here.
 * An entry no longer needed fails the test too, so the list only shrinks.
 */
const ALLOWED: Readonly<Record<string, string>> = {};

function layerOf(repoPath: string): Layer {
  const parts = repoPath.split('/');
  if (parts[0] === 'functions') return 'functions';
  if (parts[0] !== 'lib') return 'other';
  if (parts.length === 2) return 'shared';
  const layer = parts[1];
  return layer === 'core' || layer === 'engine' || layer === 'adapters' || layer === 'cli' ? layer : 'other';
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module specifier a source imports: static, type-only, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** The violations of one file, as `file -> specifier: why it is forbidden`. */
function violationsOf(file: string, source: string): string[] {
  const from = relative(ROOT, file).split(sep).join('/');
  const rule = FORBIDDEN[layerOf(from)];
  if (!rule) return [];
  const found: string[] = [];
  for (const specifier of importsOf(source)) {
    if (specifier.startsWith('.')) {
      const target = relative(ROOT, resolve(dirname(file), specifier)).split(sep).join('/');
      const targetLayer = layerOf(target);
      if (rule.layers.includes(targetLayer)) found.push(`${from} -> ${specifier} (${layerOf(from)} must not import ${targetLayer})`);
    } else {
      const pkg = rule.packages.find((p) => specifier.startsWith(p));
      if (pkg) found.push(`${from} -> ${specifier} (${layerOf(from)} must not import ${pkg}*)`);
    }
  }
  return found;
}

function keyOf(violation: string): string {
  return violation.replace(/ \(.*\)$/, '');
}

describe('layer dependencies', () => {
  it('reads type-only imports, re-exports and dynamic imports', () => {
    const source = [
      "import type { A } from '../adapters/a.js';",
      "export { B } from '../adapters/b.js';",
      "export * from './c.js';",
      "const d = await import('../cli/d.js');",
      "import '../../functions/e.js';",
      "import {\n  F,\n  type G,\n} from '@aws-sdk/client-ecr';",
      '// import { H } from "./commented-out.js";',
    ].join('\n');
    expect(importsOf(source)).toEqual(['../adapters/a.js', '../adapters/b.js', './c.js', '../cli/d.js', '../../functions/e.js', '@aws-sdk/client-ecr']);
    expect(violationsOf(join(ROOT, 'lib/core/x.ts'), source).map(keyOf)).toEqual([
      'lib/core/x.ts -> ../adapters/a.js',
      'lib/core/x.ts -> ../adapters/b.js',
      'lib/core/x.ts -> ../cli/d.js',
      'lib/core/x.ts -> ../../functions/e.js',
      'lib/core/x.ts -> @aws-sdk/client-ecr',
    ]);
    expect(violationsOf(join(ROOT, 'lib/engine/x.ts'), "import { X } from '../core/x.js';\nimport type { P } from './ports.js';")).toEqual([]);
    expect(violationsOf(join(ROOT, 'lib/engine/x.ts'), "import { f } from '@aws-sdk/credential-providers';\nimport type { H } from '@smithy/types';").map(keyOf)).toEqual([
      'lib/engine/x.ts -> @aws-sdk/credential-providers',
      'lib/engine/x.ts -> @smithy/types',
    ]);
    expect(violationsOf(join(ROOT, 'lib/adapters/x.ts'), "import type { P } from '../engine/ports.js';")).toEqual([]);
  });

  it('core, engine, adapters and the shared modules import only what their layer may', () => {
    const violations = tsFilesUnder(join(ROOT, 'lib')).flatMap((file) => violationsOf(file, readFileSync(file, 'utf8')));
    const unexpected = violations.filter((v) => !(keyOf(v) in ALLOWED));
    expect(unexpected, `imports pointing the wrong way:\n${unexpected.join('\n')}`).toEqual([]);
    const stale = Object.keys(ALLOWED).filter((k) => !violations.some((v) => keyOf(v) === k));
    expect(stale, 'allow-list entries no longer needed (remove them)').toEqual([]);
  });
});
