/**
 * AWS's documented lifecycle policies (ecr-facts.md §2 and the acceptance cases), verbatim, as
 * shared fixtures for the rules tests. Tagged cases come in both forms: the current docs'
 * `tagPatternList` and the 2020 docs' `tagPrefixList` ("prod*" → "prod").
 */

type NativeRule = Record<string, unknown>;

export const E1 = { rules: [{ rulePriority: 1, description: 'Expire images older than 14 days', selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] };
export const E1_2020 = { rules: [{ rulePriority: 1, description: 'Expire images older than 14 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] };
export const E2 = { rules: [{ rulePriority: 1, description: 'Archive images not pulled in 90 days', selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, action: { type: 'transition', targetStorageClass: 'archive' } }] };
export const E3 = { rules: [{ rulePriority: 1, description: 'Expire images archived for more than 365 days', selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }, action: { type: 'expire' } }] };
export const E4 = { rules: [{ rulePriority: 1, description: 'Keep only one untagged image, expire all others', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] };
export const E5 = { rules: [{ rulePriority: 1, description: 'Archive production images older than 30 days', selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } }] };
export const E6 = E2;
export const E7 = {
  rules: [
    { rulePriority: 1, description: 'Archive images older than 30 days', selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } },
    { rulePriority: 2, description: 'Expire images archived for more than 365 days', selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }, action: { type: 'expire' } },
  ],
};

const countRule = (priority: number, selection: Record<string, unknown>, count: number): NativeRule => ({
  rulePriority: priority,
  selection: { ...selection, countType: 'imageCountMoreThan', countNumber: count },
  action: { type: 'expire' },
});
const pushedRule = (priority: number, selection: Record<string, unknown>, days: number): NativeRule => ({
  rulePriority: priority,
  selection: { ...selection, countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
  action: { type: 'expire' },
});

/** Tag-list form of a selection: the current docs' patterns or the 2020 docs' prefixes. */
export type TagForm = 'tagPatternList' | 'tagPrefixList';
const tagged = (form: TagForm, globs: string[]) => ({
  tagStatus: 'tagged',
  [form]: form === 'tagPatternList' ? globs : globs.map((g) => g.replace(/\*$/, '')),
});

/** One documented case: policy, images (tags, age in days) and the expired set AWS documents. */
export interface AcceptanceCase {
  name: string;
  policy: (form: TagForm) => { rules: NativeRule[] };
  images: { name: string; tags: string[]; ageDays: number }[];
  expired: string[];
}

const AC12_IMAGES = [
  { name: 'A', tags: ['beta-1', 'prod-1'], ageDays: 10 },
  { name: 'B', tags: ['beta-2', 'prod-2'], ageDays: 9 },
  { name: 'C', tags: ['beta-3'], ageDays: 8 },
];

export const ACCEPTANCE_CASES: AcceptanceCase[] = [
  {
    name: 'AC-1 multiple rules, example A',
    policy: (f) => ({ rules: [countRule(1, tagged(f, ['prod*']), 1), countRule(2, tagged(f, ['beta*']), 1)] }),
    images: AC12_IMAGES,
    expired: ['A'],
  },
  {
    name: 'AC-2 multiple rules, example B',
    policy: (f) => ({ rules: [countRule(1, tagged(f, ['beta*']), 1), countRule(2, tagged(f, ['prod*']), 1)] }),
    images: AC12_IMAGES,
    expired: ['A', 'B'],
  },
  {
    name: 'AC-3 multiple tags in one rule (AND)',
    policy: (f) => ({ rules: [pushedRule(1, tagged(f, ['alpha*', 'beta*']), 5)] }),
    images: [
      { name: 'A', tags: ['alpha-1'], ageDays: 12 },
      { name: 'B', tags: ['beta-1'], ageDays: 11 },
      { name: 'C', tags: ['alpha-2', 'beta-2'], ageDays: 10 },
      { name: 'D', tags: ['alpha-3'], ageDays: 4 },
      { name: 'E', tags: ['beta-3'], ageDays: 3 },
      { name: 'F', tags: ['alpha-4', 'beta-4'], ageDays: 2 },
    ],
    expired: ['C'],
  },
  {
    name: 'AC-4 extra tags do not exclude',
    policy: (f) => ({ rules: [countRule(1, tagged(f, ['alpha*', 'beta*']), 1)] }),
    images: [
      { name: 'A', tags: ['alpha-1', 'beta-1', 'gamma-1'], ageDays: 10 },
      { name: 'B', tags: ['alpha-2', 'beta-2'], ageDays: 9 },
      { name: 'C', tags: ['alpha-3', 'beta-3', 'gamma-2'], ageDays: 8 },
    ],
    expired: ['A', 'B'],
  },
  {
    name: 'AC-5 all images, example A',
    policy: () => ({ rules: [countRule(1, { tagStatus: 'any' }, 1)] }),
    images: [
      { name: 'A', tags: ['alpha-1'], ageDays: 4 },
      { name: 'B', tags: ['beta-1'], ageDays: 3 },
      { name: 'C', tags: [], ageDays: 2 },
      { name: 'D', tags: ['alpha-2'], ageDays: 1 },
    ],
    expired: ['A', 'B', 'C'],
  },
  {
    name: 'AC-6 all images, example B (all rule types)',
    policy: (f) => ({
      rules: [countRule(1, tagged(f, ['alpha*']), 1), pushedRule(2, { tagStatus: 'untagged' }, 1), countRule(3, { tagStatus: 'any' }, 1)],
    }),
    images: [
      { name: 'A', tags: ['alpha-1', 'beta-1'], ageDays: 4 },
      { name: 'B', tags: [], ageDays: 3 },
      { name: 'C', tags: ['alpha-2'], ageDays: 2 },
      // D and E are "1 day" old: both just under 24 h, E slightly newer (ecr-facts.md AC-6).
      { name: 'D', tags: ['git hash'], ageDays: 0.99 },
      { name: 'E', tags: [], ageDays: 0.98 },
    ],
    expired: ['A', 'B', 'D'],
  },
];
