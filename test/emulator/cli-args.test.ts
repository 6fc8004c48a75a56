import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseGenerate } from '../../emulator/cli-args.js';
import { EmulatorStateError } from '../../emulator/errors.js';

describe('emulator command line', () => {
  it('parses every option', () => {
    expect(
      parseCommandLine([
        '--state', 'fixtures/state.json',
        '--port', '4566',
        '--generate', 'repos=30,images=100,seed=1',
        '--rate-limit', 'DescribeImages=20',
        '--rate-limit', 'BatchDeleteImage=5:10',
        '--throttle-probability', '0.1',
        '--server-error-probability', '0.05',
        '--latency-ms', '25',
        '--now', '2026-01-01T00:00:00Z',
        '--seed', '7',
        '--pull-time-exclusion', 'AKIDSWEEPER',
        '--registry-id', '111122223333',
        '--region', 'eu-west-1',
      ]),
    ).toEqual({
      state: 'fixtures/state.json',
      port: 4566,
      generate: { repositories: 30, imagesPerRepository: 100, seed: 1 },
      rateLimits: { DescribeImages: { rate: 20 }, BatchDeleteImage: { rate: 5, burst: 10 } },
      throttleProbability: 0.1,
      serverErrorProbability: 0.05,
      latencyMs: 25,
      now: '2026-01-01T00:00:00Z',
      seed: 7,
      pullTimeUpdateExclusions: ['AKIDSWEEPER'],
      registryId: '111122223333',
      region: 'eu-west-1',
    });
    expect(parseCommandLine(['--help'])).toBe('help');
  });

  it('parses generator ranges and shares', () => {
    expect(parseGenerate('release=2,main=5,pr=2,feature=1,rc=3')).toEqual({ tagMix: { release: 2, main: 5, pr: 2, feature: 1, releaseCandidate: 3 } });
    expect(() => parseGenerate('feature=0.5')).toThrow(EmulatorStateError);
    expect(parseGenerate('repositories=2,images=10-20,untagged=0.5,multiarch=0.2,referrers=0.1,pulled=0.9,age=30,prefix=gen/')).toEqual({
      repositories: 2,
      imagesPerRepository: [10, 20],
      untaggedShare: 0.5,
      multiArchShare: 0.2,
      referrerShare: 0.1,
      pulledShare: 0.9,
      maxAgeDays: 30,
      namePrefix: 'gen/',
    });
  });

  it.each([
    [['--port', 'abc'], /--port: expected an integer between 0 and 65535/],
    [['--rate-limit', 'DescribeImages'], /--rate-limit: "DescribeImages" should look like/],
    [['--throttle-probability', '1.5'], /--throttle-probability: expected a probability/],
    [['--generate', 'repos=2,colour=blue'], /--generate: unknown key "colour"/],
    [['--generate', 'images'], /--generate: "images" should be key=value/],
  ])('rejects %j', (args, message) => {
    expect(() => parseCommandLine(args)).toThrow(EmulatorStateError);
    expect(() => parseCommandLine(args)).toThrow(message);
  });

  it('rejects unknown flags', () => {
    expect(() => parseCommandLine(['--colour', 'blue'])).toThrow(/Unknown option '--colour'/);
  });
});
