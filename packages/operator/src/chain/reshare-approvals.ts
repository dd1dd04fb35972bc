// The approvals of a resharing (./reshare-request.ts): each member of the new committee signs the
// registry's `ReshareApproval` of the new public shares (under `reshareCeremonyIdOf(drawId)` and
// generation g + 1) once its ceremony finished and sends it to the other new members (./statements.ts,
// kind 4); with t that recover to their senders at their seats, `recordReshare` goes out, the lowest
// seat at once, seat k after (k - 1) staggers, and again a round of staggers later if it did not land
// (a refusal because another member was first loses nothing).
import {
  hashPublicShares,
  recordReshare,
  signReshareApproval,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Address, type Hex, toHex } from 'viem';
import { getChainId, readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import type { ChainReader } from './chain-reader.ts';
import type { ChainLifecycleComponents, ChainLifecycleEvent, ChainLifecycleInit } from './lifecycle-types.ts';
import type { PendingReshare } from './reshare-pending.ts';
import { decodeStatement, encodeStatement, FRAME_CHAIN, StatementBook, statementKey } from './statements.ts';

interface Approval {
  readonly key: string;
  readonly drawId: bigint;
  readonly bytes: () => Uint8Array;
  readonly digest: Hex;
  readonly publicShares: Hex;
  submitAt?: number;
}

const errorText = (e: unknown) => (e as { shortMessage?: string }).shortMessage ?? String(e);

export class ReshareApprovals {
  readonly #wallet: WalletClientLike;
  readonly #network: P2pNetwork;
  readonly #reader: ChainReader;
  readonly #registry: Address;
  readonly #self: OperatorAddress;
  readonly #staggerMs: number;
  readonly #logger: Logger;
  readonly #emit: (event: ChainLifecycleEvent) => void;
  readonly #onChange: () => void;
  readonly #book = new StatementBook();
  /** By pending directory: this member's signed approval. */
  readonly #approvals = new Map<string, Approval>();
  readonly #lastResent = new Map<string, number>();

  constructor(parameters: {
    components: ChainLifecycleComponents;
    init: ChainLifecycleInit;
    logger: Logger;
    emit: (event: ChainLifecycleEvent) => void;
    onChange: () => void;
  }) {
    this.#wallet = parameters.components.wallet;
    this.#network = parameters.components.network;
    this.#reader = parameters.components.reader;
    this.#registry = parameters.init.addresses.dkgResultRegistry!;
    this.#self = parameters.components.network.address;
    this.#staggerMs = parameters.init.submitStaggerMs ?? 4000;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#onChange = parameters.onChange;
  }

  /** Forgets what concerns `drawId` (its resharing was recorded). */
  forget(drawId: bigint): void {
    this.#book.forget(drawId);
    for (const [dir, a] of this.#approvals) if (a.drawId === drawId) this.#approvals.delete(dir);
  }

  /** A reshare approval from a member of a committee being reshared: kept; ours goes back to it. */
  receive(from: OperatorAddress, bytes: Uint8Array): void {
    if (bytes[0] !== FRAME_CHAIN) return;
    const statement = decodeStatement(bytes);
    if (statement?.kind !== 'reshare') return; // malformed ones are reported by ./result-exchange.ts
    const draw = this.#reader.state().draw(statement.drawId);
    if (draw?.status !== 'approved' || !draw.committee.includes(from)) return;
    const key = statementKey(statement);
    this.#book.add(key, from, statement.signature);
    const mine = [...this.#approvals.values()].find((a) => a.key === key);
    const resendKey = `${key}:${from}`;
    if (mine !== undefined && Date.now() - (this.#lastResent.get(resendKey) ?? 0) > 2000) {
      this.#lastResent.set(resendKey, Date.now());
      this.#network.send(from, mine.bytes());
    }
    this.#onChange();
  }

  /** Signs this member's approval of the finished resharing in `dir` (once); submits with t. */
  async approve(p: PendingReshare, dir: string, publicShares: readonly Uint8Array[]): Promise<number> {
    const { drawId } = p.validator;
    let approval = this.#approvals.get(dir);
    if (approval === undefined) {
      const read = { address: this.#registry, abi: dkgResultRegistryAbi } as const;
      const publicSharesHash = hashPublicShares(publicShares);
      const [generation, ceremonyId, digest] = await Promise.all([
        readContract(this.#wallet, { ...read, functionName: 'generationOf', args: [drawId] }),
        readContract(this.#wallet, { ...read, functionName: 'reshareCeremonyIdOf', args: [drawId] }),
        readContract(this.#wallet, {
          ...read,
          functionName: 'reshareDigest',
          args: [drawId, publicSharesHash],
        }),
      ]);
      // The chain moved on (recorded meanwhile, this reader behind): the next step sees it.
      if (Number(generation) + 1 !== p.generation) return 1000;
      const signature = await signReshareApproval(this.#wallet.account, {
        dkgResultRegistry: this.#registry,
        chainId: this.#wallet.chain?.id ?? (await getChainId(this.#wallet)),
        drawId,
        ceremonyId,
        validatorPubkey: toHex(p.validator.groupPublicKey),
        publicSharesHash,
        generation: BigInt(p.generation),
      });
      const statement = { kind: 'reshare', drawId, ceremonyId, signature, blockerShareIndex: 0 } as const;
      const key = statementKey(statement);
      const bytes = () => encodeStatement(statement, crypto.getRandomValues(new Uint8Array(8)));
      approval = { key, drawId, bytes, digest, publicShares: toHex(Buffer.concat(publicShares)) };
      this.#approvals.set(dir, approval);
      this.#book.add(key, this.#self, signature);
      for (const member of p.committee) if (member !== this.#self) this.#network.send(member, bytes());
      this.#logger.info('resharing approved', { drawId: drawId.toString(), generation: p.generation });
    }
    return this.#submit(p, approval);
  }

  /** With t approvals, sends `recordReshare` at this seat's turn, and again later if it did not land. */
  async #submit(p: PendingReshare, approval: Approval): Promise<number> {
    const t = this.#reader.parameters().threshold;
    const verified = await this.#book.verified(approval.key, approval.digest, p.committee);
    if (verified.length < t) return Number.POSITIVE_INFINITY;
    const stagger = this.#staggerMs;
    approval.submitAt ??= Date.now() + p.committee.indexOf(this.#self) * stagger;
    const wait = approval.submitAt - Date.now();
    if (wait > 0) return wait;
    approval.submitAt = Date.now() + p.committee.length * stagger;
    const { drawId } = p.validator;
    try {
      const transactionHash = await recordReshare(this.#wallet, {
        dkgResultRegistry: this.#registry,
        drawId,
        publicShares: approval.publicShares,
        approvals: verified.slice(0, t),
      });
      this.#logger.info('resharing submitted', { drawId: drawId.toString(), transaction: transactionHash });
      this.#emit({ type: 'reshare-submitted', drawId, generation: p.generation, transactionHash });
    } catch (error) {
      // Another member was first (the generation moved on): nothing lost.
      this.#logger.debug('resharing submission refused', {
        drawId: drawId.toString(),
        reason: errorText(error),
      });
    }
    return approval.submitAt - Date.now();
  }
}
