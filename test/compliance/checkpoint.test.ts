import { generateKeyPairSync } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../db/queries/audit.ts';
import { chainHeadsAsOf, currentChainHeads } from '../../db/queries/chain-heads.ts';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { verifyLog } from '../../db/queries/log-verify.ts';
import type { Database } from '../../db/schema.ts';
import {
  CHECKPOINT_KIND,
  type ChainHead,
  type CheckpointStatement,
  checkpointSignatureValid,
  parseCheckpoint,
  signCheckpoint,
} from '../../engine/compliance/checkpoint.ts';
import { UserError } from '../../engine/platform/errors.ts';
import { describeEachDatabase } from '../support/database.ts';
import { inRolledBack, makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

/** Checkpoints against a truncated log whose chain head was rewound too (issue 13, item 4). */

const statement = (chains: ChainHead[]): CheckpointStatement => ({
  kind: CHECKPOINT_KIND,
  version: 1,
  at: '2026-12-02T18:00:00.000Z',
  asOf: '2026-12-02T18:00:00.000Z',
  chains,
});
const head: ChainHead = { chain: 'dial_log', position: 3, hash: 'a'.repeat(64) };

describe('checkpoint signatures (Ed25519)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const signed = signCheckpoint(statement([head]), privateKey);

  it('verifies with the signer’s public key, and survives a round trip through its file', () => {
    expect(checkpointSignatureValid(signed, publicKey)).toBe(true);
    const reread = parseCheckpoint(JSON.stringify(signed, null, 2), 'cp.json');
    expect(checkpointSignatureValid(reread, publicKey)).toBe(true);
  });

  it.each<[string, () => ReturnType<typeof signCheckpoint>, 'other' | 'own']>([
    ['another key', () => signed, 'other'],
    ['a head moved back', () => ({ ...signed, chains: [{ ...head, position: 2 }] }), 'own'],
    ['a hash replaced', () => ({ ...signed, chains: [{ ...head, hash: 'b'.repeat(64) }] }), 'own'],
    ['a chain left out', () => ({ ...signed, chains: [] }), 'own'],
    ['its time changed', () => ({ ...signed, at: '2026-12-03T18:00:00.000Z' }), 'own'],
  ])('fails with %s', (_name, altered, key) => {
    expect(checkpointSignatureValid(altered(), key === 'other' ? other.publicKey : publicKey)).toBe(false);
  });

  it('refuses a file that is not a checkpoint, naming it', () => {
    expect(() => parseCheckpoint('{"kind":"x"}', 'cp.json')).toThrow(UserError);
    expect(() => parseCheckpoint('not json', 'cp.json')).toThrow(/cp\.json/);
  });
});

const verifyWith = (db: Kysely<Database>, heads?: ChainHead[]) =>
  verifyLog(db, {
    now: new Date(),
    maxCallSeconds: 3600,
    ...(heads ? { checkpoints: [{ name: 'cp.json', at: 'then', heads, signatureValid: true }] } : {}),
  });

