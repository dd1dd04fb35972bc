// The fold of the contracts' events into what the runtime acts on (./chain-reader.ts feeds it in chain
// order). Pure: no I/O, no clock. A validator's committee and public shares are those of its accepted
// DKG result, then of each recorded resharing; a member replaced by `drawReplacement` joins the
// validator's committee only when the resharing that gives it a share is recorded.
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import type { CommitteeMember, OperatorAddress } from '../committee/types.ts';
import { operatorAddressOf } from '../keys/identity.ts';
import type { PeerInfo } from '../p2p/types.ts';

export type DrawStatus =
  | 'requested'
  | 'drawn'
  | 'approved'
  | 'expired'
  | 'cancelled'
  | 'abandoned'
  | 'exited';

export interface ChainOperator {
  readonly address: OperatorAddress;
  readonly p2pAddresses: readonly string[];
  /** Its p2p identity, when a registered multiaddr names a secp256k1 peer id of this address. */
  readonly peer: PeerInfo | undefined;
  readonly ejected: boolean;
}

export interface ChainDraw {
  readonly drawId: bigint;
  readonly status: DrawStatus;
  readonly targetBlock: bigint;
  /** Block of the last `CommitteeDrawn` (the DKG timeout runs from it). */
  readonly drawnAtBlock: bigint;
  /** Seat order: share index = position + 1. */
  readonly committee: readonly OperatorAddress[];
  /** Committees drawn for this id so far (`CommitteeDraw.roundOf`). */
  readonly round: number;
  /**
   * Members that asked for a new share of their kept seat (`requestShareRegeneration`: a
   * `ReshareRequested` naming the seat's own holder, committee unchanged) since the last recording.
   */
  readonly regenerating?: readonly OperatorAddress[];
}

export interface ChainValidator {
  readonly drawId: bigint;
  readonly groupPublicKey: Uint8Array;
  readonly threshold: number;
  readonly members: readonly CommitteeMember[];
  /** 0: the DKG result; k: the k-th recorded resharing. */
  readonly generation: number;
  readonly validatorIndex: number | undefined;
  readonly acceptedAtBlock: bigint;
  /** Block of the last `ReshareRecorded` (generation > 0). */
  readonly recordedAtBlock?: bigint;
  /** The signature of the 1 ETH deposit, as submitted with the result (the 31 ETH top-up reuses it). */
  readonly depositSignature?: Uint8Array;
}

/** What a step of the chain changed, in chain order. */
export type ChainEvent = { readonly blockNumber: bigint } & (
  | { readonly type: 'operator-changed'; readonly operator: OperatorAddress }
  | { readonly type: 'operator-ejected'; readonly operator: OperatorAddress }
  | { readonly type: 'draw-requested'; readonly drawId: bigint; readonly targetBlock: bigint }
  | { readonly type: 'committee-drawn'; readonly drawId: bigint; readonly round: number }
  | { readonly type: 'draw-status'; readonly drawId: bigint; readonly status: DrawStatus }
  | { readonly type: 'validator-accepted'; readonly drawId: bigint }
  | {
      readonly type: 'reshare-requested';
      readonly drawId: bigint;
      readonly committee: readonly OperatorAddress[];
      readonly shareIndex: number;
      readonly replacement: OperatorAddress;
    }
  | { readonly type: 'reshare-recorded'; readonly drawId: bigint; readonly generation: number }
  | { readonly type: 'validator-index'; readonly drawId: bigint; readonly validatorIndex: number }
  | {
      readonly type: 'ceremony-failed';
      readonly drawId: bigint;
      readonly blockerShareIndex: number;
      readonly blocker: OperatorAddress;
    }
  | {
      readonly type: 'exit-requested';
      readonly drawId: bigint;
      readonly pubkey: Uint8Array;
      readonly reason: number;
      readonly requester: OperatorAddress;
    }
);

