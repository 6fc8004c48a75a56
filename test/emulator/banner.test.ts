import { describe, expect, it } from 'vitest';
import { formatBanner } from '../../emulator/banner.js';

describe('formatBanner', () => {
  it.each([
    [0, 0, '0 repositories, 0 images'],
    [1, 0, '1 repository, 0 images'],
    [1, 1, '1 repository, 1 image'],
    [2, 1, '2 repositories, 1 image'],
    [30, 3000, '30 repositories, 3000 images'],
  ])('%i repositories and %i images read "%s"', (repositories, images, expected) => {
    const banner = formatBanner({ url: 'http://127.0.0.1:4510', region: 'us-east-1', repositories, images, now: Date.UTC(2026, 10, 27) });
    expect(banner.split('\n')[1]).toBe(`  ${expected}; clock 2026-11-27T00:00:00.000Z`);
  });

  it('starts with the URL and ends with how to stop, the lines test harnesses wait for', () => {
    const banner = formatBanner({ url: 'http://127.0.0.1:4510', region: 'eu-west-1', repositories: 1, images: 1, now: 0 });
    expect(banner).toMatch(/^ECR emulator listening on http:\/\/127\.0\.0\.1:4510\n/);
    expect(banner).toContain('aws ecr describe-repositories --endpoint-url http://127.0.0.1:4510 --region eu-west-1');
    expect(banner).toMatch(/\(Ctrl-C to stop\)$/);
  });
});
