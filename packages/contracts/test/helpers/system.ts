// The Diva system deployed on a test Anvil, operators with keys of their own, and the steps tests
// repeat (stake, register with collateral, draw a committee on mined blocks, sign a report).
import {
  type Address,
  encodeAbiParameters,
  type Hex,
  keccak256,
  type LocalAccount,
  parseEther,
  parseEventLogs,
  stringToHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type BalanceReport, signReport as signReportAs } from '../../src/actions/report.ts';
import { getBlockHeaderRlp } from '../../src/block-header.ts';
import {
  type DeployDivaParameters,
  type DivaDeployment,
  type DivaSettings,
  deployDiva,
} from '../../src/deploy.ts';
import {
  accountingAbi,
  committeeDrawAbi,
  divETHAbi,
  errorsAbi,
  operatorRegistryAbi,
  withdrawalQueueAbi,
} from '../../src/generated/index.ts';
import type { AnvilClient } from './anvil.ts';

/** Role holders until the DKG-result, evidence and exits contracts are deployed with the system. */
export const ROLES = {
  dkgResult: '0x00000000000000000000000000000000000d4c00',
  evidence: '0x00000000000000000000000000000000000e0100',
  exits: '0x00000000000000000000000000000000000e0200',
} as const satisfies DeployDivaParameters['roles'];

/** Code of the exits role in staking-core deployments: STOP, so any call to it succeeds and does nothing. */
export const EXITS_ROLE_CODE = '0x00';

export type System = DivaDeployment;

/**
 * Report pacing for tests: epoch k is day k since 1970 (all reached), every epoch is a frame, and the
 * caps come to 1% up and 5% down per epoch, so a test's epochs 1, 2, 3... are one report a day each.
 */
export const TEST_REPORT_PACING = {
  reportFrames: { genesisTime: 0n, secondsPerEpoch: 86_400n, epochsPerFrame: 1n, initialEpoch: 0n },
  maxAnnualIncreaseBps: 36_500n,
  maxDailyDecreaseBps: 500n,
} as const satisfies DivaSettings;

export async function deploySystem(client: AnvilClient, overrides: DivaSettings = {}): Promise<System> {
  for (const address of Object.values(ROLES)) {
    await client.impersonateAccount({ address });
    await client.setBalance({ address, value: parseEther('1000') });
  }
  // The withdrawal queue calls `requestExit` on the exits role: here a code of one STOP accepts it (the
  // real ExitRequests path, through deployDiva, is tested in exits.test.ts).
  await client.setCode({ address: ROLES.exits, bytecode: EXITS_ROLE_CODE });
  return deployDiva(client, { roles: ROLES, ...TEST_REPORT_PACING, ...overrides });
}

/** A deterministic account of our own (signs locally, so it can sign EIP-712 reports). */
export function testAccount(label: string): LocalAccount {
  return privateKeyToAccount(keccak256(stringToHex(`diva-test:${label}`)));
}

export async function fund(client: AnvilClient, address: Address, eth = '1000'): Promise<void> {
  await client.setBalance({ address, value: parseEther(eth) });
}

async function write(client: AnvilClient, parameters: Record<string, unknown>): Promise<Hex> {
  // A 50% gas margin unless given: some paths depend on the including block's prevrandao.
  const gas =
    (parameters.gas as bigint | undefined) ??
    ((await client.estimateContractGas({ ...parameters } as never)) * 3n) / 2n;
  const hash = await client.writeContract({ chain: null, ...parameters, gas } as never);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`reverted: ${String(parameters.functionName)}`);
  return hash;
}

/** Sends a transaction and waits; simulates first so reverts come back decoded. */
export async function tx(client: AnvilClient, parameters: Record<string, unknown>): Promise<Hex> {
  // Errors of contracts called in between decode too.
  const abi = [...(parameters.abi as readonly unknown[]), ...errorsAbi];
  await client.simulateContract({ ...parameters, abi } as never);
  return write(client, parameters);
}

export async function stake(
  client: AnvilClient,
  system: System,
  account: LocalAccount | Address,
  value: bigint,
) {
  return tx(client, { account, address: system.divETH, abi: divETHAbi, functionName: 'deposit', value });
}

