import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-25-001-initial-schema.ts';
import * as contactNeedsApproval from './2026-11-25-002-contact-needs-approval.ts';
import * as engineRuntime from './2026-11-25-040-engine-runtime.ts';

/**
 * Every migration, by name. Names sort by date, which is the order kysely applies them in.
 * A static list (rather than reading the folder) works the same under tsx, vitest and a bundle.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-25-001-initial-schema': initialSchema,
  '2026-11-25-002-contact-needs-approval': contactNeedsApproval,
  '2026-11-25-040-engine-runtime': engineRuntime,
};
