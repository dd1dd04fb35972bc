// POST /api/v1/eth2/sign/{pubkey} over real HTTP on loopback, local backend with keystores and a
// sqlite slashing-protection file: every request type signs, and the signature verifies over the
// signing root computed independently by Lodestar (@lodestar/state-transition's computeDomain and
// computeSigningRoot, spec domain constants written out here); the faults answer 400, 404 and 412.
import { BitArray } from '@chainsafe/ssz';
import { ssz } from '@diva-dvt/beacon-api/spec';
import { computeDomain, computeEpochAtSlot, computeSigningRoot } from '@lodestar/state-transition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORK,
  FORK_INFO_JSON,
  GENESIS_FORK_VERSION,
  GENESIS_VALIDATORS_ROOT,
  hex,
  newSecretKey,
  type Signer,
  startSigner,
} from './helpers.ts';

// Domain types, consensus specs (phase0, altair) and builder-specs.
const D = {
  proposer: '0x00000000',
  attester: '0x01000000',
  randao: '0x02000000',
  deposit: '0x03000000',
  exit: '0x04000000',
  selection: '0x05000000',
  aggregate: '0x06000000',
  sync: '0x07000000',
  syncSelection: '0x08000000',
  contribution: '0x09000000',
  builder: '0x00000001',
} as const;
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const ZERO = new Uint8Array(32);
const domain = (type: string, epoch: number) =>
  computeDomain(
    bytes(type),
    epoch < FORK.epoch ? FORK.previousVersion : FORK.currentVersion,
    GENESIS_VALIDATORS_ROOT,
  );

let s: Signer;
let pubkey: string;
beforeAll(async () => {
  s = await startSigner();
  pubkey = hex((s.keys[0] as ReturnType<typeof newSecretKey>).toPublicKey().bytes);
});
afterAll(() => s.close());

const attestation = (slot: number, source: number, target: number, root = 1) => {
  const data = ssz.phase0.AttestationData.defaultValue();
  data.slot = slot;
  data.beaconBlockRoot = new Uint8Array(32).fill(root);
  data.source = { epoch: source, root: new Uint8Array(32).fill(2) };
  data.target = { epoch: target, root: new Uint8Array(32).fill(3) };
  return data;
};