/** Registers `account` and locks `seats` divETH of collateral (staking the ETH for it first). */
export async function addOperator(
  client: AnvilClient,
  system: System,
  account: LocalAccount,
  seats: bigint,
  options: { collateral?: bigint } = {},
): Promise<void> {
  const collateral = options.collateral ?? seats * parseEther('1');
  await fund(client, account.address, '1000');
  await write(client, {
    account,
    address: system.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'register',
    args: [
      keccak256(stringToHex(`x25519:${account.address}`)),
      [`/ip4/127.0.0.1/tcp/9000/p2p/${account.address}`],
    ],
  });
  if (collateral === 0n) return;
  await write(client, {
    account,
    address: system.divETH,
    abi: divETHAbi,
    functionName: 'deposit',
    value: collateral + 1n,
  });
  await write(client, {
    account,
    address: system.divETH,
    abi: divETHAbi,
    functionName: 'approve',
    args: [system.operatorRegistry, collateral],
  });
  await write(client, {
    account,
    address: system.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'depositCollateral',
    args: [collateral],
  });
}

export async function addOperators(
  client: AnvilClient,
  system: System,
  seats: readonly bigint[],
  prefix = 'op',
) {
  const accounts = seats.map((_, i) => testAccount(`${prefix}-${i}`));
  for (const [i, account] of accounts.entries()) await addOperator(client, system, account, seats[i]!);
  return accounts;
}

/** requestDraw, mine past the target block, finalizeDraw with its header. Returns the draw id. */
export async function drawCommittee(client: AnvilClient, system: System): Promise<bigint> {
  await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
  const drawId = await client.readContract({
    address: system.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'lastDrawId',
  });
  await finalizeDraw(client, system, drawId);
  return drawId;
}

export async function finalizeDraw(client: AnvilClient, system: System, drawId: bigint): Promise<void> {
  const draw = await client.readContract({
    address: system.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'getDraw',
    args: [drawId],
  });
  const current = await client.getBlockNumber();
  if (current <= draw.targetBlock) await client.mine({ blocks: Number(draw.targetBlock - current) + 1 });
  const header = await getBlockHeaderRlp(client, { blockNumber: draw.targetBlock });
  await tx(client, {
    address: system.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'finalizeDraw',
    args: [drawId, header],
  });
}

export async function committeeOf(client: AnvilClient, system: System, drawId: bigint) {
  return client.readContract({
    address: system.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'committeeOf',
    args: [drawId],
  });
}

// The report shape and its EIP-712 signer are the package's own (src/actions/report.ts).
export type Report = BalanceReport;

/** A report for `epoch` with nothing in it but `extra`. */
export const report = (epoch: bigint, extra: Partial<Report> = {}): Report => ({
  epoch,
  clBalance: 0n,
  clDepositedEther: 0n,
  exitedValidators: 0n,
  withdrawnEther: 0n,
  elRewards: 0n,
  penalties: [],
  ...extra,
});

/** Marks `drawId` approved and sends `amount` of it to the deposit contract (ROLES.dkgResult stands in for both). */
export async function approveAndFund(
  client: AnvilClient,
  system: System,
  drawId: bigint,
  amount: bigint = parseEther('32'),
) {
  await tx(client, {
    account: ROLES.dkgResult,
    address: system.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'markApproved',
    args: [drawId],
  });
  await tx(client, {
    account: ROLES.dkgResult,
    address: system.divETH,
    abi: divETHAbi,
    functionName: 'fundDeposit',
    args: [drawId, amount],
  });
}

/**
 * A staker's stake, operators with the given seats, and one drawn committee whose DKG is approved and
 * 32 ETH funded (as the DKG-result registry would): the starting point of the attack tests.
 */
export async function setupFundedCommittee(
  client: AnvilClient,
  system: System,
  options: { stake?: bigint; seats?: readonly bigint[] } = {},
) {
  const staker = testAccount('staker');
  await client.setBalance({ address: staker.address, value: parseEther('1000') });
  await stake(client, system, staker, options.stake ?? parseEther('40'));
  const operators = await addOperators(client, system, [...(options.seats ?? Array(16).fill(1n))]);
  const drawId = await drawCommittee(client, system);
  const committee = await committeeOf(client, system, drawId);
  const members = committee.map((address) => operators.find((o) => o.address === address)!);
  await approveAndFund(client, system, drawId);
  return { staker, operators, drawId, members };
}

