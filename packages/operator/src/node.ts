import type { SecretKeyShare } from '@diva-dvt/bls-threshold';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { CommitteeSnapshot, OperatorAddress, ValidatorCommittee } from './committee/types.ts';
import type { VoluntaryExitOptions } from './duties/voluntary-exit.ts';
import { OperatorError } from './errors.ts';
import {
  dropRemoved,
  dropReshared,
  type KeyShareLoadFailure,
  loadMissingShares,
} from './keys/added-shares.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { OperatorNodeComponents, OperatorNodeInit, OperatorNodeStatus } from './node-types.ts';
import type { DutyOutcome } from './outcome.ts';
import { type ClockOffsetSample, PeerClockOffsets } from './runtime/clock-offsets.ts';
import { CommitteeSigner, type SignerValidator } from './runtime/committee-signer.ts';
import { resolveValidatorIndices } from './runtime/validator-indices.ts';
import { ValidatorClient } from './validator-client.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The owner of the committee peers in the network's peer set (a ceremony's peers sit beside them). */
const COMMITTEE_PEERS = 'committees';

export class OperatorNode {
  readonly #c: OperatorNodeComponents;
  readonly #init: OperatorNodeInit;
  readonly #logger: Logger;
  readonly #address: OperatorAddress;
  #signer: CommitteeSigner | undefined;
  #client: ValidatorClient | undefined;
  #snapshot: CommitteeSnapshot | undefined;
  /** Validator indices found on chain, by group public key hex. */
  readonly #indices = new Map<string, number>();
  #lookup: ReturnType<typeof setInterval> | undefined;
  #started = false;
  /** The key shares held: those given at construction, then those loaded at run time. */
  readonly #shares: Map<string, SecretKeyShare>;
  /** Shares being loaded (overlapping applies load each once). */
  readonly #loading = new Set<string>();
  readonly #offsets: PeerClockOffsets;
  /** Every committee member's identity public key the snapshots have named (the signer checks with them). */
  readonly #operatorKeys = new Map<OperatorAddress, Uint8Array>();
  /** The served validators an external client drives (a new array on each change). */
  #remote: readonly { readonly validatorIndex: number; readonly groupPublicKey: Uint8Array }[] = [];

  constructor(components: OperatorNodeComponents, init: OperatorNodeInit) {
    this.#c = components;
    this.#init = init;
    this.#logger = components.logger ?? silentLogger;
    this.#address = components.network.address;
    this.#shares = new Map(components.shares);
    this.#offsets = new PeerClockOffsets(components, init.clockOffsets);
  }

  /** Each connected peer's clock offset (the peer's clock minus this node's), measured over p2p. */
  clockOffsets(): ReadonlyMap<OperatorAddress, ClockOffsetSample> {
    return this.#offsets.offsets();
  }

  /**
   * The median clock offset to the other members of the committees served (ms; undefined before a
   * first sample): duties are timed by this node's clock, so a large one means missed deadlines.
   */
  committeeClockOffsetMs(): number | undefined {
    const members = new Set<OperatorAddress>();
    for (const v of this.#snapshot?.validators ?? []) {
      for (const m of v.members) if (m.operator !== this.#address) members.add(m.operator);
    }
    return this.#offsets.medianOffsetMs([...members]);
  }

  /**
   * The validators served (on chain, with a key share) that an external client drives through the
   * Web3Signer API (`OperatorNodeInit.remoteSigned`); the same array until the committees change.
   */
  remoteSignedValidators(): readonly {
    readonly validatorIndex: number;
    readonly groupPublicKey: Uint8Array;
  }[] {
    return this.#remote;
  }

  /**
   * Applies the committee source's current snapshot now and resolves once applied (a change also
   * applies by itself; this is for callers that must know when, e.g. a reload after new key shares).
   * Returns the validators whose key share `loadShares` could not load (left out, tried again later).
   */
  async applyCommittees(): Promise<readonly KeyShareLoadFailure[]> {
    return this.#apply(this.#c.committees.current());
  }

  get signer(): CommitteeSigner | undefined {
    return this.#signer;
  }

  get validatorClient(): ValidatorClient | undefined {
    return this.#client;
  }

  status(): OperatorNodeStatus {
    const validators = (this.#snapshot?.validators ?? []).map((v) => {
      const key = hex(v.groupPublicKey);
      const index = this.#indices.get(key);
      const keyShare = this.#shares.has(key);
      return index === undefined
        ? { groupPublicKey: `0x${key}`, keyShare }
        : { groupPublicKey: `0x${key}`, validatorIndex: index, keyShare };
    });
    return {
      started: this.#started,
      validators,
      peers: this.#snapshot?.peers.length ?? 0,
      connectedPeers: this.#c.network.connectedPeers().length,
    };
  }

  /** For each committee served: its threshold and how many of its other members are connected. */
  committeeReadiness(): {
    readonly groupPublicKey: string;
    readonly threshold: number;
    readonly connected: number;
  }[] {
    const connected = new Set(this.#c.network.connectedPeers());
    return (this.#snapshot?.validators ?? []).map((v) => ({
      groupPublicKey: `0x${hex(v.groupPublicKey)}`,
      threshold: v.threshold,
      connected: v.members.filter((m) => m.operator !== this.#address && connected.has(m.operator)).length,
    }));
  }

  async start(): Promise<void> {
    const { committees, network, api, clock, bls } = this.#c;
    await committees.start();
    const snapshot = committees.current();
    this.#snapshot = snapshot;
    network.setPeers(snapshot.peers, { owner: COMMITTEE_PEERS });
    if (this.#init.networkStartedByCaller !== true) await network.start();
    this.#offsets.start();
    await this.#loadMissingShares(snapshot.validators);
    await this.#resolveIndices(snapshot.validators);
    const served = this.#signerValidators(snapshot.validators);
    this.#operatorKeys.set(this.#address, secp256k1.getPublicKey(this.#init.identityKey, true));
    this.#learnKeys(snapshot);
    this.#signer = new CommitteeSigner(
      {
        network,
        bls,
        clock,
        guardFor: this.#c.guardFor,
        logger: this.#logger,
        ...(this.#c.proposals !== undefined ? { proposals: this.#c.proposals } : {}),
        ...(this.#c.evidence !== undefined ? { evidence: this.#c.evidence } : {}),
        ...(this.#c.onSigningEvent !== undefined ? { onEvent: this.#c.onSigningEvent } : {}),
      },
      {
        self: this.#address,
        identityKey: this.#init.identityKey,
        // kept up to date with the committees' peers (./#apply): validators added at run time may
        // bring operators the first snapshot did not list
        operatorKeys: this.#operatorKeys,
        validators: served,
        ...(this.#init.roundTimeoutMs !== undefined ? { roundTimeoutMs: this.#init.roundTimeoutMs } : {}),
        ...(this.#init.proposalDomain !== undefined ? { proposalDomain: this.#init.proposalDomain } : {}),
        ...(this.#init.faults !== undefined ? { faults: this.#init.faults } : {}),
      },
    );
    this.#client = new ValidatorClient(
      { api, signer: this.#signer, clock, logger: this.#logger },
      {
        validatorIndices: this.#builtIn(served),
        ...(this.#init.graffiti !== undefined ? { graffiti: this.#init.graffiti } : {}),
        ...(this.#init.dueBps !== undefined ? { dueBps: this.#init.dueBps } : {}),
        ...(this.#init.proposerSettings !== undefined
          ? { proposerSettings: this.#init.proposerSettings }
          : {}),
        ...(this.#init.defaultProposerSetting !== undefined
          ? { defaultProposerSetting: this.#init.defaultProposerSetting }
          : {}),
        ...(this.#init.builderRegistrations !== undefined
          ? { builderRegistrations: this.#init.builderRegistrations }
          : {}),
        ...(this.#c.onOutcome !== undefined ? { onOutcome: this.#c.onOutcome } : {}),
        ...(this.#c.onInclusion !== undefined ? { onInclusion: this.#c.onInclusion } : {}),
      },
    );
    await this.#client.start();
    committees.onChange((next) => void this.#apply(next));
    const slotMs = this.#client.spec?.slotDurationMs ?? 12_000;
    this.#lookup = setInterval(
      () => {
        // Each epoch, again: indices not on chain yet, and shares not loaded (a keystore promoted
        // after the snapshot that named its validator).
        const retryShares = this.#c.loadShares !== undefined;
        const missing = (this.#snapshot?.validators ?? []).filter((v) => {
          const key = hex(v.groupPublicKey);
          return !this.#indices.has(key) || (retryShares && !this.#shares.has(key));
        });
        if (missing.length > 0) void this.#apply(this.#snapshot as CommitteeSnapshot);
      },
      slotMs * (this.#client.spec?.slotsPerEpoch ?? 8),
    );
    this.#lookup.unref?.();
    this.#started = true;
    this.#logger.info('operator node started', {
      operator: this.#address,
      validators: snapshot.validators.length,
      onChain: this.#indices.size,
      peers: snapshot.peers.length,
    });
  }

  /**
   * Signs and publishes a voluntary exit of `validatorIndex` with its committee (every member must
   * be asked, with the same `epoch`).
   */
  exit(validatorIndex: number, options?: VoluntaryExitOptions): Promise<DutyOutcome> {
    if (this.#client === undefined) {
      throw new OperatorError({ code: 'NOT_STARTED', request: 'exit' });
    }
    return this.#client.exit(validatorIndex, options);
  }

  /** Stops starting duties, lets those in flight end, then closes the signer and the network. */
  async stop(): Promise<void> {
    if (this.#lookup !== undefined) clearInterval(this.#lookup);
    this.#offsets.stop();
    await this.#client?.stop();
    this.#signer?.stop();
    if (this.#init.networkStartedByCaller !== true) await this.#c.network.stop();
    await this.#c.committees.stop();
    this.#started = false;
    this.#logger.info('operator node stopped');
  }

  async #apply(snapshot: CommitteeSnapshot): Promise<readonly KeyShareLoadFailure[]> {
    if (this.#c.loadShares) {
      dropReshared(this.#snapshot, snapshot, this.#address, this.#shares, this.#logger);
      dropRemoved(this.#snapshot, snapshot, this.#shares, this.#logger);
    }
    this.#snapshot = snapshot;
    const failures: KeyShareLoadFailure[] = [];
    try {
      this.#c.network.setPeers(snapshot.peers, { owner: COMMITTEE_PEERS });
      this.#learnKeys(snapshot);
      failures.push(...(await this.#loadMissingShares(snapshot.validators)));
      await this.#resolveIndices(snapshot.validators);
      // A later snapshot may have replaced this one while shares loaded: serve the newest.
      const current = this.#snapshot;
      const served = this.#signerValidators(current.validators);
      this.#signer?.setValidators(served);
      this.#client?.setValidatorIndices(this.#builtIn(served));
    } catch (e) {
      this.#logger.error('committee change not applied', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
    return failures;
  }

  /**
   * Loads the shares of the validators listed without one (`loadShares`); a failure is logged and
   * its validator stays unserved until a later snapshot loads it.
   */
  #loadMissingShares(validators: readonly ValidatorCommittee[]): Promise<KeyShareLoadFailure[]> {
    return loadMissingShares(this.#c.loadShares, validators, this.#shares, this.#loading, this.#logger);
  }

  #learnKeys(snapshot: CommitteeSnapshot): void {
    for (const p of snapshot.peers) this.#operatorKeys.set(p.address, p.publicKey);
  }

  /** The indices the built-in client schedules; records the others as remote-signed. */
  #builtIn(served: readonly SignerValidator[]): number[] {
    const isRemote = this.#init.remoteSigned;
    if (isRemote === undefined) return served.map((v) => v.validatorIndex);
    const remote = served.filter((v) => isRemote(v.committee.groupPublicKey));
    const same =
      remote.length === this.#remote.length &&
      remote.every((v, i) => this.#remote[i]?.validatorIndex === v.validatorIndex);
    if (!same) {
      this.#remote = Object.freeze(
        remote.map((v) => ({ validatorIndex: v.validatorIndex, groupPublicKey: v.committee.groupPublicKey })),
      );
    }
    return served.filter((v) => !isRemote(v.committee.groupPublicKey)).map((v) => v.validatorIndex);
  }

  /** Asks the beacon node for the indices of the validators it does not know yet. */
  #resolveIndices(validators: readonly ValidatorCommittee[]): Promise<void> {
    return resolveValidatorIndices(this.#c.api, validators, this.#indices, this.#logger);
  }

  #signerValidators(validators: readonly ValidatorCommittee[]): SignerValidator[] {
    const out: SignerValidator[] = [];
    for (const committee of validators) {
      const key = hex(committee.groupPublicKey);
      const validatorIndex = this.#indices.get(key);
      const share = this.#shares.get(key);
      if (validatorIndex === undefined) continue;
      if (share === undefined) {
        this.#logger.error('no key share for a validator of this operator', { groupPublicKey: `0x${key}` });
        continue;
      }
      out.push({ validatorIndex, committee, share });
    }
    return out;
  }
}
