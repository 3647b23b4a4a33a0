/**
 * Subjects and records from Postgres (`serve.json`: `"postgres": { url, users, records }`), so
 * several replicas behind a load balancer share one database. Filled in by the Postgres step.
 */
import type { PostgresConfig } from '../config.ts';
import type { RecordSource, SubjectSource } from './types.ts';

export async function postgresSources(_config: PostgresConfig, _dir: string): Promise<{ subjects: SubjectSource; records: RecordSource }> {
  throw new Error('the Postgres source is not available yet');
}