/** Read access to the folded state. */
export interface ChainState {
  /** The last block applied. */
  block(): bigint;
  operators(): readonly ChainOperator[];
  operator(address: OperatorAddress): ChainOperator | undefined;
  draws(): readonly ChainDraw[];
  draw(drawId: bigint): ChainDraw | undefined;
  validators(): readonly ChainValidator[];
  validator(drawId: bigint): ChainValidator | undefined;
}

/** The fold's mutators (./chain-reader.ts only). */
export interface MutableChainState extends ChainState {
  setBlock(block: bigint): void;
  setOperator(
    o: OperatorAddress,
    p2p: readonly string[],
    peer: PeerInfo | undefined,
    at: bigint,
  ): ChainEvent[];
  ejectOperator(operator: OperatorAddress, at: bigint): ChainEvent[];
  drawRequested(drawId: bigint, targetBlock: bigint, at: bigint): ChainEvent[];
  committeeDrawn(drawId: bigint, committee: readonly OperatorAddress[], at: bigint): ChainEvent[];
  reshareRequested(
    drawId: bigint,
    committee: readonly OperatorAddress[],
    shareIndex: number,
    replacement: OperatorAddress,
    at: bigint,
  ): ChainEvent[];
  drawEnded(drawId: bigint, status: DrawStatus, at: bigint): ChainEvent[];
  resultAccepted(
    drawId: bigint,
    groupPublicKey: Uint8Array,
    shares: readonly Uint8Array[],
    threshold: number,
    at: bigint,
    depositSignature?: Uint8Array,
  ): ChainEvent[];
  reshareRecorded(
    drawId: bigint,
    generation: number,
    shares: readonly Uint8Array[],
    at: bigint,
  ): ChainEvent[];
  validatorIndexKnown(drawId: bigint, validatorIndex: number, at: bigint): ChainEvent[];
  ceremonyFailed(
    drawId: bigint,
    blockerShareIndex: number,
    blocker: OperatorAddress,
    at: bigint,
  ): ChainEvent[];
}

/**
 * The p2p identity an operator registered: a multiaddr must end in `/p2p/<peer id>` with a secp256k1
 * peer id (which carries its public key) whose Ethereum address is the operator's, so that the key the
 * network authenticates is the key the contracts know. Returns the reason when there is none.
 */
export function peerOfRegistration(
  operator: OperatorAddress,
  p2pAddresses: readonly string[],
): PeerInfo | string {
  let publicKey: Uint8Array | undefined;
  const usable: string[] = [];
  let reason = 'no multiaddr names a /p2p/<peer id>';
  for (const text of p2pAddresses) {
    try {
      const named = multiaddr(text)
        .getComponents()
        .find((c) => c.name === 'p2p')?.value;
      if (named === undefined) continue;
      const key = peerIdFromString(named).publicKey;
      if (key?.type !== 'secp256k1') {
        reason = `peer id ${named} is not a secp256k1 key`;
        continue;
      }
      if (operatorAddressOf(key.raw) !== operator) {
        reason = `peer id ${named} is the key of another address`;
        continue;
      }
      if (publicKey !== undefined && Buffer.compare(publicKey, key.raw) !== 0) {
        return 'its multiaddrs name two different peer ids';
      }
      publicKey = key.raw;
      usable.push(text);
    } catch {
      reason = `${JSON.stringify(text.slice(0, 80))} is not a multiaddr with a valid peer id`;
    }
  }
  return publicKey === undefined ? reason : { address: operator, publicKey, multiaddrs: usable };
}

