// The `hint` of PRESET_MISMATCH: how to get a preset chosen before @lodestar/params loads.
export function presetHint(preset: string): string {
  return `set LODESTAR_PRESET=${preset} in the process environment, or call selectPreset('${preset}') from @diva-dvt/beacon-api/preset before anything imports @diva-dvt/beacon-api or an @lodestar package (then load those with a dynamic import)`;
}
