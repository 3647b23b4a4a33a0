/**
 * Subjects and records from Postgres (`serve.json`: `"postgres": { "url", "users", "records" }`),
 * so several `serve` replicas behind a load balancer share one database and keep no state.
 *
 * - The users table has the directory file's fields as columns (`id`, `roles` or `role`,
 *   `keys`, `email`, `type`, `groups`, `profile`, `reports_to`, `shift`, `organisations`,
 *   `workspaces`, `technical`, `attributes` jsonb; all but `id` and the roles may be absent or
 *   NULL). A row becomes a principal through the runtime's directory loader, so a file and a
 *   table are read by the same rules; a key that names two rows names nobody (fail closed).
 * - Each record table has an id column and one column per attribute (`columns` maps attribute →
 *   column, default the attribute's name). Resource search runs the query plan's `toSql`
 *   fragment; values are always parameters, identifiers always quoted.
 */
import { quoteIdentifier, toSql } from '@policyc/runtime/sql';
import pg from 'pg';
import type { PostgresConfig } from '../config.ts';
import { DataFileError } from '../data-files.ts';
import type { KindInfo } from '../policy-set.ts';
import { loadDirectory } from '@policyc/runtime';
import type { RecordSource, StoredRecord, SubjectSource } from './types.ts';

const USER_COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', type: 'type', keys: 'keys', email: 'email', role: 'role', roles: 'roles', profile: 'profile', groups: 'groups',
  reports_to: 'reportsTo', shift: 'shift', organisations: 'organisations', workspaces: 'workspaces', technical: 'technical', attributes: 'attributes',
};

export async function postgresSources(config: PostgresConfig, _dir: string, kinds: ReadonlyMap<string, KindInfo>): Promise<{ subjects: SubjectSource; records: RecordSource }> {
  const url = config.url.startsWith('env:') ? process.env[config.url.slice(4)] : config.url;
  if (url === undefined || url === '') throw new DataFileError(`serve.json: \`postgres.url\` names the environment variable \`${config.url.slice(4)}\`, which is not set`);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // an idle client's error surfaces on its next query, as a failed request
  const users = config.users === undefined ? undefined : quoteIdentifier(config.users);

  const principalOfRow = (row: Record<string, unknown>) => {
    const entry: Record<string, unknown> = {};
    for (const [column, field] of Object.entries(USER_COLUMNS)) if (row[column] !== null && row[column] !== undefined) entry[field] = row[column];
    try {
      return loadDirectory([entry]).principal(String(row.id));
    } catch {
      return undefined; // a malformed row is an unknown subject, never a guess
    }
  };
  const hasColumn = async (table: string, column: string): Promise<boolean> =>
    (await pool.query('SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', [table, column])).rowCount! > 0;
  const typed = users !== undefined && (await hasColumn(config.users!, 'type'));
  const keyed = users !== undefined && (await hasColumn(config.users!, 'keys'));
  const mailed = users !== undefined && (await hasColumn(config.users!, 'email'));
  const typeIs = typed ? `COALESCE("type", 'user') = $2` : `$2 = 'user'`;

  const subjects: SubjectSource = {
    principal: async (type, key) => {
      if (users === undefined) return undefined;
      const match = ['id = $1', ...(mailed ? ['email = $1'] : []), ...(keyed ? ['$1 = ANY(keys)'] : [])].join(' OR ');
      const { rows } = await pool.query(`SELECT * FROM ${users} WHERE (${match}) AND ${typeIs} LIMIT 2`, [key, type]);
      return rows.length === 1 ? principalOfRow(rows[0]) : undefined;
    },
    page: async (type, after, limit) => {
      if (users === undefined) return [];
      const { rows } = await pool.query(`SELECT * FROM ${users} WHERE ${typeIs} AND ($1::text IS NULL OR id > $1 COLLATE "C") ORDER BY id COLLATE "C" LIMIT $3`, [after ?? null, type, limit]);
      return rows.flatMap((row) => {
        const principal = principalOfRow(row);
        return principal === undefined ? [] : [{ id: String(row.id), principal }];
      });
    },
  };

  const tables = new Map([...config.records].map(([kind, spec]) => {
    const attributes = [...(kinds.get(kind)?.attributes.keys() ?? [])];
    const columns = Object.fromEntries(attributes.map((a) => [a, spec.columns[a] ?? a]));
    const select = [`${quoteIdentifier(spec.id)} AS "id"`, ...attributes.map((a) => `${quoteIdentifier(columns[a]!)} AS ${quoteIdentifier(a)}`)].join(', ');
    return [kind, { table: quoteIdentifier(spec.table), id: quoteIdentifier(spec.id), columns, select }] as const;
  }));
  const stored = (row: Record<string, unknown>): StoredRecord => {
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) if (key !== 'id' && value !== null) attributes[key] = value;
    return { id: String(row.id), attributes };
  };

  const records: RecordSource = {
    has: (kind) => tables.has(kind),
    get: async (kind, id) => {
      const t = tables.get(kind);
      if (t === undefined) return undefined;
      const { rows } = await pool.query(`SELECT ${t.select} FROM ${t.table} WHERE ${t.id} = $1 LIMIT 1`, [id]);
      return rows.length === 0 ? undefined : stored(rows[0]).attributes;
    },
    search: async (kind, plan, after, limit) => {
      const t = tables.get(kind);
      if (t === undefined || plan.result === 'never') return [];
      const { where, params } = toSql(plan, { columns: t.columns }, { firstParam: 3 });
      const sql = `SELECT ${t.select} FROM ${t.table} WHERE ($1::text IS NULL OR ${t.id} > $1 COLLATE "C") AND ${where} ORDER BY ${t.id} COLLATE "C" LIMIT $2`;
      const { rows } = await pool.query(sql, [after ?? null, limit, ...params]);
      return rows.map(stored);
    },
    close: () => pool.end(),
  };
  return { subjects, records };
}
