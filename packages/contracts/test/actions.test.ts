// The viem actions of the beacon side and the keepers, each through its own action against Anvil:
// DKG-result submission, confirmation by EIP-4788 proof and by a quorum of operators, resharing, the three evidence calls, the
// EIP-7002 exit trigger (a real 16-member DKG, as in dkg-result/evidence/exits tests), and redraw,
// sync, under-collateralized ejection, wdivETH wrap and unwrap (staking side). Each has a success path
// asserted by its event or state and a refusal that surfaces the contract's custom error through viem.
import {
  type Account,
  type Address,
  bytesToHex,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  maxUint256,
  parseEther,
  parseEventLogs,
  slice,
} from 'viem';
import { describe, expect, it } from 'vitest';
import {
  accountingAbi,
  committeeDrawAbi,
  divETHAbi,
  dkgResultRegistryAbi,
  evidenceSlasherAbi,
  exitRequestsAbi,
  operatorRegistryAbi,
  wdivETHAbi,
} from '../src/generated/index.ts';
import {
  confirmByProof,
  confirmByQuorum,
  type DkgResultSubmission,
  type EvidenceAttestationData,
  type EvidenceBlockHeader,
  ejectUndercollateralized,
  expireDraw,
  type LeaderProposal,
  type MemberApproval,
  proveDoubleAttestation,
  proveDoubleProposal,
  proveEquivocatingLeader,
  recordReshare,
  redraw,
  type ShareRef,
  signDkgApproval,
  signLeaderProposal,
  signReshareApproval,
  signWithdrawalCredentialsConfirmation,
  submitDkgResult,
  syncOperator,
  triggerExit,
  unwrapWdivEth,
  wrapDivEth,
} from '../src/index.ts';
import { type AnvilClient, createAnvilClient, DEV_ACCOUNT, send, useAnvil } from './helpers/anvil.ts';
import { g2FromCompressed } from './helpers/crypto-bls.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { buildValidatorProof, validatorArg, validatorValue } from './helpers/crypto-proofs.ts';
import {
  installBeaconRoots,
  installWithdrawalRequests,
  pushBeaconRoot,
  readWithdrawalRequests,
} from './helpers/crypto-syscontracts.ts';
import {
  type System as CryptoSystem,
  type DkgKeys,
  deploySystem as deployCryptoSystem,
  drawCommittee as drawCryptoCommittee,
  partialSign,
  publicSharesHex,
  runDkg,
  runReshare,
  THRESHOLD,
  thresholdSign,
} from './helpers/crypto-system.ts';
import {
  addOperator,
  addOperators,
  committeeOf,
  deploySystem,
  drawCommittee,
  ROLES,
  type System,
  stake,
  submitReport,
  testAccount,
  tx,
} from './helpers/system.ts';

const REPORTER = getAddress('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'); // anvil account 2 (unlocked)
const STRANGER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906'); // anvil account 3 (unlocked)
const seats = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

type BeaconCtx = {
  sys: CryptoSystem;
  drawId: bigint;
  committee: Address[];
  keys: DkgKeys;
  result: DkgResultSubmission;
  approvals: MemberApproval[];
  withdrawalCredentials: Hex;
};

async function setupBeacon(client: AnvilClient): Promise<BeaconCtx> {
  // 16 seated + 8 outside the committee (replacements); ExitRequests owns the credentials (direct 7002 call)
  const sys = await deployCryptoSystem(client, { operatorCount: 24, exitsOwnCredentials: true });
  const { drawId, committee } = await drawCryptoCommittee(client, sys);
  const read = (functionName: string, args: unknown[] = []) =>
    client.readContract({
      address: sys.results,
      abi: dkgResultRegistryAbi,
      functionName,
      args,
    } as never) as Promise<Hex>;
  const ceremonyId = await read('ceremonyIdOf', [drawId]);
  const keys = runDkg(committee, sys, ceremonyId);
  const pubkey = bytesToHex(keys.groupPublicKey.bytes);
  const depositSignature = bytesToHex(
    thresholdSign(keys, await read('preDepositSigningRoot', [pubkey]), seats(THRESHOLD)),
  );
  const depositDataRoot = await read('preDepositDataRoot', [pubkey, depositSignature]);
  const publicShares = publicSharesHex(keys);
  const result: DkgResultSubmission = {
    drawId,
    pubkey,
    publicShares,
    depositSignature,
    depositSignaturePoint: g2FromCompressed(depositSignature),
    depositDataRoot,
  };
  const approvals = await Promise.all(
    seats(THRESHOLD).map(async (shareIndex) => ({
      shareIndex: BigInt(shareIndex),
      signature: await signDkgApproval(sys.byAddress.get(committee[shareIndex - 1]!.toLowerCase())!.account, {
        dkgResultRegistry: sys.results,
        chainId: await client.getChainId(),
        drawId,
        ceremonyId,
        validatorPubkey: pubkey,
        publicSharesHash: keccak256(publicShares),
        depositDataRoot,
      }),
    })),
  );
  return {
    sys,
    drawId,
    committee,
    keys,
    result,
    approvals,
    withdrawalCredentials: await read('withdrawalCredentials'),
  };
}

