/**
 * Where `policyc serve` finds subjects and records: files in the policy folder for small sets
 * (files.ts), Postgres for real ones (postgres.ts). Every method is asynchronous so a database
 * fits behind the same interface; a replica keeps no state of its own.
 */
import type { Principal, QueryPlan } from '@policyc/runtime';

/** A subject of the directory with the principal `can` reads. */
export interface SubjectEntry {
  readonly id: string;
  readonly principal: Principal;
}

export interface SubjectSource {
  /** The principal of the subject of `type` with this id, email or key; `undefined` when unknown. */
  principal(type: string, key: string): Promise<Principal | undefined>;
  /** Up to `limit` subjects of `type` with an id after `after`, in id order (subject search pages through them). */
  page(type: string, after: string | undefined, limit: number): Promise<readonly SubjectEntry[]>;
}

export interface RecordSource {
  /** Whether this source holds the records of `kind` (then an unknown id is an unknown record). */
  has(kind: string): boolean;
  /** The stored record of `kind` with `id` (its attributes), or `undefined`. */
  get(kind: string, id: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /**
   * The records of `kind` that `plan` keeps, with an id after `after`, in id order, at most
   * `limit`; each with its attributes so a `recheck` plan can be checked record by record.
   */
  search(kind: string, plan: QueryPlan, after: string | undefined, limit: number): Promise<readonly StoredRecord[]>;
  close?(): Promise<void>;
}

export interface StoredRecord {
  readonly id: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** No directory: every subject is unknown. */
export const NO_SUBJECTS: SubjectSource = {
  principal: async () => undefined,
  page: async () => [],
};

/** Compares ids as the pages order them (code units, as Postgres `COLLATE "C"`). */
export function byId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
