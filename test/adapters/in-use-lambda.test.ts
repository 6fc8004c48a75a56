/**
 * The Lambda in-use reader on a scripted Lambda double: which qualifiers it reads ($LATEST,
 * aliased versions with canary weights, newest N), both image URIs, pagination, pacing and
 * faults failing the scan closed with the function named.
 */
import { GetFunctionCommand, LambdaClient, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../lib/adapters/in-use-calls.js';
import { LambdaInUseReader } from '../../lib/adapters/in-use-lambda.js';
import type { InUseUsage } from '../../lib/core/in-use.js';
import { InUseSourceError } from '../../lib/engine/errors.js';
import { awsError, HOST } from './fake-ecs.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const digestOf = (fn: string, q: string): string => `sha256:${Buffer.from(`${fn}/${q}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
const unpaced = { sleep: async (): Promise<void> => {}, random: () => 0, rates: { controlPerSecond: Infinity, getFunctionPerSecond: Infinity } };

interface FakeFunction {
  name: string;
  packageType?: 'Image' | 'Zip';
  versions: number;
  aliases?: { name: string; version: string; weights?: Record<string, number> }[];
}

/** A Lambda double: pages of `pageSize`, GetFunction answering ImageUri (tag) and ResolvedImageUri (digest). */
function fakeLambda(functions: FakeFunction[], hook: (op: string, input: Record<string, unknown>) => void = () => {}) {
  const client = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  const page = <T>(items: T[], input: { Marker?: string; MaxItems?: number }) => {
    const size = Math.min(input.MaxItems ?? 50, 50);
    const start = input.Marker ? Number(input.Marker) : 0;
    return { items: items.slice(start, start + size), ...(start + size < items.length ? { NextMarker: String(start + size) } : {}) };
  };
  const find = (name: unknown): FakeFunction => {
    const f = functions.find((x) => x.name === name);
    if (!f) throw awsError('ResourceNotFoundException', `Function not found: ${String(name)}`, 404);
    return f;
  };
  const on = mock.on.bind(mock) as unknown as (c: unknown) => { callsFake(fn: (input: never) => Promise<unknown>): unknown };
  on(ListFunctionsCommand).callsFake(async (input: { Marker?: string; MaxItems?: number }) => {
    hook('ListFunctions', input);
    const p = page(functions.map((f) => ({ FunctionName: f.name, PackageType: f.packageType ?? 'Image' })), input);
    return { Functions: p.items, NextMarker: p.NextMarker };
  });
  on(ListAliasesCommand).callsFake(async (input: { FunctionName: string; Marker?: string; MaxItems?: number }) => {
    hook('ListAliases', input);
    const f = find(input.FunctionName);
    const p = page((f.aliases ?? []).map((a) => ({ Name: a.name, FunctionVersion: a.version, ...(a.weights ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}) })), input);
    return { Aliases: p.items, NextMarker: p.NextMarker };
  });
  on(ListVersionsByFunctionCommand).callsFake(async (input: { FunctionName: string; Marker?: string; MaxItems?: number }) => {
    hook('ListVersionsByFunction', input);
    const f = find(input.FunctionName);
    const p = page(['$LATEST', ...Array.from({ length: f.versions }, (_, i) => String(i + 1))].map((Version) => ({ Version })), input);
    return { Versions: p.items, NextMarker: p.NextMarker };
  });
  on(GetFunctionCommand).callsFake(async (input: { FunctionName: string; Qualifier: string }) => {
    hook('GetFunction', input);
    const f = find(input.FunctionName);
    const q = input.Qualifier;
    return { Code: { RepositoryType: 'ECR', ImageUri: `${HOST}/${f.name}:${q === '$LATEST' ? 'latest' : `v${q}`}`, ResolvedImageUri: `${HOST}/${f.name}@${digestOf(f.name, q)}` } };
  });
  const inputs = <I>(command: unknown): I[] => (mock.commandCalls as unknown as (c: unknown) => { args: [{ input: I }] }[])(command).map((c) => c.args[0].input);
  return { client, mock, inputs };
}

