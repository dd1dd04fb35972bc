// Stands the whole Diva contract system up on any EVM node: deploys, then wires the contracts to each
// other once (there is no admin afterwards). Works with any viem client that has an account. The staking
// core is deployed here, the beacon side (DKG-result registry, exits, evidence) by
// internal/deploy-beacon-side.ts.
import { type Address, type Hex, zeroAddress } from 'viem';
import { getBlock, readContract } from 'viem/actions';
import { DivaContractsError } from './errors.ts';
import { accountingAbi, accountingBytecode } from './generated/Accounting.ts';
import { committeeDrawAbi, committeeDrawBytecode } from './generated/CommitteeDraw.ts';
import { divETHAbi, divETHBytecode } from './generated/DivETH.ts';
import { exitRequestsAbi } from './generated/ExitRequests.ts';
import { operatorRegistryAbi, operatorRegistryBytecode } from './generated/OperatorRegistry.ts';
import { wdivETHAbi, wdivETHBytecode } from './generated/WdivETH.ts';
import { withdrawalQueueAbi, withdrawalQueueBytecode } from './generated/WithdrawalQueue.ts';
import { deployBeaconSide } from './internal/deploy-beacon-side.ts';
import { call, type DeployClient, deploy } from './internal/deploy-transactions.ts';

export type DivaSettings = {
  /** ETH (wei) sent with divETH's deployment, minted to 0xdead forever (default 1 gwei). */
  initialDepositWei?: bigint;
  /**
   * Guardian (as Lido's GateSeal): may pause staking, draw reservations, beacon deposits and withdrawal
   * finalization once, for 7 days, within `guardianTermSec` of the deployment; the pause ends by itself
   * and can't touch funds. Default: none.
   */
  guardian?: Address;
  /** How long the guardian may pause after deployment (default 365 days, at most 730). */
  guardianTermSec?: bigint;
  /**
   * ETH (wei) sent with wdivETH's deployment, staked into divETH and wrapped for 0xdead forever (default
   * 1 gwei, must be > 0): with wdivETH's decimals offset, it makes the first-depositor attack pointless.
   */
  wdivEthSeedWei?: bigint;
  /** divETH collateral per key share (default 1 ether). */
  collateralPerSeatWei?: bigint;
  /** Committee size n (default 16, threshold floor(2n/3) + 1). */
  committeeSize?: bigint;
  /** Blocks between a draw request and the block whose prevrandao seeds it (default 2). */
  drawDelayBlocks?: bigint;
  /** Blocks a drawn committee has to get its DKG result accepted (default 7200, about a day). */
  dkgTimeoutBlocks?: bigint;
  /**
   * Largest increase of pooled ETH per year, basis points, applied pro rata of the time between two
   * reports' reference epochs (default 1000 = 10% a year).
   */
  maxAnnualIncreaseBps?: bigint;
  /** Largest decrease of pooled ETH per day, basis points, pro rata as above (default 500 = 5%). */
  maxDailyDecreaseBps?: bigint;
  /**
   * Beacon chain time and report frames. Defaults: `genesisTime` the latest block's timestamp,
   * `secondsPerEpoch` 384, `epochsPerFrame` 225 (a day), `initialEpoch` the current frame's start.
   */
  reportFrames?: ReportFrames;
  /** Operators' part of rewards, basis points (default 1000 = 10%). */
  operatorFeeBps?: bigint;
  /**
   * K, seats sampled into each frame's reporting committee (default 64, 16..256): with more than K
   * active seats, a report is voted by K seats drawn for its frame, so it carries at most K signatures.
   */
  reportingCommitteeSeats?: bigint;
  /**
   * Type of the withdrawal credentials every pool validator is deposited with (default 0x01):
   * `0x01 ‖ 11 zero bytes ‖ divETH`, or `0x02` (compounding, EIP-7251) with the same address. divETH
   * and the DKG-result registry report the same credentials.
   */
  withdrawalCredentialsType?: WithdrawalCredentialsType;
};

export type WithdrawalCredentialsType = 0x01 | 0x02;

