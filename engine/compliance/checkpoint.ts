import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../platform/errors.ts';

/**
 * Checkpoints: a signed statement of where each chain's head stood (chain, position, hash) at a
 * moment. An officer keeps it outside the database; later, `log verify --checkpoint` proves the
 * log still extends it: the record at that position still has that hash, and the chain from
 * there to today's head is intact. Cutting the newest records off and rewinding the head (which
 * a plain verify cannot tell from a shorter log) is caught this way.
 *
 * Signed with Ed25519 (node:crypto): the private key stays with whoever signs checkpoints
 * (config `evidenceKeyFile`, mode 0600); anyone holding the public key can verify, no secret
 * needed. The signature covers the canonical JSON of the statement (sorted keys, no spaces).
 */

export const CHECKPOINT_KIND = 'dialer-log-checkpoint';

export interface ChainHead {
  /** 'dial_log', 'dial_log:campaign:<id>' or 'evidence'. */
  chain: string;
  position: number;
  hash: string;
}

export interface CheckpointStatement {
  kind: typeof CHECKPOINT_KIND;
  version: 1;
  /** When the statement was made. */
  at: string;
  /** The heads as of this moment (a report's period end), when not `at` itself. */
  asOf: string;
  chains: ChainHead[];
}

export interface SignedCheckpoint extends CheckpointStatement {
  algorithm: 'ed25519';
  /** sha256 of the public key (SPKI DER), hex, first 16 characters: which key signed. */
  keyId: string;
  signature: string;
}

const checkpointSchema = z
  .object({
    kind: z.literal(CHECKPOINT_KIND),
    version: z.literal(1),
    at: z.string(),
    asOf: z.string(),
    chains: z.array(
      z
        .object({
          chain: z.string().regex(/^(dial_log|evidence|dial_log:campaign:\d+)$/),
          position: z.number().int().min(0),
          hash: z.string().regex(/^[0-9a-f]{64}$/),
        })
        .strict(),
    ),
    algorithm: z.literal('ed25519'),
    keyId: z.string(),
    signature: z.string(),
  })
  .strict();

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function statementBytes(statement: CheckpointStatement): Buffer {
  const { kind, version, at, asOf, chains } = statement;
  return Buffer.from(canonical({ kind, version, at, asOf, chains }), 'utf8');
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function signCheckpoint(statement: CheckpointStatement, privateKey: KeyObject): SignedCheckpoint {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new UserError('the evidence key is not an Ed25519 private key', 'invalid');
  }
  return {
    ...statement,
    algorithm: 'ed25519',
    keyId: publicKeyId(createPublicKey(privateKey)),
    signature: sign(null, statementBytes(statement), privateKey).toString('base64'),
  };
}

/** True when this public key signed exactly this statement. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') return false;
  try {
    return verify(null, statementBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Parses a checkpoint file's text; a file that is not one is a user mistake naming the file. */
export function parseCheckpoint(text: string, name: string): SignedCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${name} is not a checkpoint (not JSON)`, 'invalid');
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `${name} is not a checkpoint: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      'invalid',
    );
  }
  return parsed.data as SignedCheckpoint;
}
