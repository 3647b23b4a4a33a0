/**
 * Limits on what one compile accepts (issue 14). Policies arrive in pull requests and CI
 * compiles them unattended, so every size that makes work or memory grow has a ceiling with its
 * own diagnostic code. The defaults are far above any real policy set (the largest bundled
 * example is well under a tenth of each) and are listed in docs/diagnostics.md.
 */
export interface Limits {
  /** Policy files in one policy set folder (PC1010). */
  readonly maxFiles: number;
  /** Bytes of all policy files together (PC1010): memory grows with the text. */
  readonly maxBytes: number;
  /** Nesting of YAML mappings and lists in one file (PC1009). */
  readonly maxYamlDepth: number;
  /** Characters of one condition (`when:`), which bounds its literals too (PC1014). */
  readonly maxExpressionLength: number;
  /** Roles and profiles of one policy set (PC1015). */
  readonly maxRoles: number;
  /** Rules (role × resource × action cells, stage and pipeline overrides) of one policy set (PC1016). */
  readonly maxRules: number;
  /** Length of a `reportsTo` chain, or of an `extends`/`profile` chain (PC1017). */
  readonly maxRoleDepth: number;
  /** Field-mask entries (role × attribute of a record resource) of one policy set (PC1016). */
  readonly maxFieldEntries: number;
  /** Bytes of a user directory file (`check --directory`, PC1018). */
  readonly maxDirectoryBytes: number;
  /** Entries (users and organisations) of a user directory (PC1018). */
  readonly maxDirectoryUsers: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFiles: 1_000,
  maxBytes: 4 * 1024 * 1024,
  maxYamlDepth: 100,
  maxExpressionLength: 10_000,
  maxRoles: 10_000,
  // compiling 100,000 rules peaks near 600 MB (bench/compile-scale.mjs); emit and bundle grow with them
  maxRules: 100_000,
  // a field-mask entry costs about a tenth of a rule: 1,000,000 compile in under 400 MB
  maxFieldEntries: 1_000_000,
  // real hierarchies are under 20 deep; the closure (roles below each role) grows with depth
  maxRoleDepth: 100,
  // 100,000 users are about 15 MB of JSON Lines and check in a few seconds (bench/directory.mjs)
  maxDirectoryBytes: 128 * 1024 * 1024,
  maxDirectoryUsers: 1_000_000,
};

/** The defaults with some limits replaced (a CLI flag or an API caller). */
export function limitsWith(overrides: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export const count = (n: number): string => n.toLocaleString('en');

/**
 * Limits from command-line words `name=value` (`--limit maxRoles=20000`): the limits, or a
 * usage error naming the word that is not one.
 */
export function parseLimits(words: readonly string[]): { limits: Partial<Limits> } | { error: string } {
  const limits: Partial<Record<keyof Limits, number>> = {};
  for (const word of words) {
    const match = /^(\w+)=(\d[\d_]*)$/.exec(word);
    const name = match?.[1] as keyof Limits | undefined;
    if (match === null || name === undefined || !Object.hasOwn(DEFAULT_LIMITS, name)) {
      return { error: `\`${word}\` is not a limit: write \`name=number\` with one of ${Object.keys(DEFAULT_LIMITS).join(', ')}` };
    }
    limits[name] = Number(match[2]!.replace(/_/g, ''));
  }
  return { limits };
}
