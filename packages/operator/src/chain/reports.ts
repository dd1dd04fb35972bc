// Accounting reports by the operators themselves. Time is the contract's: frames of EPOCHS_PER_FRAME
// epochs of SECONDS_PER_EPOCH from GENESIS_TIME. Reference epoch R (a frame start after `lastEpoch`)
// describes the beacon state at the slot that starts at R's time, GENESIS_TIME + R × SECONDS_PER_EPOCH
// (the same beacon epoch when the contract's genesis is the beacon genesis; a devnet whose contracts
// exist before its beacon chain has them a whole number of epochs apart, and R maps by time).
// A member reports R only once the beacon chain has FINALIZED that slot (finalized checkpoint epoch ≥
// R's beacon epoch): every member must read the same state from its own beacon node, and a report is
// irrevocable, so a state a reorg could still replace is never reported. Of the frames finalized, the
// latest is reported (one frame at a time: the contract takes no older one after it).
// Who votes: the operators holding active seats (their seats are their weight), or beyond K active
// seats the members of R's reporting committee (the keepers draw it). Each computes the report from
// its beacon node (./report-values.ts; the clock and the voters: ./report-setup.ts), signs its
// EIP-712 digest, and sends report and signature to the other voters (./report-frame.ts); signatures
// of the same report that recover to their senders are counted by seats, and with ceil(2/3) of the
// weight any voter submits, staggered by its rank (lowest address first). Differing reports never add up to a quorum: the differing fields are logged.
import { randomBytes } from 'node:crypto';
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { reportTypes, signReport, submitReport, type WalletClientLike } from '@diva-dvt/contracts';
import { accountingAbi } from '@diva-dvt/contracts/abis';
import { type Address, type Hash, type Hex, hashTypedData, recoverAddress } from 'viem';
import { getContractEvents, readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork, PeerInfo } from '../p2p/types.ts';
import type { ChainState } from './chain-state.ts';
import { decodeReportFrame, differingFields, encodeReportFrame, type Report } from './report-frame.ts';
import { readReportClock, reportVoters } from './report-setup.ts';
import { computeReport, type ReportClock } from './report-values.ts';
import { chainErrorText } from './revert.ts';

export type ReportEvent =
  | { readonly type: 'report-signed'; readonly epoch: bigint; readonly digest: Hex }
  | { readonly type: 'report-submitted'; readonly epoch: bigint; readonly transactionHash: Hash };

/** The network's peer-set owner for the voters (beside the lifecycle's own). */
const REPORT_PEERS = 'reports';
const RESEND_MS = 10_000;
const STAGGER_MS = 3_000;
/** Between two looks at the beacon chain's finality while nothing is pending. */
const POLL_MS = 4_000;

const errorText = chainErrorText;

interface Pending {
  /** The contract's lastEpoch when the report was computed. */
  readonly last: bigint;
  readonly report: Report;
  readonly digest: Hex;
  readonly signature: Hex;
  /** Voters and their weight (seats) for R; `needed` the contract's ceil(2/3). */
  readonly voters: ReadonlyMap<OperatorAddress, bigint>;
  readonly needed: bigint;
  /** Signatures of our report that recovered to their sender. */
  readonly valid: Map<OperatorAddress, Hex>;
  sentAt: number;
  tried: number;
  submitAt?: number;
  refusedOnce?: boolean;
}

export class Reports {
  readonly #wallet: WalletClientLike;
  readonly #network: P2pNetwork;
  readonly #api: BeaconApi;
  readonly #accounting: Address;
  readonly #operatorRegistry: Address;
  readonly #divETH: Address;
  readonly #sweeps: Address | undefined;
  readonly #fromBlock: bigint;
  readonly #logger: Logger;
  readonly #emit: (event: ReportEvent) => void;
  readonly #onChange: () => void;
  readonly #ready: () => boolean;
  readonly #self: OperatorAddress;
  #clock: ReportClock | undefined;
  #pending: Pending | undefined;
  /** Frames received before ours was computed (or for a later R), by epoch and sender: at most 2 epochs. */
  readonly #inbox = new Map<bigint, Map<OperatorAddress, { report: Report; signature: Hex }>>();
  readonly #mismatchLogged = new Set<string>();
  #busy = false;

  constructor(parameters: {
    wallet: WalletClientLike;
    network: P2pNetwork;
    api: BeaconApi;
    accounting: Address;
    operatorRegistry: Address;
    divETH: Address;
    /** The devnet's WithdrawalSweepEmulator (beacon chains without withdrawals: ./report-values.ts). */
    sweeps?: Address | undefined;
    /** The deployment's first block (the last ReportAccepted is looked for from there). */
    fromBlock: bigint;
    logger: Logger;
    emit: (event: ReportEvent) => void;
    onChange: () => void;
    /** False while the beacon node is not to be asked (before it is up): nothing is done. */
    ready?: () => boolean;
  }) {
    this.#wallet = parameters.wallet;
    this.#network = parameters.network;
    this.#api = parameters.api;
    this.#accounting = parameters.accounting;
    this.#operatorRegistry = parameters.operatorRegistry;
    this.#divETH = parameters.divETH;
    this.#sweeps = parameters.sweeps;
    this.#fromBlock = parameters.fromBlock;
    this.#logger = parameters.logger;
    this.#emit = parameters.emit;
    this.#onChange = parameters.onChange;
    this.#ready = parameters.ready ?? (() => true);
    this.#self = parameters.network.address;
  }

