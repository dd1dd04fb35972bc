// Stands the whole Diva contract system up on any EVM node: deploys, then wires the contracts to each
// other once (there is no admin afterwards). Works with any viem client that has an account.
import type { Account, Address, Chain, Client, Hex, Transport } from 'viem';
import { deployContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { accountingAbi, accountingBytecode } from './generated/Accounting.ts';
import { committeeDrawAbi, committeeDrawBytecode } from './generated/CommitteeDraw.ts';
import { divETHAbi, divETHBytecode } from './generated/DivETH.ts';
import { operatorRegistryAbi, operatorRegistryBytecode } from './generated/OperatorRegistry.ts';
import { wdivETHAbi, wdivETHBytecode } from './generated/WdivETH.ts';
import { withdrawalQueueAbi, withdrawalQueueBytecode } from './generated/WithdrawalQueue.ts';

export type DeployDivaParameters = {
  /** ETH (wei) sent with divETH's deployment, minted to 0xdead forever (default 1 gwei). */
  initialDepositWei?: bigint;
  /** divETH collateral per key share (default 1 ether). */
  collateralPerSeatWei?: bigint;
  /** Committee size n (default 16, threshold floor(2n/3) + 1). */
  committeeSize?: bigint;
  /** Blocks between a draw request and the block whose prevrandao seeds it (default 2). */
  drawDelayBlocks?: bigint;
  /** Blocks a drawn committee has to get its DKG result accepted (default 7200, about a day). */
  dkgTimeoutBlocks?: bigint;
  /** Largest increase of pooled ETH per report, basis points (default 100 = 1%). */
  maxIncreaseBps?: bigint;
  /** Largest decrease of pooled ETH per report, basis points (default 500 = 5%). */
  maxDecreaseBps?: bigint;
  /** Operators' part of rewards, basis points (default 1000 = 10%). */
  operatorFeeBps?: bigint;
  /**
   * Addresses holding the roles of contracts not deployed by this function: the DKG-result contract
   * (funds deposits, approves draws), the evidence contract (slashes, ejects) and the exits contract
   * (marks validators exited).
   */
  roles: { dkgResult: Address; evidence: Address; exits: Address };
};

export type DivaDeployment = {
  divETH: Address;
  wdivETH: Address;
  operatorRegistry: Address;
  committeeDraw: Address;
  withdrawalQueue: Address;
  accounting: Address;
  /** Block of the first deployment transaction (for log queries). */
  fromBlock: bigint;
};

type DeployClient = Client<Transport, Chain | undefined, Account>;

async function deploy(
  client: DeployClient,
  parameters: { abi: unknown; bytecode: Hex; args?: unknown[]; value?: bigint },
) {
  const hash = await deployContract(client, { ...parameters, chain: client.chain } as never);
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error(`deploy: transaction ${hash} failed`);
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

async function call(
  client: DeployClient,
  parameters: { address: Address; abi: unknown; functionName: string; args: unknown[] },
) {
  const hash = await writeContract(client, { ...parameters, chain: client.chain } as never);
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') throw new Error(`deploy: ${parameters.functionName} (${hash}) failed`);
}

export async function deployDiva(
  client: DeployClient,
  parameters: DeployDivaParameters,
): Promise<DivaDeployment> {
  const divEth = await deploy(client, {
    abi: divETHAbi,
    bytecode: divETHBytecode,
    value: parameters.initialDepositWei ?? 1_000_000_000n,
  });
  const divETH = divEth.address;
  const wdivETH = (await deploy(client, { abi: wdivETHAbi, bytecode: wdivETHBytecode, args: [divETH] }))
    .address;
  const operatorRegistry = (
    await deploy(client, {
      abi: operatorRegistryAbi,
      bytecode: operatorRegistryBytecode,
      args: [divETH, parameters.collateralPerSeatWei ?? 10n ** 18n],
    })
  ).address;
  const committeeDraw = (
    await deploy(client, {
      abi: committeeDrawAbi,
      bytecode: committeeDrawBytecode,
      args: [
        divETH,
        operatorRegistry,
        parameters.committeeSize ?? 16n,
        parameters.drawDelayBlocks ?? 2n,
        parameters.dkgTimeoutBlocks ?? 7200n,
      ],
    })
  ).address;
  const withdrawalQueue = (
    await deploy(client, { abi: withdrawalQueueAbi, bytecode: withdrawalQueueBytecode, args: [divETH] })
  ).address;
  const accounting = (
    await deploy(client, {
      abi: accountingAbi,
      bytecode: accountingBytecode,
      args: [
        divETH,
        operatorRegistry,
        parameters.maxIncreaseBps ?? 100n,
        parameters.maxDecreaseBps ?? 500n,
        parameters.operatorFeeBps ?? 1000n,
      ],
    })
  ).address;
  const { dkgResult, evidence, exits } = parameters.roles;
  await call(client, {
    address: divETH,
    abi: divETHAbi,
    functionName: 'wire',
    args: [accounting, withdrawalQueue, committeeDraw, dkgResult, operatorRegistry],
  });
  await call(client, {
    address: operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'wire',
    args: [committeeDraw, accounting, evidence],
  });
  await call(client, {
    address: committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'wire',
    args: [dkgResult, withdrawalQueue, exits],
  });
  await call(client, {
    address: withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'wire',
    args: [committeeDraw, accounting],
  });
  return {
    divETH,
    wdivETH,
    operatorRegistry,
    committeeDraw,
    withdrawalQueue,
    accounting,
    fromBlock: divEth.blockNumber,
  };
}
