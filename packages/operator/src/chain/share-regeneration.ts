// A seat without a usable share asks the chain for a new one (a part of ./reshare-request.ts's step).
// A member of an approved draw's validator whose keys directory holds no keystore of its share for the
// chain's current generation (its disk died, its pending directory was lost, the keystore in place is
// the old generation's: the `share-missing` cases) sends `CommitteeDraw.requestShareRegeneration`. The
// chain answers with `ReshareRequested` naming this member in its own seat (./chain-state.ts
// `regenerating`): the committee reshares the same key to the same seats, this member receives only
// and the others deal (./reshare-pending.ts), and `ReshareRecorded` promotes the new share.
// Sent once; again only after the contract's cooldown (`REGENERATION_COOLDOWN_BLOCKS`) if nothing was
// recorded and the chain shows no request of this member since the last recording.
// The check reads the keystore's declared public share only (no decryption at every step); a
// keystore that declares the right share but that the node's loader could not use (it will not
// decrypt, or holds another share) is marked by the node (`markUnusableKeystore`) and counts as none.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { requestShareRegeneration, type WalletClientLike } from '@diva-dvt/contracts';
import { committeeDrawAbi } from '@diva-dvt/contracts/abis';
import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import { shareKeystoreFileName } from '../keys/keystore.ts';
import type { Logger } from '../logger.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';
import type { ChainLifecycleEvent } from './lifecycle-types.ts';
import { pendingReshares } from './reshare-pending.ts';
import { chainErrorText, revertOf } from './revert.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The mark of a keystore file that declares `publicShare` (hex) but could not be used. */
export function unusableKeystoreMark(file: string, publicShare: string): string {
  return `${basename(file)}:${publicShare.toLowerCase().replace(/^0x/, '')}`;
}

/**
 * Marks the keystore `file` the node's share loader could not use (its `onUnusable` report), by the
 * public share it declares: the seat then asks for a new share (`ShareRegeneration`). A keystore
 * written later in its place declares another share and is not marked. Answers whether a mark was
 * added (a missing or unreadable file has no declared share: the regeneration finds it anyway).
 */
export async function markUnusableKeystore(marks: Set<string>, file: string): Promise<boolean> {
  const declared = await readFile(file, 'utf8')
    .then((t) => (JSON.parse(t) as { pubkey?: unknown }).pubkey)
    .catch(() => undefined);
  if (typeof declared !== 'string') return false;
  marks.add(unusableKeystoreMark(file, declared));
  return true;
}

export class ShareRegeneration {
  readonly #wallet: WalletClientLike;
  readonly #committeeDraw: Address;
  readonly #keysDir: string;
  readonly #self: OperatorAddress;
  readonly #logger: Logger;
  readonly #emit: (event: ChainLifecycleEvent) => void;
  /** Whether the share of (draw, generation) was dealt with (promoted, or found missing). */
  readonly #settled: (drawId: bigint, generation: number) => boolean;
  /** `<drawId>:<generation>` whose keystore was found in place (checked once). */
  readonly #held = new Set<string>();
  /** Per draw: the block from which this member may ask again. */
  readonly #askAgainAt = new Map<bigint, bigint>();
  readonly #unusable: ReadonlySet<string>;
  #cooldown: bigint | undefined;

  constructor(parameters: {
    wallet: WalletClientLike;
    committeeDraw: Address;
    keysDir: string;
    self: OperatorAddress;
    logger: Logger;
    emit: (event: ChainLifecycleEvent) => void;
    settled: (drawId: bigint, generation: number) => boolean;
    /** Keystores the node could not use (`markUnusableKeystore`). */
    unusable?: ReadonlySet<string> | undefined;
  }) {
    this.#unusable = parameters.unusable ?? new Set();
    this.#wallet = parameters.wallet;
    this.#committeeDraw = parameters.committeeDraw;
    this.#keysDir = parameters.keysDir;
    this.#self = parameters.self;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#settled = parameters.settled;
  }

  /** Asks for a new share of every seat of this operator that holds none (see the file comment). */
  async run(state: ChainState): Promise<void> {
    const pending = new Set(pendingReshares(state, this.#self).map((p) => p.validator.drawId));
    for (const v of state.validators()) {
      const me = v.members.find((m) => m.operator === this.#self);
      const draw = state.draw(v.drawId);
      const key = `${v.drawId}:${v.generation}`;
      // a resharing under way (or asked for) gives this seat a new share anyway
      if (me === undefined || draw?.status !== 'approved' || pending.has(v.drawId)) continue;
      const marked = this.#unusable.has(
        unusableKeystoreMark(shareKeystoreFileName(v.groupPublicKey, me.shareIndex), hex(me.publicShare)),
      );
      if ((this.#held.has(key) && !marked) || !this.#settled(v.drawId, v.generation)) continue;
      if (!marked && (await this.#holds(v, me.shareIndex, me.publicShare))) {
        this.#held.add(key);
        continue;
      }
      const again = this.#askAgainAt.get(v.drawId);
      if (again !== undefined && state.block() < again) continue;
      await this.#ask(state, v);
    }
  }

  async #holds(v: ChainValidator, shareIndex: number, publicShare: Uint8Array): Promise<boolean> {
    const file = join(this.#keysDir, shareKeystoreFileName(v.groupPublicKey, shareIndex));
    const declared = await readFile(file, 'utf8')
      .then((t) => (JSON.parse(t) as { pubkey?: unknown }).pubkey)
      .catch(() => undefined);
    return typeof declared === 'string' && declared.toLowerCase() === hex(publicShare);
  }

  async #ask(state: ChainState, v: ChainValidator): Promise<void> {
    const log = { drawId: v.drawId.toString(), generation: v.generation };
    try {
      this.#cooldown ??= await readContract(this.#wallet, {
        address: this.#committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'REGENERATION_COOLDOWN_BLOCKS',
      });
      const transactionHash = await requestShareRegeneration(this.#wallet, {
        committeeDraw: this.#committeeDraw,
        drawId: v.drawId,
      });
      this.#askAgainAt.set(v.drawId, state.block() + this.#cooldown);
      this.#logger.warn('this seat holds no share of the current generation: a new one requested', {
        ...log,
        transactionHash,
      });
      this.#emit({ type: 'regeneration-requested', drawId: v.drawId, transactionHash });
    } catch (error) {
      const revert = revertOf(error);
      // another member's request (or ours, not yet read) holds the draw: ask once it is over
      const at = revert?.name === 'RegenerationCooldown' ? (revert.args[1] as bigint) : undefined;
      // refused otherwise: after a cooldown too; not sent (an RPC down): two blocks on
      const wait = revert === undefined ? 2n : (this.#cooldown ?? 300n);
      this.#askAgainAt.set(v.drawId, at ?? state.block() + wait);
      this.#logger.warn('new share not requested; asked again later', {
        ...log,
        error: chainErrorText(error),
        ...(at === undefined ? {} : { fromBlock: at.toString() }),
      });
    }
  }
}
