/**
 * Where the functions get their rules: an S3 object or an SSM parameter when configured, else
 * the rules file bundled into the package at deploy time. Validation is the rules parser's.
 */
import { resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import type { FunctionConfig } from './config.js';
import { RulesSourceError } from './errors.js';

/** Clients the rules may be read through; only the configured source's client is used. */
export interface RulesClients {
  s3: S3Client;
  ssm: () => SSMClient;
}

/**
 * Parses rules text that did not come from a file: `lifecyclePolicy: <path>` cannot be followed,
 * so it is reported as a validation problem rather than read from the function's disk.
 *
 * @throws RulesValidationError listing every problem, positioned in `source`.
 */
export function parseRulesText(text: string, source: string): RuleSet {
  const ruleSet = parseRules(text, {
    file: source,
    readFile: (path) => {
      throw new Error(`cannot read "${path}": rules from ${source} must inline their lifecycle policies`);
    },
  });
  return { ...ruleSet, source };
}

/**
 * Loads the rule set the configuration points at: `RULES_S3_URI`, else `RULES_SSM_PARAMETER`,
 * else the bundled `RULES_FILE`.
 *
 * @throws RulesSourceError when the object or parameter cannot be read; RulesValidationError or
 * ConfigError from the parser and file loader.
 */
export async function loadConfiguredRules(config: FunctionConfig, clients: RulesClients): Promise<RuleSet> {
  if (config.rulesS3) {
    const { bucket, key } = config.rulesS3;
    const where = `s3://${bucket}/${key}`;
    let text: string;
    try {
      const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw new RulesSourceError(`cannot read rules from ${where}: ${(error as Error).message}`, { cause: error });
    }
    return parseRulesText(text, where);
  }
  if (config.rulesSsmParameter) {
    const where = `ssm:${config.rulesSsmParameter}`;
    let text: string | undefined;
    try {
      const out = await clients.ssm().send(new GetParameterCommand({ Name: config.rulesSsmParameter, WithDecryption: true }));
      text = out.Parameter?.Value;
    } catch (error) {
      throw new RulesSourceError(`cannot read rules from SSM parameter ${config.rulesSsmParameter}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (text === undefined) throw new RulesSourceError(`SSM parameter ${config.rulesSsmParameter} has no value`);
    return parseRulesText(text, where);
  }
  // The bundled file sits next to the handler in the package (serverless.yml package.patterns).
  const path = resolve(config.taskRoot ?? process.cwd(), config.rulesFile);
  const ruleSet = await loadRulesFile(path);
  return { ...ruleSet, source: config.rulesFile };
}
