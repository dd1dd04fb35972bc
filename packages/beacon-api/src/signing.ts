// Signing domains and signing roots of every message a validator signs, after the consensus
// specs (phase0 `compute_domain` / `compute_signing_root`, altair sync committee, bellatrix
// builder registration via the builder-specs application domain, EIP-7044 for voluntary exits
// from deneb on). Pure functions over explicit inputs: a `SigningContext` holds the chain's
// genesis validators root and fork schedule; nothing is read from a node or a clock here.
import type { Type } from '@chainsafe/ssz';
import { SLOTS_PER_EPOCH } from '@lodestar/params';
import { BeaconApiError } from './errors.ts';
import { type Fork, type ForkSchedule, forkAtEpoch, forkAtLeast, scheduledFork } from './forks.ts';
import {
  type AnyBlock,
  type AttestationData,
  aggregateAndProofType,
  type BeaconBlockHeader,
  blockType,
  type ContributionAndProof,
  type DepositMessage,
  type ElectraAggregateAndProof,
  type Phase0AggregateAndProof,
  ssz,
  type ValidatorRegistrationV1,
  type VoluntaryExit,
} from './types.ts';

/** Domain types (consensus specs; DOMAIN_APPLICATION_BUILDER from the builder-specs). */
export const DOMAIN_TYPES = {
  beaconProposer: Uint8Array.of(0, 0, 0, 0),
  beaconAttester: Uint8Array.of(1, 0, 0, 0),
  randao: Uint8Array.of(2, 0, 0, 0),
  deposit: Uint8Array.of(3, 0, 0, 0),
  voluntaryExit: Uint8Array.of(4, 0, 0, 0),
  selectionProof: Uint8Array.of(5, 0, 0, 0),
  aggregateAndProof: Uint8Array.of(6, 0, 0, 0),
  syncCommittee: Uint8Array.of(7, 0, 0, 0),
  syncCommitteeSelectionProof: Uint8Array.of(8, 0, 0, 0),
  contributionAndProof: Uint8Array.of(9, 0, 0, 0),
  blsToExecutionChange: Uint8Array.of(10, 0, 0, 0),
  applicationBuilder: Uint8Array.of(0, 0, 0, 1),
} as const;

const ZERO_ROOT = new Uint8Array(32);

function check(bytes: Uint8Array, length: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new BeaconApiError({ code: 'INVALID_CONFIG', field, reason: `expected ${length} bytes` });
  }
}

/** compute_fork_data_root(current_version, genesis_validators_root). */
export function computeForkDataRoot(
  currentVersion: Uint8Array,
  genesisValidatorsRoot: Uint8Array,
): Uint8Array {
  check(currentVersion, 4, 'forkVersion');
  check(genesisValidatorsRoot, 32, 'genesisValidatorsRoot');
  return ssz.phase0.ForkData.hashTreeRoot({ currentVersion, genesisValidatorsRoot });
}

/** compute_domain(domain_type, fork_version, genesis_validators_root): 4-byte type ‖ 28 bytes of the fork data root. */
export function computeDomain(
  domainType: Uint8Array,
  forkVersion: Uint8Array,
  genesisValidatorsRoot: Uint8Array = ZERO_ROOT,
): Uint8Array {
  check(domainType, 4, 'domainType');
  const domain = new Uint8Array(32);
  domain.set(domainType, 0);
  domain.set(computeForkDataRoot(forkVersion, genesisValidatorsRoot).subarray(0, 28), 4);
  return domain;
}

/** compute_signing_root(object, domain) = hash_tree_root(SigningData(hash_tree_root(object), domain)). */
export function computeSigningRoot<T>(type: Type<T>, value: T, domain: Uint8Array): Uint8Array {
  return signingRootOfObjectRoot(type.hashTreeRoot(value), domain);
}

/** The signing root for an object whose hash tree root is already known. */
export function signingRootOfObjectRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  check(objectRoot, 32, 'objectRoot');
  check(domain, 32, 'domain');
  return ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain });
}

export function computeEpochAtSlot(slot: number): number {
  return Math.floor(slot / SLOTS_PER_EPOCH);
}

/** What every beacon-chain signing root depends on besides the message: the chain's identity. */
export interface SigningContext {
  readonly genesisValidatorsRoot: Uint8Array;
  readonly schedule: ForkSchedule;
  /** GENESIS_FORK_VERSION (deposits, builder registrations). */
  readonly genesisForkVersion: Uint8Array;
  /** Domains computed so far, by fork version and domain type (a domain never changes; do not mutate). */
  readonly domainCache: WeakMap<Uint8Array, Map<number, Uint8Array>>;
}

