// The devnet driven by the Diva contracts (`diva-node devnet --contracts`): Anvil, the whole contract
// system deployed with its own deposit contract, the 16 interop validators deposited first (the
// chain's majority, run by Lodestar's client), the operators registered with their p2p identity
// (`/p2p/<peer id>` multiaddrs) and collateral locked, then their diva-node processes started with a
// `contracts` configuration: no cluster file, no ceremony run by the devnet. A staker stakes; the
// nodes' keepers request and finalise the draws, the drawn members run the DKG over libp2p, approve
// and submit the result, the registry pre-deposits 1 ETH, the operators holding key shares confirm
// the credentials (before genesis by deposit order) and the registry deposits 31 ETH. Then genesis
// is built from the deposit contract's logs and Lodestar starts; the nodes, waiting for it, begin.
// Its genesis lies a whole number of epochs after the Accounting contract's GENESIS_TIME, so the
// report frames (one epoch each) start at beacon epochs and the nodes report from genesis on.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createChainClients, createChainReader, operatorPeerId } from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import {
  type DevnetChain,
  devPackages,
  GENESIS_FORK_VERSION,
  interopDeposits,
  SLOTS_PER_EPOCH,
  sendDeposits,
  startBeaconChain,
} from './chain.ts';
import type { DevnetOptions } from './options.ts';
import type { DevnetOperator } from './setup.ts';
import { deployEmulator, devnetWithdrawals, type WithdrawalDriver } from './withdrawal.ts';

type Progress = (phase: string, detail: string) => void;

/** Collateral per seat on the devnet (divETH, wei). */
const COLLATERAL_PER_SEAT = 10n ** 17n;

/** Anvil's dev account 0 (its well-known key): deploys, and stakes the validators' ETH. */
const DEV_KEY = Uint8Array.from(
  Buffer.from('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', 'hex'),
);

export interface ContractsDevnet extends DevnetChain {
  /** What each operator's `contracts` configuration section holds. */
  readonly contractsConfig: Record<string, unknown>;
  /** Waits until `validators` validators are funded (32 ETH), then builds genesis and starts Lodestar. */
  startBeacon(validators: number, genesisDelaySec: number): Promise<void>;
  /** Stakes 32 ETH per validator now (another validator after genesis joins through eth1). */
  stake(validators: number): Promise<void>;
  /** The operators (addresses, share order) of the first validator the chain accepted. */
  firstCommittee(): readonly string[];
  /** The validators the chain accepted and funded (32 ETH) so far. */
  validators(): { readonly accepted: number; readonly funded: number };
  /**
   * The staker asks to withdraw 32 ETH of divETH (more than the pool's buffer holds) and asks for the
   * first validator's exit to pay for it; answers that validator.
   */
  requestExit(): Promise<{
    readonly drawId: bigint;
    readonly validatorIndex: number;
    readonly requestId: bigint;
  }>;
  /** The sweep's stand-in, the queue and the books (./withdrawal.ts). */
  readonly withdrawals: WithdrawalDriver;
  /** Whether the chain ejected `operator`, and the first validator's key generation and members. */
  punishment(operator: string): {
    readonly ejected: boolean;
    readonly firstGeneration: number;
    readonly inFirstCommittee: boolean;
  };
}