export function createChainState(): MutableChainState {
  let head = 0n;
  const operators = new Map<OperatorAddress, ChainOperator>();
  const draws = new Map<bigint, ChainDraw>();
  const validators = new Map<bigint, ChainValidator>();
  const updateDraw = (drawId: bigint, change: Partial<ChainDraw>): ChainDraw => {
    const draw: ChainDraw = {
      drawId,
      status: 'requested',
      targetBlock: 0n,
      drawnAtBlock: 0n,
      committee: [],
      round: 0,
      ...draws.get(drawId),
      ...change,
    };
    draws.set(drawId, draw);
    return draw;
  };
  const membersOf = (committee: readonly OperatorAddress[], shares: readonly Uint8Array[]) =>
    committee.map((operator, i) => ({ operator, shareIndex: i + 1, publicShare: shares[i]! }));

  return {
    block: () => head,
    operators: () => [...operators.values()],
    operator: (address) => operators.get(address),
    draws: () => [...draws.values()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1)),
    draw: (drawId) => draws.get(drawId),
    validators: () => [...validators.values()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1)),
    validator: (drawId) => validators.get(drawId),
    setBlock(block) {
      head = block;
    },
    setOperator(operator, p2pAddresses, peer, at) {
      const ejected = operators.get(operator)?.ejected ?? false;
      operators.set(operator, { address: operator, p2pAddresses, peer, ejected });
      return [{ type: 'operator-changed', operator, blockNumber: at }];
    },
    ejectOperator(operator, at) {
      const known = operators.get(operator);
      if (known !== undefined) operators.set(operator, { ...known, ejected: true });
      return [{ type: 'operator-ejected', operator, blockNumber: at }];
    },
    drawRequested(drawId, targetBlock, at) {
      updateDraw(drawId, { status: 'requested', targetBlock, committee: [] });
      return [{ type: 'draw-requested', drawId, targetBlock, blockNumber: at }];
    },
    committeeDrawn(drawId, committee, at) {
      const draw = updateDraw(drawId, {
        status: 'drawn',
        committee,
        drawnAtBlock: at,
        round: (draws.get(drawId)?.round ?? 0) + 1,
      });
      return [{ type: 'committee-drawn', drawId, round: draw.round, blockNumber: at }];
    },
    reshareRequested(drawId, committee, shareIndex, replacement, at) {
      const known = draws.get(drawId);
      const same =
        known !== undefined &&
        known.committee.length === committee.length &&
        known.committee.every((a, i) => a === committee[i]);
      // the seat's own holder, committee unchanged: a lost share to regenerate (not a replacement)
      const regenerating =
        same && committee[shareIndex - 1] === replacement
          ? [...new Set([...(known.regenerating ?? []), replacement])]
          : known?.regenerating;
      updateDraw(drawId, { committee, ...(regenerating === undefined ? {} : { regenerating }) });
      return [{ type: 'reshare-requested', drawId, committee, shareIndex, replacement, blockNumber: at }];
    },
    drawEnded(drawId, status, at) {
      updateDraw(drawId, { status });
      return [{ type: 'draw-status', drawId, status, blockNumber: at }];
    },
    resultAccepted(drawId, groupPublicKey, shares, threshold, at, depositSignature) {
      const committee = draws.get(drawId)?.committee ?? [];
      if (committee.length !== shares.length) return [];
      validators.set(drawId, {
        drawId,
        groupPublicKey,
        threshold,
        members: membersOf(committee, shares),
        generation: 0,
        validatorIndex: undefined,
        acceptedAtBlock: at,
        ...(depositSignature === undefined ? {} : { depositSignature }),
      });
      return [{ type: 'validator-accepted', drawId, blockNumber: at }];
    },
    reshareRecorded(drawId, generation, shares, at) {
      const known = validators.get(drawId);
      const committee = draws.get(drawId)?.committee ?? [];
      if (known === undefined || committee.length !== shares.length) return [];
      const { regenerating: _, ...draw } = draws.get(drawId)!;
      draws.set(drawId, draw); // every seat got a share of the new generation
      validators.set(drawId, {
        ...known,
        generation,
        members: membersOf(committee, shares),
        recordedAtBlock: at,
      });
      return [{ type: 'reshare-recorded', drawId, generation, blockNumber: at }];
    },
    validatorIndexKnown(drawId, validatorIndex, at) {
      const known = validators.get(drawId);
      if (known !== undefined) validators.set(drawId, { ...known, validatorIndex });
      return [{ type: 'validator-index', drawId, validatorIndex, blockNumber: at }];
    },
    ceremonyFailed(drawId, blockerShareIndex, blocker, at) {
      return [{ type: 'ceremony-failed', drawId, blockerShareIndex, blocker, blockNumber: at }];
    },
  };
}
