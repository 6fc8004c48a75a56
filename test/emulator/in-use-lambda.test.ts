import { GetFunctionCommand, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, type ListFunctionsCommandOutput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/index.js';
import { consumerEmulatorPerTest, failure, uri, type ConsumerClients } from './in-use-support.js';

const harness = consumerEmulatorPerTest();

async function start(state: StateFile): Promise<ConsumerClients> {
  return harness.start({ now: '2026-06-01T00:00:00Z', state });
}

const REPOS: StateFile['repositories'] = [{ name: 'team/resize', images: [{ tags: ['v1'] }, { tags: ['v2', 'latest'] }, { tags: ['v3'] }] }];
const digestOf = (tag: string): string => harness.emulator?.findImage('team/resize', { tag })?.imageDigest as string;

describe('Lambda in the emulator: ListFunctions', () => {
  const functions = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `fn-${String(i).padStart(3, '0')}`, image: 'team/resize:v1', versions: ['team/resize:v1'] }));

  it('pages by at most 50 with Marker, honours a smaller MaxItems, and FunctionVersion=ALL adds the published versions', async () => {
    const { lambda } = await start({ repositories: REPOS, lambda: { functions: [...functions(110), { name: 'zip-fn', packageType: 'Zip' }] } });
    const sizes: number[] = [];
    const names = new Set<string>();
    let Marker: string | undefined;
    do {
      const page: ListFunctionsCommandOutput = await lambda.send(new ListFunctionsCommand({ Marker, MaxItems: 1000 }));
      sizes.push(page.Functions?.length ?? 0);
      for (const f of page.Functions ?? []) names.add(`${f.FunctionName}:${f.Version}`);
      Marker = page.NextMarker;
    } while (Marker);
    expect(sizes).toEqual([50, 50, 11]);
    expect(names.size).toBe(111);
    expect([...names].every((n) => n.endsWith(':$LATEST'))).toBe(true);
    expect((await lambda.send(new ListFunctionsCommand({ MaxItems: 7 }))).Functions).toHaveLength(7);
    const all: string[] = [];
    Marker = undefined;
    do {
      const page: ListFunctionsCommandOutput = await lambda.send(new ListFunctionsCommand({ Marker, FunctionVersion: 'ALL' }));
      all.push(...(page.Functions ?? []).map((f) => `${f.FunctionName}:${f.Version}:${f.PackageType}`));
      Marker = page.NextMarker;
    } while (Marker);
    expect(all).toHaveLength(221);
    expect(all).toContain('fn-000:1:Image');
    expect(all).toContain('zip-fn:$LATEST:Zip');
    expect(await failure(lambda.send(new ListFunctionsCommand({ Marker: 'bogus' })))).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it('lists nothing without a lambda section', async () => {
    const { lambda } = await start({ repositories: REPOS });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  });
});

describe('Lambda in the emulator: versions, aliases, GetFunction', () => {
  const state = (): StateFile => ({
    repositories: REPOS,
    lambda: {
      functions: [
        {
          name: 'resize',
          image: 'team/resize:latest',
          versions: ['team/resize:v1', { image: 'team/resize:v2' }, { imageDigest: `sha256:${'d'.repeat(64)}` }],
          aliases: [{ name: 'live', version: 2, additionalVersionWeights: { '3': 0.1 } }, { name: 'edge', version: '$LATEST' }],
        },
      ],
    },
  });

  it('GetFunction gives ImageUri as written and ResolvedImageUri = repo@digest the tag named when published, for $LATEST, a version and an alias', async () => {
    const { lambda } = await start(state());
    const [v1, v2] = [digestOf('v1'), digestOf('v2')];
    harness.emulator?.tagImage('team/resize', digestOf('v3'), 'v2'); // v2 moves on after publication
    const code = async (Qualifier?: string) => (await lambda.send(new GetFunctionCommand({ FunctionName: 'resize', Qualifier }))).Code;
    expect(await code()).toEqual({ RepositoryType: 'ECR', ImageUri: uri('team/resize:latest'), ResolvedImageUri: uri(`team/resize@${v2}`) });
    expect(await code('1')).toEqual({ RepositoryType: 'ECR', ImageUri: uri('team/resize:v1'), ResolvedImageUri: uri(`team/resize@${v1}`) });
    expect((await code('live'))?.ResolvedImageUri).toBe(uri(`team/resize@${v2}`));
    expect(await code('3')).toEqual({ RepositoryType: 'ECR', ImageUri: uri('team/resize:latest'), ResolvedImageUri: uri(`team/resize@sha256:${'d'.repeat(64)}`) });
    const byArn = await lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:resize:live' }));
    expect(byArn.Configuration).toMatchObject({ Version: '2', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:resize:live', PackageType: 'Image' });
  });

  it('ListVersionsByFunction lists $LATEST and the versions; ListAliases carries the routing weights', async () => {
    const { lambda } = await start(state());
    expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'resize' }))).Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2', '3']);
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'resize', MaxItems: 2 }));
    expect(page.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'resize', Marker: page.NextMarker }))).Versions?.map((v) => v.Version)).toEqual(['2', '3']);
    const { Aliases } = await lambda.send(new ListAliasesCommand({ FunctionName: 'resize' }));
    expect(Aliases?.map((a) => [a.Name, a.FunctionVersion, a.RoutingConfig?.AdditionalVersionWeights])).toEqual([
      ['edge', '$LATEST', undefined],
      ['live', '2', { '3': 0.1 }],
    ]);
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'resize', FunctionVersion: '2' }))).Aliases?.map((a) => a.Name)).toEqual(['live']);
  });

  it('answers 404 ResourceNotFoundException for an unknown function, version or alias', async () => {
    const { lambda } = await start(state());
    for (const call of [
      lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })),
      lambda.send(new GetFunctionCommand({ FunctionName: 'resize', Qualifier: '9' })),
      lambda.send(new GetFunctionCommand({ FunctionName: 'resize', Qualifier: 'canary' })),
      lambda.send(new ListAliasesCommand({ FunctionName: 'nope' })),
      lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:resize' })),
    ]) {
      expect(await failure(call)).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    }
  });
});
