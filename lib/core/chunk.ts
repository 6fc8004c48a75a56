/** Splits a list into consecutive slices of at most `size` (ECR's batch calls take at most 100 ids). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
