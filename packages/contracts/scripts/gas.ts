// Gas used by every user action of the staking contracts on a local Anvil (Prague), and the committee
// draw (request, finalize, replacement) with 100, 1,000 and 10,000 registered operators, then the
// keeper actions at the largest size (expire, redraw of an expired draw and of a request whose target
// block left the 8,191-block history, finalize through EIP-2935). Writes the table into README.md
// between the gas markers and prints the same figures as JSON on stdout. Anvil runs with fast mining
// (test/helpers/long-chain.ts): the stale-request redraw needs 8,192 blocks after the target.
// The beacon side (DKG-result submission, confirmation by EIP-4788 proof, resharing, the three kinds
// of evidence, a share regeneration request, exit request and EIP-7002 trigger) runs last on a fresh Anvil with 24 operators and
// real inputs: a 16-member DKG and a resharing (@diva-dvt/dkg), threshold and partial BLS signatures
// (@diva-dvt/bls-threshold), a beacon-state proof against a root written by the EIP-4788 system call,
// the EIP-7002 contract installed at its address (test/helpers/crypto-*.ts, as the tests build them).
//
//   node scripts/gas.ts            all sizes
//   node scripts/gas.ts --quick    100 and 1,000 operators only (README untouched)
//   node scripts/gas.ts --beacon-only   the beacon side only (README untouched)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Address,
  bytesToHex,
  encodeFunctionData,
  type Hex,
  keccak256,
  type LocalAccount,
  maxUint256,
  parseEther,
  parseSignature,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { signWithdrawalCredentialsConfirmation } from '../src/actions/confirm-by-quorum.ts';
import { signLeaderProposal } from '../src/actions/prove-equivocating-leader.ts';
import { signReshareApproval } from '../src/actions/record-reshare.ts';
import { signCeremonyFailure } from '../src/actions/report-failed-ceremony.ts';
import { signDkgApproval } from '../src/actions/submit-dkg-result.ts';
import { getBlockHeaderRlp } from '../src/block-header.ts';
import { deployDiva } from '../src/deploy.ts';
import {
  accountingAbi,
  committeeDrawAbi,
  divETHAbi,
  dkgResultRegistryAbi,
  evidenceSlasherAbi,
  exitRequestsAbi,
  operatorRegistryAbi,
  wdivETHAbi,
  withdrawalQueueAbi,
} from '../src/generated/index.ts';
import { type AnvilClient, DEV_ACCOUNT, startAnvil } from '../test/helpers/anvil-process.ts';
import { g2FromCompressed } from '../test/helpers/crypto-bls.ts';
import { buildValidatorProof, validatorArg, validatorValue } from '../test/helpers/crypto-proofs.ts';
import {
  installBeaconRoots,
  installWithdrawalRequests,
  pushBeaconRoot,
} from '../test/helpers/crypto-syscontracts.ts';
import {
  deploySystem as deployBeaconSystem,
  drawCommittee as drawBeaconCommittee,
  partialSign,
  publicSharesHex,
  runDkg,
  runReshare,
  THRESHOLD,
  thresholdSign,
} from '../test/helpers/crypto-system.ts';
import { FAST_MINING_ARGS, mineLongGap } from '../test/helpers/long-chain.ts';
import { signReport, TEST_REPORT_PACING, testAccount } from '../test/helpers/system.ts';

const quick = process.argv.includes('--quick');
const beaconOnly = process.argv.includes('--beacon-only');
const SIZES = quick ? [100, 1_000] : [100, 1_000, 10_000];
const ROLES = {
  dkgResult: '0x00000000000000000000000000000000000d4c00',
  evidence: '0x00000000000000000000000000000000000e0100',
  exits: '0x00000000000000000000000000000000000e0200',
} as const;

type Row = { action: string; operators: number | null; gas: bigint };
const rows: Row[] = [];

async function gasOf(client: AnvilClient, hash: Hex): Promise<bigint> {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`gas: transaction ${hash} reverted`);
  return receipt.gasUsed;
}

async function measure(
  client: AnvilClient,
  action: string,
  operators: number | null,
  request: { from: Address; to: Address; data: Hex; value?: bigint; gas?: bigint },
) {
  // Simulate first: a refusal comes back as a decoded custom error.
  await client
    .call({ account: request.from, to: request.to, data: request.data, value: request.value ?? 0n })
    .catch((e) => {
      throw new Error(`gas: ${action} would revert: ${(e as { shortMessage?: string }).shortMessage ?? e}`);
    });
  const hash = await client.sendTransaction({
    account: request.from,
    to: request.to,
    data: request.data,
    value: request.value ?? 0n,
    gas: request.gas ?? 15_000_000n,
    chain: null,
  });
  const gas = await gasOf(client, hash);
  rows.push({ action, operators, gas });
  console.error(`${action}${operators === null ? '' : ` (${operators} operators)`}: ${gas}`);
}

/** Sends, waits, and throws with the decoded reason if it reverts. */
async function must(
  client: AnvilClient,
  request: { account: Address; to: Address; data: Hex; value?: bigint; gas?: bigint; chain: null },
) {
  await client
    .call({ account: request.account, to: request.to, data: request.data, value: request.value ?? 0n })
    .catch((e) => {
      throw new Error(`gas setup would revert: ${(e as { shortMessage?: string }).shortMessage ?? e}`);
    });
  // A fixed limit: an estimate made against the latest block misses the new checkpoints (registry
  // weights are recorded per block) that the next block's transaction writes.
  await gasOf(client, await client.sendTransaction({ gas: 15_000_000n, ...request }));
}