/**
 * Requests the current frame's reporting committee, mines past its target block and draws it with the
 * block's header. Returns the frame's reference epoch and the sampled seats (an operator once per seat).
 */
export async function drawReportingCommittee(
  client: AnvilClient,
  system: System,
): Promise<{ epoch: bigint; members: readonly Address[]; targetBlock: bigint; seed: Hex }> {
  const read = { address: system.accounting, abi: accountingAbi } as const;
  await tx(client, { ...read, functionName: 'requestReportingCommittee' });
  const epoch = await client.readContract({ ...read, functionName: 'currentReferenceEpoch' });
  const [targetBlock] = await client.readContract({
    ...read,
    functionName: 'reportingCommitteeOf',
    args: [epoch],
  });
  const current = await client.getBlockNumber();
  if (current <= targetBlock) await client.mine({ blocks: Number(targetBlock - current) + 1 });
  const header = await getBlockHeaderRlp(client, { blockNumber: targetBlock });
  const hash = await tx(client, { ...read, functionName: 'drawReportingCommittee', args: [epoch, header] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const [event] = parseEventLogs({
    abi: accountingAbi,
    eventName: 'ReportingCommitteeDrawn',
    logs: receipt.logs,
  });
  return { epoch, members: event!.args.members, targetBlock, seed: event!.args.seed };
}

/**
 * Moves chain time into the next frame and submits a report for its reference epoch that repeats the
 * recorded beacon figures (plus `extra`): withdrawal requests made before it become finalizable, at the
 * rate it leaves. Returns the epoch.
 */
export async function reportNextFrame(
  client: AnvilClient,
  system: System,
  signers: readonly LocalAccount[],
  extra: Partial<Report> = {},
): Promise<bigint> {
  const accounting = { address: system.accounting, abi: accountingAbi } as const;
  const divEth = { address: system.divETH, abi: divETHAbi } as const;
  const frame =
    (await client.readContract({ ...accounting, functionName: 'SECONDS_PER_EPOCH' })) *
    (await client.readContract({ ...accounting, functionName: 'EPOCHS_PER_FRAME' }));
  await client.increaseTime({ seconds: Number(frame) });
  await client.mine({ blocks: 1 });
  const epoch = await client.readContract({ ...accounting, functionName: 'currentReferenceEpoch' });
  const recorded = {
    clBalance: await client.readContract({ ...divEth, functionName: 'clBalance' }),
    clDepositedEther: await client.readContract({ ...divEth, functionName: 'clDepositedEther' }),
    exitedValidators: await client.readContract({ ...accounting, functionName: 'exitedValidators' }),
    withdrawnEther: await client.readContract({ ...divEth, functionName: 'countedWithdrawals' }),
  };
  await submitReport(client, system, report(epoch, { ...recorded, ...extra }), signers);
  return epoch;
}

/** EIP-712 signatures of `signers` over `report`, sorted by signer address as the contract wants. */
export async function signReport(
  client: AnvilClient,
  system: System,
  report: Report,
  signers: readonly LocalAccount[],
): Promise<Hex[]> {
  const chainId = await client.getChainId();
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return Promise.all(
    sorted.map((signer) => signReportAs(signer, { accounting: system.accounting, chainId, report })),
  );
}

export async function submitReport(
  client: AnvilClient,
  system: System,
  report: Report,
  signers: readonly LocalAccount[],
) {
  const signatures = await signReport(client, system, report, signers);
  return tx(client, {
    address: system.accounting,
    abi: accountingAbi,
    functionName: 'submitReport',
    args: [{ withdrawnEther: 0n, elRewards: 0n, ...report, penalties: [...report.penalties] }, signatures],
  });
}

export const read = {
  divEth: (client: AnvilClient, system: System, functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>,
  queue: (client: AnvilClient, system: System, functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    } as never),
};

export function seed(label: string): Hex {
  return keccak256(encodeAbiParameters([{ type: 'string' }], [label]));
}
