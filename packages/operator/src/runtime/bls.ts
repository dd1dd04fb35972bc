// The BLS implementation the runtime signs and verifies with: blst (native, @chainsafe/blst, an
// optional dependency) when it loads on this machine, else noble (pure JS, several times slower).
import { type Bls, type BlstModule, createBls, createBlstBackend } from '@diva-dvt/bls-threshold';

export interface RuntimeBls {
  readonly bls: Bls;
  /** Whether blst loaded. */
  readonly native: boolean;
}

/** `prefer: 'noble'` skips blst (to compare, or where a native module is unwanted). */
export async function loadRuntimeBls(
  options: { readonly prefer?: 'blst' | 'noble' } = {},
): Promise<RuntimeBls> {
  if (options.prefer !== 'noble') {
    try {
      const blst = (await import('@chainsafe/blst')) as unknown as BlstModule;
      return { bls: createBls({ backend: createBlstBackend(blst) }), native: true };
    } catch {
      // not installed or no binary for this platform: noble below
    }
  }
  return { bls: createBls(), native: false };
}
