// A key share that signed two conflicting beacon messages, proven on chain. The Diva contracts are
// deployed on a real Anvil (committees of 4, threshold 3), 5 operators register and a committee is
// drawn; its validator's DKG result is on chain. Two honest members run CommitteeSigners over real
// libp2p (loopback) on one attestation duty; a Byzantine member sends one of them VOTEs with real
// partial signatures of its share over two attestation data of the slot (that member's value and
// the leader's): the honest member keeps the evidence (values from the instance) and
// `submitDoubleSignedPartials` proves it: EvidenceAccepted with KIND_DOUBLE_VOTE. A surround pair
// by another share (KIND_SURROUND_VOTE) and two block headers of one slot by a third
// (KIND_DOUBLE_PROPOSAL) are proven too; a copy of the punished evidence is answered as already
// proven, and a pair the contract would refuse (neither a double nor a surround vote) is never sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttestationData,
  attestationDataSigningRoot,
  type BeaconBlockHeader,
  blockHeaderSigningRoot,
  createForkSchedule,
  createSigningContext,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import { leaderOf, leaderOrder } from '@diva-dvt/consensus';
import { evidenceSlasherAbi } from '@diva-dvt/contracts/abis';
import { hexToBytes, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestationDataValue,
  createContractsEvidenceChain,
  createSlashingProtection,
  createSqliteEvidenceStore,
  type DoubleSignedPartial,
  type EvidenceStore,
  publicKeyOf,
  submitDoubleSignedPartials,
  unprovableReason,
} from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import { dutyInstanceId, encodeConsensusFrame } from '../src/runtime/frames.ts';
import type { SigningDuty } from '../src/signer.ts';
import { type AnvilNode, startAnvil } from './helpers/anvil-node.ts';
import { createSigner, createValidator, type TestOperator } from './helpers/committee.ts';
import { BEACON, drawCommittee, recordDkgResult, walletOf } from './helpers/diva-chain.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, waitUntil } from './helpers/p2p.ts';
import { voteMessage } from './helpers/proposals.ts';

const { bls } = await loadRuntimeBls();
const N = 4;
const T = 3;
const KIND_DOUBLE_VOTE = 1;
const KIND_SURROUND_VOTE = 2;
const KIND_DOUBLE_PROPOSAL = 3;
const SLOT = 64;

// the signing context of the deployed contract's beacon parameters
const signing = createSigningContext({
  genesisValidatorsRoot: hexToBytes(BEACON.genesisValidatorsRoot),
  schedule: createForkSchedule([{ fork: 'phase0', version: hexToBytes(BEACON.forkVersions[0]), epoch: 0 }]),
});
const attestationValue = attestationDataValue(signing, { slot: SLOT, committeeIndex: 0, slotsPerEpoch: 32 });
function data(blockRoot: number, source: number, target: number, slot = SLOT): AttestationData {
  return {
    slot,
    index: 0,
    beaconBlockRoot: new Uint8Array(32).fill(blockRoot),
    source: { epoch: source, root: new Uint8Array(32).fill(0x50 + source) },
    target: { epoch: target, root: new Uint8Array(32).fill(0x90 + target) },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'diva-share-evidence-chain-'));
let anvil: AnvilNode;
const nodes: TestNode[] = [];
const signers: CommitteeSigner[] = [];
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  for (const s of signers) s.stop();
  await Promise.all(nodes.map((n) => n.network.stop()));
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const storeAt = async (name: string): Promise<EvidenceStore> =>
  createSqliteEvidenceStore(
    await createSlashingProtection({
      path: join(dir, `${name}.sqlite`),
      genesisValidatorsRoot: new Uint8Array(32),
    }),
  );

