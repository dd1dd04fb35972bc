// Preset choice for the SSZ types (entry point `@diva-dvt/beacon-api/preset`). @lodestar/params
// fixes its preset (mainnet or minimal: list limits, SLOTS_PER_EPOCH, SYNC_COMMITTEE_SIZE, ...) the
// first time it is imported, and every container in @lodestar/types is built from those values.
// So the choice has to be made before `@diva-dvt/beacon-api` (or any @lodestar package) is loaded,
// in one of two ways:
//   1. the LODESTAR_PRESET environment variable (`mainnet` | `minimal`) of the process, or
//   2. this module, imported and called first, with the main entry loaded afterwards by a dynamic
//      import (static imports are hoisted, so they would load the types before the call runs):
//        import { selectPreset } from '@diva-dvt/beacon-api/preset';
//        selectPreset('minimal');
//        const api = await import('@diva-dvt/beacon-api');
// Called after the types were built, `selectPreset` checks instead of choosing: it returns when the
// loaded preset is the one asked for and throws PRESET_MISMATCH otherwise, so a process never runs
// silently on the other preset. This module imports only @lodestar/params/setPreset, which does
// not freeze the preset.
import { PresetName, setActivePreset, userSelectedPreset } from '@lodestar/params/setPreset';
import { BeaconApiError } from './errors.ts';
import { presetHint } from './internal/preset-hint.ts';

// The error class, so that a caller of this entry can narrow its errors without loading the others.
export { BeaconApiError, isBeaconApiError } from './errors.ts';

export type BeaconPresetName = 'mainnet' | 'minimal';

/**
 * The preset @lodestar/params was loaded with, by its own rule: the one chosen with
 * setActivePreset (which selectPreset calls), else LODESTAR_PRESET as it was read at load, else
 * mainnet. Only meaningful once params is loaded (setActivePreset then throws).
 */
function loadedPreset(): string {
  if (userSelectedPreset !== null) return userSelectedPreset;
  const env = typeof process === 'undefined' ? undefined : process.env.LODESTAR_PRESET;
  return env !== undefined && Object.hasOwn(PresetName, env) ? env : PresetName.mainnet;
}

/**
 * States the SSZ preset of this process. Before @lodestar/params (and so this package's main and
 * `./spec` entries) is first imported, it chooses it; afterwards it checks that the loaded preset
 * is `preset` and throws PRESET_MISMATCH (with both names and how to fix it) when it is not.
 * An unknown name throws INVALID_CONFIG.
 */
export function selectPreset(preset: BeaconPresetName): void {
  if (preset !== 'mainnet' && preset !== 'minimal') {
    throw new BeaconApiError({
      code: 'INVALID_CONFIG',
      field: 'preset',
      reason: `unknown preset ${JSON.stringify(preset)}: expected mainnet or minimal`,
    });
  }
  try {
    setActivePreset(preset === 'mainnet' ? PresetName.mainnet : PresetName.minimal);
  } catch (cause) {
    // @lodestar/params is already loaded: the preset is fixed; fine if it is the one asked for.
    const active = loadedPreset();
    if (active === preset) return;
    throw new BeaconApiError(
      { code: 'PRESET_MISMATCH', requested: preset, active, hint: presetHint(preset) },
      { cause },
    );
  }
}
