/**
 * The lines `npm run emulator` prints once it listens: where it is, what it holds, and how to
 * talk to it.
 */

/** What the banner reports about a started emulator. */
export interface BannerFacts {
  url: string;
  region: string;
  repositories: number;
  images: number;
  /** The emulator's clock, epoch milliseconds. */
  now: number;
}

/**
 * The banner as one string (the caller writes it in one go, so a process reading it gets it whole).
 *
 * @example
 * formatBanner({ url: 'http://127.0.0.1:4510', region: 'us-east-1', repositories: 1, images: 3, now: 0 })
 * // 'ECR emulator listening on http://127.0.0.1:4510\n  1 repository, 3 images; clock 1970-01-01T00:00:00.000Z\n...'
 */
export function formatBanner(facts: BannerFacts): string {
  return [
    `ECR emulator listening on ${facts.url}`,
    `  ${count(facts.repositories, 'repository', 'repositories')}, ${count(facts.images, 'image', 'images')}; clock ${new Date(facts.now).toISOString()}`,
    `  aws ecr describe-repositories --endpoint-url ${facts.url} --region ${facts.region}`,
    `  stats: curl ${facts.url}/_emulator/stats   (Ctrl-C to stop)`,
  ].join('\n');
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
