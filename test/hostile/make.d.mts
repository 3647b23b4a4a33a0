// Types of make.mjs, for test/hostile.test.ts.
export function attributesPolicy(n: number, duplicate?: boolean): string;
export function rolesPolicy(n: number, resources?: number): string;
export function literalPolicy(n: number): string;
export function fieldsPolicy(roles: number, attributes: number): string;
export const DIRECTORY_POLICY: string;
export function directoryUsers(n: number): Record<string, unknown>[];
export function directoryText(users: readonly unknown[], format: 'jsonl' | 'json' | 'yaml'): string;
export const BUILDS: Set<string>;
export const GENERATED: Record<string, { make: (dir: string) => void; folder?: string; directory?: string }>;
