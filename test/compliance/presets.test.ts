import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import { campaignPreset, policyForDefinition } from '../../engine/compliance/jurisdictions.ts';
import {
  findPreset,
  presetFields,
  presetNames,
  presetSchema,
  registerPresets,
} from '../../engine/compliance/presets/index.ts';
import { usPreset } from '../../engine/compliance/presets/us.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';

const campaign = (extra: Record<string, unknown>) =>
  campaignDefinitionSchema.safeParse({
    name: 'P',
    client: 'acme',
    type: 'collections',
    mode: 'predictive',
    dialing: { callerId: '+12125550100' },
    ...extra,
  });

describe('jurisdiction presets', () => {
  it('has US, US-collections, UK, CN and a default, each valid by the schema and naming a source for every figure', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['us', 'us-collections', 'uk', 'cn', 'other']));
    for (const name of presetNames()) {
      const preset = findPreset(name)!;
      expect(presetSchema.safeParse(preset).success).toBe(true);
      for (const field of presetFields) expect(preset.figureSources[field]).toBeTruthy();
    }
  });

  it('sets the figures the texts give', () => {
    const regF = findPreset('us-collections')!.frequency[0]!;
    expect(regF).toMatchObject({ unit: 'account', windows: [{ minutes: 10_080, maxAttempts: 7 }] });
    expect(regF.quietAfterConversationMinutes).toBe(10_080);
    expect(findPreset('cn')!.frequency[0]!.windows).toEqual([
      { minutes: 1440, maxAttempts: 5 },
      { minutes: 5, maxAttempts: 3 },
    ]);
    expect(findPreset('cn')!.retentionDays.recordings).toBe(30);
    expect(findPreset('us')!.retentionDays.dncRequests).toBe(1826);
    expect(findPreset('uk')!.abandonment.definition).toBe('uk');
  });

  it('refuses a preset with a figure that names no source, or an unknown key', () => {
    const { retentionDays: _, ...figureSources } = usPreset.figureSources as Record<string, string>;
    const missing = presetSchema.safeParse({ ...usPreset, name: 'x', figureSources });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['figureSources', 'retentionDays']);
    expect(presetSchema.safeParse({ ...usPreset, name: 'x', curfew: true }).success).toBe(false);
    const badSource = presetSchema.safeParse({
      ...usPreset,
      name: 'x',
      frequency: [
        {
          id: 'r',
          unit: 'number',
          across: 'all',
          windows: [{ minutes: 5, maxAttempts: 1 }],
          source: 'nowhere',
        },
      ],
    });
    expect(badSource.error?.issues[0]?.message).toContain('no source "nowhere"');
  });

  it('refuses to replace a preset by another of the same name', () => {
    expect(() => registerPresets([{ ...usPreset, legalHours: [{ start: '09:00', end: '20:00' }] }])).toThrow(
      'already exists',
    );
    expect(registerPresets([usPreset])).toHaveLength(1); // the same one again changes nothing
  });

  it('is selected per campaign (its jurisdiction’s by default) and overridden field by field', () => {
    const plain = campaign({});
    expect(plain.success && policyForDefinition(plain.data).preset).toBe('us');
    const parsed = campaign({
      compliance: {
        preset: 'us-collections',
        overrides: { legalHours: [{ start: '09:00', end: '20:00' }], retentionDays: { lists: 730 } },
      },
    });
    expect(parsed.success).toBe(true);
    const preset = campaignPreset(parsed.data!);
    expect(preset.legalHours).toEqual([{ start: '09:00', end: '20:00' }]);
    expect(preset.retentionDays).toMatchObject({ lists: 730, dialLog: 1096 });
    expect(preset.figureSources.legalHours).toContain('campaign override');
    expect(preset.frequency[0]!.id).toBe('reg-f-7-in-7');
  });

  it('refuses an unknown preset, one of another jurisdiction, and an unknown override', () => {
    expect(campaign({ compliance: { preset: 'mars' } }).error?.issues[0]?.message).toContain(
      'unknown preset',
    );
    expect(campaign({ compliance: { preset: 'cn' } }).error?.issues[0]?.message).toContain('jurisdiction CN');
    const typo = campaign({ compliance: { overrides: { legalHour: [] } } });
    expect(typo.error?.issues[0]).toMatchObject({ path: ['compliance', 'overrides'], keys: ['legalHour'] });
  });
});

