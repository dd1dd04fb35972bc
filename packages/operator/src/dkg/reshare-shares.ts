// The shares of a resharing: an old member's current shares checked before it deals, and the new
// members' confirmations. A confirmation is a new member's BLS signature, with its new share, over
// sha256("diva-dkg/reshare-confirm/v1" ‖ transcript hash ‖ group key) per validator; checked
// against the new public share, it proves that the member holds a working share of the certified
// transcript (the DKG alone only needs t of them to certify).
import type { Bls, SecretKey } from '@diva-dvt/bls-threshold';
import { PublicKey, Signature } from '@diva-dvt/bls-threshold';
import type { CeremonyConfig, DkgResult } from '@diva-dvt/dkg';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { identityFromSecretKey, isIdentitySecretKey } from '../keys/identity.ts';
import type { ReshareCeremonyFile } from './reshare-file.ts';

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** The root each new member signs with its new share of validator `groupPublicKey`. */
export function reshareConfirmationRoot(transcriptHash: Uint8Array, groupPublicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8ToBytes('diva-dkg/reshare-confirm/v1'), transcriptHash, groupPublicKey));
}

/** A confirm frame as received (./frames.ts). */
export interface ConfirmationPartials {
  readonly transcriptHash: Uint8Array;
  readonly shareIndex: number;
  readonly signatures: readonly Uint8Array[];
}

/** Whether the new member at `shareIndex` signed every root with its share of `result`'s transcript. */
export function isValidConfirmation(
  bls: Bls,
  result: DkgResult,
  roots: readonly Uint8Array[],
  shareIndex: number,
  c: ConfirmationPartials,
): boolean {
  if (c.shareIndex !== shareIndex || c.signatures.length !== roots.length) return false;
  if (Buffer.compare(c.transcriptHash, result.transcriptHash) !== 0) return false;
  try {
    return result.validators.every((v, i) =>
      bls.verify(v.publicShares[shareIndex - 1]!, roots[i]!, Signature.fromBytes(c.signatures[i]!)),
    );
  } catch {
    return false; // not a G2 point
  }
}

/**
 * The old member's shares in ceremony order, each checked to be its public share in the ceremony
 * file (`INVALID_OPTION` naming the validator, never the share): a dealer with a wrong share would
 * only be disqualified by everyone else.
 */
export function checkOwnShares(
  ceremony: ReshareCeremonyFile,
  oldPosition: number,
  existing: ReadonlyMap<string, SecretKey> | undefined,
): SecretKey[] {
  const invalid = (reason: string) =>
    new OperatorError({ code: 'INVALID_OPTION', option: 'existingShares', reason });
  return ceremony.validators.map((v) => {
    const key = hex(v.groupPublicKey);
    const share = existing?.get(key);
    if (share === undefined) throw invalid(`no share of validator ${key} (an old member deals it)`);
    if (Buffer.compare(share.toPublicKey().bytes, v.members[oldPosition]!.publicShare) !== 0) {
      throw invalid(`the share of validator ${key} is not share ${oldPosition + 1} of the ceremony file`);
    }
    return share;
  });
}

/**
 * This operator's place in a resharing: its new share index position (-1: it leaves), its old one
 * (-1: it joins) and, for an old member, its checked shares; none for an old member that lost them
 * (`lostShares`: it stays in the committee and only receives). `INVALID_OPTION` for an identity key
 * that is not one, a network of another key, an operator in neither committee, `lostShares` for an
 * operator that is not an old member staying in the committee.
 */
export function reshareRoles(
  ceremony: ReshareCeremonyFile,
  identityKey: Uint8Array,
  networkAddress: OperatorAddress,
  existing: ReadonlyMap<string, SecretKey> | undefined,
  lostShares = false,
): { self: OperatorAddress; position: number; oldPosition: number; ownShares: SecretKey[] | undefined } {
  const invalid = (option: string, reason: string) =>
    new OperatorError({ code: 'INVALID_OPTION', option, reason });
  if (!isIdentitySecretKey(identityKey)) throw invalid('identityKey', 'not a secp256k1 secret key');
  const self = identityFromSecretKey(identityKey).address;
  if (self !== networkAddress) throw invalid('network', 'runs with another operator key');
  const position = ceremony.operators.findIndex((o) => o.address === self);
  const oldPosition = ceremony.oldMembers.findIndex((o) => o.address === self);
  if (position < 0 && oldPosition < 0) {
    throw invalid('identityKey', `operator ${self} is in neither committee of the ceremony file`);
  }
  if (lostShares && (oldPosition < 0 || position < 0)) {
    const role = oldPosition < 0 ? 'joins the committee (it never held shares)' : 'leaves the committee';
    throw invalid(
      'lostShares',
      `operator ${self} ${role}: only an old member that stays can take part without its shares`,
    );
  }
  const ownShares =
    oldPosition < 0 || lostShares ? undefined : checkOwnShares(ceremony, oldPosition, existing);
  return { self, position, oldPosition, ownShares };
}

const addressBytes = (a: OperatorAddress) => Uint8Array.from(Buffer.from(a.slice(2), 'hex'));

/**
 * The @diva-dvt/dkg resharing configuration: the old committee deals (dealer position = old share
 * index), the new one receives with the X25519 keys of its hellos. The ceremony id hashes the file
 * digest and those keys only, so an old member joining late deals into the same ceremony.
 */
export function reshareDkgConfig(
  ceremony: ReshareCeremonyFile,
  digest: Uint8Array,
  recipientKeys: readonly Uint8Array[],
): CeremonyConfig {
  return {
    ceremonyId: sha256(concatBytes(utf8ToBytes('diva-dkg/reshare-id/v1'), digest, ...recipientKeys)),
    threshold: ceremony.threshold,
    validatorCount: ceremony.validators.length,
    recipients: ceremony.operators.map((o, i) => ({
      address: addressBytes(o.address),
      encryptionKey: recipientKeys[i]!,
    })),
    // Dealers' X25519 keys are never used (they receive nothing as dealers).
    dealers: ceremony.oldMembers.map((o) => ({
      address: addressBytes(o.address),
      encryptionKey: new Uint8Array(32),
    })),
    reshare: {
      previousThreshold: ceremony.oldThreshold,
      validators: ceremony.validators.map((v) => ({
        groupPublicKey: PublicKey.fromBytes(v.groupPublicKey),
        publicShares: v.members.map((m) => PublicKey.fromBytes(m.publicShare)),
      })),
    },
  };
}
