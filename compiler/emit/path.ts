import { Path } from '@policyc/runtime';

/**
 * A way of deciding (the runtime's `Path`) as generated code passes it to `d(rule, …)`: its number,
 * with its name in a comment for the reader. Not `Path.Own`: no bundler inlines a property of an
 * object, so every checker would carry the whole table of names, a tenth of what an application
 * that imports `can` alone bundles.
 */
export function path(name: string): string {
  const index: unknown = Object.hasOwn(Path, name) ? (Path as Readonly<Record<string, number>>)[name] : undefined;
  if (typeof index !== 'number') throw new Error(`policyc internal error: no decision path \`${name}\``);
  return `${index} /* ${name} */`;
}
