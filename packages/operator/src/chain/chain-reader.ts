// The contracts' state as the operator runtime needs it, rebuilt from logs alone: operators and their
// p2p identities, draws and their committees, validators whose DKG result the chain accepted (with
// their public shares, read from the accepting transaction's input) and what happens to them later
// (resharing, exit requests). One `eth_getLogs` over every contract per step, applied in (block, log
// index) order, from the deployment block on: a restarted node rebuilds exactly what the chain says,
// nothing is read from local files. Then it polls for new blocks (`confirmations` behind the head).
import {
  committeeDrawAbi,
  dkgResultRegistryAbi,
  exitRequestsAbi,
  operatorRegistryAbi,
} from '@diva-dvt/contracts/abis';
import {
  type Address,
  decodeFunctionData,
  type Hex,
  hexToBytes,
  keccak256,
  type Log,
  type PublicClient,
  parseEventLogs,
} from 'viem';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { type ChainEvent, type ChainState, createChainState, peerOfRegistration } from './chain-state.ts';

/** Where the contracts are (a `DivaDeployment` of @diva-dvt/contracts fits). */
export interface ChainAddresses {
  readonly operatorRegistry: Address;
  readonly committeeDraw: Address;
  readonly divETH: Address;
  readonly dkgResultRegistry?: Address | undefined;
  readonly exitRequests?: Address | undefined;
  /** Quorums beyond K seats are of its reporting committee (keepers draw it; `Confirmations` use it). */
  readonly accounting?: Address | undefined;
  /** Keepers finalize its requests once a report and the buffer allow. */
  readonly withdrawalQueue?: Address | undefined;
  /**
   * Devnets on a beacon chain without withdrawals only: the contract that plays the withdrawal sweep
   * (reports read what it sent divETH: ./report-values.ts).
   */
  readonly withdrawalSweepEmulator?: Address | undefined;
  /** The deployment's first block: logs are read from here. */
  readonly fromBlock: bigint;
}

export interface ChainReaderParameters {
  /** Any viem public client; several RPC URLs through viem's `fallback` transport (`createChainClients`). */
  readonly client: PublicClient;
  readonly addresses: ChainAddresses;
  /** How often new blocks are looked for (default 2,000 ms). */
  readonly pollingIntervalMs?: number;
  /** Blocks behind the head that are read (default 0; reorg-prone chains want a few). */
  readonly confirmations?: number;
  /** Blocks per `eth_getLogs` while catching up (default 5,000). */
  readonly blocksPerQuery?: bigint;
  readonly logger?: Logger;
}

export interface ChainReader {
  /** Catches up with the chain, then follows it. Idempotent: later calls return the first one's promise. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The state after the last block read (after `start()`). */
  state(): ChainState;
  /** Called after each step that changed something, with what changed, in chain order. */
  onEvents(listener: (events: readonly ChainEvent[], state: ChainState) => void): () => void;
  /** The committee size n and threshold t of the draw contract (read at start). */
  readonly parameters: () => { readonly committeeSize: number; readonly threshold: number };
  /** Reads new blocks now (what the poll does); resolves when applied. */
  poll(): Promise<void>;
}

const ABI = [...operatorRegistryAbi, ...committeeDrawAbi, ...dkgResultRegistryAbi, ...exitRequestsAbi];
/** The fields of the events read here (each event has some of them). */
interface EventArgs {
  readonly operator: string;
  readonly p2pAddresses: readonly string[];
  readonly drawId: bigint;
  readonly targetBlock: bigint;
  readonly committee: readonly string[];
  readonly shareIndex: bigint;
  readonly replacement: string;
  readonly pubkey: Hex;
  readonly publicSharesHash: Hex;
  readonly generation: bigint;
  readonly validatorIndex: bigint;
  readonly blockerShareIndex: bigint;
  readonly blocker: string;
  readonly reason: number;
  readonly requester: string;
}
type DecodedLog = ReturnType<typeof parseEventLogs<typeof ABI>>[number];
const lower = (a: string) => a.toLowerCase() as OperatorAddress;

