import { ValidationError } from '../../platform/errors.ts';
import { cnPreset } from './cn.ts';
import { otherPreset } from './other.ts';
import {
  type Preset,
  type PresetInput,
  type PresetOverrides,
  presetFields,
  type presetJurisdictions,
  presetSchema,
} from './preset-schema.ts';
import { ukPreset } from './uk.ts';
import { usPreset } from './us.ts';
import { usCollectionsPreset } from './us-collections.ts';

export * from './preset-schema.ts';

/**
 * The built-in presets, validated by the schema when this module loads (a preset file that
 * breaks it fails every command at once, naming the field, rather than a dial later).
 */
const BUILT_IN: readonly PresetInput[] = [usPreset, usCollectionsPreset, ukPreset, cnPreset, otherPreset];

const registry = new Map<string, Preset>();
for (const input of BUILT_IN) registry.set(input.name, presetSchema.parse(input));

/** The preset a campaign gets when it names none: its jurisdiction's own. */
export const DEFAULT_PRESET: Readonly<Record<(typeof presetJurisdictions)[number], string>> = {
  US: 'us',
  UK: 'uk',
  CN: 'cn',
  OTHER: 'other',
};

export function presetNames(): string[] {
  return [...registry.keys()];
}

export function findPreset(name: string): Preset | undefined {
  return registry.get(name);
}

/**
 * Adds presets from configuration (the config file's `compliancePresets`: a deployment's own
 * jurisdictions). Each is validated by the schema; a name already taken by a different preset is
 * refused (a built-in is changed per campaign, by overrides). Registering the same preset again
 * (another command context in the same process) changes nothing.
 */
export function registerPresets(inputs: readonly unknown[]): Preset[] {
  const parsed = inputs.map((input, i) => {
    const result = presetSchema.safeParse(input);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new ValidationError(
        `compliancePresets[${i}] is invalid: ${issue.path.join('.') || '(preset)'}: ${issue.message}`,
      );
    }
    return result.data;
  });
  for (const p of parsed) {
    const existing = registry.get(p.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(p)) {
      throw new ValidationError(`compliancePresets: preset "${p.name}" already exists`);
    }
  }
  for (const p of parsed) registry.set(p.name, p);
  return parsed;
}

/** A preset with a campaign's overrides applied, each overridden figure's source saying so. */
export function applyOverrides(preset: Preset, overrides: PresetOverrides | undefined): Preset {
  if (!overrides) return preset;
  const merged: Preset = { ...preset, figureSources: { ...preset.figureSources } };
  for (const field of presetFields) {
    const value = overrides[field];
    if (value === undefined) continue;
    if (field === 'retentionDays') {
      merged.retentionDays = { ...preset.retentionDays, ...(value as PresetOverrides['retentionDays']) };
    } else {
      (merged as Record<string, unknown>)[field] = value;
    }
    merged.figureSources[field] = 'campaign override (compliance.overrides)';
  }
  return merged;
}
