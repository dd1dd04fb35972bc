// The validator client component: performs every duty the beacon node gives its validators, slot
// by slot, with signatures from an injected ThresholdSigner. `start()` reads the chain's spec and
// genesis from the node (nothing is assumed: slot length, epoch size and aggregator targets come
// from GET /eth/v1/config/spec) and starts the slot loop; `stop()` starts no new slot and waits for
// the duties in flight, each of which ends by its deadline. Time comes from the injected clock.
//
// Per slot and validator: the block at the slot's start, the attestation and the sync committee
// message when they are due, the sync committee contributions and the aggregate when those are
// due. Duties are fetched once per epoch; the aggregation selection proof is signed as soon as the
// attester duty is known (the committee subscription carries `is_aggregator`).
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { activePreset } from '@diva-dvt/beacon-api/spec';
import type { Clock } from './clock.ts';
import { aggregate } from './duties/aggregation.ts';
import { attest } from './duties/attestation.ts';
import { proposeBlock } from './duties/block.ts';
import { type ProposerSetting, ProposerSettings } from './duties/builder-registration.ts';
import { sendSyncCommitteeMessage } from './duties/sync-committee-message.ts';
import { contributeToSyncCommittee, signSyncSelectionProof } from './duties/sync-contribution.ts';
import { exitRequest, exitValidator, type VoluntaryExitOptions } from './duties/voluntary-exit.ts';
import { OperatorError } from './errors.ts';
import { type InclusionResult, InclusionTracker } from './inclusion.ts';
import { checkIndices, signingContextOf } from './internal/client-setup.ts';
import type { DutyContext } from './internal/duty.ts';
import { fetchEpochDuties, type ValidatorEpoch } from './internal/epoch-duties.ts';
import { SharedRequests } from './internal/shared-requests.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { DutyOutcome, EpochDuties } from './outcome.ts';
import { syncSubcommitteesOf } from './selection.ts';
import type { ThresholdSigner } from './signer.ts';
import { createSlotTimes } from './slot-times.ts';
import { parseValidatorSpec, type ValidatorSpec } from './spec.ts';

export interface ValidatorClientComponents {
  /** One beacon node (`createBeaconApi(createBeaconNodeClient(...))`) or a pool of them. */
  readonly api: BeaconApi;
  readonly signer: ThresholdSigner;
  readonly clock: Clock;
  /** Default: drops everything. */
  readonly logger?: Logger;
}

/** Due times within the slot, in basis points, replacing the spec's (e.g. earlier contributions). */
export type DueTimesBps = Partial<
  Pick<ValidatorSpec, 'attestationDueBps' | 'aggregateDueBps' | 'syncMessageDueBps' | 'contributionDueBps'>
>;

export interface ValidatorClientInit {
  /** The validators to perform duties for. */
  readonly validatorIndices: readonly number[];
  /** 32 bytes put in proposed blocks (default zeros). */
  readonly graffiti?: Uint8Array;
  readonly dueBps?: DueTimesBps;
  /** Every duty's outcome, as it ends. */
  readonly onOutcome?: (outcome: DutyOutcome) => void;
  /** Each validator's duties, once per epoch when fetched. */
  readonly onDuties?: (duties: EpochDuties) => void;
  /** A slot's duties have started (called before the next slot can start). */
  readonly onSlot?: (slot: number) => void;
  /**
   * Fee recipient and gas limit per validator (default none): the fee recipient goes to the node
   * once per epoch (`prepareBeaconProposer`) and with each block request.
   */
  readonly proposerSettings?: readonly ProposerSetting[];
  /**
   * The fee recipient and gas limit of every validator `proposerSettings` does not list (in Diva the
   * protocol's execution-layer rewards vault, for all: `deployDiva(...).executionRewardsVault`).
   */
  readonly defaultProposerSetting?: Omit<ProposerSetting, 'validatorIndex'>;
  /**
   * Sign and send a builder registration once per epoch for every validator that has a proposer
   * setting and an attester duty that epoch (which carries its public key). Default false.
   */
  readonly builderRegistrations?: boolean;
  /**
   * Each published attestation, once found in a later block or given up on (./inclusion.ts;
   * pre-electra attestations). Inclusion is checked only when this is given.
   */
  readonly onInclusion?: (result: InclusionResult) => void;
}

