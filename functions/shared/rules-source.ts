/**
 * Where the functions get their rules: an S3 object or an SSM parameter when configured, else
 * the rules file bundled into the package at deploy time. Validation is the rules parser's.
 */
import { resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { loadRulesFile } from '../../lib/adapters/rules-file.js';
import { formatBytesLimit } from '../../lib/adapters/bounded-read.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { RULES_FILE_LIMITS } from '../../lib/core/rules-limits.js';
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
    return parseRulesText(await readRulesObject(clients.s3, bucket, key, where), where);
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

/**
 * Reads the rules object, never more than one byte past the 1 MiB rules file limit: an object
 * whose ContentLength is over it is refused unread, and the body is counted as it streams in
 * (ContentLength is S3's word, not a promise this code relies on alone).
 *
 * @throws RulesSourceError when the object cannot be read or is over the limit.
 */
async function readRulesObject(s3: S3Client, bucket: string, key: string, where: string): Promise<string> {
  const max = RULES_FILE_LIMITS.maxBytes;
  const tooLarge = (size: string) => new RulesSourceError(`rules object ${where} is ${size}; a rules file is at most ${formatBytesLimit(max)}`);
  let body: AsyncIterable<Uint8Array> & { destroy?: () => void };
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = (out.Body ?? []) as typeof body;
    if ((out.ContentLength ?? 0) > max) {
      body.destroy?.(); // release the connection unread
      throw tooLarge(`${(out.ContentLength ?? 0).toLocaleString('en-US')} bytes`);
    }
  } catch (error) {
    if (error instanceof RulesSourceError) throw error;
    throw new RulesSourceError(`cannot read rules from ${where}: ${(error as Error).message}`, { cause: error });
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > max) {
        body.destroy?.();
        throw tooLarge(`over ${formatBytesLimit(max)}; stopped reading there`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof RulesSourceError) throw error;
    throw new RulesSourceError(`cannot read rules from ${where}: ${(error as Error).message}`, { cause: error });
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}
