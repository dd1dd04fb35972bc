// The committee Web3Signer backend: 16 real CommitteeSigners (11 of 16) over the in-memory
// network, each with its own sqlite slashing protection behind its own Web3Signer server on
// loopback HTTP, asked as Lodestar's externalSigner asks. Deadlines run on a fake clock (the
// consensus round timers on real time), so a deadline passes when the test says so.
import { BitArray } from '@chainsafe/ssz';
import {
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  type BeaconBlockHeader,
  blockHeaderSigningRoot,
  randaoSigningRoot,
  selectionProofSigningRoot,
  ssz,
  syncCommitteeMessageSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attestation,
  attestationBody,
  cleanup,
  EPOCH,
  N,
  type Published,
  post,
  SLOT,
  setup,
  signing,
  T,
  times,
  until,
} from './committee-helpers.ts';
import { FORK_INFO_JSON, GENESIS_FORK_VERSION, hex } from './helpers.ts';

afterEach(cleanup);

describe('committee Web3Signer backend', () => {
  it('16 clients with the same attestation get the same group signature', async () => {
    const { members, pubkey, verifies } = await setup();
    const data = attestation(SLOT, 1);
    const answers = await Promise.all(members.map((m) => post(m, pubkey, attestationBody(data))));
    const root = attestationDataSigningRoot(signing, data);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.signature).toBe(answers[0]?.signature);
      expect(verifies(root, a.signature as string)).toBe(true);
    }
  });

  it('clients on different heads: the decided value signs, the others get 412, one signature per duty', async () => {
    const { members, pubkey, verifies } = await setup();
    const a = attestation(SLOT, 1);
    const b = attestation(SLOT, 2);
    const own = members.map((_, i) => (i < 10 ? a : b));
    const answers = await Promise.all(members.map((m, i) => post(m, pubkey, attestationBody(own[i]!))));
    const signed = answers.flatMap((x, i) => (x.status === 200 ? [i] : []));
    expect(signed.length).toBeGreaterThan(0);
    // the value of the clients that got a signature is the decided one: one of the two, for all
    const decided = own[signed[0]!]!;
    const decidedRoot = ssz.phase0.AttestationData.hashTreeRoot(decided);
    const signature = answers[signed[0]!]!.signature as string;
    expect(verifies(attestationDataSigningRoot(signing, decided), signature)).toBe(true);
    answers.forEach((x, i) => {
      if (ssz.phase0.AttestationData.equals(own[i]!, decided)) {
        expect(x).toEqual({ status: 200, signature });
      } else {
        expect(x.status).toBe(412);
        expect(x.message).toContain('the committee decided another value');
        expect(x.message).toContain(hex(decidedRoot));
        expect(x.message).toContain(hex(ssz.phase0.AttestationData.hashTreeRoot(own[i]!)));
      }
    });
    // asked again, the refused clients' servers answer from the same decision: no second signature
    const other = ssz.phase0.AttestationData.equals(decided, a) ? b : a;
    for (const [i, m] of members.entries()) {
      if (ssz.phase0.AttestationData.equals(own[i]!, decided)) continue;
      expect((await post(m, pubkey, attestationBody(other))).status).toBe(412);
      expect(await post(m, pubkey, attestationBody(decided))).toEqual({ status: 200, signature });
    }
  });

  it('the members whose clients asked for another value publish the decided attestation themselves', async () => {
    const published: Published[] = [];
    const { members, pubkey, verifies } = await setup(published);
    const own = members.map((_, i) => attestation(SLOT, i < 10 ? 1 : 2));
    const answers = await Promise.all(members.map((m, i) => post(m, pubkey, attestationBody(own[i]!))));
    const refused = answers.flatMap((x, i) => (x.status === 412 ? [i] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.filter((x) => x.status === 200).length + refused.length).toBe(members.length);
    await until(() => published.length >= refused.length);
    // exactly the refused members publish, once each, the decided data with the group signature
    expect(published.map((p) => p.member).sort((x, y) => x - y)).toEqual(refused);
    const signed = answers.find((x) => x.status === 200)!;
    for (const { message } of published) {
      if (message.type !== 'attestation') throw new TypeError(`published a ${message.type}`);
      expect(hex(message.signature)).toBe(signed.signature);
      expect(verifies(attestationDataSigningRoot(signing, message.data), hex(message.signature))).toBe(true);
      expect(message.data.beaconBlockRoot[0]).not.toBe(own[published[0]!.member]!.beaconBlockRoot[0]);
    }
    expect(answers[refused[0]!]!.message).toContain('the node publishes the decided message itself');
  });

  it('a conflicting attestation for the same target after a decision is refused by slashing protection (412)', async () => {
    const { clock, members, pubkey, refusedBy } = await setup();
    const first = await Promise.all(
      members.map((m) => post(m, pubkey, attestationBody(attestation(SLOT, 1)))),
    );
    for (const a of first) expect(a.status).toBe(200);
    // the next slot's data votes for the same target epoch with another root: a double vote
    const conflicting = attestationBody(attestation(SLOT + 1, 3));
    const pending = Promise.all(members.map((m) => post(m, pubkey, conflicting)));
    await until(() => refusedBy.size === N);
    clock.advanceTo(times.slotStartMs(SLOT + 2));
    for (const a of await pending) {
      expect(a.status).toBe(412);
      expect(a.message).toContain('slashing protection');
    }
  });

  it('with the slashing protection asked first, a double vote for a past duty is 412 at once, not 503', async () => {
    const { clock, members, pubkey, refusedBy } = await setup(undefined, { precheck: true });
    const signed = await Promise.all(
      members.map((m) => post(m, pubkey, attestationBody(attestation(SLOT, 1)))),
    );
    expect(signed.every((a) => a.status === 200)).toBe(true);
    clock.advanceTo(times.slotStartMs(SLOT + 3));
    // another slot of the same target epoch, past its deadline: a double vote
    const late = await post(members[0]!, pubkey, attestationBody(attestation(SLOT + 1, 2)));
    expect(late.status).toBe(412);
    expect(late.message).toContain('DOUBLE_VOTE');
    // the same vote again is no double vote: only its deadline stops it (nothing is started)
    expect((await post(members[0]!, pubkey, attestationBody(attestation(SLOT, 1)))).status).toBe(503);
    expect(refusedBy.size).toBe(0);
  });

  it('a RANDAO reveal is one group signature; deposits and unknown keys are refused', async () => {
    const { members, pubkey, verifies } = await setup();
    const body = {
      type: 'RANDAO_REVEAL',
      fork_info: FORK_INFO_JSON,
      randao_reveal: { epoch: String(EPOCH) },
    };
    const answers = await Promise.all(members.map((m) => post(m, pubkey, body)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.signature).toBe(answers[0]?.signature);
      expect(verifies(randaoSigningRoot(signing, EPOCH), a.signature as string)).toBe(true);
    }
    // a reveal of another epoch than the running one has no slot the members share
    const later = { ...body, randao_reveal: { epoch: String(EPOCH + 1) } };
    expect(await post(members[0]!, pubkey, later)).toMatchObject({ status: 400 });
    const deposit = {
      type: 'DEPOSIT',
      deposit: {
        pubkey,
        withdrawal_credentials: hex(new Uint8Array(32)),
        amount: '32000000000',
        genesis_fork_version: hex(GENESIS_FORK_VERSION),
      },
    };
    const refused = await post(members[0]!, pubkey, deposit);
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('does not sign deposits');
    const stranger = hex(new Uint8Array(48).fill(0x99));
    expect((await post(members[0]!, stranger, body)).status).toBe(404);
  });

  it('blocks are decided over the header the client sends; sync messages over the head root', async () => {
    const { members, pubkey, verifies } = await setup();
    const header = (bodyByte: number, proposerIndex = 3): BeaconBlockHeader => ({
      slot: SLOT,
      proposerIndex,
      parentRoot: new Uint8Array(32).fill(0x11),
      stateRoot: new Uint8Array(32).fill(0x22),
      bodyRoot: new Uint8Array(32).fill(bodyByte),
    });
    const blockBody = (h: BeaconBlockHeader) => ({
      type: 'BLOCK_V2',
      fork_info: FORK_INFO_JSON,
      beacon_block: { version: 'DENEB', block_header: ssz.phase0.BeaconBlockHeader.toJson(h) },
    });
    // another validator's block is not this duty's value: refused before any consensus
    const foreign = await post(members[0]!, pubkey, blockBody(header(1, 4)));
    expect(foreign.status).toBe(400);
    expect(foreign.message).toContain('not a value the committee may sign');
    const own = members.map((_, i) => header(i < 6 ? 1 : 2));
    const answers = await Promise.all(members.map((m, i) => post(m, pubkey, blockBody(own[i]!))));
    const first = answers.findIndex((a) => a.status === 200);
    expect(first).toBeGreaterThanOrEqual(0);
    const decided = own[first]!;
    const signature = answers[first]!.signature as string;
    expect(verifies(blockHeaderSigningRoot(signing, decided), signature)).toBe(true);
    answers.forEach((a, i) => {
      const same = ssz.phase0.BeaconBlockHeader.equals(own[i]!, decided);
      expect(a.status).toBe(same ? 200 : 412);
      if (same) expect(a.signature).toBe(signature);
    });

    const head = new Uint8Array(32).fill(7);
    const sync = {
      type: 'SYNC_COMMITTEE_MESSAGE',
      fork_info: FORK_INFO_JSON,
      sync_committee_message: { beacon_block_root: hex(head), slot: String(SLOT) },
    };
    const synced = await Promise.all(members.map((m) => post(m, pubkey, sync)));
    const root = syncCommitteeMessageSigningRoot(signing, SLOT, head);
    for (const a of synced) {
      expect(a.status).toBe(200);
      expect(verifies(root, a.signature as string)).toBe(true);
    }
  });

  it('aggregation: the selection proof combines, the aggregate is decided; a late request starts nothing', async () => {
    const { members, pubkey, verifies } = await setup();
    const selection = {
      type: 'AGGREGATION_SLOT',
      fork_info: FORK_INFO_JSON,
      aggregation_slot: { slot: String(SLOT) },
    };
    const proofs = await Promise.all(members.map((m) => post(m, pubkey, selection)));
    for (const p of proofs) {
      expect(p.status).toBe(200);
      expect(verifies(selectionProofSigningRoot(signing, SLOT), p.signature as string)).toBe(true);
    }
    const aggregate = ssz.phase0.AggregateAndProof.defaultValue();
    aggregate.aggregatorIndex = 3;
    aggregate.aggregate.data = attestation(SLOT, 1);
    aggregate.aggregate.aggregationBits = BitArray.fromBoolArray([true, false, true, true]);
    aggregate.selectionProof = Buffer.from((proofs[0]!.signature as string).slice(2), 'hex');
    const body = (v: typeof aggregate) => ({
      type: 'AGGREGATE_AND_PROOF',
      fork_info: FORK_INFO_JSON,
      aggregate_and_proof: ssz.phase0.AggregateAndProof.toJson(v),
    });
    expect((await post(members[0]!, pubkey, body({ ...aggregate, aggregatorIndex: 4 }))).status).toBe(400);
    const answers = await Promise.all(members.map((m) => post(m, pubkey, body(aggregate))));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(verifies(aggregateAndProofSigningRoot(signing, aggregate), a.signature as string)).toBe(true);
    }
    // the previous slot's attestation is past its deadline: 503 at once, nothing recorded
    const late = await post(members[0]!, pubkey, attestationBody(attestation(SLOT - 1, 1)));
    expect(late.status).toBe(503);
    expect(late.message).toContain('deadline has passed');
  });

  it('with fewer than t members asked, the clients get 503 at the deadline', async () => {
    const { clock, members, pubkey } = await setup();
    const deadline = times.slotStartMs(SLOT + 1);
    const asked = members.slice(0, T - 1);
    const pending = Promise.all(asked.map((m) => post(m, pubkey, attestationBody(attestation(SLOT, 1)))));
    await until(() => clock.pending().filter((t) => t === deadline).length === asked.length);
    clock.advanceTo(deadline);
    for (const a of await pending) {
      expect(a.status).toBe(503);
      expect(a.message).toContain('no committee decision by the deadline');
    }
  });
});
