/** Where role names are written in policy and test files: the table renames and deletes visit. */
import { isMap, isScalar, isSeq, type Document, type Scalar, type YAMLSeq } from 'yaml';

/** Matches any key of a mapping or any item of a list in a {@link RoleReference} path. */
const ANY = Symbol('any');

export interface ReferenceContext {
  /** Kind (resource name) → the attribute it declares as `ownerRole`. */
  readonly ownerRoleAttribute: ReadonlyMap<string, string>;
}

/**
 * One kind of place where a role name is written (other than the role's own key under `roles:`).
 * `path` leads from the top of a file to a node (`ANY` = every key or item); `names` picks the
 * role-name scalars at that node (default: the node itself when it is a string, or the string
 * items when it is a list). `list: true` marks lists of roles: when a delete moves an entry to a
 * role the list already names, the entry is dropped instead of duplicated.
 */
interface RoleReference {
  readonly what: string;
  readonly in: 'policy' | 'test';
  readonly path: readonly (string | typeof ANY)[];
  readonly names?: (node: unknown, context: ReferenceContext) => Scalar[];
  readonly list?: boolean;
}

/**
 * THE table of role references. Renaming and deleting visit exactly these places, so a new kind
 * of reference (groups, sharing rules, …) is one more entry here, with a test.
 */
const ROLE_REFERENCES: readonly RoleReference[] = [
  { what: '`reportsTo`', in: 'policy', path: ['roles', ANY, 'reportsTo'] },
  { what: '`extends`', in: 'policy', path: ['roles', ANY, 'extends'], list: true },
  { what: 'a group\'s `roles`', in: 'policy', path: ['groups', ANY, 'roles'], list: true },
  { what: 'a group\'s `rolesAndSubordinates`', in: 'policy', path: ['groups', ANY, 'rolesAndSubordinates'], list: true },
  { what: 'a sharing rule\'s `from`', in: 'policy', path: ['sharingRules', ANY, 'from', 'role'] },
  { what: 'a sharing rule\'s `from`', in: 'policy', path: ['sharingRules', ANY, 'from', 'roleAndSubordinates'] },
  { what: 'a sharing rule\'s `to`', in: 'policy', path: ['sharingRules', ANY, 'to', 'role'] },
  { what: 'a sharing rule\'s `to`', in: 'policy', path: ['sharingRules', ANY, 'to', 'roleAndSubordinates'] },
  { what: 'a test principal', in: 'test', path: ['principals', ANY, 'role'] },
  { what: 'an inline test principal', in: 'test', path: ['tests', ANY, 'principal', 'role'] },
  { what: 'the `ownerRole` of a test resource', in: 'test', path: ['resources', ANY], names: ownerRoleValue },
  { what: 'the `ownerRole` of an inline test resource', in: 'test', path: ['tests', ANY, 'resource'], names: ownerRoleValue },
];

/** The value of the attribute that the record's kind declares as its `ownerRole`. */
function ownerRoleValue(node: unknown, context: ReferenceContext): Scalar[] {
  if (!isMap(node)) return [];
  const kind = node.get('kind', true);
  if (!isScalar(kind) || typeof kind.value !== 'string') return [];
  const attribute = context.ownerRoleAttribute.get(kind.value);
  if (attribute === undefined) return [];
  const value = node.get(attribute, true);
  return isScalar(value) && typeof value.value === 'string' ? [value] : [];
}

function defaultNames(node: unknown): Scalar[] {
  if (isScalar(node)) return typeof node.value === 'string' ? [node] : [];
  if (isSeq(node)) return node.items.filter((item): item is Scalar => isScalar(item) && typeof item.value === 'string');
  return [];
}

interface Found {
  readonly reference: RoleReference;
  readonly scalar: Scalar;
  /** The list holding the scalar, for list references. */
  readonly list: YAMLSeq | undefined;
}

export function findReferences(doc: Document.Parsed, kind: 'policy' | 'test', context: ReferenceContext): Found[] {
  const found: Found[] = [];
  for (const reference of ROLE_REFERENCES) {
    if (reference.in !== kind) continue;
    let nodes: unknown[] = [doc.contents];
    for (const segment of reference.path) {
      const next: unknown[] = [];
      for (const node of nodes) {
        if (segment === ANY) {
          if (isMap(node)) for (const pair of node.items) next.push(pair.value);
          else if (isSeq(node)) next.push(...node.items);
        } else if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
          if (pair) next.push(pair.value);
        }
      }
      nodes = next;
    }
    for (const node of nodes) {
      const scalars = reference.names ? reference.names(node, context) : defaultNames(node);
      for (const scalar of scalars) found.push({ reference, scalar, list: isSeq(node) ? node : undefined });
    }
  }
  return found;
}