/** Sends without waiting (automine off), then mines everything in one block. */
async function sendBatch(
  client: AnvilClient,
  requests: { from: Address; to: Address; data: Hex; value?: bigint }[],
) {
  const hashes: Hex[] = [];
  for (let i = 0; i < requests.length; i += 200) {
    const chunk = requests.slice(i, i + 200);
    hashes.push(
      ...(await Promise.all(
        chunk.map(
          (r) =>
            client.request({
              method: 'eth_sendTransaction',
              params: [
                { from: r.from, to: r.to, data: r.data, value: toHex(r.value ?? 0n), gas: toHex(1_000_000n) },
              ],
            } as never) as Promise<Hex>,
        ),
      )),
    );
  }
  await client.mine({ blocks: 1 });
  return hashes;
}

/** EIP-2612 permit of `owner` for `spender` on divETH (domain divETH/1) or wdivETH (wdivETH/1), split. */
async function signPermit(
  client: AnvilClient,
  token: { address: Address; name: string },
  owner: LocalAccount,
  spender: Address,
  value: bigint,
) {
  const nonce = (await client.readContract({
    address: token.address,
    abi: divETHAbi,
    functionName: 'nonces',
    args: [owner.address],
  })) as bigint;
  const deadline = (await client.getBlock()).timestamp + 3600n;
  const signature = await owner.signTypedData({
    domain: {
      name: token.name,
      version: '1',
      chainId: await client.getChainId(),
      verifyingContract: token.address,
    },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner: owner.address, spender, value, nonce, deadline },
  });
  const { r, s, v } = parseSignature(signature);
  return { deadline, v: Number(v), r, s };
}

// Operators have keys of their own (members of a reporting committee sign the report).
const operatorAccounts = new Map<number, LocalAccount>();
const accountsByAddress = new Map<string, LocalAccount>();

function operatorAddress(i: number): Address {
  let account = operatorAccounts.get(i);
  if (!account) {
    account = privateKeyToAccount(keccak256(toHex(`gas-operator-${i}`)));
    operatorAccounts.set(i, account);
    accountsByAddress.set(account.address.toLowerCase(), account);
  }
  return account.address;
}

/**
 * The beacon-side actions on a fresh Anvil, with the inputs the tests build (real DKG and resharing,
 * real BLS signatures, a beacon-state proof, the 4788 and 7002 system contracts installed). Committee
 * of 16, t = 11; every transaction is sent from an unlocked dev account.
 */
