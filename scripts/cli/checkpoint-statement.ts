import type { Kysely } from 'kysely';
import { chainHeadsAsOf, currentChainHeads } from '../../db/queries/chain-heads.ts';
import type { Database } from '../../db/schema.ts';
import {
  CHECKPOINT_KIND,
  type CheckpointStatement,
  type SignedCheckpoint,
  signCheckpoint,
} from '../../engine/compliance/checkpoint.ts';
import { loadPrivateKey } from './evidence-key.ts';

/** A statement not signed because no key is configured: still the heads, but no proof of when. */
export interface UnsignedCheckpoint extends CheckpointStatement {
  signature: null;
  note: string;
}

/**
 * The chain heads as of `asOf` (now when absent or in the future), signed with the configured
 * checkpoint key, or unsigned with a note saying how to configure one.
 */
export async function checkpointStatement(
  db: Kysely<Database>,
  keyFile: string | undefined,
  asOf?: Date,
): Promise<SignedCheckpoint | UnsignedCheckpoint> {
  const now = new Date();
  const past = asOf !== undefined && asOf < now;
  const chains = past ? await chainHeadsAsOf(db, asOf) : await currentChainHeads(db);
  const statement: CheckpointStatement = {
    kind: CHECKPOINT_KIND,
    version: 1,
    at: now.toISOString(),
    asOf: (past ? asOf : now).toISOString(),
    chains,
  };
  if (!keyFile) {
    return {
      ...statement,
      signature: null,
      note: 'unsigned: no evidenceKeyFile configured (see `dialer log checkpoint --init-key`)',
    };
  }
  return signCheckpoint(statement, loadPrivateKey(keyFile));
}