export function createSigningContext(params: {
  genesisValidatorsRoot: Uint8Array;
  schedule: ForkSchedule;
}): SigningContext {
  check(params.genesisValidatorsRoot, 32, 'genesisValidatorsRoot');
  const phase0 = scheduledFork(params.schedule, 'phase0');
  if (phase0 === undefined) {
    throw new BeaconApiError({ code: 'INVALID_CONFIG', field: 'schedule', reason: 'no phase0 fork' });
  }
  return {
    genesisValidatorsRoot: params.genesisValidatorsRoot,
    schedule: params.schedule,
    genesisForkVersion: phase0.version,
    domainCache: new WeakMap(),
  };
}

function cachedDomain(ctx: SigningContext, domainType: Uint8Array, version: Uint8Array): Uint8Array {
  // Keyed by the schedule's own version arrays; domain types differ in their first and last byte.
  let byType = ctx.domainCache.get(version);
  if (byType === undefined) {
    byType = new Map();
    ctx.domainCache.set(version, byType);
  }
  const key = (domainType[0] as number) | ((domainType[3] as number) << 8);
  let d = byType.get(key);
  if (d === undefined) {
    d = computeDomain(domainType, version, ctx.genesisValidatorsRoot);
    byType.set(key, d);
  }
  return d;
}

/** The domain of `domainType` for a message of `epoch` signed at that epoch (its fork's version). */
export function domainAtEpoch(ctx: SigningContext, domainType: Uint8Array, epoch: number): Uint8Array {
  return cachedDomain(ctx, domainType, forkAtEpoch(ctx.schedule, epoch).version);
}

/**
 * The spec's get_domain(state, domain_type, message_epoch) for a state at `stateEpoch`: the
 * state's fork version, or its previous fork's version when the message predates the state's fork.
 */
export function getDomain(
  ctx: SigningContext,
  domainType: Uint8Array,
  messageEpoch: number,
  stateEpoch: number,
): Uint8Array {
  const forks = ctx.schedule.forks;
  const state = forkAtEpoch(ctx.schedule, stateEpoch);
  let version = state.version;
  if (messageEpoch < state.epoch) {
    const i = forks.indexOf(state);
    version = (forks[i - 1] ?? state).version;
  }
  return cachedDomain(ctx, domainType, version);
}

/** The fork a message at `slot` belongs to (chooses fork-specific containers). */
export function forkAtSlot(ctx: SigningContext, slot: number): Fork {
  return forkAtEpoch(ctx.schedule, computeEpochAtSlot(slot)).fork;
}

/**
 * Domain of a voluntary exit. Before deneb it is get_domain(state, DOMAIN_VOLUNTARY_EXIT,
 * exit.epoch) for the state at `currentEpoch` (current or previous fork version); from deneb on
 * (EIP-7044) it is fixed to CAPELLA_FORK_VERSION, so a signed exit stays valid forever.
 */
export function voluntaryExitDomain(
  ctx: SigningContext,
  exitEpoch: number,
  currentEpoch: number,
): Uint8Array {
  const current = forkAtEpoch(ctx.schedule, currentEpoch).fork;
  if (forkAtLeast(current, 'deneb')) {
    const capella = scheduledFork(ctx.schedule, 'capella');
    if (capella === undefined) {
      throw new BeaconApiError({
        code: 'INVALID_CONFIG',
        field: 'schedule',
        reason: 'deneb without capella',
      });
    }
    return cachedDomain(ctx, DOMAIN_TYPES.voluntaryExit, capella.version);
  }
  return getDomain(ctx, DOMAIN_TYPES.voluntaryExit, exitEpoch, currentEpoch);
}

// Deposits and builder registrations: domains over the zero genesis validators root. Computed per
// call (one ForkData root), as the spec does; no process-wide cache.
function zeroRootDomain(domainType: Uint8Array, forkVersion: Uint8Array): Uint8Array {
  check(forkVersion, 4, 'forkVersion');
  return computeDomain(domainType, forkVersion, ZERO_ROOT);
}

/** Application domain of builder registrations: GENESIS_FORK_VERSION, zero genesis validators root. */
export function builderDomain(genesisForkVersion: Uint8Array): Uint8Array {
  return zeroRootDomain(DOMAIN_TYPES.applicationBuilder, genesisForkVersion);
}

/** Deposit domain: GENESIS_FORK_VERSION of the network, zero genesis validators root (deposits precede genesis). */
export function depositDomain(genesisForkVersion: Uint8Array): Uint8Array {
  return zeroRootDomain(DOMAIN_TYPES.deposit, genesisForkVersion);
}

// ---- signing roots, one per message type ----

export function attestationDataSigningRoot(ctx: SigningContext, data: AttestationData): Uint8Array {
  return computeSigningRoot(
    ssz.phase0.AttestationData,
    data,
    domainAtEpoch(ctx, DOMAIN_TYPES.beaconAttester, data.target.epoch),
  );
}