  /** One step: returns how long until it wants to run again. Never throws (a failed step is retried). */
  async run(state: ChainState): Promise<number> {
    if (this.#busy || !this.#ready()) return POLL_MS;
    this.#busy = true;
    try {
      return await this.#step(state);
    } catch (error) {
      this.#logger.warn('report step failed', { error: errorText(error) });
      return POLL_MS;
    } finally {
      this.#busy = false;
    }
  }

  async #step(state: ChainState): Promise<number> {
    this.#clock ??= await readReportClock({
      wallet: this.#wallet,
      api: this.#api,
      accounting: this.#accounting,
      divETH: this.#divETH,
      logger: this.#logger,
    });
    const clock = this.#clock;
    if (clock === undefined) return Number.POSITIVE_INFINITY;
    const last = await readContract(this.#wallet, {
      address: this.#accounting,
      abi: accountingAbi,
      functionName: 'lastEpoch',
    });
    if (this.#pending !== undefined && this.#pending.report.epoch <= last) this.#settle(last);
    const finality = await this.#api.getStateFinalityCheckpoints({ stateId: 'head' });
    // the latest frame start whose first slot is final (in the contract's epochs)
    const latest = BigInt(finality.data.finalized.epoch) + clock.offsetEpochs;
    const epoch = latest - (latest % clock.epochsPerFrame);
    if (latest < 0n || epoch <= last || epoch - clock.offsetEpochs < 0n) return POLL_MS;
    // the contract takes no report before its frame has started (a beacon genesis state is final early)
    if (clock.genesisTime + epoch * clock.secondsPerEpoch > BigInt(Math.floor(Date.now() / 1000)))
      return POLL_MS;
    // Members that looked at finality a moment apart may have picked different frames: all move on
    // to the latest, so they meet there (its state is the finalized checkpoint's, which every beacon
    // node still serves).
    // A report accepted meanwhile (an earlier frame) moves the block elRewards are read at: again.
    if (this.#pending !== undefined && (this.#pending.report.epoch < epoch || this.#pending.last !== last))
      this.#pending = undefined;
    if (this.#pending === undefined) {
      const pending = await this.#prepare(state, clock, epoch, last);
      if (pending === undefined) return POLL_MS;
      this.#pending = pending;
    }
    return this.#exchange(this.#pending);
  }

  /** Computes, signs and keeps this operator's report for `epoch`, if it votes on it. */
  async #prepare(
    state: ChainState,
    clock: ReportClock,
    epoch: bigint,
    last: bigint,
  ): Promise<Pending | undefined> {
    const quorum = await reportVoters({
      wallet: this.#wallet,
      accounting: this.#accounting,
      operatorRegistry: this.#operatorRegistry,
      state,
      epoch,
    });
    if (quorum === undefined || !quorum.voters.has(this.#self)) return undefined;
    const [accepted] = await getContractEvents(this.#wallet, {
      address: this.#accounting,
      abi: accountingAbi,
      eventName: 'ReportAccepted',
      args: { epoch: last },
      fromBlock: this.#fromBlock,
    });
    const report = await computeReport({
      lastReportBlock: accepted?.blockNumber ?? undefined,
      api: this.#api,
      wallet: this.#wallet,
      divETH: this.#divETH,
      sweeps: this.#sweeps,
      clock,
      epoch,
      validators: state.validators(),
    });
    const domain = {
      name: 'Diva Accounting',
      version: '1',
      chainId: clock.chainId,
      verifyingContract: this.#accounting,
    } as const;
    const digest = hashTypedData({ domain, types: reportTypes, primaryType: 'Report', message: report });
    const signature = await signReport(this.#wallet.account, {
      accounting: this.#accounting,
      chainId: clock.chainId,
      report,
    });
    this.#logger.info('accounting report signed', {
      epoch: String(epoch),
      clBalance: String(report.clBalance),
      clDepositedEther: String(report.clDepositedEther),
      exitedValidators: String(report.exitedValidators),
      elRewards: String(report.elRewards),
      voters: quorum.voters.size,
    });
    this.#emit({ type: 'report-signed', epoch, digest });
    const pending: Pending = {
      last,
      report,
      digest,
      signature,
      ...quorum,
      valid: new Map(),
      sentAt: 0,
      tried: 0,
    };
    pending.valid.set(this.#self, signature);
    this.#setPeers(state, quorum.voters);
    return pending;
  }

  #setPeers(state: ChainState, voters: ReadonlyMap<OperatorAddress, bigint>): void {
    const peers: PeerInfo[] = [];
    for (const a of voters.keys()) {
      const peer = a === this.#self ? undefined : state.operator(a)?.peer;
      if (peer !== undefined) peers.push(peer);
    }
    try {
      this.#network.setPeers(peers, { owner: REPORT_PEERS });
    } catch (error) {
      this.#logger.warn('report peers not set', { error: errorText(error) });
    }
  }

  async #exchange(p: Pending): Promise<number> {
    const now = Date.now();
    if (now - p.sentAt >= RESEND_MS) this.#send(p);
    await this.#count(p);
    let weight = 0n;
    for (const a of p.valid.keys()) weight += p.voters.get(a) ?? 0n;
    if (weight < p.needed || p.valid.size <= p.tried) return Math.max(RESEND_MS - (now - p.sentAt), 10);
    const rank = [...p.voters.keys()].sort().indexOf(this.#self);
    p.submitAt ??= now + rank * STAGGER_MS;
    if (p.submitAt > now) return p.submitAt - now;
    p.tried = p.valid.size;
    try {
      const transactionHash = await submitReport(this.#wallet, {
        accounting: this.#accounting,
        report: p.report,
        signatures: [...p.valid].map(([signer, signature]) => ({ signer: signer as Address, signature })),
      });
      this.#logger.info('accounting report submitted', {
        epoch: String(p.report.epoch),
        signatures: p.valid.size,
        transaction: transactionHash,
      });
      this.#emit({ type: 'report-submitted', epoch: p.report.epoch, transactionHash });
    } catch (error) {
      // another voter was first (StaleReport): nothing lost. Any other refusal (the contract's limits)
      // is said once and tried again later.
      const reason = errorText(error);
      const log = { epoch: String(p.report.epoch), reason };
      if (reason.startsWith('StaleReport') || p.refusedOnce)
        this.#logger.debug('accounting report not submitted', log);
      else this.#logger.warn('accounting report refused by the contract', log);
      p.refusedOnce = true;
      p.tried = 0;
      p.submitAt = now + RESEND_MS;
    }
    return RESEND_MS;
  }

  /** Moves the frames received for our epoch into `valid` (same report, recovering to the sender). */
  async #count(p: Pending): Promise<void> {
    const inbox = this.#inbox.get(p.report.epoch);
    if (inbox === undefined) return;
    for (const [from, { report, signature }] of inbox) {
      inbox.delete(from);
      if (!p.voters.has(from) || p.valid.get(from) === signature) continue;
      const differs = differingFields(report, p.report);
      if (differs.length > 0) {
        const key = `${p.report.epoch}:${from}`;
        if (!this.#mismatchLogged.has(key)) {
          this.#mismatchLogged.add(key);
          this.#logger.warn('a voter reports other values: its signature does not count', {
            epoch: String(p.report.epoch),
            from,
            fields: differs.join(','),
          });
        }
        continue;
      }
      try {
        const signer = (await recoverAddress({ hash: p.digest, signature })).toLowerCase();
        if (signer === from) p.valid.set(from, signature);
      } catch {
        // not a signature: not counted
      }
    }
  }

  #send(p: Pending): void {
    p.sentAt = Date.now();
    const bytes = encodeReportFrame(p.report, p.signature, randomBytes(8));
    for (const o of p.voters.keys()) if (o !== this.#self) this.#network.send(o, bytes);
  }

  /** A frame from another operator: kept until counted; bad input is dropped, never fatal. */
  receive(from: OperatorAddress, bytes: Uint8Array): void {
    let frame: ReturnType<typeof decodeReportFrame>;
    try {
      frame = decodeReportFrame(bytes);
    } catch {
      frame = undefined;
    }
    if (frame === undefined) return;
    const epoch = frame.report.epoch;
    const pending = this.#pending?.report.epoch;
    // only the epoch being voted on, or a later one (ours may not be computed yet): at most 2 kept
    if (pending !== undefined && epoch < pending) return;
    if (!this.#inbox.has(epoch) && this.#inbox.size >= 2) {
      const oldest = [...this.#inbox.keys()].sort((a, b) => (a < b ? -1 : 1))[0]!;
      if (epoch < oldest) return;
      this.#inbox.delete(oldest);
    }
    const inbox = this.#inbox.get(epoch) ?? new Map();
    this.#inbox.set(epoch, inbox);
    const first = !inbox.has(from) && this.#pending?.valid.has(from) !== true;
    inbox.set(from, frame);
    // ours goes back once to a voter we have not heard from (it may have restarted)
    if (first && this.#pending !== undefined && this.#pending.report.epoch === epoch) {
      if (this.#pending.voters.has(from))
        this.#network.send(
          from,
          encodeReportFrame(this.#pending.report, this.#pending.signature, randomBytes(8)),
        );
    }
    this.#onChange();
  }

  /** The chain took a report for `last` or later: what was pending is done. */
  #settle(last: bigint): void {
    this.#pending = undefined;
    for (const epoch of this.#inbox.keys()) if (epoch <= last) this.#inbox.delete(epoch);
    for (const key of this.#mismatchLogged)
      if (BigInt(key.split(':')[0]!) <= last) this.#mismatchLogged.delete(key);
    this.#network.setPeers([], { owner: REPORT_PEERS });
  }

  stop(): void {
    this.#network.setPeers([], { owner: REPORT_PEERS });
  }
}