function byConsumer(usages: readonly InUseUsage[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of usages) {
    expect(u.source).toBe('lambda');
    (out[u.consumer] ??= []).push(u.reference);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe('LambdaInUseReader: what it finds', () => {
  it('reads $LATEST, every aliased version (canary weights included) and the newest N versions, both image URIs', async () => {
    const fake = fakeLambda([
      { name: 'resize', versions: 9, aliases: [{ name: 'live', version: '2', weights: { '3': 0.1 } }, { name: 'edge', version: '$LATEST' }] },
      { name: 'zipped', packageType: 'Zip', versions: 3 },
    ]);
    const scan = await new LambdaInUseReader(fake.client, { versions: 2 }, unpaced).scan({ now: NOW });
    const both = (q: string): string[] => [`${HOST}/resize:${q === '$LATEST' ? 'latest' : `v${q}`}`, `${HOST}/resize@${digestOf('resize', q)}`].sort();
    expect(byConsumer(scan.usages)).toEqual({
      'Lambda function resize ($LATEST)': both('$LATEST'),
      'Lambda function resize, alias edge': both('$LATEST'),
      'Lambda function resize, alias live': [...both('2'), ...both('3')].sort(),
      'Lambda function resize, version 9': both('9'),
      'Lambda function resize, version 8': both('8'),
    });
    // One GetFunction per distinct qualifier; the Zip function is not read at all.
    expect(fake.inputs<{ FunctionName: string; Qualifier: string }>(GetFunctionCommand).map((i) => `${i.FunctionName}:${i.Qualifier}`).sort()).toEqual(
      ['resize:$LATEST', 'resize:2', 'resize:3', 'resize:8', 'resize:9'].sort(),
    );
    expect(fake.inputs<{ FunctionName: string }>(ListAliasesCommand).map((i) => i.FunctionName)).toEqual(['resize']);
    expect(scan.calls).toEqual({ 'lambda:ListFunctions': 1, 'lambda:ListAliases': 1, 'lambda:ListVersionsByFunction': 1, 'lambda:GetFunction': 5 });
  });

  it('pages functions and versions (50 a page) and takes the newest versions from the last page', async () => {
    const functions: FakeFunction[] = Array.from({ length: 120 }, (_, i) => ({ name: `f${i}`, versions: i === 7 ? 130 : 0 }));
    const fake = fakeLambda(functions);
    const scan = await new LambdaInUseReader(fake.client, { versions: 3 }, unpaced).scan({ now: NOW });
    expect(fake.inputs<{ MaxItems: number }>(ListFunctionsCommand).map((i) => i.MaxItems)).toEqual([50, 50, 50]);
    expect(fake.inputs<{ FunctionName: string }>(ListVersionsByFunctionCommand).filter((i) => i.FunctionName === 'f7')).toHaveLength(3);
    expect(Object.keys(byConsumer(scan.usages)).filter((c) => c.startsWith('Lambda function f7,')).sort()).toEqual(
      ['128', '129', '130'].map((v) => `Lambda function f7, version ${v}`),
    );
    expect(scan.calls['lambda:GetFunction']).toBe(120 + 3);
  });

  it('paces the shared-quota calls and GetFunction separately', async () => {
    const fake = fakeLambda(Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, versions: 1 })));
    let clock = 0;
    const waits: { ms: number }[] = [];
    const reader = new LambdaInUseReader(fake.client, { versions: 1 }, {
      rates: { controlPerSecond: 10, getFunctionPerSecond: 100 },
      clock: () => clock,
      sleep: async (ms) => void waits.push({ ms }),
      concurrency: 1,
    });
    await reader.scan({ now: NOW });
    // 1 ListFunctions + 4 × (ListAliases + ListVersionsByFunction) = 9 control calls 100 ms apart,
    // 8 GetFunction calls 10 ms apart: with a clock that never moves, the waits are the reservations.
    const total = waits.reduce((s, w) => s + w.ms, 0);
    expect(total).toBe(100 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) + 10 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
  });

  it('a call waiting for its pace holds no in-flight slot: GetFunction runs between the slower list calls', async () => {
    // Real timers, order only: 1 + 6 × 2 list calls 100 ms apart span 1.2 s; each function's
    // GetFunction is due as soon as its two lists are answered. Were the 2 slots held through the
    // list calls' pacing waits, every GetFunction would queue behind the list calls of all six.
    const order: string[] = [];
    const fake = fakeLambda(Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, versions: 0 })), (op) => order.push(op));
    await new LambdaInUseReader(fake.client, { versions: 0 }, { rates: { controlPerSecond: 10, getFunctionPerSecond: Infinity }, concurrency: 2 }).scan({ now: NOW });
    expect(order.filter((op) => op === 'GetFunction')).toHaveLength(6);
    // ListFunctions and f0's two lists, then f0's GetFunction (a little slack for a loaded machine).
    expect(order.indexOf('GetFunction')).toBeLessThanOrEqual(5);
  });

  it('a thousand calls waiting for their pace draw no MaxListenersExceededWarning on the scan signal', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const fake = fakeLambda(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, versions: 0 })));
      const scan = await new LambdaInUseReader(fake.client, { versions: 0 }, { rates: { controlPerSecond: 2000, getFunctionPerSecond: Infinity } }).scan({ now: NOW, signal: new AbortController().signal });
      expect(scan.calls['lambda:GetFunction']).toBe(30);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a function deleted during the scan is a note, not a failure', async () => {
    const functions: FakeFunction[] = [{ name: 'gone', versions: 1 }, { name: 'kept', versions: 0 }];
    const fake = fakeLambda(functions, (op, input) => {
      if (op === 'ListVersionsByFunction' && input.FunctionName === 'gone') functions.splice(0, 1);
    });
    const scan = await new LambdaInUseReader(fake.client, { versions: 5 }, unpaced).scan({ now: NOW });
    expect(Object.keys(byConsumer(scan.usages))).toEqual(['Lambda function kept ($LATEST)']);
    expect(scan.notes).toEqual(['Lambda: function gone was deleted during the scan']);
  });
});

