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
import { leaderOf, leaderOrder, type ValueType } from '@diva-dvt/consensus';
import {
  createDkgResultSubmission,
  deployDiva,
  depositCollateral,
  finalizeDraw,
  getCommittee,
  getOperator,
  hashPublicShares,
  registerOperator,
  requestDraw,
  signDkgApproval,
  stake,
  submitDkgResult,
} from '@diva-dvt/contracts';
import { divETHAbi, dkgResultRegistryAbi, evidenceSlasherAbi } from '@diva-dvt/contracts/abis';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type Account,
  type Address,
  bytesToHex,
  createTestClient,
  type Hex,
  hexToBytes,
  http,
  parseEther,
  parseEventLogs,
  publicActions,
  walletActions,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
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
import { createSigner, createValidator, type TestOperator } from './helpers/committee.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, waitUntil } from './helpers/p2p.ts';
import { proposalMessage } from './helpers/proposals.ts';

const { bls } = await loadRuntimeBls();
const N = 4;
const T = 3;
const bytesValue: ValueType<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => {
    if (b.length !== 32) throw new RangeError('32 bytes');
    return b.slice();
  },
  isValid: () => true,
  signingRoot: (v) => sha256(v),
};

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

/** A viem client on the Anvil that does not hang (50 ms polling, no retries), sending as `account`. */
const clientAs = (account: Address | Account) =>
  createTestClient({
    mode: 'anvil',
    chain: foundry,
    cacheTime: 0,
    pollingInterval: 50,
    account,
    transport: http(anvil.url, { retryCount: 0, timeout: 30_000 }),
  })
    .extend(publicActions)
    .extend(walletActions);
const walletOf = (key: Uint8Array) => clientAs(privateKeyToAccount(bytesToHex(key)));

describe('a leader equivocation from the p2p network, proven on chain', () => {
  it('slashes, ejects and replaces the leader once; resubmitting is a no-op; refusals are answered', async () => {
    const client = clientAs('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'); // Anvil's dev account 0
    const mined = async (hash: Promise<Hex>) => {
      const receipt = await client.waitForTransactionReceipt({ hash: await hash });
      expect(receipt.status).toBe('success');
      return receipt;
    };
    const diva = await deployDiva(client, {
      committeeSize: BigInt(N),
      beacon: {
        genesisForkVersion: '0x10000910',
        genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
        forkVersions: ['0x10000910'],
        forkEpochs: [0n],
      },
    });
    const evidenceSlasher = diva.evidenceSlasher!;
    const dkgResultRegistry = diva.dkgResultRegistry!;
    // 5 operators register with 2 divETH of collateral: 4 are drawn, 1 is left to replace the leader
    const keys = Array.from({ length: 5 }, (_, i) => operatorKey(`chain ${i}`));
    for (const key of keys) {
      const wallet = walletOf(key);
      await client.setBalance({ address: wallet.account.address, value: parseEther('10') });
      await mined(stake(wallet, { divETH: diva.divETH, valueWei: parseEther('3') }));
      await mined(
        wallet.writeContract({
          address: diva.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [diva.operatorRegistry, parseEther('3')],
        }),
      );
      await mined(
        registerOperator(wallet, {
          operatorRegistry: diva.operatorRegistry,
          encryptionKey: `0x${'ab'.repeat(32)}`,
          p2pAddresses: ['/ip4/127.0.0.1/tcp/1'],
        }),
      );
      await mined(
        depositCollateral(wallet, { operatorRegistry: diva.operatorRegistry, amountWei: parseEther('2') }),
      );
    }
    await mined(stake(client, { divETH: diva.divETH, valueWei: parseEther('32') }));
    await mined(requestDraw(client, { committeeDraw: diva.committeeDraw }));
    await client.mine({ blocks: 3 });
    const drawId = 1n;
    await mined(finalizeDraw(client, { committeeDraw: diva.committeeDraw, drawId }));
    const drawn = (await getCommittee(client, { committeeDraw: diva.committeeDraw, drawId })).map((a) =>
      a.toLowerCase(),
    );
    expect(drawn).toHaveLength(N);

    // the drawn committee, in seat order, runs over libp2p; its validator's DKG result goes on chain
    const byAddress = new Map(keys.map((k) => [walletOf(k).account.address.toLowerCase(), k]));
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
    const publicShares = validator.committee.members.map((m) => m.publicShare);
    const pubkey = bytesToHex(groupPublicKey);
    const read = { address: dkgResultRegistry, abi: dkgResultRegistryAbi } as const;
    const depositRoot = await client.readContract({
      ...read,
      functionName: 'preDepositSigningRoot',
      args: [pubkey],
    });
    const depositSignature = bls.sign(validator.secretKey, Buffer.from(depositRoot.slice(2), 'hex')).bytes;
    const result = createDkgResultSubmission({
      drawId,
      groupPublicKey,
      publicShares,
      depositSignature,
      depositDataRoot: await client.readContract({
        ...read,
        functionName: 'preDepositDataRoot',
        args: [pubkey, bytesToHex(depositSignature)],
      }),
    });
    const ceremonyId = await client.readContract({ ...read, functionName: 'ceremonyIdOf', args: [drawId] });
    const approvals = await Promise.all(
      nodes.slice(0, T).map(async (n, i) => ({
        shareIndex: BigInt(i + 1),
        signature: await signDkgApproval(walletOf(n.key).account, {
          dkgResultRegistry,
          chainId: foundry.id,
          drawId,
          ceremonyId,
          validatorPubkey: pubkey,
          publicSharesHash: hashPublicShares(publicShares),
          depositDataRoot: result.depositDataRoot,
        }),
      })),
    );
    await mined(submitDkgResult(client, { dkgResultRegistry, result, approvals }));

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
    const reporter = walletOf(nodes[honest[0]! - 1]!.key);
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
