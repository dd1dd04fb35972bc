// The 31 ETH top-up of a validator the chain accepted (1 ETH pre-deposited): operators holding 2/3 of
// the active seats confirm, each with its EIP-712 `WithdrawalCredentialsConfirmation`, that the beacon
// chain holds the validator at index i with the protocol's withdrawal credentials; with a quorum
// anyone submits `confirmByQuorum`. The committee alone is not enough (its t members hold the key and
// could have front-run the first deposit), so every active operator takes part, not only the
// validator's committee: every operator holding key shares finds the index itself (./validator-index.ts), signs, and sends its
// statement to every other registered operator (the lifecycle adds them to its peers while a
// validator waits). Submission is staggered by the signer's rank among the operators (lowest address
// first); a refusal (another operator was first, no quorum yet) loses nothing and is tried again
// when more statements arrive.
import { randomBytes } from 'node:crypto';
import {
  confirmByQuorum,
  signWithdrawalCredentialsConfirmation,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { accountingAbi, dkgResultRegistryAbi, operatorRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Address, type Hash, type Hex, hexToBytes, toHex } from 'viem';
import { getChainId, readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';
import { chainErrorText } from './revert.ts';
import { ActiveSeats } from './seats.ts';
import {
  decodeStatement,
  encodeStatement,
  type Statement,
  StatementBook,
  statementKey,
} from './statements.ts';
import type { ValidatorIndexLookup } from './validator-index.ts';

export type ConfirmationEvent =
  | { readonly type: 'confirmation-signed'; readonly drawId: bigint; readonly validatorIndex: number }
  | {
      readonly type: 'confirmation-submitted';
      readonly drawId: bigint;
      readonly validatorIndex: number;
      readonly transactionHash: Hash;
    };

interface Mine {
  readonly statement: Statement;
  readonly digest: Hex;
  readonly validatorIndex: number;
  sentAt: number;
  tried: number;
  submitAt?: number;
}

const errorText = chainErrorText;
/** A statement is sent again this often until the validator is funded (peers may have been offline). */
const RESEND_MS = 10_000;
/** Each operator's turn to submit comes this long after the previous one's. */
const STAGGER_MS = 3_000;

/**
 * The operators whose confirmation counts, by address: those holding key shares (the registry's
 * voting weight is the key shares held), not ejected.
 */
export function confirmingOperators(state: ChainState): OperatorAddress[] {
  const holders = new Set<OperatorAddress>();
  for (const v of state.validators()) {
    if (state.draw(v.drawId)?.status === 'exited') continue;
    for (const m of v.members) if (state.operator(m.operator)?.ejected !== true) holders.add(m.operator);
  }
  return [...holders].sort();
}

/** Validators accepted and pre-deposited, whose top-up waits for a quorum. */
export function awaitingConfirmation(state: ChainState): ChainValidator[] {
  return state
    .validators()
    .filter(
      (v) =>
        v.validatorIndex === undefined &&
        v.depositSignature !== undefined &&
        state.draw(v.drawId)?.status === 'approved',
    );
}

export class Confirmations {
  readonly #wallet: WalletClientLike;
  readonly #network: P2pNetwork;
  readonly #registry: Address;
  readonly #accounting: Address | undefined;
  readonly #operatorRegistry: Address | undefined;
  /** The reporting committee's members by its epoch (it never changes once drawn). */
  readonly #committees = new Map<bigint, OperatorAddress[]>();
  readonly #indexOf: ValidatorIndexLookup;
  readonly #logger: Logger;
  readonly #emit: (event: ConfirmationEvent) => void;
  readonly #onChange: () => void;
  readonly #self: OperatorAddress;
  readonly #book = new StatementBook();
  readonly #mine = new Map<bigint, Mine>();
  #credentials: Uint8Array | undefined;
  readonly #activeSeats: ActiveSeats | undefined;
  #k: bigint | undefined;
  /** The latest reporting committee as read at one block (ticks within a block reuse it). */
  #latest: { readonly block: bigint; readonly epoch: bigint; readonly drawn: boolean } | undefined;

  constructor(parameters: {
    wallet: WalletClientLike;
    network: P2pNetwork;
    registry: Address;
    /** With both, quorums beyond K active seats come from the reporting committee. */
    accounting?: Address | undefined;
    operatorRegistry?: Address | undefined;
    indexOf: ValidatorIndexLookup;
    logger: Logger;
    emit: (event: ConfirmationEvent) => void;
    onChange: () => void;
  }) {
    this.#wallet = parameters.wallet;
    this.#network = parameters.network;
    this.#registry = parameters.registry;
    this.#accounting = parameters.accounting;
    this.#operatorRegistry = parameters.operatorRegistry;
    this.#indexOf = parameters.indexOf;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#onChange = parameters.onChange;
    this.#self = parameters.network.address;
    const operatorRegistry = parameters.operatorRegistry;
    this.#activeSeats =
      operatorRegistry === undefined
        ? undefined
        : new ActiveSeats(() =>
            readContract(this.#wallet, {
              address: operatorRegistry,
              abi: operatorRegistryAbi,
              functionName: 'activeSeats',
            }),
          );
  }

  /** Signs, sends and submits what the state asks; returns how long until it wants to run again. */
  async run(state: ChainState): Promise<number> {
    const waiting = awaitingConfirmation(state);
    for (const drawId of this.#mine.keys())
      if (!waiting.some((v) => v.drawId === drawId)) this.#forget(drawId);
    if (waiting.length === 0) return Number.POSITIVE_INFINITY;
    const operators = await this.#signers(state);
    // no reporting committee drawn yet (the keepers request it): look again in a while
    if (operators === undefined) return 6_000;
    if (!operators.includes(this.#self)) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const v of waiting) {
      try {
        next = Math.min(next, await this.#runOne(v, operators));
      } catch (error) {
        this.#logger.warn('withdrawal credentials confirmation step failed', {
          drawId: v.drawId.toString(),
          error: errorText(error),
        });
        next = Math.min(next, 5_000);
      }
    }
    return next;
  }

  /**
   * Whose confirmations count: the operators holding key shares, or with more active seats than K
   * the latest reporting committee's members (undefined while none is drawn). A validator waits
   * here over many ticks (each statement received is one): K is read once, the active seats only
   * when the folded state shows a seat may have moved (./seats.ts), and the latest committee's
   * epoch at most once per block, only beyond K.
   */
  async #signers(state: ChainState): Promise<OperatorAddress[] | undefined> {
    const holders = confirmingOperators(state);
    const accounting = this.#accounting;
    if (accounting === undefined || this.#activeSeats === undefined) return holders;
    const read = { address: accounting, abi: accountingAbi } as const;
    this.#k ??= await readContract(this.#wallet, { ...read, functionName: 'REPORTING_COMMITTEE_SEATS' });
    const seats = await this.#activeSeats.of(state);
    if (seats <= this.#k) return holders;
    const block = state.block();
    if (this.#latest?.block !== block) {
      const epoch = await readContract(this.#wallet, { ...read, functionName: 'latestCommitteeEpoch' });
      const [, drawn] = await readContract(this.#wallet, {
        ...read,
        functionName: 'reportingCommitteeOf',
        args: [epoch],
      });
      this.#latest = { block, epoch, drawn };
    }
    const { epoch, drawn } = this.#latest;
    if (!drawn) return undefined;
    let members = this.#committees.get(epoch);
    if (members === undefined) {
      const inCommittee = await Promise.all(
        holders.map((o) =>
          readContract(this.#wallet, { ...read, functionName: 'committeeSeatsOf', args: [epoch, o] }),
        ),
      );
      members = holders.filter((_, i) => inCommittee[i]! > 0n);
      this.#committees.set(epoch, members);
    }
    return members;
  }

  async #runOne(v: ChainValidator, operators: readonly OperatorAddress[]): Promise<number> {
    let mine = this.#mine.get(v.drawId);
    if (mine === undefined) {
      this.#credentials ??= hexToBytes(
        await readContract(this.#wallet, {
          address: this.#registry,
          abi: dkgResultRegistryAbi,
          functionName: 'withdrawalCredentials',
        }),
      );
      const validatorIndex = await this.#indexOf({
        groupPublicKey: v.groupPublicKey,
        withdrawalCredentials: this.#credentials,
      });
      // not on the beacon chain (yet) with our credentials: nothing to confirm
      if (validatorIndex === undefined) return 6_000;
      mine = await this.#sign(v, validatorIndex);
    }
    const now = Date.now();
    if (now - mine.sentAt >= RESEND_MS) this.#send(mine, operators);
    const key = statementKey(mine.statement);
    const verified = await this.#book.verified(key, mine.digest, operators);
    // 2/3 of the operators is a hint, not the rule (the rule counts seats): the contract decides
    if (verified.length * 3 < operators.length * 2 || verified.length <= mine.tried)
      return RESEND_MS - (now - mine.sentAt);
    mine.submitAt ??= now + operators.indexOf(this.#self) * STAGGER_MS;
    if (mine.submitAt > now) return mine.submitAt - now;
    mine.tried = verified.length;
    try {
      const transactionHash = await confirmByQuorum(this.#wallet, {
        dkgResultRegistry: this.#registry,
        drawId: v.drawId,
        validatorIndex: BigInt(mine.validatorIndex),
        depositSignature: toHex(v.depositSignature!),
        confirmations: verified.map((c) => ({
          signer: operators[Number(c.shareIndex) - 1]!,
          signature: c.signature,
        })),
      });
      this.#logger.info('withdrawal credentials confirmed: 31 ETH deposited', {
        drawId: v.drawId.toString(),
        validatorIndex: mine.validatorIndex,
        confirmations: verified.length,
        transaction: transactionHash,
      });
      this.#emit({
        type: 'confirmation-submitted',
        drawId: v.drawId,
        validatorIndex: mine.validatorIndex,
        transactionHash,
      });
    } catch (error) {
      this.#logger.debug('confirmation not submitted', {
        drawId: v.drawId.toString(),
        reason: errorText(error),
      });
    }
    return RESEND_MS;
  }

  async #sign(v: ChainValidator, validatorIndex: number): Promise<Mine> {
    const chainId = this.#wallet.chain?.id ?? (await getChainId(this.#wallet));
    const signature = await signWithdrawalCredentialsConfirmation(this.#wallet.account, {
      dkgResultRegistry: this.#registry,
      chainId,
      drawId: v.drawId,
      validatorPubkey: toHex(v.groupPublicKey),
      validatorIndex: BigInt(validatorIndex),
      withdrawalCredentials: toHex(this.#credentials!),
    });
    const digest = await readContract(this.#wallet, {
      address: this.#registry,
      abi: dkgResultRegistryAbi,
      functionName: 'confirmationDigest',
      args: [v.drawId, BigInt(validatorIndex)],
    });
    const statement: Statement = {
      kind: 'confirmation',
      drawId: v.drawId,
      ceremonyId: toHex(BigInt(validatorIndex), { size: 32 }),
      signature,
      blockerShareIndex: 0,
    };
    const mine: Mine = { statement, digest, validatorIndex, sentAt: 0, tried: 0 };
    this.#mine.set(v.drawId, mine);
    this.#book.add(statementKey(statement), this.#self, signature);
    this.#logger.info('withdrawal credentials confirmed by this operator', {
      drawId: v.drawId.toString(),
      validatorIndex,
    });
    this.#emit({ type: 'confirmation-signed', drawId: v.drawId, validatorIndex });
    return mine;
  }

  #send(mine: Mine, operators: readonly OperatorAddress[]): void {
    mine.sentAt = Date.now();
    const bytes = encodeStatement(mine.statement, randomBytes(8));
    for (const o of operators) if (o !== this.#self) this.#network.send(o, bytes);
  }

  /** A confirmation from another operator: kept (verified when counted); ours goes back to it once. */
  receive(from: OperatorAddress, bytes: Uint8Array, state: ChainState): void {
    const statement = decodeStatement(bytes);
    if (statement?.kind !== 'confirmation') return;
    if (!awaitingConfirmation(state).some((v) => v.drawId === statement.drawId)) return;
    if (!confirmingOperators(state).includes(from)) return;
    const first = this.#book.add(statementKey(statement), from, statement.signature);
    const mine = this.#mine.get(statement.drawId);
    if (first && mine !== undefined && statementKey(mine.statement) === statementKey(statement)) {
      this.#network.send(from, encodeStatement(mine.statement, randomBytes(8)));
    }
    this.#onChange();
  }

  #forget(drawId: bigint): void {
    this.#mine.delete(drawId);
    this.#book.forget(drawId);
  }
}