/** The attack of the issue: delete the newest record and set the chain head(s) back one. */
const truncations: Array<{
  name: string;
  chain: string;
  cut: (trx: Transaction<Database>) => Promise<void>;
}> = [
  {
    name: 'the dial log',
    chain: 'dial_log',
    cut: async (trx) => {
      await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(trx);
      await sql`alter table dial_log_chain disable trigger dial_log_chain_forward`.execute(trx);
      await sql`alter table dial_log_campaign_chain disable trigger dial_log_campaign_chain_forward`.execute(
        trx,
      );
      const newest = await sql<{
        id: number;
        campaign_id: number;
        prev_hash: string;
        campaign_prev_hash: string;
      }>`
        select id, campaign_id, prev_hash, campaign_prev_hash from call_attempts
        where chain_seq = (select max(chain_seq) from call_attempts)`.execute(trx);
      const row = newest.rows[0]!;
      await sql`delete from call_attempts where id = ${row.id}`.execute(trx);
      await sql`update dial_log_chain set last_seq = last_seq - 1, last_hash = ${row.prev_hash}`.execute(trx);
      await sql`update dial_log_campaign_chain set last_seq = last_seq - 1, last_hash = ${row.campaign_prev_hash}
        where campaign_id = ${row.campaign_id}`.execute(trx);
    },
  },
  {
    name: 'the evidence chain',
    chain: 'evidence',
    cut: async (trx) => {
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
      await sql`alter table evidence_chain disable trigger evidence_chain_forward`.execute(trx);
      const newest = await sql<{ id: number; prev_hash: string }>`
        select id, prev_hash from audit_log where chain_seq = (select last_seq from evidence_chain)`.execute(
        trx,
      );
      const row = newest.rows[0]!;
      await sql`delete from audit_log where id = ${row.id}`.execute(trx);
      await sql`update evidence_chain set last_seq = last_seq - 1, last_hash = ${row.prev_hash}`.execute(trx);
    },
  },
];

describeEachDatabase('checkpoints against truncation', (handle) => {
  beforeAll(async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    for (let i = 0; i < 3; i++) {
      const contact = await makeContact(db, campaign.id, `+1212555${String(9100 + i)}`);
      const row = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: contact.id,
        phoneE164: contact.phone_e164,
        channelId: `cp-${i}-${campaign.id}`,
        gateReasons: [],
      });
      await finalizeAttempt(db, row.id, { result: 'busy', cause: 17 });
      await recordAudit(db, { actor: 'olga', action: 'test.step', subject: `attempt:${row.id}` });
    }
  }, 60_000);

  it.each(truncations)(
    'catches $name cut back with its head rewound, naming chain and position',
    async ({ chain, cut }) => {
      const { db } = handle();
      const heads = await currentChainHeads(db);
      const checkpointed = heads.find((h) => h.chain === chain)!;
      const [plain, withCheckpoint] = await inRolledBack(db, async (trx) => {
        await cut(trx);
        return [await verifyWith(trx), await verifyWith(trx, heads)];
      });
      // Without a checkpoint the shorter log is indistinguishable from a log that never grew.
      expect(plain.ok).toBe(true);
      expect(withCheckpoint.ok).toBe(false);
      expect(withCheckpoint.checkpoints[0]?.mismatches).toContainEqual(
        expect.objectContaining({
          chain,
          position: checkpointed.position,
          problem: 'missing',
          currentHead: checkpointed.position - 1,
        }),
      );
      expect((await verifyWith(db, heads)).ok).toBe(true);
    },
  );

  it('accepts a log that grew after the checkpoint', async () => {
    const { db } = handle();
    const heads = await currentChainHeads(db);
    const report = await inRolledBack(db, async (trx) => {
      await recordAudit(trx, { actor: 'olga', action: 'test.later' });
      return verifyWith(trx, heads);
    });
    expect(report.ok).toBe(true);
    expect(report.checkpoints[0]).toMatchObject({ chains: heads.length, mismatches: [] });
  });

  it('catches a record replaced at a checkpointed position', async () => {
    const { db } = handle();
    const heads = await currentChainHeads(db);
    const forged = heads.map((h) => (h.chain === 'evidence' ? { ...h, hash: 'f'.repeat(64) } : h));
    const report = await verifyWith(db, forged);
    expect(report.checkpoints[0]?.mismatches).toEqual([
      expect.objectContaining({
        chain: 'evidence',
        problem: 'replaced',
        record: expect.stringMatching(/^audit_log id/),
      }),
    ]);
  });

  it('states the heads as of a past moment: nothing after it, everything before', async () => {
    const { db } = handle();
    expect(await chainHeadsAsOf(db, new Date('2000-01-01T00:00:00Z'))).toEqual([]);
    const now = await currentChainHeads(db);
    expect(await chainHeadsAsOf(db, new Date(Date.now() + 60_000))).toEqual(now);
  });
});
