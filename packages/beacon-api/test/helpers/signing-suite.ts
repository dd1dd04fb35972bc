// Differential checks of every signing domain and signing root against Lodestar's own code
// (@lodestar/config getDomain / getDomainForVoluntaryExit, @lodestar/state-transition signature
// sets, computeDomain and computeSigningRoot), on a chain whose forks activate one per epoch so
// every fork and every fork boundary is crossed. Run once per preset (signing.test.ts for
// mainnet, signing.minimal.test.ts for minimal).
import { BitArray } from '@chainsafe/ssz';
import { createBeaconConfig } from '@lodestar/config';
import { chainConfig as defaultChainConfig } from '@lodestar/config/default';
import {
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_DEPOSIT,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  DOMAIN_VOLUNTARY_EXIT,
  SLOTS_PER_EPOCH,
} from '@lodestar/params';
import {
  getAttestationDataSigningRoot,
  getBlockHeaderProposerSignatureSetByHeaderSlot,
  getBlockProposerSignatureSet,
  getRandaoRevealSignatureSet,
  getValidatorVoluntaryExitSignatureSet,
  computeDomain as lsComputeDomain,
  computeSigningRoot as lsComputeSigningRoot,
} from '@lodestar/state-transition';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/internal/json.ts';
import {
  aggregateAndProofSigningRoot,
  aggregateAndProofType,
  attestationDataSigningRoot,
  blockHeaderSigningRoot,
  blockSigningRoot,
  blockType,
  builderRegistrationSigningRoot,
  computeDomain,
  contributionAndProofSigningRoot,
  createSigningContext,
  DOMAIN_TYPES,
  depositSigningRoot,
  domainAtEpoch,
  FORKS,
  forkAtLeast,
  forkAtSlot,
  forkScheduleFromSpec,
  getDomain,
  randaoSigningRoot,
  selectionProofSigningRoot,
  ssz,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
  voluntaryExitDomain,
  voluntaryExitSigningRoot,
} from '../../src/spec.ts';
import { createRng, randomValue } from './random.ts';

const ZERO = new Uint8Array(32);
const hex = bytesToHex;

/** Forks at epochs 0..6 (phase0 at 0, altair at 1, ..., fulu at 6). */
function chain(seed: number) {
  const rng = createRng(seed);
  const gvr = randomValue(ssz.Root, rng);
  const cfg = {
    ...defaultChainConfig,
    ALTAIR_FORK_EPOCH: 1,
    BELLATRIX_FORK_EPOCH: 2,
    CAPELLA_FORK_EPOCH: 3,
    DENEB_FORK_EPOCH: 4,
    ELECTRA_FORK_EPOCH: 5,
    FULU_FORK_EPOCH: 6,
  };
  const config = createBeaconConfig(cfg, gvr);
  // The spec map a node's /eth/v1/config/spec would return for this chain.
  const spec: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v instanceof Uint8Array) spec[k] = hex(v);
    else if (typeof v === 'number') spec[k] = Number.isFinite(v) ? String(v) : '18446744073709551615';
  }
  const ctx = createSigningContext({ genesisValidatorsRoot: gvr, schedule: forkScheduleFromSpec(spec) });
  return { rng, gvr, cfg, config, ctx };
}

// Slots to sign at: first, middle and last slot of each epoch 0..7 (every fork boundary).
const SLOTS = Array.from({ length: 8 }, (_, e) => [
  e * SLOTS_PER_EPOCH,
  e * SLOTS_PER_EPOCH + 3,
  (e + 1) * SLOTS_PER_EPOCH - 1,
]).flat();

