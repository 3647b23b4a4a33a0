/**
 * The runtime's new files (directory.ts, roles.ts) until `@policyc/runtime`'s index re-exports
 * them; then this file imports them from `@policyc/runtime` instead.
 */
export { DirectoryError, loadDirectory, type DirectoryUser, type UserDirectory } from '../packages/runtime/src/directory.ts';
export { canAny, planAny, rolePrincipals } from '../packages/runtime/src/roles.ts';
