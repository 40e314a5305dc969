import type { Kysely } from 'kysely';
import {
  CHAINED_KINDS,
  type ChainedKind,
  type ChainPurgeResult,
  purgeChained,
} from '../../db/queries/chain-purge.ts';
import { recordingsDueForPurge } from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import type { Principal } from '../access/permissions.ts';
import { UsageError } from '../platform/errors.ts';
import type { RecordingFolder } from '../recordings/recording-files-store.ts';
import { type PurgeResult, purgeRecordings } from '../recordings/recording-service.ts';

/** What `retention purge --kind` may name: recordings (files), or one of the hash-chained records. */
export const PURGE_KINDS = ['recordings', ...CHAINED_KINDS] as const;
export type PurgeKind = (typeof PURGE_KINDS)[number];

export type RetentionPurge =
  | { kind: ChainedKind; result: ChainPurgeResult }
  | { kind: 'recordings'; dryRun: true; due: number[] }
  | { kind: 'recordings'; dryRun: false; result: PurgeResult };

/**
 * `retention purge` (CLI and API): the records of a kind past their minimum as of `at`, audited.
 * `at` is never later than `now` (a purge never goes below the minimum); consent evidence and
 * lists are not purged here. The chained kinds lose their oldest prefix only (purgeChained);
 * recordings go through the recording service's one purge (file deleted, digest kept, audited).
 */
export async function purgeRetention(
  deps: { db: Kysely<Database>; folder: () => RecordingFolder },
  principal: Principal,
  input: { kind: string; at?: Date; now: Date; dryRun: boolean },
): Promise<RetentionPurge> {
  if (!(PURGE_KINDS as readonly string[]).includes(input.kind)) {
    throw new UsageError(
      `kind ${input.kind}: one of ${PURGE_KINDS.join(', ')} (consent evidence and lists are not purged here)`,
    );
  }
  const at = input.at ?? input.now;
  if (at > input.now)
    throw new UsageError('at may not be in the future (a purge never goes below the minimum)');
  if (input.kind !== 'recordings') {
    const kind = input.kind as ChainedKind;
    const result = await purgeChained(deps.db, {
      kind,
      now: at,
      actor: principal.name,
      role: principal.role,
      dryRun: input.dryRun,
    });
    return { kind, result };
  }
  if (input.dryRun) {
    const due = await recordingsDueForPurge(deps.db, at);
    return { kind: 'recordings', dryRun: true, due: due.map((r) => r.id) };
  }
  const result = await purgeRecordings({ db: deps.db, folder: deps.folder() }, principal, at);
  return { kind: 'recordings', dryRun: false, result };
}