describe('LambdaInUseReader: fails closed', () => {
  it('AccessDenied on GetFunction fails the scan naming the function and qualifier', async () => {
    const fake = fakeLambda([{ name: 'resize', versions: 0 }], (op) => {
      if (op === 'GetFunction') throw awsError('AccessDeniedException', 'not authorized to perform: lambda:GetFunction', 403);
    });
    const error = await new LambdaInUseReader(fake.client, { versions: 5 }, unpaced).scan({ now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InUseSourceError);
    expect(error).toMatchObject({ source: 'lambda', code: 'AccessDeniedException', location: 'function resize ($LATEST)' });
  });

  it('TooManyRequestsException is retried; past the retries it fails the scan', async () => {
    let throttles = 2;
    const fake = fakeLambda([{ name: 'resize', versions: 0 }], (op) => {
      if (op === 'ListAliases' && throttles-- > 0) throw awsError('TooManyRequestsException', 'Rate exceeded', 429);
    });
    const scan = await new LambdaInUseReader(fake.client, { versions: 5 }, unpaced).scan({ now: NOW });
    expect(scan.calls['lambda:ListAliases']).toBe(3);

    throttles = 100;
    const error = await new LambdaInUseReader(fake.client, { versions: 5 }, unpaced).scan({ now: NOW }).catch((e: unknown) => e);
    expect(error).toMatchObject({ source: 'lambda', code: 'TooManyRequestsException', location: 'function resize' });
  });

  it('stops when its signal fires', async () => {
    const controller = new AbortController();
    const fake = fakeLambda(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, versions: 0 })), (op) => {
      if (op === 'ListAliases') controller.abort('deadline');
    });
    const error = await new LambdaInUseReader(fake.client, { versions: 5 }, { ...unpaced, concurrency: 1 }).scan({ now: NOW, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ source: 'lambda', code: 'Aborted' });
    expect(fake.inputs(GetFunctionCommand)).toHaveLength(0);
  });
});

describe('Pacer', () => {
  it('spaces reservations 1000/rate ms apart from the later of now and the last slot', () => {
    const pacer = new Pacer(4);
    expect([pacer.reserve(0), pacer.reserve(0), pacer.reserve(100), pacer.reserve(2000), pacer.reserve(2000)]).toEqual([0, 250, 400, 0, 250]);
    expect(new Pacer(Infinity).reserve(5)).toBe(0);
  });
});
