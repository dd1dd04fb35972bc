// The validator lifecycle the contracts drive, for one operator. On every new block read
// (./chain-reader.ts):
//   1. a validator the chain accepted with this operator in its committee: promote its share keystore
//      from the pending ceremony directory into the keys directory (only now: a result the chain never
//      accepted leaves no key behind);
//   2. drawn committees with this operator in them, in ascending draw id (the same order at every
//      member; one ceremony at a time per network): a finished ceremony (its pending directory exists,
//      also after a restart) exchanges EIP-712 approvals of the chain's ceremony id over p2p and, with t
//      of them, submits the result (the lowest seat first, the others later if it did not land); else
//      the first undone draw runs `runDkgCeremony` with the members' registered keys. A failed ceremony
//      names its culprits: the members sign `CeremonyFailure` naming the lowest-seated one and, with t
//      statements, report it (the blocker loses its seat, a new round starts);
//   3. validators accepted and pre-deposited: this operator's confirmation of their withdrawal
//      credentials for the 31 ETH top-up (./confirmations.ts), if it can locate them (`indexOf`);
//   4. resharings the chain requests with this operator in the old or the new committee
//      (./reshare-request.ts): the ceremony in the same one-at-a-time slot, after the drawn
//      committees' DKGs; approvals over p2p, `recordReshare`, the new share promoted once recorded;
//   5. keepers (./keepers.ts), if enabled;
//   6. Accounting reports (./reports.ts), given a beacon node (`init.reports`) and the accounting
//      address. Reshare and exit requests concerning this operator are reported too (`onEvent`).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Address, hexToBytes } from 'viem';
import { readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import { runDkgCeremony } from '../dkg/ceremony.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { shareKeystoreFileName } from '../keys/keystore.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { publicKeyOf } from '../p2p/identity.ts';
import type { PeerInfo } from '../p2p/types.ts';
import type { ChainDraw, ChainEvent, ChainState } from './chain-state.ts';
import { awaitingConfirmation, Confirmations, confirmingOperators } from './confirmations.ts';
import {
  drawCeremonyFile,
  type FinishedCeremony,
  pendingDir,
  promoteShare,
  readFinishedCeremony,
} from './draw-ceremony.ts';
import { Keepers } from './keepers.ts';
import {
  type ChainLifecycleComponents,
  type ChainLifecycleEvent,
  type ChainLifecycleInit,
  ceremonyOptions,
} from './lifecycle-types.ts';
import { Reports } from './reports.ts';
import { ReshareRequests } from './reshare-request.ts';
import { ResultExchange } from './result-exchange.ts';
import { TickSchedule } from './tick-schedule.ts';

/** The lifecycle's owners in the network's peer set (./p2p/types.ts `SetPeersOptions`). */
const CHAIN_PEERS = 'chain';
const CEREMONY_PEERS = 'dkg';
const errorText = (e: unknown) => (e as { shortMessage?: string }).shortMessage ?? String(e);

export class ChainLifecycle {
  readonly #c: ChainLifecycleComponents;
  readonly #init: ChainLifecycleInit;
  readonly #self: OperatorAddress;
  readonly #logger: Logger;
  readonly #handledValidators = new Set<bigint>();
  readonly #retryAfter = new Map<string, number>();
  readonly #keepers: Keepers | undefined;
  readonly #exchange: ResultExchange;
  readonly #confirmations: Confirmations | undefined;
  readonly #reports: Reports | undefined;
  readonly #reshares: ReshareRequests;
  readonly #finished = new Map<string, FinishedCeremony>();
  #chainConstants: { withdrawalCredentials: Uint8Array; forkVersion: Uint8Array } | undefined;
  readonly #ticks: TickSchedule;
  #ceremony: Promise<void> | undefined;
  #unsubscribe: (() => void)[] = [];
  #running = false;

  constructor(components: ChainLifecycleComponents, init: ChainLifecycleInit) {
    this.#c = components;
    this.#init = init;
    this.#self = components.network.address;
    this.#logger = components.logger ?? silentLogger;
    this.#ticks = new TickSchedule(() => this.#tick(this.#c.reader.state()), this.#logger);
    if (components.wallet.account.address.toLowerCase() !== this.#self) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: 'wallet',
        reason: "its account is not the network's operator key",
      });
    }
    this.#exchange = new ResultExchange({
      wallet: components.wallet,
      network: components.network,
      reader: components.reader,
      registry: init.addresses.dkgResultRegistry!,
      logger: this.#logger,
      emit: (e) => this.#emit(e),
      onChange: () => this.#schedule(),
      submitStaggerMs: init.submitStaggerMs ?? 4000,
    });
    this.#reshares = new ReshareRequests({
      components,
      init,
      logger: this.#logger,
      emit: (e) => this.#emit(e),
      onChange: () => this.#schedule(),
    });
    this.#confirmations =
      init.indexOf === undefined
        ? undefined
        : new Confirmations({
            wallet: components.wallet,
            network: components.network,
            registry: init.addresses.dkgResultRegistry!,
            accounting: init.addresses.accounting,
            operatorRegistry: init.addresses.operatorRegistry,
            indexOf: init.indexOf,
            logger: this.#logger,
            emit: (e) => this.#emit(e),
            onChange: () => this.#schedule(),
          });
    const accounting = init.addresses.accounting;
    this.#reports =
      init.reports === undefined || accounting === undefined
        ? undefined
        : new Reports({
            wallet: components.wallet,
            network: components.network,
            api: init.reports.api,
            ...(init.reports.ready === undefined ? {} : { ready: init.reports.ready }),
            accounting,
            operatorRegistry: init.addresses.operatorRegistry,
            divETH: init.addresses.divETH,
            sweeps: init.addresses.withdrawalSweepEmulator,
            fromBlock: init.addresses.fromBlock,
            logger: this.#logger,
            emit: (e) => this.#emit(e),
            onChange: () => this.#schedule(),
          });
    if (init.keepers !== false) {
      this.#keepers = new Keepers({
        wallet: components.wallet,
        addresses: init.addresses,
        logger: this.#logger,
        onAction: (e) => this.#emit({ type: 'keeper', ...e }),
      });
    }
  }

  async start(): Promise<void> {
    if (this.#running) throw new OperatorError({ code: 'ALREADY_STARTED' });
    this.#running = true;
    this.#unsubscribe.push(
      this.#c.network.onMessage((from, bytes) => {
        if (!this.#running) return;
        this.#exchange.receive(from, bytes);
        this.#reshares.receive(from, bytes);
        this.#confirmations?.receive(from, bytes, this.#c.reader.state());
        this.#reports?.receive(from, bytes);
      }),
      this.#c.reader.onEvents((events) => {
        for (const e of events) this.#report(e);
        this.#schedule();
      }),
    );
    await this.#c.reader.start();
    // A node (re)started after the chain accepted a result or recorded a resharing, before its own
    // promotion, picks up there: its keys directory matches the chain before anyone loads it.
    const state = this.#c.reader.state();
    await this.#promoteAccepted(state)
      .then(() => this.#reshares.settle(state))
      .catch((e) => this.#logger.warn('keys not brought up to the chain at start', { error: errorText(e) }));
    this.#ticks.start(); // the steps begin: requests before this (blocks read, frames) were no-ops
    this.#schedule();
  }

  /** Stops acting. A ceremony under way is not waited for (stop the network to cut it short). */
  async stop(): Promise<void> {
    this.#running = false;
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#ticks.stop();
    this.#reports?.stop();
    this.#c.network.setPeers([], { owner: CHAIN_PEERS });
  }

  #emit(event: ChainLifecycleEvent): void {
    try {
      this.#init.onEvent?.(event);
    } catch (error) {
      this.#logger.error('a lifecycle listener failed', { error: String(error) });
    }
  }

  /** Reshare and exit requests that concern this operator's validators. */
  #report(e: ChainEvent): void {
    if (e.type !== 'reshare-requested' && e.type !== 'exit-requested') return;
    const members =
      this.#c.reader
        .state()
        .validator(e.drawId)
        ?.members.map((m) => m.operator) ?? [];
    const mine =
      members.includes(this.#self) || (e.type === 'reshare-requested' && e.committee.includes(this.#self));
    if (mine) this.#emit(e);
  }

  /** A step now, or in delayMs (./tick-schedule.ts). */
  #schedule(delayMs = 0): void {
    this.#ticks.request(delayMs);
  }

  async #tick(state: ChainState): Promise<void> {
    await this.#promoteAccepted(state);
    this.#setPeers(state);
    let next = Number.POSITIVE_INFINITY;
    let dkgWaiting = false;
    for (const draw of state.draws()) {
      if (draw.status !== 'drawn' || !draw.committee.includes(this.#self) || state.validator(draw.drawId))
        continue;
      const dir = pendingDir(this.#init.stateDir, draw);
      const failure = this.#exchange.failureOf(dir);
      if (failure !== undefined) next = Math.min(next, await this.#exchange.collect(draw, failure));
      // A finished ceremony's files never change: read (and checked) once.
      const finished = this.#finished.get(dir) ?? (await readFinishedCeremony(dir, this.#self));
      if (finished !== undefined) this.#finished.set(dir, finished);
      if (finished !== undefined) {
        next = Math.min(next, await this.#exchange.approve(draw, dir, finished));
        continue;
      }
      // Ascending draw order: the first undone draw is the only one that may run a ceremony now.
      dkgWaiting = true;
      if (this.#ceremony === undefined) {
        const wait = (this.#retryAfter.get(dir) ?? 0) - Date.now();
        if (wait > 0) next = Math.min(next, wait);
        else
          this.#ceremony = this.#runCeremony(state, draw, dir).finally(() => {
            this.#ceremony = undefined;
            this.#schedule();
          });
      }
      break;
    }
    const slot = this.#ceremony === undefined && !dkgWaiting ? this.#claim : undefined;
    next = Math.min(next, await this.#reshares.run(state, slot));
    if (this.#confirmations !== undefined) next = Math.min(next, await this.#confirmations.run(state));
    if (this.#reports !== undefined) next = Math.min(next, await this.#reports.run(state));
    if (Number.isFinite(next)) this.#schedule(Math.max(next, 10));
    await this.#keepers?.run(state);
  }

  /** Runs a resharing ceremony in the network's one ceremony slot. */
  readonly #claim = (ceremony: () => Promise<void>): void => {
    this.#ceremony = ceremony().finally(() => {
      this.#ceremony = undefined;
      this.#schedule();
    });
  };

  /**
   * The members of the drawn committees this operator sits in, until the chain accepts their result:
   * the ceremony, the approvals and the failure statements go to them. As its own owner in the peer
   * set, beside the operator node's committee peers and a ceremony's.
   */
  #setPeers(state: ChainState): void {
    const peers = new Map<OperatorAddress, PeerInfo>();
    for (const draw of state.draws()) {
      if (draw.status !== 'drawn' || !draw.committee.includes(this.#self) || state.validator(draw.drawId))
        continue;
      for (const a of draw.committee) {
        const peer = a === this.#self ? undefined : state.operator(a)?.peer;
        if (peer !== undefined) peers.set(a, peer);
      }
    }
    // every operator, while a validator waits for the confirmations of its credentials
    if (this.#confirmations !== undefined && awaitingConfirmation(state).length > 0) {
      for (const a of confirmingOperators(state)) {
        const peer = a === this.#self ? undefined : state.operator(a)?.peer;
        if (peer !== undefined) peers.set(a, peer);
      }
    }
    for (const peer of this.#reshares.peers(state)) peers.set(peer.address, peer);
    try {
      this.#c.network.setPeers([...peers.values()], { owner: CHAIN_PEERS });
    } catch (error) {
      // One operator's bad registration must not stop the lifecycle; the ceremony names it.
      this.#logger.warn('committee peers not set', { error: errorText(error) });
    }
  }

  async #promoteAccepted(state: ChainState): Promise<void> {
    for (const v of state.validators()) {
      const me = v.members.find((m) => m.operator === this.#self);
      if (me === undefined || v.generation !== 0 || this.#handledValidators.has(v.drawId)) continue;
      this.#handledValidators.add(v.drawId);
      this.#exchange.forget(v.drawId);
      for (const dir of this.#finished.keys())
        if (dir.includes(`draw-${v.drawId}-round-`)) this.#finished.delete(dir);
      const file = join(this.#init.keysDir, shareKeystoreFileName(v.groupPublicKey, me.shareIndex));
      if (await stat(file).then(Boolean, () => false)) continue;
      const promoted = await promoteShare({
        ...this.#init,
        drawId: v.drawId,
        groupPublicKey: v.groupPublicKey,
        self: this.#self,
      });
      if (promoted !== undefined) {
        this.#logger.info('DKG result accepted; share keystore promoted', {
          drawId: v.drawId.toString(),
          file: promoted,
        });
        this.#emit({ type: 'share-promoted', drawId: v.drawId, file: promoted });
      } else {
        // Accepted with t approvals while this member's ceremony failed or its files were lost: a reshare fixes it.
        this.#logger.error('DKG result accepted but this member holds no share of it', {
          drawId: v.drawId.toString(),
        });
        this.#emit({ type: 'share-missing', drawId: v.drawId, groupPublicKey: v.groupPublicKey });
      }
    }
  }

  async #constants() {
    if (this.#chainConstants === undefined) {
      const read = { address: this.#registry(), abi: dkgResultRegistryAbi } as const;
      const [credentials, fork] = await Promise.all([
        readContract(this.#c.wallet, { ...read, functionName: 'withdrawalCredentials' }),
        readContract(this.#c.wallet, { ...read, functionName: 'genesisForkVersion' }),
      ]);
      this.#chainConstants = {
        withdrawalCredentials: hexToBytes(credentials),
        forkVersion: hexToBytes(fork),
      };
    }
    return this.#chainConstants;
  }

  #registry(): Address {
    return this.#init.addresses.dkgResultRegistry!;
  }

  async #runCeremony(state: ChainState, draw: ChainDraw, dir: string): Promise<void> {
    const { drawId, round } = draw;
    const self = {
      address: this.#self,
      publicKey: publicKeyOf(this.#init.identityKey),
      multiaddrs: this.#c.network.listenAddresses(),
    };
    const operators = draw.committee.map((a) => (a === this.#self ? self : state.operator(a)?.peer));
    const unknown = draw.committee.filter((_, i) => operators[i] === undefined);
    const log = { drawId: drawId.toString(), round };
    try {
      if (unknown.length > 0) {
        throw new OperatorError({
          code: 'DKG_CEREMONY_FAILED',
          stage: 'connect',
          reason: 'members without a registered p2p identity',
          culprits: unknown,
        });
      }
      const { withdrawalCredentials, forkVersion } = await this.#constants();
      const ceremony = drawCeremonyFile({
        operators: operators.map((o) => o!),
        threshold: this.#c.reader.parameters().threshold,
        withdrawalCredentials,
        forkVersion,
        networkName: this.#init.networkName ?? 'diva',
      });
      this.#logger.info('committee drawn with this operator: DKG ceremony starts', log);
      this.#emit({ type: 'ceremony-started', drawId, round });
      const result = await runDkgCeremony({
        identityKey: this.#init.identityKey,
        ceremony,
        network: this.#c.network,
        outDir: dir,
        ...ceremonyOptions(this.#init, this.#c.bls),
        peerOwner: CEREMONY_PEERS,
      });
      this.#emit({ type: 'ceremony-done', drawId, round, groupPublicKey: result.groupPublicKeys[0]! });
    } catch (error) {
      if (!isOperatorError(error, 'DKG_CEREMONY_FAILED')) throw error;
      const { stage, reason, culprits } = error.details;
      this.#logger.warn('DKG ceremony failed', { ...log, stage, reason, culprits });
      this.#emit({ type: 'ceremony-failed', drawId, round, stage, reason, culprits });
      this.#retryAfter.set(dir, Date.now() + (this.#init.retryDelayMs ?? 30_000));
      await this.#exchange.signFailure(draw, dir, culprits);
    } finally {
      // The committee stays in the lifecycle's own set while the result is exchanged.
      this.#c.network.setPeers([], { owner: CEREMONY_PEERS });
    }
  }
}

export function createChainLifecycle(
  components: ChainLifecycleComponents,
  init: ChainLifecycleInit,
): ChainLifecycle {
  return new ChainLifecycle(components, init);
}

export type { ChainLifecycleComponents, ChainLifecycleEvent, ChainLifecycleInit };
