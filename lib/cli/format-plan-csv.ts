/**
 * `ecr-sweeper plan --format csv`: one row per image of the plan, for spreadsheets and `grep`.
 * Pure: Plan in, RFC 4180 text out.
 */
import type { Plan } from '../core/plan-model.js';
// The audit CSV's quoting, so both CSVs neutralise formulas and quote the same way.
import { TARGET_CSV_COLUMNS, csvCell } from '../core/report-csv.js';
import { consumerList } from '../core/report-in-use.js';

/** Column order of the plan CSV; part of the CLI's output contract. */
export const PLAN_CSV_COLUMNS = [
  'repository',
  'policy',
  'repository_status',
  'digest',
  'tags',
  'role',
  'pushed_at',
  'last_pulled_at',
  'size_bytes',
  'decision',
  'rule',
  'reason',
  'used_by',
] as const;

/**
 * Renders every image of every repository as a CSV row (header first, CRLF line ends as RFC 4180
 * says). Tags are space-separated in one cell (ECR tags cannot contain spaces).
 *
 * @example
 *   writeFileSync('plan.csv', renderPlanCsv(plan));
 */
export function renderPlanCsv(plan: Plan): string {
  // A multi-target plan says where each image is; a single-target plan keeps its columns exactly.
  const withTargets = plan.targets !== undefined;
  const rows: string[] = [(withTargets ? [...TARGET_CSV_COLUMNS, ...PLAN_CSV_COLUMNS] : PLAN_CSV_COLUMNS).join(',')];
  for (const repo of plan.repositories) {
    const target = withTargets ? [repo.target?.accountId ?? '', repo.target?.region ?? ''] : [];
    for (const image of repo.images) {
      rows.push(
        [
          ...target,
          repo.repositoryName,
          repo.policy ?? '',
          repo.status,
          image.imageDigest,
          image.imageTags.join(' '),
          image.role,
          image.pushedAt ?? '',
          image.lastPulledAt ?? '',
          image.sizeInBytes,
          image.decision,
          image.rule ?? '',
          image.reason,
          consumerList(image),
        ]
          .map((cell) => csvCell(cell))
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