function cases(): { name: string; body: Record<string, unknown>; root: Uint8Array }[] {
  // Deposits and registrations name a validator key in the body; Web3Signer does not tie it to the URL's.
  const bodyKey = newSecretKey().toPublicKey().bytes;
  const slot = 8 * 12 + 3;
  const epoch = computeEpochAtSlot(slot);
  const att = attestation(slot, 11, 12);

  const phase0Agg = ssz.phase0.AggregateAndProof.defaultValue();
  phase0Agg.aggregatorIndex = 5;
  phase0Agg.aggregate.data = att;
  phase0Agg.aggregate.aggregationBits = BitArray.fromBoolArray([true, false, true]);
  const electraAgg = ssz.electra.AggregateAndProof.defaultValue();
  electraAgg.aggregatorIndex = 6;
  electraAgg.aggregate.data = att;
  electraAgg.aggregate.aggregationBits = BitArray.fromBoolArray([false, true]);
  electraAgg.aggregate.committeeBits.set(1, true);

  const phase0Block = ssz.phase0.BeaconBlock.defaultValue();
  phase0Block.slot = slot;
  phase0Block.proposerIndex = 3;
  const altairBlock = ssz.altair.BeaconBlock.defaultValue();
  altairBlock.slot = slot + 1;
  altairBlock.body.graffiti = new Uint8Array(32).fill(9);
  const denebBlock = ssz.deneb.BeaconBlock.defaultValue();
  denebBlock.slot = slot + 2;
  denebBlock.body.executionPayload.feeRecipient = new Uint8Array(20).fill(0xfe);
  const denebHeader = {
    slot: denebBlock.slot,
    proposerIndex: denebBlock.proposerIndex,
    parentRoot: denebBlock.parentRoot,
    stateRoot: denebBlock.stateRoot,
    bodyRoot: ssz.deneb.BeaconBlockBody.hashTreeRoot(denebBlock.body),
  };

  const deposit = {
    pubkey: bodyKey,
    withdrawalCredentials: new Uint8Array(32).fill(0x01),
    amount: 32_000_000_000,
  };
  const exit = { epoch: 14, validatorIndex: 77 };
  const contribution = ssz.altair.ContributionAndProof.defaultValue();
  contribution.aggregatorIndex = 4;
  contribution.contribution.slot = slot;
  contribution.contribution.subcommitteeIndex = 2;
  contribution.contribution.beaconBlockRoot = new Uint8Array(32).fill(5);
  const registration = {
    feeRecipient: new Uint8Array(20).fill(0xab),
    gasLimit: 30_000_000,
    timestamp: 1_700_000_000,
    pubkey: bodyKey,
  };
  const f = FORK_INFO_JSON;
  return [
    {
      name: 'AGGREGATION_SLOT',
      body: { type: 'AGGREGATION_SLOT', fork_info: f, aggregation_slot: { slot: String(slot) } },
      root: computeSigningRoot(ssz.Slot, slot, domain(D.selection, epoch)),
    },
    {
      name: 'AGGREGATE_AND_PROOF',
      body: {
        type: 'AGGREGATE_AND_PROOF',
        fork_info: f,
        aggregate_and_proof: ssz.phase0.AggregateAndProof.toJson(phase0Agg),
      },
      root: computeSigningRoot(ssz.phase0.AggregateAndProof, phase0Agg, domain(D.aggregate, epoch)),
    },
    {
      name: 'AGGREGATE_AND_PROOF_V2 (electra)',
      body: {
        type: 'AGGREGATE_AND_PROOF_V2',
        fork_info: f,
        aggregate_and_proof: { version: 'ELECTRA', data: ssz.electra.AggregateAndProof.toJson(electraAgg) },
      },
      root: computeSigningRoot(ssz.electra.AggregateAndProof, electraAgg, domain(D.aggregate, epoch)),
    },
    {
      name: 'ATTESTATION',
      body: { type: 'ATTESTATION', fork_info: f, attestation: ssz.phase0.AttestationData.toJson(att) },
      root: computeSigningRoot(ssz.phase0.AttestationData, att, domain(D.attester, 12)),
    },
    {
      name: 'BLOCK (phase0)',
      body: { type: 'BLOCK', fork_info: f, block: ssz.phase0.BeaconBlock.toJson(phase0Block) },
      root: computeSigningRoot(ssz.phase0.BeaconBlock, phase0Block, domain(D.proposer, epoch)),
    },
    {
      name: 'BLOCK_V2 (altair, whole block)',
      body: {
        type: 'BLOCK_V2',
        fork_info: f,
        beacon_block: { version: 'ALTAIR', block: ssz.altair.BeaconBlock.toJson(altairBlock) },
      },
      root: computeSigningRoot(
        ssz.altair.BeaconBlock,
        altairBlock,
        domain(D.proposer, computeEpochAtSlot(slot + 1)),
      ),
    },
    {
      name: 'BLOCK_V2 (deneb, header)',
      body: {
        type: 'BLOCK_V2',
        fork_info: f,
        beacon_block: { version: 'DENEB', block_header: ssz.phase0.BeaconBlockHeader.toJson(denebHeader) },
      },
      root: computeSigningRoot(
        ssz.deneb.BeaconBlock,
        denebBlock,
        domain(D.proposer, computeEpochAtSlot(slot + 2)),
      ),
    },
    {
      name: 'DEPOSIT',
      body: {
        type: 'DEPOSIT',
        deposit: {
          ...(ssz.phase0.DepositMessage.toJson(deposit) as object),
          genesis_fork_version: hex(GENESIS_FORK_VERSION),
        },
      },
      root: computeSigningRoot(
        ssz.phase0.DepositMessage,
        deposit,
        computeDomain(bytes(D.deposit), GENESIS_FORK_VERSION, ZERO),
      ),
    },
    {
      name: 'RANDAO_REVEAL (an epoch before fork.epoch: previous version)',
      body: { type: 'RANDAO_REVEAL', fork_info: f, randao_reveal: { epoch: '3' } },
      root: computeSigningRoot(ssz.Epoch, 3, domain(D.randao, 3)),
    },
    {
      name: 'VOLUNTARY_EXIT',
      body: { type: 'VOLUNTARY_EXIT', fork_info: f, voluntary_exit: ssz.phase0.VoluntaryExit.toJson(exit) },
      root: computeSigningRoot(ssz.phase0.VoluntaryExit, exit, domain(D.exit, 14)),
    },
    {
      name: 'SYNC_COMMITTEE_MESSAGE',
      body: {
        type: 'SYNC_COMMITTEE_MESSAGE',
        fork_info: f,
        sync_committee_message: { beacon_block_root: hex(new Uint8Array(32).fill(7)), slot: String(slot) },
      },
      root: computeSigningRoot(ssz.Root, new Uint8Array(32).fill(7), domain(D.sync, epoch)),
    },
    {
      name: 'SYNC_COMMITTEE_SELECTION_PROOF',
      body: {
        type: 'SYNC_COMMITTEE_SELECTION_PROOF',
        fork_info: f,
        sync_aggregator_selection_data: { slot: String(slot), subcommittee_index: '3' },
      },
      root: computeSigningRoot(
        ssz.altair.SyncAggregatorSelectionData,
        { slot, subcommitteeIndex: 3 },
        domain(D.syncSelection, epoch),
      ),
    },
    {
      name: 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF',
      body: {
        type: 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF',
        fork_info: f,
        contribution_and_proof: ssz.altair.ContributionAndProof.toJson(contribution),
      },
      root: computeSigningRoot(ssz.altair.ContributionAndProof, contribution, domain(D.contribution, epoch)),
    },
    {
      name: 'VALIDATOR_REGISTRATION',
      body: {
        type: 'VALIDATOR_REGISTRATION',
        validator_registration: ssz.bellatrix.ValidatorRegistrationV1.toJson(registration),
      },
      root: computeSigningRoot(
        ssz.bellatrix.ValidatorRegistrationV1,
        registration,
        computeDomain(bytes(D.builder), GENESIS_FORK_VERSION, ZERO),
      ),
    },
  ];
}