/** Reports belong to frames of `epochsPerFrame` epochs, at most one each, named by their first epoch. */
export type ReportFrames = {
  genesisTime?: bigint;
  secondsPerEpoch?: bigint;
  epochsPerFrame?: bigint;
  /** The reference epoch before the first report (a frame start already reached). */
  initialEpoch?: bigint;
};

export type DeployDivaParameters = DivaSettings &
  (
    | {
        /**
         * Deploy only the staking core and give these addresses the roles of the contracts not deployed
         * here: the DKG-result contract (approves draws, funds deposits), the evidence contract (slashes,
         * ejects) and the exits contract (marks validators exited; must be a contract with
         * `requestExit(uint256 drawId, uint8 reason)`, which the withdrawal queue calls on a shortfall).
         */
        roles: { dkgResult: Address; evidence: Address; exits: Address };
        beacon?: undefined;
      }
    | {
        roles?: undefined;
        /** Deploy the whole system: the DKG-result registry, exits and evidence contracts too. */
        beacon: BeaconParameters;
      }
  );

export type BeaconParameters = {
  /** The chain's beacon deposit contract; omitted: deploy our own (local networks). */
  depositContract?: Address;
  /** Genesis fork version of the beacon chain (deposit signatures use it). */
  genesisForkVersion: Hex;
  genesisValidatorsRoot: Hex;
  /** Fork versions and their activation epochs, first at epoch 0 (evidence signing domains). */
  forkVersions: readonly Hex[];
  forkEpochs: readonly bigint[];
  /** Generalized index of BeaconState.validators (75 from Electra, 43 for Deneb; default 75). */
  stateValidatorsGindex?: bigint;
  /** Collateral taken per proven fault (default 1 ether) and the reporter's part (default 1000 bps). */
  slashAmountWei?: bigint;
  reporterBps?: bigint;
  /**
   * Who may request exits besides the evidence contract and the withdrawal queue (which are always
   * wired), e.g. a keeper or, on a test network, the deployer. Default: nobody else.
   */
  exitRequesters?: readonly Address[];
  /**
   * The address in the validators' withdrawal credentials (default `divETH`, the pool: withdrawn ETH
   * lands there). `exitRequests` makes the exits contract the owner, so `triggerExit` calls EIP-7002
   * directly instead of through divETH; withdrawn ETH then lands at the exits contract, which cannot
   * pass it on: for test networks only. Its address is fixed in advance from the deployer's nonce.
   */
  withdrawalCredentialsOwner?: 'divETH' | 'exitRequests';
};

export type DivaDeployment = {
  /** Present when the whole system was deployed (`beacon` given). */
  depositContract?: Address;
  dkgResultRegistry?: Address;
  exitRequests?: Address;
  evidenceSlasher?: Address;
  divETH: Address;
  /**
   * The execution-layer rewards vault divETH deployed: every pool validator's fee recipient. Its balance
   * at a report's reference epoch is income of that report.
   */
  executionRewardsVault: Address;
  wdivETH: Address;
  operatorRegistry: Address;
  committeeDraw: Address;
  withdrawalQueue: Address;
  accounting: Address;
  /** Block of the first deployment transaction (for log queries). */
  fromBlock: bigint;
};

async function reportFrames(client: DeployClient, frames: ReportFrames) {
  const genesisTime = frames.genesisTime ?? (await getBlock(client)).timestamp;
  const secondsPerEpoch = frames.secondsPerEpoch ?? 384n;
  const epochsPerFrame = frames.epochsPerFrame ?? 225n;
  const now = (await getBlock(client)).timestamp;
  const epoch = now >= genesisTime && secondsPerEpoch > 0n ? (now - genesisTime) / secondsPerEpoch : 0n;
  const initialEpoch = frames.initialEpoch ?? (epochsPerFrame > 0n ? epoch - (epoch % epochsPerFrame) : 0n);
  return { genesisTime, secondsPerEpoch, epochsPerFrame, initialEpoch };
}