async function measureBeaconSide() {
  const anvil = await startAnvil();
  const client = anvil.client;
  const reporter: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'; // anvil account 2
  const keeper: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'; // anvil account 3
  try {
    const sys = await deployBeaconSystem(client, { operatorCount: 24 });
    const chainId = await client.getChainId();
    const operatorOf = (address: Address) => sys.byAddress.get(address.toLowerCase())!.account;
    const results = (functionName: string, args: readonly unknown[] = []) =>
      client.readContract({
        address: sys.results,
        abi: dkgResultRegistryAbi,
        functionName,
        args,
      } as never) as Promise<Hex>;
    const call = (to: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]) => ({
      to,
      data: encodeFunctionData({ abi, functionName, args } as never),
    });

    const { drawId, committee } = await drawBeaconCommittee(client, sys);
    const ceremonyId = await results('ceremonyIdOf', [drawId]);
    {
      // A blocked ceremony, on a snapshot: t members name member 16, whose seat is redrawn.
      const snapshot = await client.snapshot();
      const statements = await Promise.all(
        Array.from({ length: THRESHOLD }, (_, i) => i + 1).map(async (shareIndex) => ({
          shareIndex: BigInt(shareIndex),
          signature: await signCeremonyFailure(operatorOf(committee[shareIndex - 1]!), {
            dkgResultRegistry: sys.results,
            chainId,
            drawId,
            ceremonyId,
            blockerShareIndex: 16n,
          }),
        })),
      );
      await measure(
        client,
        `reportFailedCeremony (${THRESHOLD} statements, the blocker's seat redrawn)`,
        null,
        {
          from: keeper,
          ...call(sys.results, dkgResultRegistryAbi, 'reportFailedCeremony', [drawId, 16n, statements]),
        },
      );
      await client.revert({ id: snapshot });
    }
    console.error('beacon side: running a 16-member DKG');
    const keys = runDkg(committee, sys, ceremonyId);
    const pubkey = bytesToHex(keys.groupPublicKey.bytes);
    const members = Array.from({ length: THRESHOLD }, (_, i) => i + 1);
    const depositSignature = bytesToHex(
      thresholdSign(keys, await results('preDepositSigningRoot', [pubkey]), members),
    );
    const depositDataRoot = await results('preDepositDataRoot', [pubkey, depositSignature]);
    const publicShares = publicSharesHex(keys);
    const approvals = await Promise.all(
      members.map(async (shareIndex) => ({
        shareIndex: BigInt(shareIndex),
        signature: await signDkgApproval(operatorOf(committee[shareIndex - 1]!), {
          dkgResultRegistry: sys.results,
          chainId,
          drawId,
          ceremonyId,
          validatorPubkey: pubkey,
          publicSharesHash: keccak256(publicShares),
          depositDataRoot,
        }),
      })),
    );
    const result = {
      drawId,
      pubkey,
      publicShares,
      depositSignature,
      depositSignaturePoint: g2FromCompressed(depositSignature),
      depositDataRoot,
    };
    await measure(client, 'submitDkgResult (11 approvals, deposit root, BLS verify, 1 ETH deposit)', null, {
      from: DEV_ACCOUNT,
      ...call(sys.results, dkgResultRegistryAbi, 'submitDkgResult', [result, approvals]),
    });

    const withdrawalCredentials = await results('withdrawalCredentials');
    {
      // The quorum path, measured on a snapshot (the proof path below funds the same validator).
      const snapshot = await client.request({ method: 'evm_snapshot' });
      const active = [];
      const seats = new Map<string, bigint>();
      for (const op of sys.operators) {
        const weight = await client.readContract({
          address: sys.registry,
          abi: operatorRegistryAbi,
          functionName: 'votingWeightOf',
          args: [op.account.address],
        });
        if (weight > 0n) active.push(op.account);
        seats.set(op.account.address, weight);
      }
      // Votes weigh seats: signers in address order until they hold ceil(2/3) of the active seats.
      const needed = await client.readContract({
        address: sys.accounting,
        abi: accountingAbi,
        functionName: 'quorum',
      });
      const signers = [];
      let weight = 0n;
      for (const account of active.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))) {
        if (weight >= needed) break;
        signers.push(account);
        weight += seats.get(account.address)!;
      }
      const quorum = signers.length;
      const signatures = await Promise.all(
        signers.map((account) =>
          signWithdrawalCredentialsConfirmation(account, {
            dkgResultRegistry: sys.results,
            chainId,
            drawId,
            validatorPubkey: pubkey,
            validatorIndex: 3n,
            withdrawalCredentials,
          }),
        ),
      );
      await measure(
        client,
        `confirmByQuorum (${quorum} of ${active.length} active operators, 31 ETH deposit)`,
        null,
        {
          from: keeper,
          ...call(sys.results, dkgResultRegistryAbi, 'confirmByQuorum', [
            drawId,
            3n,
            depositSignature,
            signatures,
          ]),
        },
      );
      await client.request({ method: 'evm_revert', params: [snapshot] });
    }
    await installBeaconRoots(client);
    const ours = validatorValue(pubkey, withdrawalCredentials);
    const others = [0, 1, 2].map((k) =>
      validatorValue(
        bytesToHex(new Uint8Array(48).fill(0xa0 + k)),
        `0x01${'00'.repeat(11)}${'77'.repeat(20)}`,
      ),
    );
    const { blockRoot, branch } = buildValidatorProof([...others, ours], 3);
    const timestamp = await pushBeaconRoot(client, blockRoot);
    await measure(client, 'confirmByProof (EIP-4788 root, 50-node proof, 31 ETH deposit)', null, {
      from: keeper,
      ...call(sys.results, dkgResultRegistryAbi, 'confirmByProof', [
        drawId,
        depositSignature,
        { timestamp, validatorIndex: 3n, validator: validatorArg(ours), branch },
      ]),
    });

    // Evidence against three members of the committee (3 <= f = 5: each is replaced, no exit).
    const shareRef = {
      drawId,
      generation: 0n,
      shareIndex: 0n,
      committee,
      publicShares,
    };
    const evidenceRoot = (functionName: string, message: unknown) =>
      client.readContract({
        address: sys.evidence,
        abi: evidenceSlasherAbi,
        functionName,
        args: [message],
      } as never) as Promise<Hex>;
    const b32 = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}` as Hex;
    const attestation = (slot: bigint, block: number) => ({
      slot,
      index: 3n,
      beaconBlockRoot: b32(block),
      source: { epoch: 9n, root: b32(0x50) },
      target: { epoch: 10n, root: b32(0x90) },
    });
    const [a1, a2] = [attestation(320n, 1), attestation(321n, 2)];
    await measure(
      client,
      'proveDoubleAttestation (2 SSZ roots, 2 BLS verifications, slash + eject + replacement)',
      null,
      {
        from: reporter,
        ...call(sys.evidence, evidenceSlasherAbi, 'proveDoubleAttestation', [
          { ...shareRef, shareIndex: 4n },
          a1,
          partialSign(keys, 4, await evidenceRoot('attestationSigningRoot', a1)),
          a2,
          partialSign(keys, 4, await evidenceRoot('attestationSigningRoot', a2)),
        ]),
      },
    );
    const header = (body: number) => ({
      slot: 640n,
      proposerIndex: 77n,
      parentRoot: b32(1),
      stateRoot: b32(2),
      bodyRoot: b32(body),
    });
    const [h1, h2] = [header(5), header(6)];
    await measure(
      client,
      'proveDoubleProposal (2 SSZ roots, 2 BLS verifications, slash + eject + replacement)',
      null,
      {
        from: reporter,
        ...call(sys.evidence, evidenceSlasherAbi, 'proveDoubleProposal', [
          { ...shareRef, shareIndex: 9n },
          h1,
          partialSign(keys, 9, await evidenceRoot('blockHeaderSigningRoot', h1)),
          h2,
          partialSign(keys, 9, await evidenceRoot('blockHeaderSigningRoot', h2)),
        ]),
      },
    );
    const leader = committee[10]!;
    const proposal = (value: number) => ({ instance: b32(0xab), round: 3n, valueRoot: b32(value) });
    const signProposal = (value: number) =>
      signLeaderProposal(operatorOf(leader), {
        evidenceSlasher: sys.evidence,
        chainId,
        proposal: proposal(value),
      });
    await measure(client, 'proveEquivocatingLeader (2 ecrecover, slash + eject + replacement)', null, {
      from: reporter,
      ...call(sys.evidence, evidenceSlasherAbi, 'proveEquivocatingLeader', [
        drawId,
        proposal(1),
        await signProposal(1),
        proposal(2),
        await signProposal(2),
      ]),
    });

    // The new committee reshares (the three ejected members absent) and records generation 1.
    const current = (await client.readContract({
      address: sys.draw,
      abi: committeeDrawAbi,
      functionName: 'committeeOf',
      args: [drawId],
    })) as Address[];
    const ejected = committee.filter((a) => !current.includes(a));
    const reshareId = await results('reshareCeremonyIdOf', [drawId]);
    console.error('beacon side: running a resharing');
    const reshared = runReshare(sys, reshareId, committee, keys, current, ejected);
    const newShares = publicSharesHex(reshared);
    const reshareApprovals = await Promise.all(
      members.map(async (shareIndex) => ({
        shareIndex: BigInt(shareIndex),
        signature: await signReshareApproval(operatorOf(current[shareIndex - 1]!), {
          dkgResultRegistry: sys.results,
          chainId,
          drawId,
          ceremonyId: reshareId,
          validatorPubkey: pubkey,
          publicSharesHash: keccak256(newShares),
          generation: 1n,
        }),
      })),
    );
    await measure(client, 'recordReshare (11 approvals)', null, {
      from: keeper,
      ...call(sys.results, dkgResultRegistryAbi, 'recordReshare', [drawId, newShares, reshareApprovals]),
    });

    // A member that lost its share asks for it again: an event for the committee, nothing else
    // changes (the draw stays approved, the seats as they are).
    await client.request({ method: 'anvil_impersonateAccount', params: [current[0]!] } as never);
    await measure(client, 'requestShareRegeneration (a member that lost its share)', null, {
      from: current[0]!,
      ...call(sys.draw, committeeDrawAbi, 'requestShareRegeneration', [drawId]),
    });

    // The dev account is a wired exit requester in this deployment (it stands for accounting or the
    // withdrawal queue); the pool (divETH) owns the credentials and forwards the EIP-7002 request.
    await measure(client, 'requestExit (wired requester; the draw releases 16 seats)', null, {
      from: DEV_ACCOUNT,
      ...call(sys.exits, exitRequestsAbi, 'requestExit', [drawId, 3]),
    });
    await installWithdrawalRequests(client);
    await measure(client, 'triggerExit (EIP-7002 fee read, request through divETH, refund)', null, {
      from: keeper,
      ...call(sys.exits, exitRequestsAbi, 'triggerExit', [drawId]),
      value: 1_000n,
    });
  } finally {
    await anvil.stop();
  }
}

async function measureStakingSide() {
  const anvil = await startAnvil({ gasLimit: 2_000_000_000n, args: FAST_MINING_ARGS });
  const client = anvil.client;
  try {
    await client.request({ method: 'anvil_autoImpersonateAccount' as never, params: [true] as never });
    for (const address of Object.values(ROLES))
      await client.setBalance({ address, value: parseEther('1000') });
    // The queue calls requestExit on the exits role (a STOP here; the real ExitRequests is measured by
    // test/exits.test.ts, docs/crypto.md).
    await client.setCode({ address: ROLES.exits, bytecode: '0x00' });
    const system = await deployDiva(client, { roles: ROLES, ...TEST_REPORT_PACING });
    const staker = testAccount('gas-staker');
    await client.setBalance({ address: staker.address, value: parseEther('100000') });
    const call = (
      to: Address,
      abi: readonly unknown[],
      functionName: string,
      args: readonly unknown[] = [],
    ) => ({
      to,
      data: encodeFunctionData({ abi, functionName, args } as never),
    });

    // Staker actions.
    await measure(client, 'stake (divETH.deposit), first', null, {
      from: staker.address,
      ...call(system.divETH, divETHAbi, 'deposit'),
      value: parseEther('100'),
    });
    await measure(client, 'stake (divETH.deposit)', null, {
      from: staker.address,
      ...call(system.divETH, divETHAbi, 'deposit'),
      value: parseEther('1000'),
    });
    await measure(client, 'divETH.transfer', null, {
      from: staker.address,
      ...call(system.divETH, divETHAbi, 'transfer', [ROLES.exits, parseEther('1')]),
    });
    await measure(client, 'divETH.approve', null, {
      from: staker.address,
      ...call(system.divETH, divETHAbi, 'approve', [system.wdivETH, maxUint256]),
    });
    const spender = ROLES.exits;
    {
      const p = await signPermit(
        client,
        { address: system.divETH, name: 'divETH' },
        staker,
        spender,
        parseEther('5'),
      );
      await measure(client, 'divETH.permit (EIP-2612)', null, {
        from: spender,
        ...call(system.divETH, divETHAbi, 'permit', [
          staker.address,
          spender,
          parseEther('5'),
          p.deadline,
          p.v,
          p.r,
          p.s,
        ]),
      });
    }
    await measure(client, 'divETH.transferFrom', null, {
      from: spender,
      ...call(system.divETH, divETHAbi, 'transferFrom', [staker.address, spender, parseEther('1')]),
    });
    await measure(client, 'divETH.transferShares', null, {
      from: staker.address,
      ...call(system.divETH, divETHAbi, 'transferShares', [spender, parseEther('1')]),
    });
    await measure(client, 'divETH.transferSharesFrom', null, {
      from: spender,
      ...call(system.divETH, divETHAbi, 'transferSharesFrom', [staker.address, spender, parseEther('1')]),
    });
    await measure(client, 'wdivETH.deposit (wrap)', null, {
      from: staker.address,
      ...call(system.wdivETH, wdivETHAbi, 'deposit', [parseEther('10'), staker.address]),
    });
    await measure(client, 'wdivETH.redeem (unwrap)', null, {
      from: staker.address,
      ...call(system.wdivETH, wdivETHAbi, 'redeem', [parseEther('5'), staker.address, staker.address]),
    });
    await measure(client, 'wdivETH.mint (wrap to a share amount)', null, {
      from: staker.address,
      ...call(system.wdivETH, wdivETHAbi, 'mint', [parseEther('2'), staker.address]),
    });
    await measure(client, 'wdivETH.withdraw (unwrap an asset amount)', null, {
      from: staker.address,
      ...call(system.wdivETH, wdivETHAbi, 'withdraw', [parseEther('1'), staker.address, staker.address]),
    });
    await measure(client, 'wdivETH.transfer', null, {
      from: staker.address,
      ...call(system.wdivETH, wdivETHAbi, 'transfer', [spender, parseEther('1')]),
    });
    {
      const p = await signPermit(client, { address: system.wdivETH, name: 'wdivETH' }, staker, spender, 1n);
      await measure(client, 'wdivETH.permit (EIP-2612)', null, {
        from: spender,
        ...call(system.wdivETH, wdivETHAbi, 'permit', [
          staker.address,
          spender,
          1n,
          p.deadline,
          p.v,
          p.r,
          p.s,
        ]),
      });
    }
    {
      const amount = parseEther('2');
      const p = await signPermit(
        client,
        { address: system.divETH, name: 'divETH' },
        staker,
        system.withdrawalQueue,
        amount,
      );
      await measure(client, 'requestWithdrawalWithPermit', null, {
        from: staker.address,
        ...call(system.withdrawalQueue, withdrawalQueueAbi, 'requestWithdrawalWithPermit', [
          amount,
          p.deadline,
          p.v,
          p.r,
          p.s,
        ]),
      });
    }
    await must(client, {
      account: staker.address,
      chain: null,
      ...call(system.divETH, divETHAbi, 'approve', [system.withdrawalQueue, maxUint256]),
    });
    await measure(client, 'requestWithdrawal', null, {
      from: staker.address,
      ...call(system.withdrawalQueue, withdrawalQueueAbi, 'requestWithdrawal', [parseEther('2')]),
    });
    await client.sendTransaction({
      account: staker.address,
      chain: null,
      ...call(system.withdrawalQueue, withdrawalQueueAbi, 'requestWithdrawal', [parseEther('2')]),
    });
    for (let i = 0; i < 10; i++) {
      await client.sendTransaction({
        account: staker.address,
        chain: null,
        ...call(system.withdrawalQueue, withdrawalQueueAbi, 'requestWithdrawal', [parseEther('1')]),
      });
    }
    // Requests are finalized only at a report whose frame began after them: measured after the first
    // report below, their rows put back here.
    const finalizeRowsAt = rows.length;
    const measureFinalize = async () => {
      const measured = rows.length;
      await measure(client, 'finalize withdrawals (1 request)', null, {
        from: staker.address,
        ...call(system.withdrawalQueue, withdrawalQueueAbi, 'finalize', [1n]),
      });
      await measure(client, 'finalize withdrawals (10 requests)', null, {
        from: staker.address,
        ...call(system.withdrawalQueue, withdrawalQueueAbi, 'finalize', [10n]),
      });
      await measure(client, 'claim withdrawal', null, {
        from: staker.address,
        ...call(system.withdrawalQueue, withdrawalQueueAbi, 'claim', [1n, staker.address]),
      });
      rows.splice(finalizeRowsAt, 0, ...rows.splice(measured, 3));
    };

    // Operators: registered in batches up to each size; the first ones measured one by one.
    let registered = 0;
    const encryptionKey = keccak256(toHex('x25519'));
    const addOperatorsUpTo = async (target: number) => {
      while (registered < target) {
        const batch = Math.min(500, target - registered);
        const ids = Array.from({ length: batch }, (_, k) => registered + k);
        for (const i of ids)
          await client.setBalance({ address: operatorAddress(i), value: parseEther('100') });
        const seats = (i: number) => BigInt(1 + (i % 5));
        await sendBatch(
          client,
          ids.map((i) => ({
            from: operatorAddress(i),
            ...call(system.divETH, divETHAbi, 'deposit'),
            value: seats(i) * parseEther('1') + parseEther('0.01'),
          })),
        );
        await sendBatch(
          client,
          ids.map((i) => ({
            from: operatorAddress(i),
            ...call(system.divETH, divETHAbi, 'approve', [system.operatorRegistry, maxUint256]),
          })),
        );
        await sendBatch(
          client,
          ids.map((i) => ({
            from: operatorAddress(i),
            ...call(system.operatorRegistry, operatorRegistryAbi, 'register', [
              encryptionKey,
              ['/ip4/10.0.0.1/tcp/9000'],
            ]),
          })),
        );
        const hashes = await sendBatch(
          client,
          ids.map((i) => ({
            from: operatorAddress(i),
            ...call(system.operatorRegistry, operatorRegistryAbi, 'depositCollateral', [
              seats(i) * parseEther('1'),
            ]),
          })),
        );
        const last = await client.waitForTransactionReceipt({ hash: hashes.at(-1)! });
        if (last.status !== 'success') throw new Error('gas: operator setup failed');
        registered += batch;
        console.error(`operators: ${registered}`);
      }
    };

    await client.request({ method: 'evm_setAutomine', params: [false] });
    await addOperatorsUpTo(20);
    await client.request({ method: 'evm_setAutomine', params: [true] });
    const operator = testAccount('gas-newcomer'); // signs a permit below
    const newcomer = operator.address;
    accountsByAddress.set(newcomer.toLowerCase(), operator); // may be drawn into a reporting committee
    await client.setBalance({ address: newcomer, value: parseEther('100') });
    await client.sendTransaction({
      account: newcomer,
      chain: null,
      ...call(system.divETH, divETHAbi, 'deposit'),
      value: parseEther('5'),
    });
    await client.sendTransaction({
      account: newcomer,
      chain: null,
      ...call(system.divETH, divETHAbi, 'approve', [system.operatorRegistry, maxUint256]),
    });
    await measure(client, 'register operator', null, {
      from: newcomer,
      ...call(system.operatorRegistry, operatorRegistryAbi, 'register', [
        encryptionKey,
        ['/ip4/10.0.0.1/tcp/9000'],
      ]),
    });
    await measure(client, 'depositCollateral', null, {
      from: newcomer,
      ...call(system.operatorRegistry, operatorRegistryAbi, 'depositCollateral', [parseEther('3')]),
    });
    {
      const amount = parseEther('1');
      const p = await signPermit(
        client,
        { address: system.divETH, name: 'divETH' },
        operator,
        system.operatorRegistry,
        amount,
      );
      await measure(client, 'depositCollateralWithPermit', null, {
        from: newcomer,
        ...call(system.operatorRegistry, operatorRegistryAbi, 'depositCollateralWithPermit', [
          amount,
          p.deadline,
          p.v,
          p.r,
          p.s,
        ]),
      });
    }
    await measure(client, 'withdrawCollateral', null, {
      from: newcomer,
      ...call(system.operatorRegistry, operatorRegistryAbi, 'withdrawCollateral', [parseEther('1')]),
    });
    await measure(client, 'setEncryptionKey', null, {
      from: newcomer,
      ...call(system.operatorRegistry, operatorRegistryAbi, 'setEncryptionKey', [
        keccak256(toHex('x25519-2')),
      ]),
    });
    await measure(client, 'setP2pAddresses (1 address)', null, {
      from: newcomer,
      ...call(system.operatorRegistry, operatorRegistryAbi, 'setP2pAddresses', [['/ip4/10.0.0.2/tcp/9000']]),
    });

    // Keeper actions: expire a committee after the DKG timeout, redraw it, finalize with a target
    // header served by EIP-2935, redraw a request whose target left the history. They need 15,000
    // empty blocks, which Anvil mines fast only while the state is small (each block costs time in
    // proportion to the state: 2,000 blocks took over 30 s with 1,000 operators), so they run here,
    // with the first 21 operators; their cost does not depend on the registry's size beyond
    // O(log n) tree updates per seat.
    {
      const size = registered + 1;
      const readDraw = (drawId: bigint) =>
        client.readContract({
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'getDraw',
          args: [drawId],
        });
      const request = async () => {
        await must(client, {
          account: staker.address,
          chain: null,
          ...call(system.committeeDraw, committeeDrawAbi, 'requestDraw'),
        });
        return (await client.readContract({
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'lastDrawId',
        })) as bigint;
      };
      const drawId = await request();
      await client.mine({ blocks: 3 });
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(system.committeeDraw, committeeDrawAbi, 'finalizeDraw', [
          drawId,
          await getBlockHeaderRlp(client, { blockNumber: (await readDraw(drawId)).targetBlock }),
        ]),
        gas: 15_000_000n,
      });
      const timeout = (await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'DKG_TIMEOUT_BLOCKS',
      })) as bigint;
      await mineLongGap(client, Number(timeout) + 1);
      await measure(client, 'expire (DKG timed out: 16 seats and 32 ETH released)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'expire', [drawId]),
      });
      await measure(client, 'redraw (expired draw: 32 ETH reserved again)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'redraw', [drawId]),
      });
      // The target's child stores its hash in EIP-2935; 8,000 blocks later only that contract has it.
      const target = (await readDraw(drawId)).targetBlock;
      await client.mine({ blocks: Number(target + 1n - (await client.getBlockNumber())) });
      await mineLongGap(client, 7_999);
      await measure(client, 'finalizeDraw, target header 8,000 blocks old (EIP-2935)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'finalizeDraw', [
          drawId,
          await getBlockHeaderRlp(client, { blockNumber: target }),
        ]),
      });
      const stale = await request();
      const staleTarget = (await readDraw(stale)).targetBlock;
      await mineLongGap(client, Number(staleTarget + 8_192n - (await client.getBlockNumber())));
      const beforeCancel = await client.snapshot();
      await measure(client, 'cancel (request whose target left the history: 32 ETH released)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'cancel', [stale]),
      });
      await client.revert({ id: beforeCancel });
      await measure(client, 'redraw (request whose target left the 8,191-block history)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'redraw', [stale]),
      });
    }

    // Reporting: once more than K seats are held, a frame's report is voted by K sampled seats. At each
    // size, draws until more than K seats are held, a new frame, its committee requested and drawn, and
    // a report signed by members holding ceil(2/3) of the sample (one signature per distinct member).
    const readAccounting = (functionName: string, args: readonly unknown[] = []) =>
      client.readContract({ address: system.accounting, abi: accountingAbi, functionName, args } as never);
    const committeeSeats = (await readAccounting('REPORTING_COMMITTEE_SEATS')) as bigint;
    const reportByCommittee = async (size: number) => {
      const activeSeats = () =>
        client.readContract({
          address: system.operatorRegistry,
          abi: operatorRegistryAbi,
          functionName: 'activeSeats',
        }) as Promise<bigint>;
      while ((await activeSeats()) <= committeeSeats) {
        await must(client, {
          account: staker.address,
          chain: null,
          ...call(system.committeeDraw, committeeDrawAbi, 'requestDraw'),
        });
        const drawId = (await client.readContract({
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'lastDrawId',
        })) as bigint;
        await client.mine({ blocks: 3 });
        const { targetBlock } = await client.readContract({
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'getDraw',
          args: [drawId],
        });
        await must(client, {
          account: staker.address,
          chain: null,
          ...call(system.committeeDraw, committeeDrawAbi, 'finalizeDraw', [
            drawId,
            await getBlockHeaderRlp(client, { blockNumber: targetBlock }),
          ]),
        });
      }
      // The next frame (a day with the test pacing).
      await client.increaseTime({ seconds: 86_400 });
      await client.mine({ blocks: 1 });
      await measure(client, 'requestReportingCommittee', size, {
        from: staker.address,
        ...call(system.accounting, accountingAbi, 'requestReportingCommittee'),
      });
      const frame = (await readAccounting('currentReferenceEpoch')) as bigint;
      const [targetBlock] = (await readAccounting('reportingCommitteeOf', [frame])) as [bigint];
      await client.mine({ blocks: 3 });
      await measure(client, `drawReportingCommittee (${committeeSeats} seats sampled)`, size, {
        from: staker.address,
        ...call(system.accounting, accountingAbi, 'drawReportingCommittee', [
          frame,
          await getBlockHeaderRlp(client, { blockNumber: targetBlock }),
        ]),
      });
      const [drawn] = await client.getContractEvents({
        address: system.accounting,
        abi: accountingAbi,
        eventName: 'ReportingCommitteeDrawn',
        args: { epoch: frame },
        fromBlock: targetBlock,
      });
      const seatsOf = new Map<string, number>();
      for (const m of drawn!.args.members!)
        seatsOf.set(m.toLowerCase(), (seatsOf.get(m.toLowerCase()) ?? 0) + 1);
      const needed = (Number(committeeSeats) * 2 + 2) / 3;
      const signers: LocalAccount[] = [];
      let weight = 0;
      for (const [address, seats] of seatsOf) {
        if (weight >= Math.floor(needed)) break;
        signers.push(accountsByAddress.get(address)!);
        weight += seats;
      }
      const report = {
        epoch: frame,
        clBalance: 0n,
        clDepositedEther: 0n,
        exitedValidators: 0n,
        withdrawnEther: 0n,
        elRewards: 0n,
        penalties: [],
      };
      await measure(
        client,
        `submitReport (reporting committee: ${signers.length} signatures for ${weight} of ${committeeSeats} sampled seats)`,
        size,
        {
          from: staker.address,
          ...call(system.accounting, accountingAbi, 'submitReport', [
            report,
            await signReport(client, system, report, signers),
          ]),
        },
      );
    };

    let epoch = 0n;
    for (const size of SIZES) {
      await client.request({ method: 'evm_setAutomine', params: [false] });
      await addOperatorsUpTo(size);
      await client.request({ method: 'evm_setAutomine', params: [true] });
      await measure(client, 'requestDraw', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'requestDraw'),
      });
      const drawId = (await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'lastDrawId',
      })) as bigint;
      await client.mine({ blocks: 3 });
      const draw = await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'getDraw',
        args: [drawId],
      });
      const header = await getBlockHeaderRlp(client, { blockNumber: draw.targetBlock });
      await measure(client, 'finalizeDraw (16 members)', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'finalizeDraw', [drawId, header]),
      });
      const committee = (await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'committeeOf',
        args: [drawId],
      })) as readonly Address[];
      await must(client, {
        account: ROLES.evidence,
        chain: null,
        ...call(system.operatorRegistry, operatorRegistryAbi, 'eject', [committee[0]!]),
      });
      await measure(client, 'drawReplacement', size, {
        from: staker.address,
        ...call(system.committeeDraw, committeeDrawAbi, 'drawReplacement', [drawId, committee[0]!]),
      });
      await reportByCommittee(size);
      if (size === SIZES[0]) await measureFinalize();
    }

    // Reports: a fresh system with 16 key-holding operators seated in one committee.
    {
      const fresh = await deployDiva(client, { roles: ROLES, ...TEST_REPORT_PACING });
      const accounts = Array.from({ length: 16 }, (_, i) => testAccount(`gas-report-${i}`));
      for (const account of accounts) {
        await client.setBalance({ address: account.address, value: parseEther('10') });
        await must(client, {
          account: account.address,
          chain: null,
          ...call(fresh.divETH, divETHAbi, 'deposit'),
          value: parseEther('1.01'),
        });
        await must(client, {
          account: account.address,
          chain: null,
          ...call(fresh.divETH, divETHAbi, 'approve', [fresh.operatorRegistry, maxUint256]),
        });
        await must(client, {
          account: account.address,
          chain: null,
          ...call(fresh.operatorRegistry, operatorRegistryAbi, 'register', [encryptionKey, []]),
        });
        await must(client, {
          account: account.address,
          chain: null,
          ...call(fresh.operatorRegistry, operatorRegistryAbi, 'depositCollateral', [parseEther('1')]),
        });
      }
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.divETH, divETHAbi, 'deposit'),
        value: parseEther('32'),
      });
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.committeeDraw, committeeDrawAbi, 'requestDraw'),
      });
      await client.mine({ blocks: 3 });
      const draw = await client.readContract({
        address: fresh.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'getDraw',
        args: [1n],
      });
      const header = await getBlockHeaderRlp(client, { blockNumber: draw.targetBlock });
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.committeeDraw, committeeDrawAbi, 'finalizeDraw', [1n, header]),
        gas: 15_000_000n,
      });
      for (const [label, penalties] of [
        ['submitReport (11 of 16 signatures)', []],
        [
          'submitReport with 1 penalty (ejects)',
          [{ operator: accounts[15]!.address, amount: parseEther('0.1') }],
        ],
      ] as const) {
        epoch += 1n;
        const report = {
          epoch,
          clBalance: 0n,
          clDepositedEther: 0n,
          exitedValidators: 0n,
          withdrawnEther: 0n,
          elRewards: 0n,
          penalties,
        };
        const signatures = await signReport(client, fresh, report, accounts.slice(0, 11));
        await measure(client, label, null, {
          from: staker.address,
          ...call(fresh.accounting, accountingAbi, 'submitReport', [report, signatures]),
        });
      }
      // Rewards: a report with an increase (0.05 ETH withdrawn to divETH, 0.05 ETH of execution-layer
      // rewards in the vault), then a claim.
      const withdrawn = parseEther('0.05');
      await client.setBalance({
        address: fresh.divETH,
        value: (await client.getBalance({ address: fresh.divETH })) + withdrawn,
      });
      await client.setBalance({ address: fresh.executionRewardsVault, value: parseEther('0.05') });
      epoch += 1n;
      const report = {
        epoch,
        clBalance: 0n,
        clDepositedEther: 0n,
        exitedValidators: 0n,
        withdrawnEther: withdrawn,
        elRewards: parseEther('0.05'),
        penalties: [],
      };
      const signatures = await signReport(client, fresh, report, accounts.slice(0, 11));
      await measure(
        client,
        'submitReport with rewards (withdrawals, EL rewards vault pulled, rebase + fee shares)',
        null,
        {
          from: staker.address,
          ...call(fresh.accounting, accountingAbi, 'submitReport', [report, signatures]),
        },
      );
      await measure(client, 'claimRewards (operator)', null, {
        from: accounts[1]!.address,
        ...call(fresh.operatorRegistry, operatorRegistryAbi, 'claimRewards'),
      });
      // Keepers: re-record a capacity after the rate moved; eject a member whose collateral a loss
      // left below its seat; ask the committee to exit when the queue cannot be paid.
      await measure(client, 'sync (keeper: capacity at the current rate)', null, {
        from: staker.address,
        ...call(fresh.operatorRegistry, operatorRegistryAbi, 'sync', [accounts[2]!.address]),
      });
      for (const [functionName, args] of [
        ['markApproved', [1n]],
        ['fundDeposit', [1n, parseEther('32')]],
      ] as const) {
        await must(client, {
          account: ROLES.dkgResult,
          chain: null,
          ...call(
            functionName === 'markApproved' ? fresh.committeeDraw : fresh.divETH,
            [...committeeDrawAbi, ...divETHAbi],
            functionName,
            args,
          ),
        });
      }
      epoch += 1n;
      const loss = {
        epoch,
        clBalance: parseEther('31'),
        clDepositedEther: parseEther('32'),
        exitedValidators: 0n,
        withdrawnEther: withdrawn,
        elRewards: 0n,
        penalties: [],
      };
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.accounting, accountingAbi, 'submitReport', [
          loss,
          await signReport(client, fresh, loss, accounts.slice(0, 11)),
        ]),
      });
      await measure(client, 'ejectUndercollateralized (keeper)', null, {
        from: staker.address,
        ...call(fresh.operatorRegistry, operatorRegistryAbi, 'ejectUndercollateralized', [
          accounts[3]!.address,
        ]),
      });
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.divETH, divETHAbi, 'approve', [fresh.withdrawalQueue, maxUint256]),
      });
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.withdrawalQueue, withdrawalQueueAbi, 'requestWithdrawal', [parseEther('20')]),
      });
      // The 20 ETH request is larger than the buffer: at the next frame's report it is finalized in
      // part (what the buffer holds), and that part is claimed; the rest is the shortfall below.
      // Signed by the members not ejected (accounts 3 and 15 were).
      const voters = accounts.filter((_, i) => i !== 3 && i !== 15);
      await client.increaseTime({ seconds: 86_400 });
      await client.mine({ blocks: 1 });
      const next = {
        ...loss,
        epoch: (await client.readContract({
          address: fresh.accounting,
          abi: accountingAbi,
          functionName: 'currentReferenceEpoch',
        })) as bigint,
      };
      await must(client, {
        account: staker.address,
        chain: null,
        ...call(fresh.accounting, accountingAbi, 'submitReport', [
          next,
          await signReport(client, fresh, next, voters),
        ]),
      });
      await measure(client, 'finalize withdrawals (1 request larger than the buffer: a part)', null, {
        from: staker.address,
        ...call(fresh.withdrawalQueue, withdrawalQueueAbi, 'finalize', [1n]),
      });
      await measure(client, 'claim withdrawal (a part; the token stays)', null, {
        from: staker.address,
        ...call(fresh.withdrawalQueue, withdrawalQueueAbi, 'claim', [1n, staker.address]),
      });
      await measure(
        client,
        'requestShortfallExit (keeper: 16 seats released; exits contract a stand-in)',
        null,
        {
          from: staker.address,
          ...call(fresh.withdrawalQueue, withdrawalQueueAbi, 'requestShortfallExit', [1n]),
        },
      );
    }
  } finally {
    await anvil.stop();
  }
}

async function main() {
  if (!beaconOnly) await measureStakingSide();
  await measureBeaconSide();

  const table = [
    '| action | operators | gas |',
    '| --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.action} | ${r.operators === null ? '' : r.operators.toLocaleString('en-US')} | ${r.gas.toLocaleString('en-US')} |`,
    ),
  ].join('\n');
  if (!quick && !beaconOnly) {
    const readme = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- gas:start -->';
    const end = '<!-- gas:end -->';
    if (!text.includes(start) || !text.includes(end)) throw new Error('README.md has no gas markers');
    writeFileSync(
      readme,
      `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`,
    );
    console.error('README.md gas table updated');
  }
  console.log(JSON.stringify({ rows: rows.map((r) => ({ ...r, gas: Number(r.gas) })) }, null, 2));
}

await main();