describeEachDatabase('dialer compliance preset', (handle) => {
  it('shows every figure of a preset with its source, and a campaign’s with its overrides', async () => {
    const qa = await testUser(handle().db, 'qa');
    const dialer = (...args: string[]) => runCliInProcess(args, handle(), { token: qa.token });
    const shown = await dialer('compliance', 'preset', 'show', 'us-collections');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('reg-f-7-in-7: per account, across client: 7 in 10080 min');
    expect(shown.stdout).toContain('12 CFR 1006.14(b)(2)');
    const json = JSON.parse((await dialer('--json', 'compliance', 'preset', 'show', 'cn')).stdout);
    expect(json.preset.retentionDays.consentEvidence).toBe(30);
    const definition = campaign({
      name: `Preset ${Math.random()}`,
      clientName: 'Acme',
      compliance: { preset: 'us-collections', overrides: { legalHours: [{ start: '10:00', end: '19:00' }] } },
    }).data!;
    const row = await insertCampaign(handle().db, definition, 'test');
    const mine = JSON.parse(
      (await dialer('--json', 'compliance', 'preset', 'show', '--campaign', String(row.id))).stdout,
    );
    expect(mine.preset.legalHours).toEqual([{ start: '10:00', end: '19:00' }]);
    const unknown = await dialer('compliance', 'preset', 'show', 'mars');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('known: us, us-collections');
  });

  it('compliance check --next: when a call planned ahead (a manual dial) would be allowed, and what else it waits for', async () => {
    const qa = await testUser(handle().db, 'qa');
    const definition = campaign({ name: `Next ${Math.random()}`, clientName: 'Acme' }).data!;
    const row = await insertCampaign(handle().db, definition, 'test');
    const checked = await runCliInProcess(
      [
        '--json',
        'compliance',
        'check',
        '--campaign',
        String(row.id),
        '--phone',
        '2125550199',
        '--at',
        '2026-06-10T06:00:00Z',
        '--next',
      ],
      handle(),
      { token: qa.token },
    );
    const document = JSON.parse(checked.stdout);
    expect(document.allowed).toBe(false);
    // 02:00 in New York: the campaign's window opens at 09:00; no registry copy is loaded yet.
    expect(document.next).toEqual({
      kind: 'held',
      at: '2026-06-10T13:00:00.000Z',
      codes: ['national_registry.never_loaded'],
    });
  });

  it('takes more presets from the config file, validated', async () => {
    const qa = await testUser(handle().db, 'qa');
    const dir = mkdtempSync(join(tmpdir(), 'dialer-presets-'));
    const file = join(dir, 'dialer.config.json');
    const state = { ...usPreset, name: 'us-test-state', legalHours: [{ start: '09:00', end: '20:00' }] };
    writeFileSync(file, JSON.stringify({ compliancePresets: [state] }));
    const withConfig = (...args: string[]) =>
      runCliInProcess(args, handle(), { token: qa.token, env: { DIALER_CONFIG: file } });
    const shown = JSON.parse(
      (await withConfig('--json', 'compliance', 'preset', 'show', 'us-test-state')).stdout,
    );
    expect(shown.preset.legalHours).toEqual([{ start: '09:00', end: '20:00' }]);
    writeFileSync(
      file,
      JSON.stringify({ compliancePresets: [{ ...state, name: 'us-bad', legalHours: [] }] }),
    );
    const bad = await withConfig('compliance', 'preset', 'show', 'us-bad');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('compliancePresets[0] is invalid: legalHours');
  });
});
