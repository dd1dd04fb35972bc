/**
 * Trusted-dealer import: an operator migrating a validator key it already runs splits it into the
 * same output shape a DKG gives, one result per recipient. The dealer sees the whole key, so this is
 * for migration only; new validators come from the DKG.
 */
import { type RandomSource, type SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DkgError } from './errors.ts';
import type { DkgResult } from './types.ts';

export interface ImportWithTrustedDealerParameters {
  readonly ceremonyId: Uint8Array;
  /** The existing validator keys, one per validator. */
  readonly secretKeys: readonly SecretKey[];
  readonly threshold: number;
  readonly shareCount: number;
  readonly random?: RandomSource;
}

const DST = utf8ToBytes('diva-dkg/trusted-dealer/v1');

/** Returns one `DkgResult` per recipient (index i has share index i + 1); `qualified` is empty. */
export function importWithTrustedDealer(parameters: ImportWithTrustedDealerParameters): DkgResult[] {
  const { ceremonyId, secretKeys, threshold, shareCount } = parameters;
  if (secretKeys.length === 0) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'secretKeys',
      reason: 'at least one key is required',
    });
  }
  const splits = secretKeys.map((sk) =>
    splitSecretKey(sk, {
      threshold,
      shareCount,
      ...(parameters.random ? { random: parameters.random } : {}),
    }),
  );
  const transcriptHash = sha256(
    concatBytes(DST, ceremonyId, ...splits.flatMap((s) => s.publicShares.map((p) => p.publicKey.bytes))),
  );
  return Array.from({ length: shareCount }, (_, i) => ({
    ceremonyId,
    threshold,
    shareIndex: i + 1,
    qualified: [],
    transcriptHash,
    certificates: [],
    validators: splits.map((s) => ({
      groupPublicKey: s.groupPublicKey,
      publicShares: s.publicShares.map((p) => p.publicKey),
      secretShare: s.shares[i]!.secretKey,
    })),
  }));
}
