/**
 * `ecr-sweeper export-policy`: renders one policy of a rules file as a native ECR lifecycle
 * policy. The JSON goes to stdout; everything the native format cannot express goes to stderr,
 * rule by rule, because a silently weaker policy is how images get deleted by surprise.
 */
import type { Policy, RuleSet } from '../../core/rules-model.js';
import { exportLifecyclePolicy } from '../../core/lifecycle-policy.js';
import { loadRulesFile } from '../../adapters/rules-file.js';
import { CliUsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatDuration } from '../../core/duration.js';
import { inUseSettingsOf, inUseSourcesOn } from '../../core/in-use-settings.js';
import type { CliRuntime } from '../runtime.js';
import { resolvePath } from '../paths.js';

/** `export-policy`'s flags. */
export interface ExportPolicyFlags {
  rules: string;
  policy?: string;
  /** Accept a native policy that leaves rules out (exit 0 instead of 3). */
  allowLossy?: boolean;
}

/**
 * Prints the native policy, and on stderr everything it cannot express. Exit 3 (a safety stop)
 * when rules had to be left out, or ECR would reject what is left, unless `allowLossy`: a
 * script piping the JSON into `put-lifecycle-policy` must not install a weaker policy unnoticed.
 * Run-wide settings without a native field (minAge, protect, limits, in-use protection) are
 * warnings only, since every rules file has a minAge and in-use protection is on by default.
 */
export async function exportPolicyCommand(flags: ExportPolicyFlags, runtime: CliRuntime): Promise<ExitCodeValue> {
  const ruleSet = await loadRulesFile(resolvePath(runtime, flags.rules));
  const policy = pickPolicy(ruleSet, flags.policy, flags.rules);
  if (policy.origin === 'attached') {
    throw new CliUsageError(
      `policy '${policy.name}' runs each repository's own attached lifecycle policy (lifecyclePolicy: attached); there is no single policy to export: read one with aws ecr get-lifecycle-policy --repository-name NAME`,
    );
  }
  const exported = exportLifecyclePolicy(policy);
  runtime.io.stdout.write(`${exported.text.endsWith('\n') ? exported.text : `${exported.text}\n`}`);

  const warnings = [
    ...exported.notExpressible.map((n) => `rule ${n.ruleId}: ${n.reason}`),
    ...ruleSetWideLosses(ruleSet),
    ...policySettingLosses(policy),
  ];
  if (warnings.length > 0) {
    runtime.io.stderr.write(`warning: the native policy cannot express everything policy '${policy.name}' does:\n`);
    for (const w of warnings) runtime.io.stderr.write(`  - ${w}\n`);
  }
  const dropped = exported.notExpressible.length;
  if (dropped === 0) return ExitCode.OK;
  if (flags.allowLossy) {
    runtime.io.stderr.write(`--allow-lossy: accepting a native policy without ${dropped === 1 ? 'that rule' : `those ${dropped} rules`}\n`);
    return ExitCode.OK;
  }
  runtime.io.stderr.write(
    `error: ${dropped} rule${dropped === 1 ? ' was' : 's were'} left out or would be rejected (listed above), so the native policy is weaker than policy '${policy.name}'; exit 3. Pass --allow-lossy to accept it.\n`,
  );
  return ExitCode.SAFETY_ABORT;
}

/** The named policy, or the only one; otherwise a usage error listing the names. */
export function pickPolicy(ruleSet: RuleSet, name: string | undefined, file: string): Policy {
  const names = ruleSet.policies.map((p) => p.name).join(', ');
  if (name !== undefined) {
    const found = ruleSet.policies.find((p) => p.name === name);
    if (!found) throw new CliUsageError(`${file} has no policy named '${name}'; it has: ${names || '(none)'}`);
    return found;
  }
  const [only, ...rest] = ruleSet.policies;
  if (only === undefined) throw new CliUsageError(`${file} has no policies to export`);
  if (rest.length > 0) throw new CliUsageError(`${file} has ${ruleSet.policies.length} policies; choose one with --policy NAME (${names})`);
  return only;
}

/** The policy's own settings: a native lifecycle policy has no field for any of them. */
function policySettingLosses(policy: Policy): string[] {
  const s = policy.settings;
  if (!s) return [];
  const at = `policy '${policy.name}'`;
  const out: string[] = [];
  if (s.mode !== undefined) out.push(`${at} mode ${s.mode} has no native equivalent (ECR applies a lifecycle policy as soon as it is set)`);
  if (s.minAgeMs !== undefined) out.push(`${at} minAge (${formatDuration(s.minAgeMs)} grace period) has no native equivalent`);
  if (s.maxDeletionsPerRun !== undefined) out.push(`${at} maxDeletionsPerRun ${s.maxDeletionsPerRun} has no native equivalent`);
  if (s.maxDeletePercentPerRepository !== undefined) out.push(`${at} maxDeletePercentPerRepository ${s.maxDeletePercentPerRepository}% has no native equivalent`);
  if (s.protect?.tags.length) out.push(`${at} protect.tags (${s.protect.tags.join(', ')}) has no native equivalent`);
  if (s.protect?.repositories.length) out.push(`${at} protect.repositories (${s.protect.repositories.join(', ')}) has no native equivalent`);
  return out;
}

/** Protections and limits that live outside any policy and that a native policy has no field for. */
function ruleSetWideLosses(ruleSet: RuleSet): string[] {
  const out: string[] = [];
  if (ruleSet.defaults.minAgeMs > 0) out.push(`defaults.minAge (${formatDuration(ruleSet.defaults.minAgeMs)} grace period) has no native equivalent`);
  if (ruleSet.protect.tags.length > 0) out.push(`protect.tags (${ruleSet.protect.tags.join(', ')}) has no native equivalent`);
  if (ruleSet.protect.repositories.length > 0) out.push(`protect.repositories (${ruleSet.protect.repositories.join(', ')}) has no native equivalent`);
  if (ruleSet.defaults.maxDeletionsPerRun !== null) out.push('defaults.maxDeletionsPerRun has no native equivalent');
  if (ruleSet.defaults.maxDeletePercentPerRepository !== null) out.push('defaults.maxDeletePercentPerRepository has no native equivalent');
  const inUse = inUseSourcesOn(inUseSettingsOf(ruleSet));
  if (inUse.length > 0) out.push(`inUse (in-use protection through ${inUse.join(', ')}) has no native equivalent: a lifecycle policy never knows what is running`);
  return out;
}
