/**
 * The Lambda in-use source: the images of container-image functions at `$LATEST`, at every
 * version an alias points to (canary weights included) and at the newest N published versions,
 * both as configured (`Code.ImageUri`) and as Lambda resolved them (`Code.ResolvedImageUri`).
 * See docs/in-use.md (Lambda).
 */
import {
  GetFunctionCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { InUseUsage } from '../core/in-use.js';
import type { LambdaInUseSettings } from '../core/rules-model.js';
import type { InUseScan, InUseSourceReader } from '../engine/types.js';
import { InUseCaller, Pacer, stopOnFailure, type InUseReaderOptions } from './in-use-calls.js';

/** Largest page of ListFunctions, ListVersionsByFunction and ListAliases. */
export const LAMBDA_LIST_PAGE_MAX = 50;
/** Calls in flight at once: enough to use GetFunction's quota at ordinary latencies. */
export const LAMBDA_DEFAULT_CONCURRENCY = 8;
/**
 * Pace, calls per second. GetFunction has its own quota of 100/s; every other control-plane call
 * shares 15/s per account and Region with every other caller (deployments, consoles, CI). The
 * scan keeps a fifth of each free for them; the SDK's adaptive retries absorb the rest.
 */
export const LAMBDA_DEFAULT_RATES = Object.freeze({ controlPerSecond: 12, getFunctionPerSecond: 80 });

export interface LambdaReaderOptions extends InUseReaderOptions {
  /** Override the pace (tests, an emulator); Infinity means unpaced. */
  rates?: { controlPerSecond?: number; getFunctionPerSecond?: number };
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}

/** Reads the in-use images of Lambda in the client's account and Region. */
export class LambdaInUseReader implements InUseSourceReader {
  readonly source = 'lambda' as const;
  readonly label = 'Lambda (image functions)';

  /**
   * @param client a LambdaClient for the registry's account and Region (adaptive retries recommended).
   * @param settings how many newest published versions count besides `$LATEST` and aliased ones.
   */
  constructor(
    private readonly client: LambdaClient,
    private readonly settings: LambdaInUseSettings,
    private readonly options: LambdaReaderOptions = {},
  ) {}

  /**
   * Lists every function, and for each image function its aliases and versions, then reads the
   * code location of `$LATEST`, the aliased versions and the newest N versions.
   *
   * @throws InUseSourceError naming the function whose read failed.
   */
  scan(options: { now: number; signal?: AbortSignal }): Promise<InUseScan> {
    return stopOnFailure(options.signal, async (signal) => {
      const caller = new InUseCaller('lambda', signal, { ...this.options, defaultConcurrency: LAMBDA_DEFAULT_CONCURRENCY });
      const control = new Pacer(this.options.rates?.controlPerSecond ?? LAMBDA_DEFAULT_RATES.controlPerSecond);
      const getFunction = new Pacer(this.options.rates?.getFunctionPerSecond ?? LAMBDA_DEFAULT_RATES.getFunctionPerSecond);
      const scan = new LambdaScan(this.client, this.settings, caller, control, getFunction);
      const functions = await scan.listImageFunctions();
      await Promise.all(functions.map((name) => scan.readFunction(name)));
      return { usages: scan.usages, calls: { ...caller.calls }, ...(scan.notes.length > 0 ? { notes: scan.notes } : {}) };
    });
  }
}

class LambdaScan {
  readonly usages: InUseUsage[] = [];
  readonly notes: string[] = [];

  constructor(
    private readonly client: LambdaClient,
    private readonly settings: LambdaInUseSettings,
    private readonly caller: InUseCaller,
    private readonly control: Pacer,
    private readonly getFunctionPacer: Pacer,
  ) {}

  async listImageFunctions(): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'lambda:ListFunctions', pacer: this.control }, (abortSignal) =>
        this.client.send(new ListFunctionsCommand({ MaxItems: LAMBDA_LIST_PAGE_MAX, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
      );
      for (const fn of out.Functions ?? []) if (fn.PackageType === 'Image' && fn.FunctionName) names.push(fn.FunctionName);
      marker = out.NextMarker;
    } while (marker);
    return names;
  }

  async readFunction(name: string): Promise<void> {
    const location = `function ${name}`;
    const fnLabel = `Lambda function ${name}`;
    let aliases: { name: string; versions: string[] }[];
    let versions: number[];
    try {
      [aliases, versions] = await Promise.all([this.listAliases(name, location), this.listVersions(name, location)]);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.notes.push(`Lambda: function ${name} was deleted during the scan`);
      return;
    }
    /** Qualifier → consumers reading it. */
    const qualifiers = new Map<string, string[]>();
    const use = (qualifier: string, consumer: string): void => {
      const list = qualifiers.get(qualifier);
      if (list) {
        if (!list.includes(consumer)) list.push(consumer);
      } else qualifiers.set(qualifier, [consumer]);
    };
    use('$LATEST', `${fnLabel} ($LATEST)`);
    for (const alias of aliases) for (const version of alias.versions) use(version, `${fnLabel}, alias ${alias.name}`);
    const newest = versions.sort((a, b) => b - a).slice(0, Math.max(0, this.settings.versions));
    for (const version of newest) use(String(version), `${fnLabel}, version ${version}`);
    await Promise.all(
      [...qualifiers].map(async ([qualifier, consumers]) => {
        let out;
        try {
          out = await this.caller.run(
            { operation: 'lambda:GetFunction', location: `${location} (${qualifier})`, pacer: this.getFunctionPacer, passThrough: isNotFound },
            (abortSignal) => this.client.send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }), { abortSignal }),
          );
        } catch (error) {
          if (!isNotFound(error)) throw error;
          this.notes.push(`Lambda: function ${name} (${qualifier}) was deleted during the scan`);
          return;
        }
        const references = [...new Set([out.Code?.ImageUri, out.Code?.ResolvedImageUri].filter((r): r is string => typeof r === 'string' && r !== ''))];
        for (const consumer of consumers) for (const reference of references) this.usages.push({ consumer, source: 'lambda', reference });
      }),
    );
  }

  /** Aliases and the versions each routes to (its version and its canary's). */
  private async listAliases(name: string, location: string): Promise<{ name: string; versions: string[] }[]> {
    const aliases: { name: string; versions: string[] }[] = [];
    let marker: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'lambda:ListAliases', location, pacer: this.control, passThrough: isNotFound }, (abortSignal) =>
        this.client.send(new ListAliasesCommand({ FunctionName: name, MaxItems: LAMBDA_LIST_PAGE_MAX, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
      );
      for (const alias of out.Aliases ?? []) {
        const versions = [alias.FunctionVersion, ...Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {})].filter((v): v is string => typeof v === 'string' && v !== '');
        aliases.push({ name: alias.Name ?? '?', versions: [...new Set(versions)] });
      }
      marker = out.NextMarker;
    } while (marker);
    return aliases;
  }

  /** Published version numbers (`$LATEST` left out; it is read anyway). */
  private async listVersions(name: string, location: string): Promise<number[]> {
    const versions: number[] = [];
    let marker: string | undefined;
    do {
      const out = await this.caller.run({ operation: 'lambda:ListVersionsByFunction', location, pacer: this.control, passThrough: isNotFound }, (abortSignal) =>
        this.client.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: LAMBDA_LIST_PAGE_MAX, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
      );
      for (const v of out.Versions ?? []) {
        const n = Number(v.Version);
        if (v.Version !== '$LATEST' && Number.isInteger(n)) versions.push(n);
      }
      marker = out.NextMarker;
    } while (marker);
    return versions;
  }
}
