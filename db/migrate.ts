import { type Kysely, type MigrationInfo, type MigrationResultSet, Migrator } from 'kysely';
import { InfrastructureError } from '../engine/platform/errors.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
}

export interface MigrateReport {
  applied: string[];
  total: number;
}

/**
 * Applies every pending migration. Safe to run from several processes at once: kysely holds a
 * PostgreSQL advisory lock for the duration, so the second runner waits and then finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrateReport> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new InfrastructureError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`,
      'migration_failed',
      { cause: result.error },
    );
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    total: Object.keys(migrations).length,
  };
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

export async function migrationStatus(db: Kysely<Database>): Promise<MigrationStatus[]> {
  const infos: readonly MigrationInfo[] = await migrator(db).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt ?? null }));
}
