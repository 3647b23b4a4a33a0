/**
 * The types of the condition checker and the declarations a caller gives it: which variables
 * exist (`principal`, `resource`, `context`) and what their fields are. Plain data.
 */

export type CelType =
  | { readonly kind: 'int' | 'double' | 'string' | 'bool' | 'null' | 'timestamp' | 'duration' | 'dyn' | 'type' }
  | { readonly kind: 'list'; readonly elem: CelType }
  | { readonly kind: 'map'; readonly key: CelType; readonly value: CelType }
  /** An application object with named fields (`resource` with `amount`, `stage` …). */
  | { readonly kind: 'object'; readonly name: string; readonly fields: Readonly<Record<string, CelType>> };

/**
 * Variables by name: `{ resource: t.object('lead', { amount: t.int }) }`. Only own properties
 * count; build records from policy names with `Object.fromEntries` (an object literal key
 * `__proto__` would set the prototype instead).
 */
export type Declarations = Readonly<Record<string, CelType>>;

/** Builders for {@link CelType}s. */
export const t = {
  int: { kind: 'int' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  null: { kind: 'null' },
  timestamp: { kind: 'timestamp' },
  duration: { kind: 'duration' },
  dyn: { kind: 'dyn' },
  type: { kind: 'type' },
  list: (elem: CelType): CelType => ({ kind: 'list', elem }),
  map: (key: CelType, value: CelType): CelType => ({ kind: 'map', key, value }),
  object: (name: string, fields: Readonly<Record<string, CelType>>): CelType => ({ kind: 'object', name, fields }),
} as const satisfies Record<string, CelType | ((...args: never[]) => CelType)>;

/** How a type is written in messages: `int`, `list<string>`, `map<string, dyn>`, `lead`. */
export function typeName(type: CelType): string {
  switch (type.kind) {
    case 'list':
      return `list<${typeName(type.elem)}>`;
    case 'map':
      return `map<${typeName(type.key)}, ${typeName(type.value)}>`;
    case 'object':
      return type.name;
    case 'null':
      return 'null_type';
    default:
      return type.kind;
  }
}

/** The field of an object type, own properties only (a field may be called `constructor`). */
export function fieldType(type: CelType & { kind: 'object' }, field: string): CelType | undefined {
  return Object.hasOwn(type.fields, field) ? type.fields[field] : undefined;
}

export function sameType(a: CelType, b: CelType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list' && b.kind === 'list') return sameType(a.elem, b.elem);
  if (a.kind === 'map' && b.kind === 'map') return sameType(a.key, b.key) && sameType(a.value, b.value);
  if (a.kind === 'object' && b.kind === 'object') return a.name === b.name;
  return true;
}

/** Names of type values an expression may use (`type(x) == int`). */
export const TYPE_NAMES = ['int', 'double', 'string', 'bool', 'bytes', 'uint', 'null_type', 'list', 'map', 'type', 'google.protobuf.Timestamp', 'google.protobuf.Duration'] as const;