/** Signing root of a (full or blinded) beacon block; its root equals the root of its header. */
export function blockSigningRoot(
  ctx: SigningContext,
  block: AnyBlock,
  opts: { blinded?: boolean } = {},
): Uint8Array {
  const slot = (block as { slot: number }).slot;
  const fork = forkAtSlot(ctx, slot);
  const root = blockType(fork, opts.blinded ?? false).hashTreeRoot(block);
  return signingRootOfObjectRoot(
    root,
    domainAtEpoch(ctx, DOMAIN_TYPES.beaconProposer, computeEpochAtSlot(slot)),
  );
}

export function blockHeaderSigningRoot(ctx: SigningContext, header: BeaconBlockHeader): Uint8Array {
  return computeSigningRoot(
    ssz.phase0.BeaconBlockHeader,
    header,
    domainAtEpoch(ctx, DOMAIN_TYPES.beaconProposer, computeEpochAtSlot(header.slot)),
  );
}

export function randaoSigningRoot(ctx: SigningContext, epoch: number): Uint8Array {
  return computeSigningRoot(ssz.Epoch, epoch, domainAtEpoch(ctx, DOMAIN_TYPES.randao, epoch));
}

/** Attestation aggregator selection proof: the slot signed under DOMAIN_SELECTION_PROOF. */
export function selectionProofSigningRoot(ctx: SigningContext, slot: number): Uint8Array {
  return computeSigningRoot(
    ssz.Slot,
    slot,
    domainAtEpoch(ctx, DOMAIN_TYPES.selectionProof, computeEpochAtSlot(slot)),
  );
}

/** AggregateAndProof signing root; the container is electra's from electra on. */
export function aggregateAndProofSigningRoot(
  ctx: SigningContext,
  aggregateAndProof: Phase0AggregateAndProof | ElectraAggregateAndProof,
): Uint8Array {
  const slot = aggregateAndProof.aggregate.data.slot;
  const fork = forkAtSlot(ctx, slot);
  return computeSigningRoot(
    aggregateAndProofType(fork, false),
    aggregateAndProof,
    domainAtEpoch(ctx, DOMAIN_TYPES.aggregateAndProof, computeEpochAtSlot(slot)),
  );
}

/** Sync committee message: the block root signed under DOMAIN_SYNC_COMMITTEE at `slot`. */
export function syncCommitteeMessageSigningRoot(
  ctx: SigningContext,
  slot: number,
  beaconBlockRoot: Uint8Array,
): Uint8Array {
  return computeSigningRoot(
    ssz.Root,
    beaconBlockRoot,
    domainAtEpoch(ctx, DOMAIN_TYPES.syncCommittee, computeEpochAtSlot(slot)),
  );
}

/** Sync committee aggregator selection proof over SyncAggregatorSelectionData. */
export function syncCommitteeSelectionProofSigningRoot(
  ctx: SigningContext,
  slot: number,
  subcommitteeIndex: number,
): Uint8Array {
  return computeSigningRoot(
    ssz.altair.SyncAggregatorSelectionData,
    { slot, subcommitteeIndex },
    domainAtEpoch(ctx, DOMAIN_TYPES.syncCommitteeSelectionProof, computeEpochAtSlot(slot)),
  );
}

export function contributionAndProofSigningRoot(
  ctx: SigningContext,
  contributionAndProof: ContributionAndProof,
): Uint8Array {
  return computeSigningRoot(
    ssz.altair.ContributionAndProof,
    contributionAndProof,
    domainAtEpoch(
      ctx,
      DOMAIN_TYPES.contributionAndProof,
      computeEpochAtSlot(contributionAndProof.contribution.slot),
    ),
  );
}

/** Voluntary exit signing root; see voluntaryExitDomain for the EIP-7044 rule. */
export function voluntaryExitSigningRoot(
  ctx: SigningContext,
  exit: VoluntaryExit,
  currentEpoch: number,
): Uint8Array {
  return computeSigningRoot(
    ssz.phase0.VoluntaryExit,
    exit,
    voluntaryExitDomain(ctx, exit.epoch, currentEpoch),
  );
}

/** Builder (MEV-boost) validator registration signing root, application domain. */
export function builderRegistrationSigningRoot(
  genesisForkVersion: Uint8Array,
  registration: ValidatorRegistrationV1,
): Uint8Array {
  return computeSigningRoot(
    ssz.bellatrix.ValidatorRegistrationV1,
    registration,
    builderDomain(genesisForkVersion),
  );
}

/** Deposit signing root: DepositMessage under the deposit domain of GENESIS_FORK_VERSION. */
export function depositSigningRoot(genesisForkVersion: Uint8Array, message: DepositMessage): Uint8Array {
  return computeSigningRoot(ssz.phase0.DepositMessage, message, depositDomain(genesisForkVersion));
}
