import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dncSummary } from '../../db/queries/dnc.ts';
import { gateInputFor, loadGateFacts, loadGateFactsForPhone } from '../../db/queries/gate-facts.ts';
import { importNationalDnc } from '../../db/queries/national-dnc-import.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { GateDecision } from '../../engine/compliance/gate-types.ts';
import { createPhoneNormalizer } from '../../engine/compliance/phone-number.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

// A Wednesday, 12:00 in New York: inside every default window.
const NOW = new Date('2026-06-10T16:00:00Z');
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'dialer-gate-facts-'));
function registryFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const codeOf = (decision: GateDecision, rule: string) => decision.results.find((r) => r.rule === rule)?.code;

describeEachDatabase('the facts the compliance gate is given', (handle) => {
  it('dates the national registry by its last full replacement, not by a later addition', async () => {
    const { db } = handle();
    const normalize = createPhoneNormalizer('US');
    const fullAt = new Date(NOW.getTime() - 40 * DAY);
    await importNationalDnc(handle(), {
      file: registryFile('full.txt', ['2125550900', '2125550901']),
      normalize,
      replace: true,
      actor: 'officer',
      now: fullAt,
    });
    // A one-line addition today: the copy is still 40 days old.
    await importNationalDnc(handle(), {
      file: registryFile('one.txt', ['2125550902']),
      normalize,
      replace: false,
      actor: 'officer',
      now: new Date(NOW.getTime() - 60_000),
    });
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550910');

    const loaded = await loadGateFacts(db, campaign.id, [contact.id], NOW);
    expect(loaded.campaignFacts.nationalRegistrySyncedAt).toEqual(fullAt);
    expect(codeOf(evaluateGate(gateInputFor(loaded, contact.id, NOW)!), 'national_registry')).toBe(
      'national_registry.stale',
    );
    // `compliance check` of any number reads the same age.
    const checked = await loadGateFactsForPhone(db, campaign.id, '+13105550911', NOW);
    expect(checked.campaignFacts.nationalRegistrySyncedAt).toEqual(fullAt);
    // So does `dnc list`.
    expect((await dncSummary(db)).national.lastSync?.synced_at).toEqual(fullAt);
  });
});
