// Preset choice for the SSZ types. @lodestar/params fixes its preset (mainnet or minimal: list
// limits, SLOTS_PER_EPOCH, SYNC_COMMITTEE_SIZE, ...) the first time it is imported, and every
// container in @lodestar/types is built from those values. So the choice has to be made before
// `@diva-dvt/beacon-api` (or any @lodestar package) is loaded, in one of two ways:
//   1. the LODESTAR_PRESET environment variable (`mainnet` | `minimal`) of the process, or
//   2. this module, imported and called first, with the main entry loaded afterwards by a dynamic
//      import (static imports are hoisted, so they would load the types before the call runs):
//        import { selectPreset } from '@diva-dvt/beacon-api/preset';
//        selectPreset('minimal');
//        const api = await import('@diva-dvt/beacon-api');
// This module imports only @lodestar/params/setPreset, which does not freeze the preset.
import { PresetName, setActivePreset } from '@lodestar/params/setPreset';

export type BeaconPresetName = 'mainnet' | 'minimal';

/** Thrown when the preset can no longer be chosen or the name is unknown. */
export class PresetSelectionError extends Error {
  override readonly name = 'PresetSelectionError';
}

/**
 * Choose the SSZ preset. Must run before @lodestar/params (and so this package's main entry) is
 * first imported in the process; afterwards it throws, because the types are already built.
 */
export function selectPreset(preset: BeaconPresetName): void {
  if (preset !== 'mainnet' && preset !== 'minimal') {
    throw new PresetSelectionError(`unknown preset ${JSON.stringify(preset)}: expected mainnet or minimal`);
  }
  try {
    setActivePreset(preset === 'mainnet' ? PresetName.mainnet : PresetName.minimal);
  } catch (cause) {
    throw new PresetSelectionError(
      `preset ${preset} chosen too late: @lodestar/params is already loaded; call selectPreset before importing @diva-dvt/beacon-api`,
      { cause },
    );
  }
}
