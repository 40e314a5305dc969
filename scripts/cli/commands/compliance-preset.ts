import type { Command } from 'commander';
import { type Preset, presetFields } from '../../../engine/compliance/presets/index.ts';
import { campaignPresetOf, listPresets, presetByName } from '../../../engine/services/compliance-service.ts';
import type { CliContext } from '../context.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

/** A figure as one line of text: spans as 08:00-21:00, rules by their windows. */
function figureText(preset: Preset, field: (typeof presetFields)[number]): string {
  const value = preset[field];
  if (field === 'legalHours') return preset.legalHours.map((s) => `${s.start}-${s.end}`).join(', ');
  if (field === 'frequency') {
    if (preset.frequency.length === 0) return 'none';
    return preset.frequency
      .map((r) => {
        const windows = r.windows.map((w) => `${w.maxAttempts} in ${w.minutes} min`).join(', ');
        const quiet = r.quietAfterConversationMinutes
          ? `${windows ? '; ' : ''}quiet ${r.quietAfterConversationMinutes} min after a conversation`
          : '';
        return `${r.id}: per ${r.unit}, across ${r.across}: ${windows}${quiet}`;
      })
      .join(' | ');
  }
  if (field === 'retentionDays') {
    return Object.entries(preset.retentionDays)
      .map(([kind, days]) => `${kind} ${days} d`)
      .join(', ');
  }
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (value === null) return 'none';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function printPreset(ctx: CliContext, preset: Preset, campaignId?: number) {
  ctx.out.result({ ...(campaignId !== undefined ? { campaignId } : {}), preset }, () => {
    ctx.out.line(
      `preset ${preset.name} (jurisdiction ${preset.jurisdiction})${campaignId !== undefined ? `, as campaign ${campaignId} applies it` : ''}`,
    );
    ctx.out.line(preset.description);
    ctx.out.table(
      presetFields.map((field) => ({
        figure: field,
        value: figureText(preset, field),
        source: preset.figureSources[field] ?? '',
      })),
    );
    ctx.out.line('sources:');
    for (const s of preset.sources) ctx.out.line(`  ${s.id}: ${s.title}${s.url ? ` <${s.url}>` : ''}`);
  });
}

/** `dialer compliance preset list|show`: the jurisdiction presets, every figure with its source. */
export function registerPresetCommands(compliance: Command, contextFor: ContextFactory): void {
  const preset = compliance.command('preset').description('jurisdiction presets: figures and their sources');

  preset
    .command('list')
    .description('the presets a campaign may name in compliance.preset')
    .action(
      action(contextFor, 'compliance.read', async (ctx) => {
        const rows = listPresets();
        ctx.out.result(rows, () => ctx.out.table(rows));
      }),
    );

  preset
    .command('show')
    .description('every figure of a preset with its source; with --campaign, as that campaign overrides it')
    .argument('[name]', 'the preset (us, us-collections, uk, cn, other, …)')
    .option('--campaign <id>', 'the preset of this campaign, with its overrides')
    .action(
      action(
        contextFor,
        'compliance.read',
        async (ctx, name: string | undefined, opts: { campaign?: string }) => {
          const campaignId = opts.campaign === undefined ? undefined : parseId(opts.campaign, 'campaign id');
          const preset =
            campaignId === undefined
              ? presetByName(name)
              : await campaignPresetOf((await ctx.database()).db, campaignId);
          printPreset(ctx, preset, campaignId);
        },
      ),
    );
}
