// The first run of the contracts devnet: the Diva contracts deployed with their own deposit
// contract and the withdrawal sweep's stand-in, the 16 interop validators deposited, every operator
// funded, registered with its p2p identity and its collateral locked; the deployment is written to
// `deployment.json`, from which a resumed run reads it back (./resume.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type createChainClients, operatorPeerId } from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import {
  type DevPackages,
  GENESIS_FORK_VERSION,
  interopDeposits,
  SLOTS_PER_EPOCH,
  sendDeposits,
} from './chain.ts';
import type { DevnetOptions } from './options.ts';
import type { DevnetOperator } from './setup.ts';
import { deployEmulator } from './withdrawal.ts';

type Progress = (phase: string, detail: string) => void;
type Wallet = ReturnType<typeof createChainClients>['wallet'];
export type Deployment = Awaited<ReturnType<DevPackages['contracts']['deployDiva']>>;

/** Collateral per seat on the devnet (divETH, wei). */
export const COLLATERAL_PER_SEAT = 10n ** 17n;

const DEPLOYMENT_FILE = 'deployment.json';

export interface DevnetDeployment {
  readonly deployment: Deployment;
  /** The withdrawal sweep's stand-in (./withdrawal.ts). */
  readonly emulator: `0x${string}`;
  /** What the pool holds besides the staker's ETH (the operators' stake); 0 on a resumed run. */
  readonly pooled: bigint;
  /** The Accounting contract's GENESIS_TIME (report frames start there). */
  readonly accountingGenesis: number;
}

export interface DeployContext {
  readonly p: DevPackages;
  readonly o: DevnetOptions;
  readonly operators: readonly DevnetOperator[];
  readonly anvil: { readonly url: string; readonly chainId: number };
  readonly admin: Wallet;
  walletOf(key: Uint8Array): Wallet;
  confirm(hash: `0x${string}`, what: string): Promise<void>;
  readonly progress: Progress;
}

export async function deployDevnet(ctx: DeployContext): Promise<DevnetDeployment> {
  const { p, o, operators, anvil, admin, walletOf, confirm, progress } = ctx;
  const { viem, contracts, abis } = p;
  progress('contracts', 'deploying the Diva contracts and their deposit contract');
  const deployment = await contracts.deployDiva(admin as never, {
    committeeSize: BigInt(o.committeeSize),
    // a tenth of the default: the operators' collateral is divETH staked into the pool, and the
    // pool's ETH becomes validators (20 operators at 1 ETH a seat would fund 4 more validators)
    collateralPerSeatWei: COLLATERAL_PER_SEAT,
    // quorums (reports, the 31 ETH confirmations) of all seats up to 256 (16 validators of 16),
    // beyond that of a sampled reporting committee, which the nodes do not draw yet
    reportingCommitteeSeats: 256n,
    drawDelayBlocks: 2n,
    dkgTimeoutBlocks: 900n,
    // report frames of one beacon epoch (the beacon genesis is aligned to GENESIS_TIME, the latest
    // block's time, see startBeacon), so a report lands within a few epochs of genesis
    reportFrames: { secondsPerEpoch: BigInt(o.slotSeconds * SLOTS_PER_EPOCH), epochsPerFrame: 1n },
    // the most the contract allows (1,000% a year): the devnet's chain pays 1/32 of the minimal
    // preset's rewards, about 200% a year on these few validators (decision 45)
    maxAnnualIncreaseBps: 100_000n,
    beacon: {
      genesisForkVersion: GENESIS_FORK_VERSION,
      // not known before genesis (it is built from these deposits): evidence domains use zero
      genesisValidatorsRoot: `0x${'00'.repeat(32)}`,
      forkVersions: [GENESIS_FORK_VERSION],
      forkEpochs: [0n],
    },
  });
  const depositContract = deployment.depositContract!;
  // altair has no withdrawals: the devnet plays the sweep through this contract (./withdrawal.ts)
  const emulator = await deployEmulator(admin, abis, deployment.divETH);
  const accountingGenesis = await (
    admin as unknown as { readContract(a: unknown): Promise<bigint> }
  ).readContract({ address: deployment.accounting, abi: abis.accountingAbi, functionName: 'GENESIS_TIME' });
  progress('contracts', `deployed from block ${deployment.fromBlock} (deposit contract ${depositContract})`);
  // the interop validators first: indices 0..15, the distributed validators after them
  await sendDeposits(p, anvil.url, depositContract, interopDeposits(p), progress);

  // operators: ETH, registration with their p2p identity, collateral for one seat per validator
  // (an operator sits in at most one committee per validator) and one to spare
  const seats = BigInt(o.validators + 2);
  const ether = 10n ** 18n;
  const operatorStake = (seats + 1n) * COLLATERAL_PER_SEAT;
  await Promise.all(
    operators.map(async (op) => {
      await admin.request({
        method: 'anvil_setBalance' as never,
        params: [op.identity.address, viem.toHex(1000n * ether)] as never,
      });
      const wallet = walletOf(op.identity.secretKey);
      await confirm(
        await contracts.registerOperator(wallet, {
          operatorRegistry: deployment.operatorRegistry,
          encryptionKey: viem.toHex(crypto.getRandomValues(new Uint8Array(32))),
          p2pAddresses: [`${op.multiaddr}/p2p/${operatorPeerId(op.identity.publicKey)}`],
        }),
        `operator ${op.index}'s registration`,
      );
      await confirm(
        await contracts.stake(wallet, { divETH: deployment.divETH, valueWei: operatorStake }),
        `operator ${op.index}'s stake`,
      );
      await confirm(
        // a viem wallet client (createChainClients): it has the wallet actions
        await (wallet as unknown as { writeContract(a: unknown): Promise<`0x${string}`> }).writeContract({
          address: deployment.divETH,
          abi: abis.divETHAbi,
          functionName: 'approve',
          args: [deployment.operatorRegistry, seats * COLLATERAL_PER_SEAT],
          chain: wallet.chain,
          account: wallet.account,
        }),
        `operator ${op.index}'s approval`,
      );
      await confirm(
        await contracts.depositCollateral(wallet, {
          operatorRegistry: deployment.operatorRegistry,
          amountWei: seats * COLLATERAL_PER_SEAT,
        }),
        `operator ${op.index}'s collateral`,
      );
    }),
  );
  progress(
    'contracts',
    `${operators.length} operators registered, collateral for ${seats} seats each (${viem.formatEther(seats * COLLATERAL_PER_SEAT)} divETH)`,
  );
  // what the pool holds besides the staker's ETH: the operators' stake (the 2 gwei seeds aside)
  const pooled = BigInt(operators.length) * operatorStake;
  await writeFile(
    join(o.dataDir, DEPLOYMENT_FILE),
    JSON.stringify(deployment, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2),
  );
  return { deployment, emulator, pooled, accountingGenesis: Number(accountingGenesis) };
}

/** The deployment a previous run wrote (a resumed run deploys nothing). */
export async function readDevnetDeployment(
  dataDir: string,
  emulator: `0x${string}`,
): Promise<DevnetDeployment> {
  const file = join(dataDir, DEPLOYMENT_FILE);
  let deployment: Deployment;
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as Deployment & { fromBlock: string };
    deployment = { ...raw, fromBlock: BigInt(raw.fromBlock) };
  } catch (cause) {
    throw new DivaNodeError(
      { code: 'DEVNET_FAILED', phase: 'resume', reason: `${file} cannot be read back` },
      { cause },
    );
  }
  return { deployment, emulator, pooled: 0n, accountingGenesis: 0 };
}