describe('beacon-side actions (real DKG, EIP-2537, EIP-4788, EIP-7002)', () => {
  const chain = useAnvil({ setup: setupBeacon });
  const ctx = () => chain.context();
  const client = () => chain.client();
  const wallet = (account: Address | Account) => createAnvilClient(chain.anvil().url, account);
  const receiptOf = async (hash: Hex) => {
    const receipt = await client().waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    return receipt;
  };
  const submit = async () =>
    receiptOf(
      await submitDkgResult(wallet(REPORTER), {
        dkgResultRegistry: ctx().sys.results,
        result: ctx().result,
        approvals: ctx().approvals,
      }),
    );
  const readResults = (functionName: string, args: unknown[] = []) =>
    client().readContract({
      address: ctx().sys.results,
      abi: dkgResultRegistryAbi,
      functionName,
      args,
    } as never) as Promise<unknown>;
  const committeeNow = () =>
    client().readContract({
      address: ctx().sys.draw,
      abi: committeeDrawAbi,
      functionName: 'committeeOf',
      args: [ctx().drawId],
    }) as Promise<readonly Address[]>;
  const shareRef = (shareIndex: number): ShareRef => ({
    drawId: ctx().drawId,
    generation: 0n,
    shareIndex: BigInt(shareIndex),
    committee: ctx().committee,
    publicShares: ctx().result.publicShares,
  });
  const byte32 = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}` as Hex;
  const attestation = (
    slot: bigint,
    block: number,
    source: bigint,
    target: bigint,
  ): EvidenceAttestationData => ({
    slot,
    index: 3n,
    beaconBlockRoot: byte32(block),
    source: { epoch: source, root: byte32(0x50) },
    target: { epoch: target, root: byte32(0x90) },
  });
  const header = (slot: bigint, body: number): EvidenceBlockHeader => ({
    slot,
    proposerIndex: 77n,
    parentRoot: byte32(1),
    stateRoot: byte32(2),
    bodyRoot: byte32(body),
  });
  /** A partial signature of share `shareIndex` over the signing root the evidence contract computes. */
  const signOnChainRoot = async (
    shareIndex: number,
    functionName: 'attestationSigningRoot' | 'blockHeaderSigningRoot',
    message: EvidenceAttestationData | EvidenceBlockHeader,
  ) => {
    const root = (await client().readContract({
      address: ctx().sys.evidence,
      abi: evidenceSlasherAbi,
      functionName,
      args: [message],
    } as never)) as Hex;
    return partialSign(ctx().keys, shareIndex, root);
  };
  const proposal = (valueByte: number, round = 3n): LeaderProposal => ({
    instance: byte32(0xab),
    round,
    valueRoot: byte32(valueByte),
  });
  const signProposal = (operator: Address, p: LeaderProposal) =>
    signLeaderProposal(ctx().sys.byAddress.get(operator.toLowerCase())!.account, {
      evidenceSlasher: ctx().sys.evidence,
      chainId: 31337,
      proposal: p,
    });
  const acceptedEvidence = (receipt: Awaited<ReturnType<typeof receiptOf>>) =>
    parseEventLogs({ abi: evidenceSlasherAbi, logs: receipt.logs, eventName: 'EvidenceAccepted' })[0]!.args;

  it('submitDkgResult: deposits 1 ETH on t approvals, refuses t - 1 (TooFewApprovals)', async () => {
    const c = ctx();
    expect(
      await expectRevert(() =>
        submitDkgResult(wallet(REPORTER), {
          dkgResultRegistry: c.sys.results,
          result: c.result,
          approvals: c.approvals.slice(0, THRESHOLD - 1),
        }),
      ),
    ).toEqual({ name: 'TooFewApprovals', args: [10n, 11n] });
    const receipt = await submit();
    const accepted = parseEventLogs({
      abi: dkgResultRegistryAbi,
      logs: receipt.logs,
      eventName: 'DkgResultAccepted',
    });
    expect(accepted[0]!.args).toMatchObject({
      drawId: c.drawId,
      pubkey: c.result.pubkey,
      submitter: REPORTER,
    });
    expect(await readResults('stageOf', [c.drawId])).toBe(1);
    expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('1'));
  });

  it('confirmByProof: refuses before the result and with another signature, deposits 31 ETH on a valid proof', async () => {
    const c = ctx();
    const ours = validatorValue(c.result.pubkey, c.withdrawalCredentials);
    const others = [0, 1, 2].map((k) =>
      validatorValue(
        bytesToHex(new Uint8Array(48).fill(0xa0 + k)),
        `0x01${'00'.repeat(11)}${'77'.repeat(20)}`,
      ),
    );
    const { blockRoot, branch } = buildValidatorProof([...others, ours], 3);
    await installBeaconRoots(client());
    const timestamp = await pushBeaconRoot(client(), blockRoot);
    const proof = { timestamp, validatorIndex: 3n, validator: validatorArg(ours), branch };
    const confirm = (depositSignature: Hex) =>
      confirmByProof(wallet(STRANGER), {
        dkgResultRegistry: c.sys.results,
        drawId: c.drawId,
        depositSignature,
        proof,
      });
    expect(await expectRevert(() => confirm(c.result.depositSignature))).toEqual({
      name: 'NotPreDeposited',
      args: [c.drawId, 0],
    });
    await submit();
    expect(await expectRevert(() => confirm(`0x${'00'.repeat(96)}`))).toEqual({
      name: 'DepositSignatureMismatch',
      args: [c.drawId],
    });
    const receipt = await receiptOf(await confirm(c.result.depositSignature));
    const confirmed = parseEventLogs({
      abi: dkgResultRegistryAbi,
      logs: receipt.logs,
      eventName: 'WithdrawalCredentialsConfirmed',
    });
    expect(confirmed[0]!.args).toEqual({ drawId: c.drawId, validatorIndex: 3n, byProof: true });
    expect(await readResults('stageOf', [c.drawId])).toBe(2);
    expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('32'));
  });

  it('confirmByQuorum: refuses one confirmation short of the quorum (QuorumNotReached), deposits 31 ETH on the quorum', async () => {
    const c = ctx();
    await submit();
    const active: LocalAccount[] = [];
    for (const op of c.sys.operators) {
      const isActive = await client().readContract({
        address: c.sys.registry,
        abi: operatorRegistryAbi,
        functionName: 'isActiveOperator',
        args: [op.account.address],
      });
      if (isActive) active.push(op.account);
    }
    const quorum = (await client().readContract({
      address: c.sys.accounting,
      abi: accountingAbi,
      functionName: 'quorum',
    })) as bigint;
    expect(quorum).toBe(BigInt(Math.ceil((2 * active.length) / 3)));
    const confirmations = await Promise.all(
      active.map(async (account) => ({
        signer: account.address,
        signature: await signWithdrawalCredentialsConfirmation(account, {
          dkgResultRegistry: c.sys.results,
          chainId: await client().getChainId(),
          drawId: c.drawId,
          validatorPubkey: c.result.pubkey,
          validatorIndex: 5n,
          withdrawalCredentials: c.withdrawalCredentials,
        }),
      })),
    );
    const confirm = (count: number) =>
      confirmByQuorum(wallet(STRANGER), {
        dkgResultRegistry: c.sys.results,
        drawId: c.drawId,
        validatorIndex: 5n,
        depositSignature: c.result.depositSignature,
        // reversed: the action sorts by signer
        confirmations: confirmations.slice(0, count).reverse(),
      });
    expect(await expectRevert(() => confirm(Number(quorum) - 1))).toEqual({
      name: 'QuorumNotReached',
      args: [quorum - 1n, quorum],
    });
    const receipt = await receiptOf(await confirm(Number(quorum)));
    const confirmed = parseEventLogs({
      abi: dkgResultRegistryAbi,
      logs: receipt.logs,
      eventName: 'WithdrawalCredentialsConfirmed',
    });
    expect(confirmed[0]!.args).toEqual({ drawId: c.drawId, validatorIndex: 5n, byProof: false });
    expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('32'));
  });

  it('proveDoubleAttestation: slashes a double vote, refuses consecutive votes (NotSlashable)', async () => {
    await submit();
    const shareIndex = 4;
    const operator = ctx().committee[shareIndex - 1]!;
    const evidenceOf = async (first: EvidenceAttestationData, second: EvidenceAttestationData) =>
      proveDoubleAttestation(wallet(REPORTER), {
        evidenceSlasher: ctx().sys.evidence,
        share: shareRef(shareIndex),
        first,
        firstSignature: await signOnChainRoot(shareIndex, 'attestationSigningRoot', first),
        second,
        secondSignature: await signOnChainRoot(shareIndex, 'attestationSigningRoot', second),
      });
    expect(
      await expectRevert(() => evidenceOf(attestation(320n, 1, 9n, 10n), attestation(352n, 2, 10n, 11n))),
    ).toEqual({ name: 'NotSlashable', args: [1] });
    const receipt = await receiptOf(
      await evidenceOf(attestation(320n, 1, 9n, 10n), attestation(321n, 2, 9n, 10n)),
    );
    expect(acceptedEvidence(receipt)).toMatchObject({
      drawId: ctx().drawId,
      operator,
      kind: 1,
      reporter: REPORTER,
    });
    expect(await committeeNow()).not.toContain(operator);
  });

  it('proveDoubleProposal: slashes two headers for one slot, refuses a second share signature (BadPartialSignature)', async () => {
    await submit();
    const shareIndex = 9;
    const operator = ctx().committee[shareIndex - 1]!;
    const [h1, h2] = [header(640n, 5), header(640n, 6)];
    const evidenceOf = async (secondSigner: number) =>
      proveDoubleProposal(wallet(REPORTER), {
        evidenceSlasher: ctx().sys.evidence,
        share: shareRef(shareIndex),
        first: h1,
        firstSignature: await signOnChainRoot(shareIndex, 'blockHeaderSigningRoot', h1),
        second: h2,
        secondSignature: await signOnChainRoot(secondSigner, 'blockHeaderSigningRoot', h2),
      });
    expect(await expectRevert(() => evidenceOf(10))).toEqual({ name: 'BadPartialSignature', args: [2n] });
    const receipt = await receiptOf(await evidenceOf(shareIndex));
    expect(acceptedEvidence(receipt)).toMatchObject({ operator, kind: 3 });
    expect(
      (
        (await client().readContract({
          address: ctx().sys.registry,
          abi: operatorRegistryAbi,
          functionName: 'operatorOf',
          args: [operator],
        })) as { ejected: boolean }
      ).ejected,
    ).toBe(true);
  });

  it('proveEquivocatingLeader: slashes a leader with two proposals for a round, refuses two signers (SignerMismatch)', async () => {
    await submit();
    const [leader, other] = [ctx().committee[10]!, ctx().committee[11]!];
    const evidenceOf = async (secondSigner: Address) =>
      proveEquivocatingLeader(wallet(REPORTER), {
        evidenceSlasher: ctx().sys.evidence,
        drawId: ctx().drawId,
        first: proposal(1),
        firstSignature: await signProposal(leader, proposal(1)),
        second: proposal(2),
        secondSignature: await signProposal(secondSigner, proposal(2)),
      });
    expect(await expectRevert(() => evidenceOf(other))).toEqual({
      name: 'SignerMismatch',
      args: [leader, other],
    });
    const receipt = await receiptOf(await evidenceOf(leader));
    expect(acceptedEvidence(receipt)).toMatchObject({ operator: leader, kind: 4, reporter: REPORTER });
    const reshare = parseEventLogs({
      abi: evidenceSlasherAbi,
      logs: receipt.logs,
      eventName: 'ReshareRequested',
    });
    expect(reshare[0]!.args.ejected).toBe(leader);
    expect((await committeeNow())[10]).toBe(reshare[0]!.args.replacement);
  });

  it('recordReshare: records generation 1 on t approvals of the new committee, refuses t - 1 (TooFewApprovals)', async () => {
    const c = ctx();
    await submit();
    const ejected = c.committee[5]!; // seat 6
    await receiptOf(
      await proveEquivocatingLeader(wallet(REPORTER), {
        evidenceSlasher: c.sys.evidence,
        drawId: c.drawId,
        first: proposal(1),
        firstSignature: await signProposal(ejected, proposal(1)),
        second: proposal(2),
        secondSignature: await signProposal(ejected, proposal(2)),
      }),
    );
    const committee = [...(await committeeNow())];
    const ceremonyId = (await readResults('reshareCeremonyIdOf', [c.drawId])) as Hex;
    const keys = runReshare(c.sys, ceremonyId, c.committee, c.keys, committee, [ejected]);
    expect(bytesToHex(keys.groupPublicKey.bytes)).toBe(c.result.pubkey);
    const publicShares = publicSharesHex(keys);
    const approvals = await Promise.all(
      seats(THRESHOLD).map(async (shareIndex) => ({
        shareIndex: BigInt(shareIndex),
        signature: await signReshareApproval(
          c.sys.byAddress.get(committee[shareIndex - 1]!.toLowerCase())!.account,
          {
            dkgResultRegistry: c.sys.results,
            chainId: 31337,
            drawId: c.drawId,
            ceremonyId,
            validatorPubkey: c.result.pubkey,
            publicSharesHash: keccak256(publicShares),
            generation: 1n,
          },
        ),
      })),
    );
    const record = (given: MemberApproval[]) =>
      recordReshare(wallet(STRANGER), {
        dkgResultRegistry: c.sys.results,
        drawId: c.drawId,
        publicShares,
        approvals: given,
      });
    expect(await expectRevert(() => record(approvals.slice(1)))).toEqual({
      name: 'TooFewApprovals',
      args: [10n, 11n],
    });
    const receipt = await receiptOf(await record(approvals));
    const recorded = parseEventLogs({
      abi: dkgResultRegistryAbi,
      logs: receipt.logs,
      eventName: 'ReshareRecorded',
    });
    expect(recorded[0]!.args).toEqual({
      drawId: c.drawId,
      generation: 1n,
      publicSharesHash: keccak256(publicShares),
      submitter: STRANGER,
    });
    expect(await readResults('generationOf', [c.drawId])).toBe(1n);
  });

  it('triggerExit: refuses an unrequested exit and a chain without EIP-7002, queues the full exit after paying the fee', async () => {
    const c = ctx();
    await submit();
    const trigger = () => triggerExit(wallet(STRANGER), { exitRequests: c.sys.exits, drawId: c.drawId });
    expect(
      await expectRevert(() =>
        triggerExit(wallet(STRANGER), { exitRequests: c.sys.exits, drawId: c.drawId, valueWei: 10n }),
      ),
    ).toEqual({
      name: 'ExitNotRequested',
      args: [c.drawId],
    });
    // the dev account is a wired requester in this deployment
    await send(client(), {
      address: c.sys.exits,
      abi: exitRequestsAbi,
      functionName: 'requestExit',
      args: [c.drawId, 3],
      account: DEV_ACCOUNT,
      chain: null,
    } as never);
    expect(await expectRevert(trigger)).toEqual({ name: 'WithdrawalRequestsUnavailable', args: [] });
    await installWithdrawalRequests(client());
    const receipt = await receiptOf(await trigger());
    const triggered = parseEventLogs({
      abi: exitRequestsAbi,
      logs: receipt.logs,
      eventName: 'ExitTriggered',
    });
    expect(triggered[0]!.args).toEqual({ drawId: c.drawId, pubkey: c.result.pubkey, fee: 1n });
    const queued = await readWithdrawalRequests(client());
    expect(slice(queued, 0, 20)).toBe(c.sys.exits.toLowerCase());
    expect(slice(queued, 20, 68)).toBe(c.result.pubkey);
    expect(slice(queued, 68, 76)).toBe(`0x${'00'.repeat(8)}`);
  });
});

type StakingCtx = { system: System; drawId: bigint; members: LocalAccount[] };

describe('keeper and wdivETH actions', () => {
  const chain = useAnvil({
    setup: async (client): Promise<StakingCtx> => {
      const system = await deploySystem(client, { dkgTimeoutBlocks: 5n });
      await stake(client, system, DEV_ACCOUNT, parseEther('32'));
      const operators = await addOperators(client, system, Array(16).fill(1n), 'actions-op');
      const drawId = await drawCommittee(client, system);
      const committee = await committeeOf(client, system, drawId);
      const members = committee.map((a) => operators.find((o) => o.address === a)!);
      return { system, drawId, members };
    },
  });
  const ctx = () => chain.context();
  const client = () => chain.client();
  const wallet = (account: Address | Account) => createAnvilClient(chain.anvil().url, account);
  const receiptOf = async (hash: Hex) => {
    const receipt = await client().waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    return receipt;
  };
  const operatorOf = (operator: Address) =>
    client().readContract({
      address: ctx().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'operatorOf',
      args: [operator],
    });

  it('redraw: refuses a drawn committee (InvalidStatus), redraws it once expired', async () => {
    const { system, drawId } = ctx();
    const keeper = wallet(STRANGER);
    expect(await expectRevert(() => redraw(keeper, { committeeDraw: system.committeeDraw, drawId }))).toEqual(
      {
        name: 'InvalidStatus',
        args: [drawId, 2],
      },
    );
    await client().mine({ blocks: 6 });
    await receiptOf(await expireDraw(keeper, { committeeDraw: system.committeeDraw, drawId }));
    const receipt = await receiptOf(await redraw(keeper, { committeeDraw: system.committeeDraw, drawId }));
    const requested = parseEventLogs({
      abi: committeeDrawAbi,
      logs: receipt.logs,
      eventName: 'DrawRequested',
    });
    expect(requested[0]!.args).toEqual({
      drawId,
      targetBlock: receipt.blockNumber + 2n,
      requester: STRANGER,
    });
    const draw = await client().readContract({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'getDraw',
      args: [drawId],
    });
    expect(draw.status).toBe(1);
    expect(draw.committee).toEqual([]);
  });

  it('ejectUndercollateralized and syncOperator: refuse a healthy member and a stranger, act after a loss report', async () => {
    const { system, drawId, members } = ctx();
    const keeper = wallet(STRANGER);
    const target = members[0]!.address;
    const healthy = await expectRevert(() =>
      ejectUndercollateralized(keeper, { operatorRegistry: system.operatorRegistry, operator: target }),
    );
    expect(healthy.name).toBe('NotUndercollateralized');
    expect(healthy.args.slice(0, 1)).toEqual([target]);
    expect(healthy.args[2]).toBe(parseEther('1'));
    expect(
      await expectRevert(() =>
        syncOperator(keeper, { operatorRegistry: system.operatorRegistry, operator: STRANGER }),
      ),
    ).toEqual({
      name: 'NotRegistered',
      args: [STRANGER],
    });
    // an operator without seats and 2 divETH of collateral: capacity 2
    const newcomer = testAccount('actions-newcomer');
    await addOperator(client(), system, newcomer, 2n);
    expect((await operatorOf(newcomer.address)).capacity).toBe(2n);
    // the committee's validator funded (the DKG-result role impersonated), then a 1 ETH loss reported
    for (const [address, abi, functionName, args] of [
      [system.committeeDraw, committeeDrawAbi, 'markApproved', [drawId]],
      [system.divETH, divETHAbi, 'fundDeposit', [drawId, parseEther('32')]],
    ] as const) {
      await tx(client(), { account: ROLES.dkgResult, address, abi, functionName, args });
    }
    await submitReport(
      client(),
      system,
      {
        epoch: 1n,
        clBalance: parseEther('31'),
        clDepositedEther: parseEther('32'),
        exitedValidators: 0n,
        penalties: [],
      },
      members.slice(0, 11),
    );
    // A margin call first (still above 90% per seat), ejection once the grace period is over.
    await receiptOf(
      await ejectUndercollateralized(keeper, { operatorRegistry: system.operatorRegistry, operator: target }),
    );
    await client().increaseTime({ seconds: 3 * 86_400 });
    await client().mine({ blocks: 1 });
    const ejected = await receiptOf(
      await ejectUndercollateralized(keeper, { operatorRegistry: system.operatorRegistry, operator: target }),
    );
    expect(
      parseEventLogs({ abi: operatorRegistryAbi, logs: ejected.logs, eventName: 'OperatorEjected' })[0]!.args,
    ).toEqual({ operator: target, reason: 2 });
    expect((await operatorOf(target)).ejected).toBe(true);
    // the newcomer's 2 divETH are now worth less than 2 ETH: one seat of capacity once synced
    expect((await operatorOf(newcomer.address)).capacity).toBe(2n);
    const synced = await receiptOf(
      await syncOperator(keeper, { operatorRegistry: system.operatorRegistry, operator: newcomer.address }),
    );
    expect(
      parseEventLogs({ abi: operatorRegistryAbi, logs: synced.logs, eventName: 'CapacityChanged' })[0]!.args,
    ).toEqual({ operator: newcomer.address, capacity: 1n, keyShares: 0n });
    expect((await operatorOf(newcomer.address)).capacity).toBe(1n);
  });

  it('wrapDivEth and unwrapWdivEth: wrap at the current rate, unwrap back, refuse without allowance and beyond the balance', async () => {
    const { system } = ctx();
    const holder = testAccount('actions-holder');
    await client().setBalance({ address: holder.address, value: parseEther('100') });
    await stake(client(), system, holder, parseEther('20'));
    const w = wallet(holder);
    const read = (
      address: Address,
      abi: typeof divETHAbi | typeof wdivETHAbi,
      functionName: string,
      args: unknown[],
    ) => client().readContract({ address, abi, functionName, args } as never) as Promise<bigint>;
    const wrap = () => wrapDivEth(w, { wdivETH: system.wdivETH, amountWei: parseEther('10') });
    const refused = await expectRevert(wrap);
    expect(refused).toEqual({
      name: 'InsufficientAllowance',
      args: [getAddress(system.wdivETH), 0n, parseEther('10')],
    });
    await tx(client(), {
      account: holder,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.wdivETH, maxUint256],
    });
    const expectedShares = await read(system.wdivETH, wdivETHAbi, 'previewDeposit', [parseEther('10')]);
    expect(expectedShares).toBeGreaterThan(0n);
    await receiptOf(await wrap());
    const shares = await read(system.wdivETH, wdivETHAbi, 'balanceOf', [holder.address]);
    expect(shares).toBe(expectedShares);
    expect(
      await expectRevert(() => unwrapWdivEth(w, { wdivETH: system.wdivETH, shares: shares + 1n })),
    ).toEqual({ name: 'ERC4626ExceededMaxRedeem', args: [holder.address, shares + 1n, shares] });
    const divBefore = await read(system.divETH, divETHAbi, 'balanceOf', [holder.address]);
    const expectedAssets = await read(system.wdivETH, wdivETHAbi, 'previewRedeem', [shares / 2n]);
    const receipt = await receiptOf(
      await unwrapWdivEth(w, { wdivETH: system.wdivETH, shares: shares / 2n, receiver: STRANGER }),
    );
    const withdrawn = parseEventLogs({ abi: wdivETHAbi, logs: receipt.logs, eventName: 'Withdraw' });
    expect(withdrawn[0]!.args).toMatchObject({
      sender: holder.address,
      receiver: STRANGER,
      owner: holder.address,
      assets: expectedAssets,
      shares: shares / 2n,
    });
    expect(await read(system.wdivETH, wdivETHAbi, 'balanceOf', [holder.address])).toBe(shares - shares / 2n);
    expect(await read(system.divETH, divETHAbi, 'balanceOf', [holder.address])).toBe(divBefore);
    expect(await read(system.divETH, divETHAbi, 'balanceOf', [STRANGER])).toBeGreaterThanOrEqual(
      expectedAssets - 1n,
    );
  });
});