export function signingSuite(preset: 'mainnet' | 'minimal'): void {
  const { rng, config, ctx, cfg } = chain(preset === 'mainnet' ? 11 : 22);
  const r = <T>(t: import('@chainsafe/ssz').Type<T>) => randomValue(t, rng);

  describe(`signing domains and roots vs Lodestar (${preset})`, () => {
    it('uses the preset the suite is for', () => {
      expect(SLOTS_PER_EPOCH).toBe(preset === 'mainnet' ? 32 : 8);
    });

    it('computes every domain type at every epoch as config.getDomain does', () => {
      const types = [
        DOMAIN_BEACON_PROPOSER,
        DOMAIN_BEACON_ATTESTER,
        DOMAIN_RANDAO,
        DOMAIN_SELECTION_PROOF,
        DOMAIN_AGGREGATE_AND_PROOF,
        DOMAIN_SYNC_COMMITTEE,
        DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
        DOMAIN_CONTRIBUTION_AND_PROOF,
        DOMAIN_VOLUNTARY_EXIT,
      ];
      let n = 0;
      for (const slot of SLOTS) {
        const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
        for (const t of types) {
          expect(hex(domainAtEpoch(ctx, t, epoch))).toBe(hex(config.getDomain(slot, t, slot)));
          n++;
        }
      }
      expect(n).toBe(SLOTS.length * types.length);
      // Fork versions really differ across the schedule, so a wrong fork would be caught.
      expect(
        new Set(
          SLOTS.map((s) =>
            hex(domainAtEpoch(ctx, DOMAIN_TYPES.beaconAttester, Math.floor(s / SLOTS_PER_EPOCH))),
          ),
        ).size,
      ).toBe(7);
    });

    it('computes get_domain for messages older than the state as config.getDomain(stateSlot, type, messageSlot)', () => {
      let previous = 0;
      for (const stateSlot of SLOTS) {
        const stateEpoch = Math.floor(stateSlot / SLOTS_PER_EPOCH);
        for (let messageEpoch = 0; messageEpoch <= stateEpoch; messageEpoch++) {
          const ours = getDomain(ctx, DOMAIN_BEACON_ATTESTER, messageEpoch, stateEpoch);
          expect(hex(ours)).toBe(
            hex(config.getDomain(stateSlot, DOMAIN_BEACON_ATTESTER, messageEpoch * SLOTS_PER_EPOCH)),
          );
          if (hex(ours) !== hex(domainAtEpoch(ctx, DOMAIN_BEACON_ATTESTER, stateEpoch))) previous++;
        }
      }
      expect(previous).toBeGreaterThan(0);
    });

    it('attestation data roots match getAttestationDataSigningRoot', () => {
      for (const slot of SLOTS) {
        const data = { ...r(ssz.phase0.AttestationData), slot };
        data.target = { ...data.target, epoch: Math.floor(slot / SLOTS_PER_EPOCH) };
        expect(hex(attestationDataSigningRoot(ctx, data))).toBe(
          hex(getAttestationDataSigningRoot(config, slot, data)),
        );
      }
    });

    it('block roots (full and blinded) and header roots match the proposer signature sets', () => {
      for (const slot of SLOTS) {
        const fork = forkAtSlot(ctx, slot);
        expect(fork).toBe(config.getForkName(slot));
        for (const blinded of forkAtLeast(fork, 'bellatrix') ? [false, true] : [false]) {
          const block = { ...r(blockType(fork, blinded)), slot };
          const theirs = getBlockProposerSignatureSet(config, {
            message: block,
            signature: r(ssz.BLSSignature),
          } as never);
          expect(hex(blockSigningRoot(ctx, block, { blinded }))).toBe(hex(theirs.signingRoot));
        }
        const header = { ...r(ssz.phase0.BeaconBlockHeader), slot };
        const set = getBlockHeaderProposerSignatureSetByHeaderSlot(config, {
          message: header,
          signature: r(ssz.BLSSignature),
        });
        expect(hex(blockHeaderSigningRoot(ctx, header))).toBe(hex(set.signingRoot));
      }
    });

    it('a block header signs to the same root as its block', () => {
      for (const slot of SLOTS) {
        const fork = forkAtSlot(ctx, slot);
        const block = { ...r(blockType(fork)), slot };
        const header = {
          slot,
          proposerIndex: block.proposerIndex,
          parentRoot: block.parentRoot,
          stateRoot: block.stateRoot,
          bodyRoot: (
            blockType(fork) as unknown as { fields: { body: import('@chainsafe/ssz').Type<unknown> } }
          ).fields.body.hashTreeRoot(block.body),
        };
        expect(hex(blockHeaderSigningRoot(ctx, header))).toBe(hex(blockSigningRoot(ctx, block)));
      }
    });

    it('randao reveal roots match getRandaoRevealSignatureSet', () => {
      for (const slot of SLOTS) {
        const block = { slot, proposerIndex: 1, body: { randaoReveal: r(ssz.BLSSignature) } };
        const set = getRandaoRevealSignatureSet(config, block as never);
        expect(hex(randaoSigningRoot(ctx, Math.floor(slot / SLOTS_PER_EPOCH)))).toBe(hex(set.signingRoot));
      }
    });

    it('selection proof, aggregate and proof roots match (electra container from electra on)', () => {
      for (const slot of SLOTS) {
        expect(hex(selectionProofSigningRoot(ctx, slot))).toBe(
          hex(lsComputeSigningRoot(ssz.Slot, slot, config.getDomain(slot, DOMAIN_SELECTION_PROOF, slot))),
        );
        const fork = forkAtSlot(ctx, slot);
        const type = aggregateAndProofType(fork, false);
        const msg = r(type);
        msg.aggregate.data.slot = slot;
        const theirType = config.getForkTypes(slot).AggregateAndProof;
        expect(hex(aggregateAndProofSigningRoot(ctx, msg))).toBe(
          hex(
            lsComputeSigningRoot(
              theirType as never,
              msg,
              config.getDomain(slot, DOMAIN_AGGREGATE_AND_PROOF, slot),
            ),
          ),
        );
        if (forkAtLeast(fork, 'electra')) expect(msg.aggregate.committeeBits).toBeInstanceOf(BitArray);
      }
    });

    it('sync committee message, selection proof and contribution roots match', () => {
      for (const slot of SLOTS.filter((s) => s >= SLOTS_PER_EPOCH)) {
        const blockRoot = r(ssz.Root);
        expect(hex(syncCommitteeMessageSigningRoot(ctx, slot, blockRoot))).toBe(
          hex(lsComputeSigningRoot(ssz.Root, blockRoot, config.getDomain(slot, DOMAIN_SYNC_COMMITTEE, slot))),
        );
        const sub = slot % 4;
        expect(hex(syncCommitteeSelectionProofSigningRoot(ctx, slot, sub))).toBe(
          hex(
            lsComputeSigningRoot(
              ssz.altair.SyncAggregatorSelectionData,
              { slot, subcommitteeIndex: sub },
              config.getDomain(slot, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, slot),
            ),
          ),
        );
        const cp = r(ssz.altair.ContributionAndProof);
        cp.contribution.slot = slot;
        expect(hex(contributionAndProofSigningRoot(ctx, cp))).toBe(
          hex(
            lsComputeSigningRoot(
              ssz.altair.ContributionAndProof,
              cp,
              config.getDomain(slot, DOMAIN_CONTRIBUTION_AND_PROOF, slot),
            ),
          ),
        );
      }
    });

    it('voluntary exits use the exit epoch before deneb and the capella domain after (EIP-7044)', () => {
      let fixed = 0;
      for (const stateSlot of SLOTS) {
        const currentEpoch = Math.floor(stateSlot / SLOTS_PER_EPOCH);
        for (let exitEpoch = 0; exitEpoch <= currentEpoch; exitEpoch++) {
          const exit = { epoch: exitEpoch, validatorIndex: rng() % 1000 };
          const set = getValidatorVoluntaryExitSignatureSet(config, stateSlot, {
            message: exit,
            signature: r(ssz.BLSSignature),
          });
          expect(hex(voluntaryExitSigningRoot(ctx, exit, currentEpoch))).toBe(hex(set.signingRoot));
          expect(hex(voluntaryExitDomain(ctx, exitEpoch, currentEpoch))).toBe(
            hex(config.getDomainForVoluntaryExit(stateSlot, exitEpoch * SLOTS_PER_EPOCH)),
          );
          if (currentEpoch >= 4) {
            expect(hex(voluntaryExitDomain(ctx, exitEpoch, currentEpoch))).toBe(
              hex(
                computeDomain(
                  DOMAIN_TYPES.voluntaryExit,
                  cfg.CAPELLA_FORK_VERSION,
                  ctx.genesisValidatorsRoot,
                ),
              ),
            );
            fixed++;
          }
        }
      }
      expect(fixed).toBeGreaterThan(0);
    });

    it('builder registrations and deposits use the application / deposit domain of GENESIS_FORK_VERSION', () => {
      for (let i = 0; i < 5; i++) {
        const reg = r(ssz.bellatrix.ValidatorRegistrationV1);
        const builderDomain = lsComputeDomain(DOMAIN_APPLICATION_BUILDER, cfg.GENESIS_FORK_VERSION, ZERO);
        expect(hex(builderRegistrationSigningRoot(ctx.genesisForkVersion, reg))).toBe(
          hex(lsComputeSigningRoot(ssz.bellatrix.ValidatorRegistrationV1, reg, builderDomain)),
        );
        const msg = r(ssz.phase0.DepositMessage);
        const depositDomain = lsComputeDomain(DOMAIN_DEPOSIT, cfg.GENESIS_FORK_VERSION, ZERO);
        expect(hex(depositSigningRoot(ctx.genesisForkVersion, msg))).toBe(
          hex(lsComputeSigningRoot(ssz.phase0.DepositMessage, msg, depositDomain)),
        );
      }
      expect(hex(DOMAIN_TYPES.applicationBuilder)).toBe(hex(DOMAIN_APPLICATION_BUILDER));
    });

    it('knows the published deposit domain of this preset', () => {
      // Mainnet: the deposit domain every staking tool uses; minimal: GENESIS_FORK_VERSION 0x00000001.
      const expected =
        preset === 'mainnet'
          ? '0x03000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9'
          : hex(lsComputeDomain(DOMAIN_DEPOSIT, Uint8Array.of(0, 0, 0, 1), ZERO));
      expect(hex(computeDomain(DOMAIN_TYPES.deposit, cfg.GENESIS_FORK_VERSION))).toBe(expected);
    });

    it('covers every fork of the package', () => {
      expect(new Set(SLOTS.map((s) => forkAtSlot(ctx, s)))).toEqual(new Set(FORKS));
    });
  });
}
