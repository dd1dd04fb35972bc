// What committee members sign for the chain after a ceremony, and how they trade it over the operator
// network. The ceremony makes its own id (./dkg/ceremony.ts), but the registry wants approvals of its
// `ceremonyIdOf(drawId)`, so the EIP-712 statements are exchanged after the ceremony, on a frame kind
// of their own (0x20; the committee signer uses 1-4, the DKG ceremony 0x10):
//
//   approval = 0x20 0x01 drawId:32 ceremonyId:32 signature:65 nonce:8    DkgApproval of our result
//   failure  = 0x20 0x02 drawId:32 ceremonyId:32 signature:65 nonce:8 blockerShareIndex:u16be
//   confirmation = 0x20 0x03 drawId:32 validatorIndex:32 signature:65 nonce:8
//                  WithdrawalCredentialsConfirmation (./confirmations.ts), to every operator
//   reshare  = 0x20 0x04 drawId:32 ceremonyId:32 signature:65 nonce:8    ReshareApproval of the
//              new public shares (./reshare-request.ts), under `reshareCeremonyIdOf(drawId)`
//
// The network authenticates the sender, so a statement carries no share index: it is the sender's
// seat. A statement is kept only if it recovers, under the registry's own digest, to its sender (so a
// member whose result differs from ours is simply not counted). The nonce makes a re-sent statement
// new bytes (the network drops exact replays).
import { type Hex, hexToBytes, recoverAddress, toHex } from 'viem';
import type { OperatorAddress } from '../committee/types.ts';

export const FRAME_CHAIN = 0x20;
const APPROVAL = 1;
const FAILURE = 2;
const CONFIRMATION = 3;
const RESHARE = 4;
const BODY = 32 + 32 + 65 + 8;

export interface Statement {
  readonly kind: 'approval' | 'failure' | 'confirmation' | 'reshare';
  readonly drawId: bigint;
  /** A confirmation's validator index (32 bytes, big-endian) in its place. */
  readonly ceremonyId: Hex;
  readonly signature: Hex;
  /** Failures only: the 1-based share index of the member named as the blocker. */
  readonly blockerShareIndex: number;
}

export function encodeStatement(s: Statement, nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + BODY + (s.kind === 'failure' ? 2 : 0));
  const kinds = { approval: APPROVAL, failure: FAILURE, confirmation: CONFIRMATION, reshare: RESHARE };
  out.set([FRAME_CHAIN, kinds[s.kind]]);
  out.set(hexToBytes(toHex(s.drawId, { size: 32 })), 2);
  out.set(hexToBytes(s.ceremonyId), 34);
  out.set(hexToBytes(s.signature), 66);
  out.set(nonce.subarray(0, 8), 131);
  if (s.kind === 'failure') new DataView(out.buffer).setUint16(139, s.blockerShareIndex);
  return out;
}

/** The statement, or undefined when the bytes are not a well-formed one. */
export function decodeStatement(bytes: Uint8Array): Statement | undefined {
  if (bytes[0] !== FRAME_CHAIN) return undefined;
  const kind =
    bytes[1] === APPROVAL
      ? 'approval'
      : bytes[1] === FAILURE
        ? 'failure'
        : bytes[1] === CONFIRMATION
          ? 'confirmation'
          : bytes[1] === RESHARE
            ? 'reshare'
            : undefined;
  if (kind === undefined || bytes.length !== 2 + BODY + (kind === 'failure' ? 2 : 0)) return undefined;
  return {
    kind,
    drawId: BigInt(toHex(bytes.subarray(2, 34))),
    ceremonyId: toHex(bytes.subarray(34, 66)),
    signature: toHex(bytes.subarray(66, 131)),
    blockerShareIndex: kind === 'failure' ? new DataView(bytes.buffer, bytes.byteOffset).getUint16(139) : 0,
  };
}

/** Which statement a signature is for: one draw, one ceremony id, one kind (and one blocker). */
export function statementKey(
  s: Pick<Statement, 'kind' | 'drawId' | 'ceremonyId' | 'blockerShareIndex'>,
): string {
  return `${s.kind}:${s.drawId}:${s.ceremonyId}:${s.blockerShareIndex}`;
}

/**
 * Statements received and kept per key. Signatures wait unverified until this member knows the digest
 * (its own result, or its own failure statement): `verified` then counts those that recover to their
 * sender, a member of the committee.
 */
export class StatementBook {
  readonly #received = new Map<string, Map<OperatorAddress, Hex>>();
  readonly #valid = new Map<string, Map<OperatorAddress, Hex>>();

  /**
   * Keeps `signature` from `from`; true when it is the first from this sender for this key. A draw
   * keeps at most 64 keys (ceremony ids, blockers): a member cannot fill memory with made-up ones.
   */
  add(key: string, from: OperatorAddress, signature: Hex): boolean {
    const drawId = key.split(':')[1];
    if (
      !this.#received.has(key) &&
      [...this.#received.keys()].filter((k) => k.split(':')[1] === drawId).length >= 64
    ) {
      return false;
    }
    const map = this.#received.get(key) ?? new Map<OperatorAddress, Hex>();
    this.#received.set(key, map);
    const first = !map.has(from);
    map.set(from, signature);
    return first;
  }

  /**
   * The statements of `key` that recover to their senders under `digest`, by sender, for senders in
   * `committee` (seat order). Each signature is recovered once.
   */
  async verified(
    key: string,
    digest: Hex,
    committee: readonly OperatorAddress[],
  ): Promise<{ shareIndex: bigint; signature: Hex }[]> {
    const valid = this.#valid.get(key) ?? new Map<OperatorAddress, Hex>();
    this.#valid.set(key, valid);
    for (const [from, signature] of this.#received.get(key) ?? []) {
      if (valid.get(from) === signature || !committee.includes(from)) continue;
      try {
        const signer = (await recoverAddress({ hash: digest, signature })).toLowerCase();
        if (signer === from) valid.set(from, signature);
      } catch {
        // not a signature: not counted
      }
    }
    return committee.flatMap((operator, i) => {
      const signature = valid.get(operator);
      return signature === undefined ? [] : [{ shareIndex: BigInt(i + 1), signature }];
    });
  }

  /** Forgets everything about one draw (accepted, or a new round). */
  forget(drawId: bigint): void {
    for (const map of [this.#received, this.#valid]) {
      for (const key of map.keys()) if (key.split(':')[1] === String(drawId)) map.delete(key);
    }
  }
}
