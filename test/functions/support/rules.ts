/** The rules file the handler tests deploy: one `apps` policy that expires untagged images after 7d. */

/**
 * YAML for the `apps` policy (`app/**`, untagged older than 7d, minAge 1d). `mode` sets
 * `defaults.mode`; `null` leaves it out so the function's default (dry-run) applies.
 */
export function untaggedAfter7dRules(mode: 'apply' | 'dry-run' | null): string {
  return `version: 1
defaults:
${mode ? `  mode: ${mode}\n` : ''}  minAge: 1d
policies:
  - name: apps
    repositories:
      include: ["app/**"]
    rules:
      - id: untagged-after-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
`;
}
