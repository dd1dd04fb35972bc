// A real equivocation from the p2p network, proven on chain. The Diva contracts are deployed on a
// real Anvil with `deployDiva` (committees of 4, threshold 3), 5 operators register with collateral
// and a committee of 4 is drawn; its validator's DKG result is on chain. The 4 drawn operators run
// over real libp2p (loopback); the round-1 leader is Byzantine and sends one signed value to one
// member and another to the other two. An honest member's stored evidence goes to the contract
// (`submitLeaderEquivocations` through `createContractsEvidenceChain`): the leader is slashed,
// ejected and replaced; submitting again, from the same member or another, is a no-op; evidence the
// contract refuses (a signer outside the committee) is answered as failed and kept unproven.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaderOf, leaderOrder } from '@diva-dvt/consensus';
import { getCommittee, getOperator } from '@diva-dvt/contracts';
import { evidenceSlasherAbi } from '@diva-dvt/contracts/abis';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, parseEventLogs } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContractsEvidenceChain,
  createSlashingProtection,
  createSqliteEvidenceStore,
  type EvidenceStore,
  leaderEquivocationOf,
  operatorAddressOf,
  publicKeyOf,
  submitLeaderEquivocations,
} from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import { dutyInstanceId, encodeConsensusFrame } from '../src/runtime/frames.ts';
import { proposalDigest, proposalDomainSeparator } from '../src/runtime/leader-proposal.ts';
import type { SigningDuty } from '../src/signer.ts';
import { type AnvilNode, startAnvil } from './helpers/anvil-node.ts';
import { bytesValueType } from './helpers/bytes-value.ts';
import { createSigner, createValidator, type TestOperator } from './helpers/committee.ts';
import { drawCommittee, recordDkgResult, walletOf } from './helpers/diva-chain.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, waitUntil } from './helpers/p2p.ts';
import { proposalMessage } from './helpers/proposals.ts';

const { bls } = await loadRuntimeBls();
const N = 4;
const T = 3;
const bytesValue = bytesValueType();

const dir = mkdtempSync(join(tmpdir(), 'diva-evidence-chain-'));
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

