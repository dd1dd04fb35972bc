/**
 * Ceremony parameters and the values every member derives from them: who deals, who receives,
 * the threshold, how many validators, and (for resharing) the old committee's public shares.
 */
import type { PublicKey } from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DkgError } from './errors.ts';
import { addressToHex } from './identity.ts';
import { MAX_MEMBERS, MAX_THRESHOLD, MAX_VALIDATORS } from './messages.ts';

export interface Participant {
  /** Operator address (20 bytes): names the member and verifies its signatures. */
  readonly address: Uint8Array;
  /** X25519 public key (32 bytes) that receives encrypted shares. */
  readonly encryptionKey: Uint8Array;
}

export interface ReshareValidator {
  readonly groupPublicKey: PublicKey;
  /** Old committee's public shares, in `dealers` order. */
  readonly publicShares: readonly PublicKey[];
}

export interface ReshareConfig {
  /** The old committee's threshold: at least this many old members must qualify as dealers. */
  readonly previousThreshold: number;
  /** One entry per validator, in ceremony order. */
  readonly validators: readonly ReshareValidator[];
}

export interface CeremonyConfig {
  /** 32 bytes, unique per ceremony (the contracts derive it from the committee draw). */
  readonly ceremonyId: Uint8Array;
  /** t of the committee that receives the shares. */
  readonly threshold: number;
  /** k: validators created (or reshared) by this ceremony. */
  readonly validatorCount: number;
  /** The committee that receives shares; share index = position + 1. */
  readonly recipients: readonly Participant[];
  /** Who deals. Default: the recipients (a fresh DKG). For resharing: the old committee. */
  readonly dealers?: readonly Participant[];
  /** Present for resharing: dealers deal their existing shares. */
  readonly reshare?: ReshareConfig;
}

export function checkConfig(config: CeremonyConfig): void {
  const bad = (field: string, reason: string) => new DkgError({ code: 'INVALID_CONFIG', field, reason });
  if (!(config.ceremonyId instanceof Uint8Array) || config.ceremonyId.length !== 32) {
    throw bad('ceremonyId', 'must be 32 bytes');
  }
  const n = config.recipients.length;
  if (n < 1 || n > MAX_MEMBERS) throw bad('recipients', `size must be 1..${MAX_MEMBERS}`);
  const t = config.threshold;
  if (!Number.isInteger(t) || t < 1 || t > n || t > MAX_THRESHOLD) throw bad('threshold', `must be 1..${n}`);
  const k = config.validatorCount;
  if (!Number.isInteger(k) || k < 1 || k > MAX_VALIDATORS)
    throw bad('validatorCount', `must be 1..${MAX_VALIDATORS}`);
  const dealers = config.dealers ?? config.recipients;
  if (dealers.length < 1 || dealers.length > MAX_MEMBERS)
    throw bad('dealers', `size must be 1..${MAX_MEMBERS}`);
  for (const [name, list] of [
    ['recipients', config.recipients],
    ['dealers', dealers],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (!(p.address instanceof Uint8Array) || p.address.length !== 20)
        throw bad(`${name}[${i}].address`, 'must be 20 bytes');
      if (!(p.encryptionKey instanceof Uint8Array) || p.encryptionKey.length !== 32) {
        throw bad(`${name}[${i}].encryptionKey`, 'must be 32 bytes');
      }
      const key = addressToHex(p.address);
      if (seen.has(key)) throw bad(`${name}[${i}].address`, 'duplicate');
      seen.add(key);
    });
  }
  if (config.reshare) {
    const { previousThreshold, validators } = config.reshare;
    if (!Number.isInteger(previousThreshold) || previousThreshold < 1 || previousThreshold > dealers.length) {
      throw bad('reshare.previousThreshold', `must be 1..${dealers.length}`);
    }
    if (validators.length !== k) throw bad('reshare.validators', `must have ${k} entries`);
    validators.forEach((v, i) => {
      if (v.publicShares.length !== dealers.length) {
        throw bad(
          `reshare.validators[${i}].publicShares`,
          `must have ${dealers.length} entries (one per dealer)`,
        );
      }
    });
  } else if (config.dealers && config.dealers !== config.recipients) {
    throw bad(
      'dealers',
      'a fresh DKG is dealt by its recipients; pass `reshare` to deal from another committee',
    );
  }
}

/** Binds a proof of knowledge to the ceremony, the dealer and the validator position. */
export function proofContext(ceremonyId: Uint8Array, dealer: Uint8Array, validator: number): Uint8Array {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, validator);
  return concatBytes(ceremonyId, dealer, v);
}

const TRANSCRIPT_DST = utf8ToBytes('diva-dkg/transcript/v1');

/**
 * The transcript hash every recipient signs: the ceremony parameters, the qualified dealers and the
 * digests of their dealings. Two members with the same hash hold the same group keys and public shares.
 */
export function transcriptHash(
  config: CeremonyConfig,
  qualified: readonly number[],
  digests: readonly Uint8Array[],
): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint32(0, config.threshold);
  view.setUint32(4, config.validatorCount);
  view.setUint32(8, config.reshare ? config.reshare.previousThreshold : 0);
  const dealers = config.dealers ?? config.recipients;
  const q = new Uint8Array(2 * qualified.length);
  for (const [i, d] of qualified.entries()) new DataView(q.buffer).setUint16(2 * i, d);
  return sha256(
    concatBytes(
      TRANSCRIPT_DST,
      config.ceremonyId,
      header,
      ...config.recipients.flatMap((p) => [p.address, p.encryptionKey]),
      ...dealers.map((p) => p.address),
      q,
      ...qualified.map((d) => digests[d - 1]!),
    ),
  );
}

/**
 * Positions (1-based) of `address` among dealers and recipients; refuses a non-participant. A
 * resharing dealer that lost its shares and is also a recipient (`recipientOnly`) has no dealer
 * position: it deals nothing, the others count it absent, and it receives its new share.
 */
export function memberRoles(
  config: CeremonyConfig,
  address: Uint8Array,
  existingShares: readonly unknown[] | undefined,
  recipientOnly = false,
): {
  dealers: readonly Participant[];
  recipients: readonly Participant[];
  myDealer: number | undefined;
  myRecipient: number | undefined;
} {
  const dealers = config.dealers ?? config.recipients;
  const recipients = config.recipients;
  const at = (list: readonly Participant[]) => {
    const i = list.findIndex(
      (p) => p.address.length === address.length && p.address.every((b, k) => b === address[k]),
    );
    return i < 0 ? undefined : i + 1;
  };
  const myRecipient = at(recipients);
  if (recipientOnly && (!config.reshare || myRecipient === undefined)) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'recipientOnly',
      reason: 'only a recipient of a resharing can take part without dealing',
    });
  }
  const myDealer = recipientOnly ? undefined : at(dealers);
  if (myDealer === undefined && myRecipient === undefined) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'signer',
      reason: 'not a participant of this ceremony',
    });
  }
  if (config.reshare && myDealer !== undefined && existingShares?.length !== config.validatorCount) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'existingShares',
      reason: 'a resharing dealer needs its k shares',
    });
  }
  return { dealers, recipients, myDealer, myRecipient };
}
