import type { Kysely } from 'kysely';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { listGateDenials } from '../../db/queries/gate-denials.ts';
import { gateInputFor, loadGateFactsForPhone } from '../../db/queries/gate-facts.ts';
import { listDialLog } from '../../db/queries/reports.ts';
import type { Database } from '../../db/schema.ts';
import { evaluateGate, type GateDecision } from '../compliance/gate.ts';
import { campaignPreset } from '../compliance/jurisdictions.ts';
import { nextAllowedMoment } from '../compliance/next-allowed.ts';
import { findPreset, type Preset, presetNames } from '../compliance/presets/index.ts';
import { UserError } from '../platform/errors.ts';
import { maskPhone } from '../platform/mask-phone.ts';

/** When the gate would next allow a call planned ahead (a manual dial, a callback). */
export type NextAllowed =
  | { kind: 'refused'; codes: string[] }
  | { kind: 'allowed' | 'held'; at: string; codes: string[] };

/** `compliance check` (CLI and API): every rule's result for one number in one campaign at one moment. */
export interface NumberCheck extends GateDecision {
  campaignId: number;
  /** Masked: the caller typed the number, the answer never repeats it in full. */
  phone: string;
  /** The campaign's contact with that number, or null: checked as a new number. */
  contactId: number | null;
  at: string;
  timeZone: string;
  timeZoneAssumed: boolean;
  next?: NextAllowed;
}

/**
 * Asks the dial-time gate about one number as the runner would: the same facts (DNC, blacklist,
 * hours in the called person's zone, attempts, re-marketing, abandonment) loaded for `at`.
 * `parsePhone` turns the typed number into E.164 with the campaign's region as the default.
 */
export async function checkNumber(
  db: Kysely<Database>,
  input: {
    campaignId: number;
    phone: (defaultRegion: string) => string;
    at: Date;
    next?: boolean;
  },
): Promise<NumberCheck> {
  const { definition } = await getCampaignDefinition(db, input.campaignId);
  const e164 = input.phone(definition.region);
  const loaded = await loadGateFactsForPhone(db, input.campaignId, e164, input.at);
  const key = loaded.contactId ?? 0;
  const gateInput = gateInputFor(loaded, key, input.at)!;
  const decision = evaluateGate(gateInput);
  const verdict = input.next ? nextAllowedMoment(gateInput) : undefined;
  const next: NextAllowed | undefined = verdict
    ? verdict.kind === 'refused'
      ? { kind: verdict.kind, codes: verdict.denials.map((d) => d.code) }
      : {
          kind: verdict.kind,
          at: verdict.at.toISOString(),
          codes: verdict.kind === 'held' ? verdict.denials.map((d) => d.code) : [],
        }
    : undefined;
  const contact = loaded.contacts.get(key)!.contact;
  return {
    campaignId: input.campaignId,
    phone: maskPhone(e164),
    contactId: loaded.contactId,
    at: input.at.toISOString(),
    timeZone: contact.timeZone,
    timeZoneAssumed: contact.timeZoneAssumed,
    ...decision,
    ...(next ? { next } : {}),
  };
}

/** `compliance history`: why a number was or was not dialed (no number in the rows). */
export async function numberHistory(
  db: Kysely<Database>,
  filter: { phoneE164: string; campaignId?: number; limit: number },
) {
  const [attempts, denials] = await Promise.all([listDialLog(db, filter), listGateDenials(db, filter)]);
  return {
    phone: maskPhone(filter.phoneE164),
    attempts: attempts.map((a) => ({
      id: a.id,
      campaignId: a.campaign_id,
      queuedAt: a.queued_at,
      status: a.status,
      result: a.result,
      abandoned: a.abandoned,
      // The rules that did not simply pass, or 'all rules passed'.
      gate: Array.isArray(a.gate_reasons)
        ? (a.gate_reasons as Array<{ status?: string; code?: string }>)
            .filter((g) => g.status !== 'pass' && g.status !== 'not_applicable')
            .map((g) => g.code)
            .join(',') || 'all rules passed'
        : '',
    })),
    denials: denials.map((d) => ({
      at: d.at,
      campaignId: d.campaign_id,
      disposition: d.disposition,
      codes: d.codes.join(','),
    })),
  };
}

/** `compliance preset list`: the presets a campaign may name. */
export function listPresets(): Array<{ name: string; jurisdiction: string; description: string }> {
  return presetNames().map((name) => {
    const p = findPreset(name)!;
    return { name, jurisdiction: p.jurisdiction, description: p.description };
  });
}

/** `compliance preset show <name>`: a preset by name. */
export function presetByName(name: string | undefined): Preset {
  const found = name === undefined ? undefined : findPreset(name);
  if (!found) {
    throw new UserError(
      `preset "${name ?? ''}" does not exist (known: ${presetNames().join(', ')})`,
      'not_found',
    );
  }
  return found;
}

/** `compliance preset show --campaign`: the preset a campaign applies, with its overrides. */
export async function campaignPresetOf(db: Kysely<Database>, campaignId: number): Promise<Preset> {
  const { definition } = await getCampaignDefinition(db, campaignId);
  return campaignPreset(definition);
}
