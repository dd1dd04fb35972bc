// The statements a committee trades after a ceremony (./statements.ts) and what they lead to: this
// member's EIP-712 approval of a finished ceremony (signed once, under the registry's own digest and
// ceremony id) or its `CeremonyFailure` statement naming the lowest-seated culprit, sent to the other
// members; with t verified statements, the result (or the failure report) is submitted, the lowest
// seat at once and seat k after (k - 1) staggers if no one else's landed. A refusal there (another
// member was first) loses nothing.
import { randomBytes } from 'node:crypto';
import {
  createDkgResultSubmission,
  type DkgResultSubmission,
  hashPublicShares,
  reportFailedCeremony,
  signCeremonyFailure,
  signDkgApproval,
  submitDkgResult,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Address, type Hex, toHex } from 'viem';
import { getChainId, readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import type { ChainReader } from './chain-reader.ts';
import type { ChainDraw } from './chain-state.ts';
import type { FinishedCeremony } from './draw-ceremony.ts';
import type { ChainLifecycleEvent } from './lifecycle-types.ts';
import {
  decodeStatement,
  encodeStatement,
  FRAME_CHAIN,
  type Statement,
  StatementBook,
  statementKey,
} from './statements.ts';

/** This member's statement for one ceremony key and what submitting it needs. */
export interface Signed {
  readonly statement: Statement;
  readonly digest: Hex;
  /** Who may sign it, in seat order (the blocker's seat blanked for a failure). */
  readonly committee: readonly OperatorAddress[];
  readonly submission?: DkgResultSubmission;
  submitAt?: number;
}

const errorText = (e: unknown) => (e as { shortMessage?: string }).shortMessage ?? String(e);

export class ResultExchange {
  readonly #wallet: WalletClientLike;
  readonly #network: P2pNetwork;
  readonly #reader: ChainReader;
  readonly #registry: Address;
  readonly #self: OperatorAddress;
  readonly #logger: Logger;
  readonly #emit: (event: ChainLifecycleEvent) => void;
  readonly #onChange: () => void;
  readonly #staggerMs: number;
  readonly #book = new StatementBook();
  /** By pending directory: this member's approval; by `failure:<dir>`: its failure statement. */
  readonly #signed = new Map<string, Signed>();
  readonly #lastResent = new Map<string, number>();
  readonly #done = new Set<string>();

  constructor(parameters: {
    wallet: WalletClientLike;
    network: P2pNetwork;
    reader: ChainReader;
    registry: Address;
    logger: Logger;
    emit: (event: ChainLifecycleEvent) => void;
    /** Something arrived that may let a submission go ahead. */
    onChange: () => void;
    submitStaggerMs: number;
  }) {
    this.#wallet = parameters.wallet;
    this.#network = parameters.network;
    this.#reader = parameters.reader;
    this.#registry = parameters.registry;
    this.#self = parameters.network.address;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#onChange = parameters.onChange;
    this.#staggerMs = parameters.submitStaggerMs;
  }

  /** This member's failure statement for the ceremony in `dir`, if it made one. */
  failureOf(dir: string): Signed | undefined {
    return this.#signed.get(`failure:${dir}`);
  }

  /** Forgets what concerns `drawId` (its result was accepted). */
  forget(drawId: bigint): void {
    this.#book.forget(drawId);
    for (const [key, s] of this.#signed) if (s.statement.drawId === drawId) this.#signed.delete(key);
  }

  /** Names the lowest-seated culprit in a `CeremonyFailure` statement and sends it to the committee. */
  async signFailure(draw: ChainDraw, dir: string, culprits: readonly string[]): Promise<void> {
    const seats = culprits.map((c) => draw.committee.indexOf(c as OperatorAddress) + 1).filter((s) => s > 0);
    const blocker = Math.min(...seats);
    if (!Number.isFinite(blocker) || draw.committee[blocker - 1] === this.#self) return;
    const read = { address: this.#registry, abi: dkgResultRegistryAbi } as const;
    const ceremonyId = await readContract(this.#wallet, {
      ...read,
      functionName: 'ceremonyIdOf',
      args: [draw.drawId],
    });
    const digest = await readContract(this.#wallet, {
      ...read,
      functionName: 'ceremonyFailureDigest',
      args: [draw.drawId, BigInt(blocker)],
    });
    const signature = await signCeremonyFailure(this.#wallet.account, {
      dkgResultRegistry: this.#registry,
      chainId: await this.#chainId(),
      drawId: draw.drawId,
      ceremonyId,
      blockerShareIndex: BigInt(blocker),
    });
    const statement: Statement = {
      kind: 'failure',
      drawId: draw.drawId,
      ceremonyId,
      signature,
      blockerShareIndex: blocker,
    };
    // The blocker's seat is left out of the signers (the registry refuses its statement).
    const signers = draw.committee.map((a, i) => (i === blocker - 1 ? ('0x' as OperatorAddress) : a));
    this.#sign(`failure:${dir}`, { statement, digest, committee: signers }, draw.committee);
  }

  async #chainId(): Promise<number> {
    return this.#wallet.chain?.id ?? (await getChainId(this.#wallet));
  }

  /** Keeps this member's statement and sends it to every other member. */
  #sign(key: string, signed: Signed, committee: readonly OperatorAddress[]): void {
    this.#signed.set(key, signed);
    this.#book.add(statementKey(signed.statement), this.#self, signed.statement.signature);
    const bytes = encodeStatement(signed.statement, randomBytes(8));
    for (const member of committee) if (member !== this.#self) this.#network.send(member, bytes);
  }

  /** Signs this member's approval of a finished ceremony (once) and submits with t of them. */
  async approve(draw: ChainDraw, dir: string, finished: FinishedCeremony): Promise<number> {
    let signed = this.#signed.get(dir);
    if (signed === undefined) {
      const read = { address: this.#registry, abi: dkgResultRegistryAbi } as const;
      const pubkey = toHex(finished.groupPublicKey);
      const publicSharesHash = hashPublicShares(finished.publicShares);
      const depositDataRoot = await readContract(this.#wallet, {
        ...read,
        functionName: 'preDepositDataRoot',
        args: [pubkey, toHex(finished.depositSignature)],
      });
      const ceremonyId = await readContract(this.#wallet, {
        ...read,
        functionName: 'ceremonyIdOf',
        args: [draw.drawId],
      });
      const digest = await readContract(this.#wallet, {
        ...read,
        functionName: 'approvalDigest',
        args: [draw.drawId, pubkey, publicSharesHash, depositDataRoot],
      });
      const signature = await signDkgApproval(this.#wallet.account, {
        dkgResultRegistry: this.#registry,
        chainId: await this.#chainId(),
        drawId: draw.drawId,
        ceremonyId,
        validatorPubkey: pubkey,
        publicSharesHash,
        depositDataRoot,
      });
      const submission = createDkgResultSubmission({
        drawId: draw.drawId,
        groupPublicKey: finished.groupPublicKey,
        publicShares: finished.publicShares,
        depositSignature: finished.depositSignature,
        depositDataRoot,
      });
      const statement: Statement = {
        kind: 'approval',
        drawId: draw.drawId,
        ceremonyId,
        signature,
        blockerShareIndex: 0,
      };
      signed = { statement, digest, committee: draw.committee, submission };
      this.#sign(dir, signed, draw.committee);
    }
    return this.collect(draw, signed);
  }

  /**
   * Submits once t verified statements are in and this seat's turn has come (the lowest seat at
   * once, seat k after (k - 1) staggers). Returns how long until its turn (Infinity: nothing to wait for).
   */
  async collect(draw: ChainDraw, signed: Signed): Promise<number> {
    const t = this.#reader.parameters().threshold;
    const key = statementKey(signed.statement);
    if (this.#done.has(key)) return Number.POSITIVE_INFINITY;
    const verified = await this.#book.verified(key, signed.digest, signed.committee);
    if (verified.length < t) return Number.POSITIVE_INFINITY;
    const seat = draw.committee.indexOf(this.#self);
    signed.submitAt ??= Date.now() + seat * (this.#staggerMs ?? 4000);
    const wait = signed.submitAt - Date.now();
    if (wait > 0) return wait;
    this.#done.add(key);
    const approvals = verified.slice(0, t);
    try {
      if (signed.submission !== undefined) {
        const transactionHash = await submitDkgResult(this.#wallet, {
          dkgResultRegistry: this.#registry,
          result: signed.submission,
          approvals,
        });
        this.#logger.info('DKG result submitted', {
          drawId: draw.drawId.toString(),
          transaction: transactionHash,
        });
        this.#emit({ type: 'result-submitted', drawId: draw.drawId, transactionHash });
      } else {
        const blockerShareIndex = signed.statement.blockerShareIndex;
        const transactionHash = await reportFailedCeremony(this.#wallet, {
          dkgResultRegistry: this.#registry,
          drawId: draw.drawId,
          blockerShareIndex: BigInt(blockerShareIndex),
          approvals,
        });
        this.#emit({ type: 'failure-reported', drawId: draw.drawId, blockerShareIndex, transactionHash });
      }
    } catch (error) {
      // Another member was first (AlreadySubmitted, the draw moved on): nothing lost.
      this.#logger.debug('submission refused', { drawId: draw.drawId.toString(), reason: errorText(error) });
    }
    return Number.POSITIVE_INFINITY;
  }

  /** A statement from a member: kept; ours goes back to it (it may have restarted and lost it). */
  receive(from: OperatorAddress, bytes: Uint8Array): void {
    if (bytes[0] !== FRAME_CHAIN) return;
    const statement = decodeStatement(bytes);
    if (statement === undefined) return this.#network.report(from, 'malformed');
    // ./confirmations.ts, ./reshare-request.ts
    if (statement.kind === 'confirmation' || statement.kind === 'reshare') return;
    // Only for a draw awaiting its result with the sender in its committee (as this node read the chain;
    // a statement that came too early is sent again when ours reaches its sender).
    const draw = this.#reader.state().draw(statement.drawId);
    if (draw?.status !== 'drawn' || !draw.committee.includes(from)) return;
    const key = statementKey(statement);
    this.#book.add(key, from, statement.signature);
    const resendKey = `${key}:${from}`;
    const mine = [...this.#signed.values()].find((s) => statementKey(s.statement) === key);
    if (mine !== undefined && Date.now() - (this.#lastResent.get(resendKey) ?? 0) > 2000) {
      this.#lastResent.set(resendKey, Date.now());
      this.#network.send(from, encodeStatement(mine.statement, randomBytes(8)));
    }
    this.#onChange();
  }
}
