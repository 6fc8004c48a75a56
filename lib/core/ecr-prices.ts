/**
 * Amazon ECR storage prices, the one table every money figure of the reports comes from. The
 * figures are what the cited pages said on the date below; a Region whose price could not be
 * confirmed is left out on purpose, so the reports say "no price for Region X" instead of
 * guessing. Users override or extend the table with a JSON document (`--prices FILE` in the CLI,
 * `PRICES_JSON` in the functions); see docs/reports.md, *Money*.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** USD per GB-month of one Region's private-repository storage. */
export interface StoragePrice {
  /** ECR standard storage class. */
  standardPerGbMonth: number;
  /**
   * ECR archive storage class, first pricing tier (AWS lowers it beyond 150 TB a month in the
   * account, so for such registries the estimate is an upper bound); null when not known.
   */
  archivePerGbMonth: number | null;
}

/** A dated, cited price table. */
export interface PriceTable {
  /** When the prices were read from the source (yyyy-mm-dd). */
  checkedOn: string;
  /** Where they were read. */
  source: string;
  regions: Readonly<Record<string, StoragePrice>>;
}

/**
 * The built-in table. Standard storage: $0.10 per GB-month; archive: $0.10 per GB-month for the
 * first 150 TB a month ($0.07 above). Both were confirmed for us-east-1 and ap-northeast-1 against
 * the AWS pricing page and Price List API in March 2026 (third-party checks, cited in
 * docs/reports.md); other Regions are not listed because their price was not confirmed.
 */
export const ECR_PRICES: PriceTable = {
  checkedOn: '2026-03-22',
  source: 'https://aws.amazon.com/ecr/pricing/',
  regions: {
    'us-east-1': { standardPerGbMonth: 0.1, archivePerGbMonth: 0.1 },
    'ap-northeast-1': { standardPerGbMonth: 0.1, archivePerGbMonth: 0.1 },
  },
};

/**
 * Bytes in the "GB" of a GB-month. The reports count it as 2^30 bytes (a GiB), the unit they
 * print sizes in, so a size and its price read together. The ECR pricing page does not say which
 * GB it means; were it 10^9 bytes, the true figure would be about 7% higher than the estimate.
 */
export const BYTES_PER_BILLED_GB = 1024 ** 3;

/** A price override document is invalid; nothing is priced with it. */
export class PriceTableError extends ConfigError {}

const PRICE = z.number().finite().nonnegative().max(100);
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const OVERRIDE = z
  .object({
    checkedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd'),
    source: z.string().min(1).max(500),
    regions: z.record(z.string(), z.object({ standardPerGbMonth: PRICE, archivePerGbMonth: PRICE.nullable().optional() }).strict()),
  })
  .strict()
  .superRefine((table, ctx) => {
    for (const region of Object.keys(table.regions)) {
      if (!REGION_CODE.test(region)) ctx.addIssue({ code: 'custom', path: ['regions', region], message: `expected a Region code such as eu-west-1, got ${JSON.stringify(region)}` });
    }
  });

/**
 * Reads a price override (JSON text) and lays it over `base`: the Regions it names replace the
 * base's, the others stay, and the table takes the override's date and source.
 *
 * @param where - the file or variable it came from, named in every error.
 * @throws PriceTableError naming `where`, the field and what was expected.
 * @example parsePriceOverride('{"checkedOn":"2026-12-01","source":"our EDP","regions":{"eu-west-1":{"standardPerGbMonth":0.09}}}', 'prices.json')
 */
export function parsePriceOverride(text: string, where: string, base: PriceTable = ECR_PRICES): PriceTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const parsed = OVERRIDE.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new PriceTableError(`${where}: invalid price table: ${problems.join('; ')}`, { cause: parsed.error });
  }
  const regions: Record<string, StoragePrice> = { ...base.regions };
  for (const [region, price] of Object.entries(parsed.data.regions)) {
    regions[region] = { standardPerGbMonth: price.standardPerGbMonth, archivePerGbMonth: price.archivePerGbMonth ?? null };
  }
  return { checkedOn: parsed.data.checkedOn, source: parsed.data.source, regions };
}
