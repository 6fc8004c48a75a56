/**
 * `ecr-sweeper validate FILE...`: checks rules files without calling AWS. Every problem of every
 * file is printed (stderr) with file:line:column, so one run fixes them all.
 */
import { RulesValidationError } from '../../errors.js';
import { loadRulesFile } from '../../adapters/rules-file.js';
import { describePolicySettings } from '../../core/policy-settings.js';
import { describeInUseSettings, inUseSettingsOf } from '../../core/in-use-settings.js';
import { ruleConditions } from '../../core/rules-model.js';
import { describeTargetsSetting } from '../../core/targets.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { displayPath, formatIssue } from '../format-issues.js';
import type { CliRuntime } from '../runtime.js';
import { resolvePath } from '../paths.js';

/** Validates each file; returns 0 when all are valid, 2 when any is not. */
export async function validateCommand(files: readonly string[], runtime: CliRuntime): Promise<ExitCodeValue> {
  const { io } = runtime;
  let invalid = 0;
  for (const file of files) {
    const path = resolvePath(runtime, file);
    try {
      const ruleSet = await loadRulesFile(path);
      const rules = ruleSet.policies.reduce((n, p) => n + p.rules.length, 0);
      // Attached policies and tag selectors are only known at run time: say they will be read then.
      const attached = ruleSet.policies.filter((p) => p.origin === 'attached').length;
      const byTag = ruleSet.policies.filter((p) => p.repositories.tags !== undefined).length;
      const runtimeReads = [
        attached > 0 ? `${plural(attached, 'policy runs', 'policies run')} each repository's attached lifecycle policy` : '',
        byTag > 0 ? `${plural(byTag, 'policy selects', 'policies select')} repositories by resource tag` : '',
      ].filter(Boolean);
      const extra = runtimeReads.length > 0 ? `; ${runtimeReads.join(', ')}` : '';
      io.stdout.write(`${file}: valid (${plural(ruleSet.policies.length, 'policy', 'policies')}, ${plural(rules, 'rule', 'rules')}${extra})\n`);
      // Always shown: which accounts and Regions a run of this file touches is the first thing to check.
      io.stdout.write(`  targets: ${describeTargetsSetting(ruleSet.targets)}\n`);
      // Always shown: the scan needs read access to each source on, and a source off protects nothing.
      io.stdout.write(`  in-use protection${ruleSet.inUse === undefined ? ' (defaults)' : ''}: ${describeInUseSettings(inUseSettingsOf(ruleSet))}\n`);
      // What each policy sets over defaults, and its compound rules: the things a reader can miss.
      for (const policy of ruleSet.policies) {
        const notes = describePolicySettings(policy, ruleSet);
        if (notes.length) io.stdout.write(`  policy '${policy.name}': ${notes.join('; ')}\n`);
        for (const rule of policy.rules) {
          const conditions = ruleConditions(rule);
          if (conditions.length > 1) io.stdout.write(`  policy '${policy.name}' rule '${rule.id}': compound, expires only when all hold: ${conditions.map((c) => c.type).join(' and ')}\n`);
        }
      }
    } catch (error) {
      invalid += 1;
      if (error instanceof RulesValidationError) {
        for (const issue of error.issues) io.stderr.write(`${formatIssue(issue, file, io.cwd)}\n`);
        io.stderr.write(`${file}: invalid (${plural(error.issues.length, 'problem', 'problems')})\n`);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        io.stderr.write(`${displayPath(file, io.cwd)}: ${message}\n`);
      }
    }
  }
  return invalid > 0 ? ExitCode.BAD_INPUT : ExitCode.OK;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