describe('a key share’s double-signed attestation, proven on chain', () => {
  it('slashes a double vote from the p2p network, a surround vote and a double proposal; sends no refused pair', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => operatorKey(`share evidence ${i}`));
    const { client, diva, drawId, drawn } = await drawCommittee(anvil.url, keys, N);
    const byAddress = new Map(keys.map((k) => [walletOf(anvil.url, k).account.address.toLowerCase(), k]));
    for (const address of drawn) nodes.push(createNode(byAddress.get(address.toLowerCase())!));
    await Promise.all(nodes.map((n) => n.network.start()));
    const infos = nodes.map(peerInfoOf);
    for (const n of nodes) n.network.setPeers(infos.filter((p) => p.address !== n.network.address));
    const operators: TestOperator[] = nodes.map((n) => ({
      address: n.network.address,
      secretKey: n.key,
      publicKey: publicKeyOf(n.key),
    }));
    const validator = createValidator(3, operators, T);
    await recordDkgResult(
      anvil.url,
      client,
      diva,
      drawId,
      validator,
      nodes.slice(0, T).map((n) => n.key),
      bls,
    );
    const { groupPublicKey } = validator.committee;

    // the round-1 leader and one other member are honest and run; a third member is Byzantine
    const duty: SigningDuty = {
      type: 'attestation',
      validatorIndex: 3,
      slot: SLOT,
      deadlineMs: Date.now() + 8_000,
    };
    const instance = dutyInstanceId({ ...duty, groupPublicKey });
    const leader = leaderOf(leaderOrder(N, instance, groupPublicKey.subarray(0, 32)), 1);
    const [receiver, byzantine, offline] = [1, 2, 3, 4].filter((m) => m !== leader) as [
      number,
      number,
      number,
    ];
    const stores = new Map<number, EvidenceStore>();
    for (const member of [leader, receiver]) {
      const evidence = await storeAt(`member-${member}`);
      stores.set(member, evidence);
      signers.push(
        createSigner(
          bls,
          operators[member - 1]!,
          operators,
          [validator],
          nodes[member - 1]!.network,
          { evidence },
          {
            roundTimeoutMs: 5_000,
            combinerWaitMs: 0,
          },
        ),
      );
    }
    await waitUntil(() => nodes.every((n) => n.network.connectedPeers().length === N - 1), 'the committee');
    const leaderValue = data(0xa1, 1, 2);
    const receiverValue = data(0xb2, 1, 2);
    const decisions = [
      signers[0]!.decide(leaderValue, attestationValue, duty).catch((e: unknown) => e),
      signers[1]!.decide(receiverValue, attestationValue, duty).catch((e: unknown) => e),
    ];
    // the receiver votes once it holds the leader's proposal: then the Byzantine share signs both
    const byzantineNode = nodes[byzantine - 1]!;
    const receiverAddress = operators[receiver - 1]!.address;
    await waitUntil(() => byzantineNode.inbox.some((m) => m.from === receiverAddress), 'the receiver’s vote');
    const share = validator.shares.get(operators[byzantine - 1]!.address)!;
    const auth = createOperatorAuthenticator({
      secretKey: byzantineNode.key,
      publicKeys: operators.map((o) => o.publicKey),
      direct: { bytes: undefined, member: 0 },
    });
    for (const value of [receiverValue, leaderValue]) {
      const root = attestationValue.signingRoot(value);
      const partial = bls.sign(share.secretKey, root).bytes;
      const vote = voteMessage(instance, 1, byzantine, root, partial, (p) => auth.sign(p));
      byzantineNode.network.send(receiverAddress, encodeConsensusFrame(vote));
    }
    const kept = stores.get(receiver)!;
    await waitUntil(() => kept.doubleSignedPartials().length === 1, 'the receiver to keep the evidence');
    const stored = kept.doubleSignedPartials()[0]!;
    const encode = (d: AttestationData) => ssz.phase0.AttestationData.serialize(d);
    expect(stored).toMatchObject({
      operator: operators[byzantine - 1]!.address,
      shareIndex: byzantine,
      duty: 'attestation',
      first: { value: encode(receiverValue) },
      second: { value: encode(leaderValue) },
      unprovable: undefined,
    });
    // the leader never saw the Byzantine member's votes
    expect(stores.get(leader)!.doubleSignedPartials()).toEqual([]);

    const reporter = walletOf(anvil.url, nodes[receiver - 1]!.key);
    const chain = createContractsEvidenceChain(reporter, {
      evidenceSlasher: diva.evidenceSlasher!,
      dkgResultRegistry: diva.dkgResultRegistry!,
    });
    const accepted = async (transaction: `0x${string}`) =>
      parseEventLogs({
        abi: evidenceSlasherAbi,
        logs: (await client.getTransactionReceipt({ hash: transaction })).logs,
        eventName: 'EvidenceAccepted',
      }).map((l) => ({ ...l.args, operator: l.args.operator.toLowerCase() }));
    const [proof, ...rest] = await submitDoubleSignedPartials(kept, chain);
    expect(rest).toEqual([]);
    expect(proof).toMatchObject({ operator: stored.operator, shareIndex: byzantine, status: 'proven' });
    if (proof?.status !== 'proven')
      throw new Error(`not proven: ${String((proof as { error?: unknown })?.error)}`);
    expect(await accepted(proof.transaction)).toMatchObject([
      { drawId, operator: stored.operator, kind: KIND_DOUBLE_VOTE },
    ]);
    expect(await submitDoubleSignedPartials(kept, chain)).toEqual([]);

    // another store: a copy of the punished evidence, a surround pair by the offline member's share,
    // and a pair of that share the contract would refuse (different targets, no surround)
    const others = await storeAt('others');
    others.recordDoubleSignedPartial({ ...stored, instance: `0x${'77'.repeat(32)}` });
    const offlineShare = validator.shares.get(operators[offline - 1]!.address)!;
    const signed = (d: AttestationData) => {
      const root = attestationDataSigningRoot(signing, d);
      return { root, value: encode(d), partial: bls.sign(offlineShare.secretKey, root).bytes };
    };
    const pair = (tag: number, first: AttestationData, second: AttestationData): DoubleSignedPartial => ({
      ...stored,
      operator: operators[offline - 1]!.address,
      shareIndex: offline,
      instance: `0x${tag.toString(16).repeat(64)}`,
      first: signed(first),
      second: signed(second),
      unprovable: undefined,
    });
    others.recordDoubleSignedPartial(pair(0xa, data(0xc1, 1, 4, 128), data(0xc2, 2, 3, 96)));
    const blockBefore = await client.getBlockNumber();
    const answers = await submitDoubleSignedPartials(others, chain);
    expect(answers.map((a) => [a.shareIndex, a.status])).toEqual([
      [byzantine, 'already-proven'],
      [offline, 'proven'],
    ]);
    const surround = answers[1]!;
    if (surround.status !== 'proven') throw new Error('not proven');
    expect(await accepted(surround.transaction)).toMatchObject([
      { drawId, operator: operators[offline - 1]!.address, kind: KIND_SURROUND_VOTE },
    ]);
    expect(await client.getBlockNumber()).toBe(blockBefore + 1n);

    // two block headers of one slot signed by the leader's share: a double proposal
    const leaderShare = validator.shares.get(operators[leader - 1]!.address)!;
    const header = (body: number): BeaconBlockHeader => ({
      slot: 70,
      proposerIndex: 3,
      parentRoot: new Uint8Array(32).fill(1),
      stateRoot: new Uint8Array(32).fill(2),
      bodyRoot: new Uint8Array(32).fill(body),
    });
    const signedHeader = (h: BeaconBlockHeader) => {
      const root = blockHeaderSigningRoot(signing, h);
      const value = ssz.phase0.BeaconBlockHeader.serialize(h);
      return { root, value, partial: bls.sign(leaderShare.secretKey, root).bytes };
    };
    others.recordDoubleSignedPartial({
      ...stored,
      operator: operators[leader - 1]!.address,
      shareIndex: leader,
      instance: `0x${'c'.repeat(64)}`,
      duty: 'block',
      first: signedHeader(header(3)),
      second: signedHeader(header(4)),
    });
    const [double] = await submitDoubleSignedPartials(others, chain);
    expect(double).toMatchObject({ shareIndex: leader, status: 'proven' });
    if (double?.status !== 'proven') throw new Error('not proven');
    expect(await accepted(double.transaction)).toMatchObject([
      { drawId, operator: operators[leader - 1]!.address, kind: KIND_DOUBLE_PROPOSAL },
    ]);

    // neither a double nor a surround vote: kept with its reason, never sent
    const refused = pair(0xb, data(0xd1, 1, 2), data(0xd2, 2, 3, 96));
    others.recordDoubleSignedPartial({
      ...refused,
      unprovable: unprovableReason('attestation', refused.first.value, refused.second.value),
    });
    expect(others.doubleSignedPartials().at(-1)!.unprovable).toMatch(/not slashable/);
    expect(await submitDoubleSignedPartials(others, chain)).toEqual([]);
    expect(await client.getBlockNumber()).toBe(blockBefore + 2n);
    await Promise.all(decisions);
  }, 120_000);
});