function verifies(signatureHex: string, root: Uint8Array): boolean {
  const pk = s.bls.publicKeyFromBytes(bytes(pubkey));
  return s.bls.verify(pk, root, s.bls.signatureFromBytes(bytes(signatureHex)));
}

describe('Web3Signer sign API', () => {
  for (const c of cases()) {
    it(`signs ${c.name} over the independently computed signing root`, async () => {
      const res = await s.post(pubkey, c.body);
      expect(res.text).toMatch(/^\{"signature":"0x[0-9a-f]{192}"\}$/);
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json');
      expect(verifies(JSON.parse(res.text).signature, c.root)).toBe(true);
      // The same request with the root a client computed (Lodestar sends it): accepted.
      const again = await s.post(pubkey, { ...c.body, signingRoot: hex(c.root) }, 'text/plain');
      expect(again.status).toBe(200);
      expect(again.type).toMatch(/^text\/plain/);
      expect(verifies(again.text, c.root)).toBe(true);
    });
  }

  it('answers JSON to a client that sends no Accept header (Lodestar 1.5 sends only Content-Type)', async () => {
    const res = await fetch(`${s.server.url}/api/v1/eth2/sign/${pubkey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'RANDAO_REVEAL',
        fork_info: FORK_INFO_JSON,
        randao_reveal: { epoch: '20' },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(
      verifies(
        ((await res.json()) as { signature: string }).signature,
        computeSigningRoot(ssz.Epoch, 20, domain(D.randao, 20)),
      ),
    ).toBe(true);
  });

  it('refuses a slashable second attestation and block with 412 and signs nothing', async () => {
    const other = hex((s.keys[1] as ReturnType<typeof newSecretKey>).toPublicKey().bytes);
    const first = {
      type: 'ATTESTATION',
      fork_info: FORK_INFO_JSON,
      attestation: ssz.phase0.AttestationData.toJson(attestation(300, 30, 31)),
    };
    expect((await s.post(other, first)).status).toBe(200);
    // The same attestation again is a re-sign (EIP-3076 allows it).
    expect((await s.post(other, first)).status).toBe(200);
    const before = s.backend.signedCount;
    const doubleVote = {
      ...first,
      attestation: ssz.phase0.AttestationData.toJson(attestation(300, 30, 31, 9)),
    };
    const surround = { ...first, attestation: ssz.phase0.AttestationData.toJson(attestation(301, 29, 32)) };
    for (const body of [doubleVote, surround]) {
      const res = await s.post(other, body);
      expect(res.status).toBe(412);
      expect(JSON.parse(res.text).message).toMatch(/slashing protection \((DOUBLE_VOTE|SURROUNDING_VOTE)\)/);
    }
    const header = (bodyByte: number) => ({
      slot: '400',
      proposer_index: '1',
      parent_root: hex(ZERO),
      state_root: hex(ZERO),
      body_root: hex(new Uint8Array(32).fill(bodyByte)),
    });
    const block = (b: number) => ({
      type: 'BLOCK_V2',
      fork_info: FORK_INFO_JSON,
      beacon_block: { version: 'DENEB', block_header: header(b) },
    });
    expect((await s.post(other, block(1))).status).toBe(200);
    const afterBlock = s.backend.signedCount;
    const res = await s.post(other, block(2));
    expect(res.status).toBe(412);
    expect(res.text).toMatch(/DOUBLE_PROPOSAL/);
    expect(s.backend.signedCount).toBe(afterBlock);
    expect(afterBlock).toBe(before + 1);
    // The database holds the first of each, not the refused ones.
    const exported = await s.protection.exportInterchange([bytes(other)]);
    expect(exported.data[0]?.signed_blocks.map((b) => b.slot)).toEqual(['400']);
    expect(exported.data[0]?.signed_attestations.map((a) => a.target_epoch)).toEqual(['31']);
  });
});
