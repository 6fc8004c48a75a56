/**
 * What a run is worth in money: the estimated monthly storage cost it freed (or would free) and,
 * for archive transitions, the cost moved from the standard to the archive storage class. Pure:
 * the price table and the Region are given. Every figure is an estimate and every renderer says
 * so with {@link MONEY_LABELS}.
 */
import { BYTES_PER_BILLED_GB, type PriceTable, type StoragePrice } from './ecr-prices.js';
import type { SweepResult } from './result-model.js';
import { runFigures } from './report-summary.js';
import { ruleTotals } from './report-rules.js';

/** The run's money figures, in USD per month; null where no price is known. */
export interface MoneyEstimate {
  region: string | null;
  /** Null when the table has no price for the Region (see `missing`). */
  price: StoragePrice | null;
  /** Why there is no figure, e.g. `no price for Region eu-west-3`; absent when priced. */
  missing?: string;
  checkedOn: string;
  source: string;
  /** Bytes freed (apply) or that would be freed (dry run): the run's Bytes freed / Would free. */
  freedBytes: number;
  /** Standard storage no longer paid for each month. */
  freedPerMonth: number | null;
  /** Bytes moved (or to be moved) to the archive class. */
  archivedBytes: number;
  /** Standard storage cost those bytes stop costing each month. */
  archivedStandardPerMonth: number | null;
  /** What they cost each month in the archive class instead; null without an archive price. */
  archivedArchivePerMonth: number | null;
}

/** Every money figure is labelled as an estimate, the same way in every renderer. */
export const MONEY_LABELS = {
  freed: { apply: 'Estimated storage cost freed', dryRun: 'Estimated storage cost an apply run would free' },
  archived: { apply: 'Estimated cost moved to archive', dryRun: 'Estimated cost an apply run would move to archive' },
  short: { apply: 'Est. cost freed', dryRun: 'Est. cost would free' },
} as const;

/**
 * The money figures of a run in `region`, priced from `prices`.
 *
 * @example moneyEstimate(result, 'us-east-1', ECR_PRICES).freedPerMonth
 */
export function moneyEstimate(result: Pick<SweepResult, 'mode' | 'repositories' | 'totals'>, region: string | null, prices: PriceTable): MoneyEstimate {
  const figures = runFigures(result);
  const freedBytes = figures.dryRun ? figures.bytesWouldFree : figures.bytesFreed;
  const archivedBytes = ruleTotals(result).reduce((sum, t) => sum + t.archivedBytes, 0);
  const price = region === null ? null : (prices.regions[region] ?? null);
  const base = { region, checkedOn: prices.checkedOn, source: prices.source, freedBytes, archivedBytes };
  if (price === null) {
    return {
      ...base,
      price: null,
      missing: region === null ? 'no Region known for this run' : `no price for Region ${region}`,
      freedPerMonth: null,
      archivedStandardPerMonth: null,
      archivedArchivePerMonth: null,
    };
  }
  return {
    ...base,
    price,
    freedPerMonth: perMonth(freedBytes, price.standardPerGbMonth),
    archivedStandardPerMonth: perMonth(archivedBytes, price.standardPerGbMonth),
    archivedArchivePerMonth: price.archivePerGbMonth === null ? null : perMonth(archivedBytes, price.archivePerGbMonth),
  };
}

/** Monthly cost of `bytes` at `perGbMonth` USD. */
export function perMonth(bytes: number, perGbMonth: number): number {
  return (bytes / BYTES_PER_BILLED_GB) * perGbMonth;
}

/** USD with cents: `$1,234.56`; a figure under one cent but above zero is `< $0.01`. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return 'unknown';
  if (amount > 0 && amount < 0.005) return '< $0.01';
  const [whole, cents] = amount.toFixed(2).split('.') as [string, string];
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/**
 * The money figures as the sentences every renderer prints (CLI, HTML, Slack), each labelled an
 * estimate, plus the basis line naming the Region, the price and the table's date and source.
 */
export function moneyLines(money: MoneyEstimate, dryRun: boolean): { freed: string; archived: string | null; basis: string } {
  const mode = dryRun ? 'dryRun' : 'apply';
  const missing = money.missing ?? 'no price';
  const freed = `${MONEY_LABELS.freed[mode]}: ${money.freedPerMonth === null ? `unknown (${missing})` : `${formatUsd(money.freedPerMonth)} per month (estimated)`}`;
  let archived: string | null = null;
  if (money.archivedBytes > 0) {
    const moved = money.archivedStandardPerMonth === null ? `unknown (${missing})` : `${formatUsd(money.archivedStandardPerMonth)} per month of standard storage`;
    const now =
      money.archivedArchivePerMonth === null
        ? money.price === null ? '' : ', archive price unknown'
        : `, costing ${formatUsd(money.archivedArchivePerMonth)} per month in the archive class`;
    archived = `${MONEY_LABELS.archived[mode]}: ${moved}${now} (estimated)`;
  }
  const basis = money.price
    ? `Estimate: ECR storage in ${money.region} at ${formatUsd(money.price.standardPerGbMonth)} per GB-month${money.price.archivePerGbMonth === null ? '' : ` (archive ${formatUsd(money.price.archivePerGbMonth)})`}, 1 GB = 2^30 bytes, prices of ${money.checkedOn} from ${money.source}. Shared layers are counted once per image, so this is an upper bound.`
    : `No estimate: ${missing}. Give a price table (docs/reports.md, Money); prices of ${money.checkedOn} from ${money.source}.`;
  return { freed, archived, basis };
}

/** The estimated monthly standard-storage cost a rule's deletions free; null without a price. */
export function ruleCostPerMonth(bytes: number, money: MoneyEstimate | null | undefined): number | null {
  return money?.price ? perMonth(bytes, money.price.standardPerGbMonth) : null;
}