export function createChainReader(parameters: ChainReaderParameters): ChainReader {
  const { client, addresses } = parameters;
  const logger = parameters.logger ?? silentLogger;
  const pollingMs = parameters.pollingIntervalMs ?? 2000;
  const confirmations = BigInt(parameters.confirmations ?? 0);
  const step = parameters.blocksPerQuery ?? 5000n;
  const results = addresses.dkgResultRegistry;
  if (results === undefined) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'addresses.dkgResultRegistry',
      reason: 'the beacon side must be deployed (deployDiva with `beacon`)',
    });
  }
  const watched = [addresses.operatorRegistry, addresses.committeeDraw, results, addresses.exitRequests]
    .filter((a): a is Address => a !== undefined)
    .map(lower);
  const state = createChainState();
  const listeners = new Set<(events: readonly ChainEvent[], state: ChainState) => void>();
  let next = addresses.fromBlock;
  let started: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let polling: Promise<void> = Promise.resolve();
  let constants = { committeeSize: 0, threshold: 0 };

  /** Runs an RPC request; its failure is `CHAIN_READ_FAILED` naming it. */
  const ask = async <T>(request: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (cause) {
      throw new OperatorError({ code: 'CHAIN_READ_FAILED', request }, { cause });
    }
  };

  /** The public shares a transaction submitted (checked against the hash the event carries). */
  const sharesOf = async (
    log: Log,
    functionName: string,
    hash: Hex,
  ): Promise<{ shares: Uint8Array[]; depositSignature?: Uint8Array } | undefined> => {
    if (log.transactionHash === null) return undefined;
    const hash_ = log.transactionHash;
    const tx = await ask(`eth_getTransactionByHash ${hash_}`, () => client.getTransaction({ hash: hash_ }));
    let shares: Hex | undefined;
    let depositSignature: Hex | undefined;
    try {
      const call = decodeFunctionData({ abi: dkgResultRegistryAbi, data: tx.input });
      if (call.functionName === 'submitDkgResult' && functionName === call.functionName) {
        shares = call.args[0].publicShares;
        // the 1 ETH deposit's signature: the 31 ETH top-up is sent with it (confirmByQuorum)
        depositSignature = call.args[0].depositSignature;
      } else if (call.functionName === 'recordReshare' && functionName === call.functionName) {
        shares = call.args[1];
      }
    } catch {
      shares = undefined; // sent through another contract: its input is not the registry's call
    }
    if (shares === undefined || keccak256(shares) !== hash) {
      logger.warn('public shares not found in the accepting transaction; validator left out', {
        transaction: log.transactionHash,
        call: functionName,
      });
      return undefined;
    }
    const bytes = hexToBytes(shares);
    return {
      shares: Array.from({ length: bytes.length / 48 }, (_, i) => bytes.slice(48 * i, 48 * i + 48)),
      ...(depositSignature === undefined ? {} : { depositSignature: hexToBytes(depositSignature) }),
    };
  };

  /** Applies one decoded log (`shares`: what its transaction submitted, when it is a result); returns what changed. */
  const apply = (
    log: DecodedLog,
    submitted: { shares: Uint8Array[]; depositSignature?: Uint8Array } | undefined,
  ): ChainEvent[] => {
    const shares = submitted?.shares;
    const at = log.blockNumber ?? 0n;
    const a = log.args as unknown as EventArgs;
    const address = lower(log.address);
    if (address === lower(addresses.operatorRegistry)) {
      if (log.eventName === 'OperatorRegistered' || log.eventName === 'P2pAddressesChanged') {
        const operator = lower(a.operator);
        const peer = peerOfRegistration(operator, a.p2pAddresses);
        if (typeof peer === 'string')
          logger.warn('operator registered without a usable p2p identity', { operator, reason: peer });
        return state.setOperator(operator, a.p2pAddresses, typeof peer === 'string' ? undefined : peer, at);
      }
      if (log.eventName === 'OperatorEjected') return state.ejectOperator(lower(a.operator), at);
      return [];
    }
    if (address === lower(addresses.committeeDraw)) {
      const drawId = a.drawId;
      switch (log.eventName) {
        case 'DrawRequested':
          return state.drawRequested(drawId, a.targetBlock, at);
        case 'CommitteeDrawn':
          return state.committeeDrawn(drawId, a.committee.map(lower), at);
        case 'ReshareRequested':
          return state.reshareRequested(
            drawId,
            a.committee.map(lower),
            Number(a.shareIndex),
            lower(a.replacement),
            at,
          );
        case 'DrawExpired':
          return state.drawEnded(drawId, 'expired', at);
        case 'DrawCancelled':
          return state.drawEnded(drawId, 'cancelled', at);
        case 'DrawAbandoned':
          return state.drawEnded(drawId, 'abandoned', at);
        case 'DrawExited':
          return state.drawEnded(drawId, 'exited', at);
        case 'DrawApproved':
          return state.drawEnded(drawId, 'approved', at);
        default:
          return [];
      }
    }
    if (address === lower(results)) {
      const drawId = a.drawId;
      if (log.eventName === 'DkgResultAccepted') {
        return shares === undefined
          ? []
          : state.resultAccepted(
              drawId,
              hexToBytes(a.pubkey),
              shares,
              constants.threshold,
              at,
              submitted?.depositSignature,
            );
      }
      if (log.eventName === 'ReshareRecorded') {
        return shares === undefined ? [] : state.reshareRecorded(drawId, Number(a.generation), shares, at);
      }
      if (log.eventName === 'WithdrawalCredentialsConfirmed')
        return state.validatorIndexKnown(drawId, Number(a.validatorIndex), at);
      if (log.eventName === 'CeremonyFailed')
        return state.ceremonyFailed(drawId, Number(a.blockerShareIndex), lower(a.blocker), at);
      return [];
    }
    if (log.eventName === 'ExitRequested') {
      return [
        {
          type: 'exit-requested',
          drawId: a.drawId,
          pubkey: hexToBytes(a.pubkey),
          reason: Number(a.reason),
          requester: lower(a.requester),
          blockNumber: at,
        },
      ];
    }
    return [];
  };

  const pollOnce = async (): Promise<void> => {
    const head = (await ask('eth_blockNumber', () => client.getBlockNumber())) - confirmations;
    while (next <= head) {
      const to = next + step - 1n < head ? next + step - 1n : head;
      const raw = await ask(`eth_getLogs ${next}..${to}`, () =>
        client.getLogs({ address: watched, fromBlock: next, toBlock: to }),
      );
      const logs = parseEventLogs({ abi: ABI, logs: raw, strict: true }).sort((x, y) =>
        x.blockNumber === y.blockNumber
          ? (x.logIndex ?? 0) - (y.logIndex ?? 0)
          : x.blockNumber! < y.blockNumber!
            ? -1
            : 1,
      );
      // Transactions first, then the whole step at once: a failed read leaves the state as it was.
      const shares = await Promise.all(
        logs.map((log) =>
          log.eventName === 'DkgResultAccepted' || log.eventName === 'ReshareRecorded'
            ? sharesOf(
                log,
                log.eventName === 'DkgResultAccepted' ? 'submitDkgResult' : 'recordReshare',
                (log.args as { publicSharesHash: Hex }).publicSharesHash,
              )
            : undefined,
        ),
      );
      const events: ChainEvent[] = [];
      for (const [i, log] of logs.entries()) events.push(...apply(log, shares[i]));
      next = to + 1n;
      state.setBlock(to);
      if (events.length > 0 || to === head) {
        for (const listener of listeners) {
          try {
            listener(events, state);
          } catch (error) {
            logger.error('a chain listener failed', { error: String(error) });
          }
        }
      }
    }
  };

  const poll = (): Promise<void> => {
    polling = polling.catch(() => undefined).then(pollOnce);
    return polling;
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      poll()
        .catch((error) => {
          logger.warn('reading the chain failed; retrying', {
            error: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(schedule);
    }, pollingMs);
  };

  return {
    start() {
      started ??= (async () => {
        const read = (functionName: 'committeeSize' | 'threshold') =>
          client.readContract({ address: addresses.committeeDraw, abi: committeeDrawAbi, functionName });
        const [n, t] = await ask('committeeSize, threshold', () =>
          Promise.all([read('committeeSize'), read('threshold')]),
        );
        constants = { committeeSize: Number(n), threshold: Number(t) };
        await poll();
        running = true;
        schedule();
        logger.info('chain state rebuilt from logs', {
          fromBlock: addresses.fromBlock.toString(),
          toBlock: state.block().toString(),
          operators: state.operators().length,
          validators: state.validators().length,
        });
      })().catch((error: unknown) => {
        started = undefined; // a later start() tries again
        throw error;
      });
      return started;
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await polling.catch(() => undefined);
    },
    state: () => state,
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    parameters: () => constants,
    poll,
  };
}
