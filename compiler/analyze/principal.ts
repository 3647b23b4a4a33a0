import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { BUILT_IN_PRINCIPAL, spanOf, type Declarations } from './declarations.ts';

const tick = (s: string): string => `\`${s}\``;

/**
 * Where the application's principal keeps each built-in value (`principal: { groups: groupIds }`,
 * issue 17): only the ones given another field, so an application passes its own user objects
 * unchanged. Two values read from one field would silently be the same value: reported.
 */
export function principalFields(declarations: Pick<Declarations, 'principal' | 'principalFields'>, bag: DiagnosticBag): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  // which value each field of the application's object holds: the built-ins not moved keep their own name
  const holder = new Map<string, string>();
  for (const name of BUILT_IN_PRINCIPAL) if (!declarations.principalFields.has(name)) holder.set(name, name);
  for (const name of declarations.principal.keys()) holder.set(name, name);
  for (const [name, { field, origin }] of declarations.principalFields) {
    const taken = holder.get(field);
    if (taken !== undefined && taken !== name) {
      bag.report('DuplicateName', spanOf(origin, [], 'value'), `field ${tick(field)} already holds \`principal.${taken}\``, {
        help: `read \`principal.${name}\` from a field of its own`,
      });
      continue;
    }
    holder.set(field, name);
    if (field !== name) out.set(name, field);
  }
  return out;
}
