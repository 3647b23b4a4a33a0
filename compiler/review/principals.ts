/**
 * The kinds of principal a policy decides for, as rows of reviews (matrix, diff, test coverage):
 * each role as written, then each role for the users who carry another profile than the role's
 * own (R-Z2) — the same place in the hierarchy, other grants.
 */
import type { PolicyModel, RoleModel } from '../ir/model.ts';

export interface PrincipalRow {
  /** `sales_rep`, or `sales_rep (profile read_only)`. */
  readonly label: string;
  /** The role's name (the hierarchy place). */
  readonly name: string;
  /** The profile the principal carries; undefined: the role's own. */
  readonly profile: string | undefined;
  /** The model that decides for this row. */
  readonly role: RoleModel;
}

/** Rows in role order, each role's profiles in name order; a profile that changes nothing (an administrator role) has no row. */
export function principalRows(model: PolicyModel): PrincipalRow[] {
  return model.roles.flatMap((role) => [
    { label: role.name, name: role.name, profile: undefined, role },
    ...[...role.byProfile]
      .filter(([, variant]) => variant !== role)
      .map(([profile, variant]) => ({ label: `${role.name} (profile ${profile})`, name: role.name, profile, role: variant })),
  ]);
}