export class ValidatorClient {
  readonly #components: ValidatorClientComponents;
  readonly #init: ValidatorClientInit;
  readonly #logger: Logger;
  #running = false;
  #controller = new AbortController();
  #loop: Promise<void> | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #ctx: DutyContext | undefined;
  readonly #epochs = new Map<number, Promise<ValidatorEpoch[] | undefined>>();
  #indices: readonly number[];
  readonly #proposerSettings: ProposerSettings;
  readonly #inclusion: InclusionTracker | undefined;
  #inclusionSearch: Promise<void> = Promise.resolve();

  /** Does no I/O: `start()` does. */
  constructor(components: ValidatorClientComponents, init: ValidatorClientInit) {
    checkIndices(init.validatorIndices);
    this.#indices = init.validatorIndices;
    if (init.graffiti !== undefined && init.graffiti.length !== 32) {
      throw new OperatorError({ code: 'INVALID_OPTION', option: 'graffiti', reason: 'expected 32 bytes' });
    }
    for (const [k, v] of Object.entries(init.dueBps ?? {})) {
      if (!Number.isInteger(v) || v < 0 || v > 10_000) {
        throw new OperatorError({
          code: 'INVALID_OPTION',
          option: `dueBps.${k}`,
          reason: 'expected 0..10000',
        });
      }
    }
    this.#proposerSettings = new ProposerSettings(
      init.proposerSettings ?? [],
      init.builderRegistrations === true,
      init.defaultProposerSetting,
    );
    this.#components = components;
    this.#init = init;
    this.#logger = components.logger ?? silentLogger;
    const onInclusion = init.onInclusion;
    this.#inclusion =
      onInclusion === undefined
        ? undefined
        : new InclusionTracker((r) => {
            if (r.status === 'included') this.#logger.debug('attestation included', { ...r });
            else this.#logger.warn('attestation not included', { ...r });
            onInclusion(r);
          });
  }

  /** The validators duties are performed for. */
  get validatorIndices(): readonly number[] {
    return this.#indices;
  }

  /**
   * Replaces the validators duties are performed for (a committee source changed): duties are
   * fetched anew from the next slot on; duties in flight finish.
   */
  setValidatorIndices(indices: readonly number[]): void {
    checkIndices(indices);
    this.#indices = [...indices];
    this.#epochs.clear();
  }

  get isStarted(): boolean {
    return this.#running;
  }

  /** The chain constants read at start (undefined before). */
  get spec(): ValidatorSpec | undefined {
    return this.#ctx?.spec;
  }

  /** Reads spec and genesis from the node, then runs duties from the current slot on. */
  async start(): Promise<void> {
    if (this.#running) throw new OperatorError({ code: 'ALREADY_STARTED' });
    this.#running = true;
    try {
      const { api, signer, clock } = this.#components;
      const ask = <R>(request: string, call: () => Promise<R>) =>
        call().catch((cause: unknown) => {
          throw new OperatorError({ code: 'BEACON_NODE_FAILED', request }, { cause });
        });
      const [specResponse, genesisResponse] = await Promise.all([
        ask('getSpec', () => api.getSpec()),
        ask('getGenesis', () => api.getGenesis()),
      ]);
      const spec = { ...parseValidatorSpec(specResponse.data), ...this.#init.dueBps };
      if (spec.presetBase !== activePreset) {
        throw new OperatorError({
          code: 'PRESET_MISMATCH',
          specPreset: spec.presetBase,
          sszPreset: activePreset,
        });
      }
      const genesis = genesisResponse.data;
      this.#controller = new AbortController();
      this.#ctx = {
        api,
        signer,
        clock,
        logger: this.#logger,
        spec,
        times: createSlotTimes({
          genesisTimeSec: genesis.genesisTime,
          slotDurationMs: spec.slotDurationMs,
          slotsPerEpoch: spec.slotsPerEpoch,
        }),
        signing: signingContextOf(specResponse.data, genesis.genesisValidatorsRoot),
        graffiti: this.#init.graffiti ?? new Uint8Array(32),
        shared: new SharedRequests(),
        leaderSeeds: new Map(),
      };
      this.#loop = this.#run(this.#ctx, this.#controller.signal);
      this.#logger.info('validator client started', {
        validators: this.#indices.length,
        slotDurationMs: spec.slotDurationMs,
        slotsPerEpoch: spec.slotsPerEpoch,
      });
    } catch (e) {
      this.#running = false;
      throw e;
    }
  }

  /**
   * Starts no new slot; resolves when the duties in flight have ended: they run on (a duty whose
   * signature is being collected should still go out), and each ends by its deadline.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#controller.abort();
    await this.#loop;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#inclusionSearch;
    this.#epochs.clear();
    this.#running = false;
    this.#logger.info('validator client stopped');
  }

  /**
   * Signs (with the committee) and publishes a voluntary exit of `validatorIndex`; resolves with its
   * outcome (also passed to `onOutcome`). Throws NOT_STARTED before `start()` and UNKNOWN_VALIDATOR
   * for a validator this client does not serve.
   */
  exit(validatorIndex: number, options: VoluntaryExitOptions = {}): Promise<DutyOutcome> {
    const ctx = this.#ctx;
    if (ctx === undefined || !this.#running) {
      throw new OperatorError({ code: 'NOT_STARTED', request: 'exit' });
    }
    if (!this.#indices.includes(validatorIndex))
      throw new OperatorError({ code: 'UNKNOWN_VALIDATOR', validatorIndex });
    const done = exitValidator(ctx, exitRequest(ctx, validatorIndex, options)).then((o) => {
      this.#emit(ctx, o);
      return o;
    });
    const task = done.then(() => undefined);
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    return done;
  }

  async #run(ctx: DutyContext, signal: AbortSignal): Promise<void> {
    const { clock } = this.#components;
    let slot = Math.max(0, ctx.times.slotAt(clock.nowMs()));
    while (!signal.aborted) {
      await clock.waitUntil(ctx.times.slotStartMs(slot), signal);
      if (signal.aborted) break;
      const task = this.#runSlot(ctx, slot).catch((e: unknown) =>
        this.#logger.error('slot failed', { slot, error: e instanceof Error ? e.message : String(e) }),
      );
      this.#inFlight.add(task);
      void task.finally(() => this.#inFlight.delete(task));
      this.#init.onSlot?.(slot);
      this.#searchInclusions(ctx, slot - 1);
      const current = ctx.times.slotAt(clock.nowMs());
      if (current > slot + 1) {
        this.#logger.warn('slots skipped: the process fell behind', { from: slot + 1, to: current - 1 });
        slot = current;
      } else slot++;
    }
  }

  /** One search at a time, in slot order; by then the previous slot's block has long arrived. */
  #searchInclusions(ctx: DutyContext, slot: number): void {
    const inclusion = this.#inclusion;
    if (inclusion === undefined || slot < 0) return;
    this.#inclusionSearch = this.#inclusionSearch.then(() =>
      inclusion.searchUpTo(ctx, slot).catch((e: unknown) =>
        this.#logger.warn('inclusion check failed', {
          slot,
          error: e instanceof Error ? e.message : String(e),
        }),
      ),
    );
  }

  #emit(ctx: DutyContext, outcome: DutyOutcome): void {
    this.#inclusion?.watch(outcome);
    const fields = {
      duty: outcome.duty,
      slot: outcome.slot,
      validatorIndex: outcome.validatorIndex,
      ...(outcome.subcommitteeIndex !== undefined ? { subcommitteeIndex: outcome.subcommitteeIndex } : {}),
    };
    if (outcome.status === 'published') {
      ctx.logger.debug('duty published', { ...fields, latencyMs: outcome.publishedAtMs - outcome.dueMs });
    } else if (outcome.status === 'late') {
      ctx.logger.warn('duty dropped: past its deadline', {
        ...fields,
        stage: outcome.stage,
        deadlineMs: outcome.deadlineMs,
        lateByMs: outcome.atMs - outcome.deadlineMs,
      });
    } else if (outcome.status === 'failed') {
      ctx.logger.warn('duty failed', { ...fields, error: outcome.error.message });
    }
    this.#init.onOutcome?.(outcome);
  }

  /** Each validator's duties of `epoch`; fetched once (a failed fetch is retried next slot). */
  #dutiesOf(ctx: DutyContext, epoch: number): Promise<ValidatorEpoch[] | undefined> {
    let p = this.#epochs.get(epoch);
    if (p === undefined) {
      p = this.#fetchDuties(ctx, epoch);
      this.#epochs.set(epoch, p);
      void p.then((r) => {
        if (r === undefined) this.#epochs.delete(epoch);
      });
      for (const e of this.#epochs.keys()) if (e < epoch - 1) this.#epochs.delete(e);
    }
    return p;
  }

  #fetchDuties(ctx: DutyContext, epoch: number): Promise<ValidatorEpoch[] | undefined> {
    return fetchEpochDuties(ctx, this.#indices, epoch, this.#init.onDuties);
  }

  async #runSlot(ctx: DutyContext, slot: number): Promise<void> {
    const epochs = await this.#dutiesOf(ctx, ctx.times.epochOf(slot));
    if (epochs === undefined) return;
    const work = epochs.map((v) => this.#runValidatorSlot(ctx, v, slot));
    const registrations = this.#proposerSettings.ofSlot(
      ctx,
      epochs.map((v) => v.duties),
      slot,
    );
    if (registrations !== undefined) {
      work.push(
        registrations.then((outcomes) =>
          outcomes.forEach((o) => {
            this.#emit(ctx, o);
          }),
        ),
      );
    }
    await Promise.all(work);
  }

  async #runValidatorSlot(ctx: DutyContext, v: ValidatorEpoch, slot: number): Promise<void> {
    const { clock } = this.#components;
    const { validatorIndex, attester, sync, proposerSlots } = v.duties;
    const emit = (o: DutyOutcome) => this.#emit(ctx, o);
    const work: Promise<unknown>[] = [];

    if (proposerSlots.includes(slot))
      work.push(
        proposeBlock(ctx, validatorIndex, slot, this.#proposerSettings.feeRecipientOf(validatorIndex)).then(
          emit,
        ),
      );

    const attesterDuty = attester?.slot === slot ? attester : undefined;
    if (attesterDuty !== undefined) {
      work.push(
        (async () => {
          await clock.waitUntil(ctx.times.atBps(slot, ctx.spec.attestationDueBps));
          const attested = await attest(ctx, attesterDuty);
          emit(attested.outcome);
          const selection = await v.selection;
          if (selection?.outcome !== undefined) return emit(selection.outcome);
          await clock.waitUntil(ctx.times.atBps(slot, ctx.spec.aggregateDueBps));
          if (selection?.selectionProof !== undefined) {
            emit(await aggregate(ctx, attesterDuty, attested, selection.selectionProof));
          }
        })(),
      );
    }

    if (sync !== undefined) {
      work.push(
        (async () => {
          // Selection proofs are fixed values: their partial exchange runs at the slot's start, the
          // quiet third (only proposals), not beside the attestation and sync-message consensus at
          // one third (that made attestations late), nor at contribution time (contributions missed
          // the slot's end waiting for it).
          const subcommittees = syncSubcommitteesOf(ctx.spec, sync.validatorSyncCommitteeIndices);
          const proofs = subcommittees.map((sub) => signSyncSelectionProof(ctx, validatorIndex, slot, sub));
          await clock.waitUntil(ctx.times.atBps(slot, ctx.spec.syncMessageDueBps));
          const { outcome, beaconBlockRoot } = await sendSyncCommitteeMessage(ctx, sync, slot);
          emit(outcome);
          if (beaconBlockRoot === undefined) return;
          await clock.waitUntil(ctx.times.atBps(slot, ctx.spec.contributionDueBps));
          await Promise.all(
            subcommittees.map(async (sub, i) =>
              emit(
                await contributeToSyncCommittee(ctx, validatorIndex, slot, sub, beaconBlockRoot, proofs[i]),
              ),
            ),
          );
        })(),
      );
    }
    await Promise.all(work);
  }
}