export async function deployDiva(
  client: DeployClient,
  parameters: DeployDivaParameters,
): Promise<DivaDeployment> {
  const credentialsType = parameters.withdrawalCredentialsType ?? 0x01;
  if (credentialsType !== 0x01 && credentialsType !== 0x02)
    throw new DivaContractsError({
      code: 'INVALID_SETTING',
      setting: 'withdrawalCredentialsType',
      value: String(credentialsType),
      expected: '0x01 or 0x02',
    });
  const owner = parameters.beacon?.withdrawalCredentialsOwner ?? 'divETH';
  if (owner !== 'divETH' && owner !== 'exitRequests')
    throw new DivaContractsError({
      code: 'INVALID_SETTING',
      setting: 'beacon.withdrawalCredentialsOwner',
      value: String(owner),
      expected: "'divETH' or 'exitRequests'",
    });
  const divEth = await deploy(client, 'DivETH', {
    abi: divETHAbi,
    bytecode: divETHBytecode,
    args: [credentialsType, parameters.guardian ?? zeroAddress, parameters.guardianTermSec ?? 365n * 86_400n],
    value: parameters.initialDepositWei ?? 1_000_000_000n,
  });
  const divETH = divEth.address;
  const wdivETH = (
    await deploy(client, 'WdivETH', {
      abi: wdivETHAbi,
      bytecode: wdivETHBytecode,
      args: [divETH],
      value: parameters.wdivEthSeedWei ?? 1_000_000_000n,
    })
  ).address;
  const operatorRegistry = (
    await deploy(client, 'OperatorRegistry', {
      abi: operatorRegistryAbi,
      bytecode: operatorRegistryBytecode,
      args: [divETH, parameters.collateralPerSeatWei ?? 10n ** 18n],
    })
  ).address;
  const committeeDraw = (
    await deploy(client, 'CommitteeDraw', {
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
    await deploy(client, 'WithdrawalQueue', {
      abi: withdrawalQueueAbi,
      bytecode: withdrawalQueueBytecode,
      args: [divETH],
    })
  ).address;
  const frames = await reportFrames(client, parameters.reportFrames ?? {});
  const accounting = (
    await deploy(client, 'Accounting', {
      abi: accountingAbi,
      bytecode: accountingBytecode,
      args: [
        divETH,
        operatorRegistry,
        frames,
        parameters.maxAnnualIncreaseBps ?? 1000n,
        parameters.maxDailyDecreaseBps ?? 500n,
        parameters.operatorFeeBps ?? 1000n,
        parameters.reportingCommitteeSeats ?? 64n,
      ],
    })
  ).address;
  const external = parameters.beacon
    ? await deployBeaconSide(client, parameters.beacon, {
        divETH,
        committeeDraw,
        operatorRegistry,
        accounting,
      })
    : undefined;
  const { dkgResult, evidence, exits } = parameters.roles ?? {
    dkgResult: external!.dkgResultRegistry,
    evidence: external!.evidenceSlasher,
    exits: external!.exitRequests,
  };
  if (external) {
    await call(client, 'ExitRequests', {
      address: external.exitRequests,
      abi: exitRequestsAbi,
      functionName: 'wire',
      // The evidence contract (ejections it cannot repair), the withdrawal queue (shortfalls) and any
      // requesters the deployment names.
      args: [[external.evidenceSlasher, withdrawalQueue, ...(parameters.beacon?.exitRequesters ?? [])]],
    });
  }
  await call(client, 'DivETH', {
    address: divETH,
    abi: divETHAbi,
    functionName: 'wire',
    args: [accounting, withdrawalQueue, committeeDraw, dkgResult, operatorRegistry, exits],
  });
  await call(client, 'OperatorRegistry', {
    address: operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'wire',
    args: [committeeDraw, accounting, evidence],
  });
  await call(client, 'CommitteeDraw', {
    address: committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'wire',
    args: [dkgResult, withdrawalQueue, exits],
  });
  await call(client, 'WithdrawalQueue', {
    address: withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'wire',
    args: [committeeDraw, accounting, exits],
  });
  const executionRewardsVault = await readContract(client, {
    address: divETH,
    abi: divETHAbi,
    functionName: 'EL_REWARDS_VAULT',
  });
  return {
    ...external,
    divETH,
    executionRewardsVault,
    wdivETH,
    operatorRegistry,
    committeeDraw,
    withdrawalQueue,
    accounting,
    fromBlock: divEth.blockNumber,
  };
}
