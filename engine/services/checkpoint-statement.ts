import type { Kysely } from 'kysely';
import { chainHeadsAsOf, currentChainHeads } from '../../db/queries/chain-heads.ts';
import type { Database } from '../../db/schema.ts';
import {
  CHECKPOINT_KIND,
  type CheckpointStatement,
  type SignedCheckpoint,
  signCheckpoint,
} from '../compliance/checkpoint.ts';
import { UserError } from '../platform/errors.ts';
import { loadPrivateKey } from './evidence-key.ts';

/** A statement not signed (no usable key): still the heads, but no proof of who stated them. */
export interface UnsignedCheckpoint extends CheckpointStatement {
  signature: null;
  note: string;
}

/** The chain heads as of `asOf` (now when absent or in the future). */
async function headsStatement(db: Kysely<Database>, asOf?: Date): Promise<CheckpointStatement> {
  const now = new Date();
  const past = asOf !== undefined && asOf < now;
  return {
    kind: CHECKPOINT_KIND,
    version: 1,
    at: now.toISOString(),
    asOf: (past ? asOf : now).toISOString(),
    chains: past ? await chainHeadsAsOf(db, asOf) : await currentChainHeads(db),
  };
}

/** `log checkpoint`: the heads now, signed with the configured key (errors when it is unusable). */
export async function signedCheckpoint(db: Kysely<Database>, keyFile: string): Promise<SignedCheckpoint> {
  const privateKey = loadPrivateKey(keyFile);
  return signCheckpoint(await headsStatement(db), privateKey);
}

/**
 * For reports: the heads as of the period's end, signed when the key can be used, else unsigned
 * with the reason (the report is still wanted when no key is configured, or it cannot be read).
 */
export async function reportCheckpoint(
  db: Kysely<Database>,
  keyFile: string | undefined,
  asOf: Date,
): Promise<SignedCheckpoint | UnsignedCheckpoint> {
  const statement = await headsStatement(db, asOf);
  if (!keyFile) {
    return {
      ...statement,
      signature: null,
      note: 'unsigned: no evidenceKeyFile configured (see `dialer log checkpoint --init-key`)',
    };
  }
  try {
    return signCheckpoint(statement, loadPrivateKey(keyFile));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { ...statement, signature: null, note: `unsigned: ${error.message}` };
  }
}