export async function startContractsChain(
  o: DevnetOptions,
  operators: readonly DevnetOperator[],
  beaconRestPort: number,
  progress: Progress,
): Promise<ContractsDevnet> {
  const p = await devPackages();
  const { devnet, viem, contracts, abis } = p;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    progress('anvil', 'starting');
    const anvil = await devnet.startAnvil({ blockTimeSec: 1, logFile: join(o.dataDir, 'anvil.log') });
    stops.push(() => anvil.stop());
    const walletOf = (key: Uint8Array) =>
      createChainClients({
        rpcUrls: [anvil.url],
        chain: anvil.chainId,
        identityKey: key,
        pollingIntervalMs: 250,
      }).wallet;
    const admin = walletOf(DEV_KEY);
    const confirm = async (hash: `0x${string}`, what: string) => {
      // the chain clients' wallet carries viem's public actions
      const receipt = await (
        admin as unknown as {
          waitForTransactionReceipt(a: { hash: `0x${string}` }): Promise<{ status: string }>;
        }
      ).waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success')
        throw new DivaNodeError({ code: 'DEVNET_FAILED', phase: 'contracts', reason: `${what} reverted` });
    };
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
    progress(
      'contracts',
      `deployed from block ${deployment.fromBlock} (deposit contract ${depositContract})`,
    );
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
      join(o.dataDir, 'deployment.json'),
      JSON.stringify(deployment, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );

    const reader = createChainReader({
      client: createChainClients({ rpcUrls: [anvil.url], chain: anvil.chainId, identityKey: DEV_KEY }).public,
      addresses: deployment,
      pollingIntervalMs: 1000,
    });
    await reader.start();
    stops.push(() => reader.stop());
    let beacon: { restUrl: string; genesisTimeSec: number } | undefined;
    let staked = 0n;

    const self: ContractsDevnet = {
      anvilUrl: anvil.url,
      depositContract,
      beaconUrl: `http://127.0.0.1:${beaconRestPort}`,
      get genesisTimeSec() {
        return beacon?.genesisTimeSec ?? Number.POSITIVE_INFINITY;
      },
      contractsConfig: {
        rpcUrls: [anvil.url],
        chainId: anvil.chainId,
        addresses: {
          operatorRegistry: deployment.operatorRegistry,
          committeeDraw: deployment.committeeDraw,
          divETH: deployment.divETH,
          dkgResultRegistry: deployment.dkgResultRegistry,
          exitRequests: deployment.exitRequests,
          depositContract,
          executionRewardsVault: deployment.executionRewardsVault,
          evidenceSlasher: deployment.evidenceSlasher,
          accounting: deployment.accounting,
          withdrawalQueue: deployment.withdrawalQueue,
          withdrawalSweepEmulator: emulator,
          fromBlock: Number(deployment.fromBlock),
        },
        keepers: true,
        pollingIntervalMs: 1000,
        preGenesisIndices: true,
        fastKeystores: true,
      },
      async stake(validators) {
        // the pool then holds 32 ETH per validator: the keepers request exactly that many draws
        const value = BigInt(validators) * 32n * ether - (staked === 0n ? pooled : 0n);
        staked += value;
        await confirm(
          await contracts.stake(admin, { divETH: deployment.divETH, valueWei: value }),
          'the stake',
        );
        progress(
          'stake',
          `${viem.formatEther(value)} ETH staked (with the operators' ${viem.formatEther(pooled)}: ${validators} validators)`,
        );
      },
      firstCommittee() {
        const first = [...reader.state().validators()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1))[0];
        return [...(first?.members ?? [])].sort((a, b) => a.shareIndex - b.shareIndex).map((m) => m.operator);
      },
      validators() {
        const all = reader.state().validators();
        return { accepted: all.length, funded: all.filter((v) => v.validatorIndex !== undefined).length };
      },
      async requestExit() {
        const first = [...reader.state().validators()]
          .filter((v) => v.validatorIndex !== undefined)
          .sort((a, b) => (a.drawId < b.drawId ? -1 : 1))[0];
        if (first === undefined) {
          throw new DivaNodeError({
            code: 'DEVNET_FAILED',
            phase: 'exit',
            reason: 'no funded validator to exit',
          });
        }
        const amountWei = 32n * ether;
        const writer = admin as unknown as { writeContract(a: unknown): Promise<`0x${string}`> };
        await confirm(
          await writer.writeContract({
            address: deployment.divETH,
            abi: abis.divETHAbi,
            functionName: 'approve',
            args: [deployment.withdrawalQueue, amountWei],
          }),
          'the approval of the withdrawal queue',
        );
        await confirm(
          await contracts.requestWithdrawal(admin, {
            withdrawalQueue: deployment.withdrawalQueue,
            amountWei,
          }),
          'the withdrawal request',
        );
        await confirm(
          await contracts.requestShortfallExit(admin, {
            withdrawalQueue: deployment.withdrawalQueue,
            drawId: first.drawId,
          }),
          'the shortfall exit request',
        );
        const requestId = await (
          admin as unknown as { readContract(a: unknown): Promise<bigint> }
        ).readContract({
          address: deployment.withdrawalQueue,
          abi: abis.withdrawalQueueAbi,
          functionName: 'lastRequestId',
        });
        progress(
          'exit',
          `the staker asked to withdraw 32 ETH (request ${requestId}); the pool cannot pay it, so validator ${first.validatorIndex} (draw ${first.drawId}) is to exit`,
        );
        return { drawId: first.drawId, validatorIndex: first.validatorIndex!, requestId };
      },
      withdrawals: devnetWithdrawals({
        admin,
        anvilUrl: anvil.url,
        viem,
        abis,
        addresses: {
          divETH: deployment.divETH,
          withdrawalQueue: deployment.withdrawalQueue,
          emulator,
          fromBlock: deployment.fromBlock,
        },
      }),
      punishment(operator) {
        const state = reader.state();
        const first = [...state.validators()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1))[0];
        const address = operator.toLowerCase();
        return {
          ejected: state.operator(address as `0x${string}`)?.ejected ?? false,
          firstGeneration: first?.generation ?? 0,
          inFirstCommittee: first?.members.some((m) => m.operator === address) ?? false,
        };
      },
      async startBeacon(validators, genesisDelaySec) {
        const started = Date.now();
        let said = '';
        for (;;) {
          const state = reader.state();
          const drawn = state.draws().filter((d) => d.status !== 'requested').length;
          const accepted = state.validators().length;
          const funded = state.validators().filter((v) => v.validatorIndex !== undefined).length;
          const line = `draws ${drawn}/${validators}, DKG results accepted ${accepted}/${validators}, funded (32 ETH) ${funded}/${validators}`;
          if (line !== said) {
            said = line;
            progress('lifecycle', line);
          }
          if (funded >= validators) break;
          if (Date.now() - started > 15 * 60_000) {
            throw new DivaNodeError({
              code: 'DEVNET_FAILED',
              phase: 'lifecycle',
              reason: `after 15 minutes: ${line} (see the operators' node.log)`,
            });
          }
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        const { lodestar, genesisTimeSec } = await startBeaconChain(
          p,
          o,
          { url: anvil.url, chainId: anvil.chainId, depositContract, deployBlock: deployment.fromBlock },
          genesisDelaySec,
          progress,
          beaconRestPort,
          Number(accountingGenesis),
        );
        stops.push(() => lodestar.stop());
        beacon = { restUrl: lodestar.restUrl, genesisTimeSec };
      },
      stop,
    };
    return self;
  } catch (error) {
    await stop();
    throw error;
  }
}