describe('a leader equivocation from the p2p network, proven on chain', () => {
  it('slashes, ejects and replaces the leader once; resubmitting is a no-op; refusals are answered', async () => {
    // 5 operators register with 2 divETH of collateral: 4 are drawn, 1 is left to replace the leader
    const keys = Array.from({ length: 5 }, (_, i) => operatorKey(`chain ${i}`));
    const { client, diva, drawId, drawn: drawnAddresses } = await drawCommittee(anvil.url, keys, N);
    const evidenceSlasher = diva.evidenceSlasher!;
    const dkgResultRegistry = diva.dkgResultRegistry!;
    const drawn = drawnAddresses.map((a) => a.toLowerCase());
    expect(drawn).toHaveLength(N);

    // the drawn committee, in seat order, runs over libp2p; its validator's DKG result goes on chain
    const byAddress = new Map(keys.map((k) => [walletOf(anvil.url, k).account.address.toLowerCase(), k]));
    for (const address of drawn) nodes.push(createNode(byAddress.get(address)!));
    await Promise.all(nodes.map((n) => n.network.start()));
    const infos = nodes.map(peerInfoOf);
    for (const n of nodes) n.network.setPeers(infos.filter((p) => p.address !== n.network.address));
    const operators: TestOperator[] = nodes.map((n) => ({
      address: n.network.address,
      secretKey: n.key,
      publicKey: publicKeyOf(n.key),
    }));
    const validator = createValidator(3, operators, T);
    const { groupPublicKey } = validator.committee;
    const _pubkey = bytesToHex(groupPublicKey);
    await recordDkgResult(
      anvil.url,
      client,
      diva,
      drawId,
      validator,
      nodes.slice(0, T).map((n) => n.key),
      bls,
    );

    const domain = { chainId: foundry.id, evidenceContract: evidenceSlasher };
    // the runtime's digest is the contract's, for the deployed contract and a wire-sized round
    const probe = {
      instance: `0x${'5a'.repeat(32)}`,
      round: 2n ** 32n - 1n,
      valueRoot: `0x${'c3'.repeat(32)}`,
    } as const;
    expect(
      await client.readContract({
        address: evidenceSlasher,
        abi: evidenceSlasherAbi,
        functionName: 'proposalDigest',
        args: [probe],
      }),
    ).toBe(
      bytesToHex(
        proposalDigest(
          proposalDomainSeparator(domain),
          hexToBytes(probe.instance),
          probe.round,
          hexToBytes(probe.valueRoot),
        ),
      ),
    );
    const duty: SigningDuty = {
      type: 'attestation',
      validatorIndex: 3,
      slot: 50,
      deadlineMs: Date.now() + 4_000,
    };
    const instance = dutyInstanceId({ ...duty, groupPublicKey });
    const leader = leaderOf(leaderOrder(N, instance, groupPublicKey.subarray(0, 32)), 1);
    const byzantine = nodes[leader - 1]!;
    const stores = new Map<number, EvidenceStore>();
    for (const [i, o] of operators.entries()) {
      if (i === leader - 1) continue;
      const protection = await createSlashingProtection({
        path: join(dir, `member-${i}.sqlite`),
        genesisValidatorsRoot: new Uint8Array(32).fill(7),
      });
      const evidence = createSqliteEvidenceStore(protection);
      stores.set(i + 1, evidence);
      signers.push(
        createSigner(
          bls,
          o,
          operators,
          [validator],
          nodes[i]!.network,
          { evidence },
          { proposalDomain: domain },
        ),
      );
    }
    await waitUntil(() => nodes.every((n) => n.network.connectedPeers().length === N - 1), 'the committee');
    const auth = createOperatorAuthenticator({
      secretKey: byzantine.key,
      publicKeys: operators.map((o) => o.publicKey),
      direct: { bytes: undefined, member: 0 },
      proposals: { domainSeparator: proposalDomainSeparator(domain), rootOf: (v) => sha256(v) },
    });
    const decisions = signers.map((s, i) =>
      s.decide(new Uint8Array(32).fill(i + 1), bytesValue, duty).catch((e: unknown) => e),
    );
    const honest = [...stores.keys()];
    honest.forEach((member, i) => {
      const value = new Uint8Array(32).fill(i === 0 ? 0xa1 : 0xb2);
      const message = proposalMessage(instance, 1, leader, value, (p) => auth.sign(p));
      byzantine.network.send(operators[member - 1]!.address, encodeConsensusFrame(message));
    });
    const [first, second] = honest.map((m) => stores.get(m)!);
    await waitUntil(
      () => first!.leaderEquivocations().length === 1 && second!.leaderEquivocations().length === 1,
      'two honest members to store the evidence',
    );

    // an honest member proves it with its own account (the reporter)
    const reporter = walletOf(anvil.url, nodes[honest[0]! - 1]!.key);
    const chain = createContractsEvidenceChain(reporter, { evidenceSlasher, dkgResultRegistry });
    const leaderAddress = operators[leader - 1]!.address;
    const [proof, ...rest] = await submitLeaderEquivocations(first!, chain);
    expect(rest).toHaveLength(0);
    expect(proof).toMatchObject({ operator: leaderAddress, round: 1n, status: 'proven' });
    if (proof?.status !== 'proven') throw new Error('not proven');
    const receipt = await client.getTransactionReceipt({
      hash: proof.transaction,
    });
    const [accepted] = parseEventLogs({
      abi: evidenceSlasherAbi,
      logs: receipt.logs,
      eventName: 'EvidenceAccepted',
    });
    expect(accepted!.args).toMatchObject({ drawId, kind: 4 });
    expect(accepted!.args.operator.toLowerCase()).toBe(leaderAddress);
    expect(
      (await getOperator(client, { operatorRegistry: diva.operatorRegistry, operator: leaderAddress }))
        .ejected,
    ).toBe(true);
    const now = (await getCommittee(client, { committeeDraw: diva.committeeDraw, drawId })).map((a) =>
      a.toLowerCase(),
    );
    expect(now).not.toContain(leaderAddress);
    expect(first!.leaderEquivocations()[0]!.proof).toEqual({
      status: 'proven',
      transaction: proof.transaction,
    });

    // again: nothing left in this store; another member's copy is found punished and marked, no transaction
    const blockBefore = await client.getBlockNumber();
    expect(await submitLeaderEquivocations(first!, chain)).toEqual([]);
    expect(await submitLeaderEquivocations(second!, chain)).toEqual([
      { operator: leaderAddress, instance: proof.instance, round: 1n, status: 'already-proven' },
    ]);
    expect(await submitLeaderEquivocations(second!, chain)).toEqual([]);
    expect(await client.getBlockNumber()).toBe(blockBefore);

    const outsiderKey = operatorKey('chain outsider');
    const outsider = createOperatorAuthenticator({
      secretKey: outsiderKey,
      publicKeys: [],
      direct: { bytes: undefined, member: 0 },
      proposals: { domainSeparator: proposalDomainSeparator(domain), rootOf: (v) => sha256(v) },
    });
    const outsiderEvidence = (round: number, key: Uint8Array) =>
      leaderEquivocationOf(
        {
          kind: 'equivocating-leader',
          member: 1,
          messages: [1, 2].map((b) =>
            proposalMessage(instance, round, 1, new Uint8Array(32).fill(b), (p) => outsider.sign(p)),
          ) as [Uint8Array, Uint8Array],
        },
        {
          operator: operatorAddressOf(publicKeyOf(outsiderKey)),
          groupPublicKey: key,
          rootOf: (v) => sha256(v),
        },
      )!;
    const others = createSqliteEvidenceStore(
      await createSlashingProtection({
        path: join(dir, 'others.sqlite'),
        genesisValidatorsRoot: new Uint8Array(32),
      }),
    );
    others.recordLeaderEquivocation(outsiderEvidence(2, groupPublicKey));
    others.recordLeaderEquivocation(outsiderEvidence(3, new Uint8Array(48).fill(1)));
    // the punished leader's equivocation in another round: it was replaced, so it is moot as well
    others.recordLeaderEquivocation(
      leaderEquivocationOf(
        {
          kind: 'equivocating-leader',
          member: leader,
          messages: [3, 4].map((b) =>
            proposalMessage(instance, 4, leader, new Uint8Array(32).fill(b), (p) => auth.sign(p)),
          ) as [Uint8Array, Uint8Array],
        },
        { operator: leaderAddress, groupPublicKey, rootOf: (v) => sha256(v) },
      )!,
    );
    const refused = await submitLeaderEquivocations(others, chain);
    // not in the committee (an outsider, or the leader once replaced): the contract refuses it with
    // NotCommitteeMember, it is marked and never sent again; an unknown validator sends nothing
    expect(refused.map((r) => r.status).sort()).toEqual([
      'not-a-member',
      'not-a-member',
      'unknown-validator',
    ]);
    expect(others.leaderEquivocations({ unproven: true })).toHaveLength(1);
    expect((await submitLeaderEquivocations(others, chain)).map((r) => r.status)).toEqual([
      'unknown-validator',
    ]);
    expect(await client.getBlockNumber()).toBe(blockBefore);
    await Promise.all(decisions);
  }, 120_000);
});
