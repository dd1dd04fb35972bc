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
import { join } from 'node:path';
import { createChainClients, createChainReader } from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import { beaconChainSettings, type DevnetChain, devPackages, startBeaconChain } from './chain.ts';
import { deployDevnet, readDevnetDeployment } from './contracts-deploy.ts';
import type { DevnetOptions } from './options.ts';
import { ANVIL_STATE_FILE, BEACON_BLOCKS_FILE, type DevnetManifest } from './resume.ts';
import type { DevnetOperator } from './setup.ts';
import { devnetWithdrawals, type WithdrawalDriver } from './withdrawal.ts';

type Progress = (phase: string, detail: string) => void;

const ether = 10n ** 18n;

/** Anvil's dev account 0 (its well-known key): deploys, and stakes the validators' ETH. */
const DEV_KEY = Uint8Array.from(
  Buffer.from('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', 'hex'),
);

export interface ContractsDevnet extends DevnetChain {
  /** What each operator's `contracts` configuration section holds. */
  readonly contractsConfig: Record<string, unknown>;
  /** Waits until `validators` validators are funded (32 ETH), then builds genesis and starts Lodestar. */
  startBeacon(validators: number, genesisDelaySec: number): Promise<void>;
  /**
   * A resumed run: Lodestar again in its folder (its validator client's slashing protection kept),
   * from genesis, and the blocks the last run saved published back; answers how many it took.
   */
  resumeBeacon(genesisTimeSec: number): Promise<{ readonly imported: number; readonly known: number }>;
  /** Whether the last stop saved what a resumed run needs (the beacon blocks). */
  readonly resumable: boolean;
  /** What the manifest keeps for a resumed run. */
  readonly anvilPort: number;
  readonly emulator: `0x${string}`;
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
  resume?: DevnetManifest,
): Promise<ContractsDevnet> {
  const p = await devPackages();
  const { devnet, viem, contracts, abis } = p;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    progress('anvil', resume === undefined ? 'starting' : `starting on its state (run ${resume.runs + 1})`);
    // its chain is written to the data directory when it stops, for a resumed run (./resume.ts)
    const anvil = await devnet.startAnvil({
      blockTimeSec: 1,
      logFile: join(o.dataDir, 'anvil.log'),
      stateFile: join(o.dataDir, ANVIL_STATE_FILE),
      ...(resume?.anvilPort === undefined ? {} : { port: resume.anvilPort }),
    });
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
    const { deployment, emulator, pooled, accountingGenesis } =
      resume?.emulator === undefined
        ? await deployDevnet({ p, o, operators, anvil, admin, walletOf, confirm, progress })
        : await readDevnetDeployment(o.dataDir, resume.emulator);
    const depositContract = deployment.depositContract!;

    const reader = createChainReader({
      client: createChainClients({ rpcUrls: [anvil.url], chain: anvil.chainId, identityKey: DEV_KEY }).public,
      addresses: deployment,
      pollingIntervalMs: 1000,
    });
    await reader.start();
    stops.push(() => reader.stop());
    let beacon: { restUrl: string; genesisTimeSec: number } | undefined;
    // the first stake counts the operators' stake in (pooled); a resumed run stakes whole validators
    let staked = 0n;
    const lodestarDir = join(o.dataDir, 'lodestar');
    const blocksFile = join(lodestarDir, BEACON_BLOCKS_FILE);
    // before Lodestar stops (the operators have stopped by then) its chain is saved: a resumed run
    // starts it from genesis and publishes the blocks again (@diva-dvt/devnet's importBlocks)
    let resumable = false;
    const stopLodestar = (lodestar: { restUrl: string; stop(): Promise<unknown> }) => async () => {
      try {
        const saved = await devnet.exportBlocks(lodestar.restUrl, blocksFile);
        resumable = true;
        progress(
          'stop',
          `${saved.blocks.length} beacon blocks saved (finalized epoch ${saved.finalizedEpoch})`,
        );
      } catch (error) {
        progress('stop', `the beacon blocks could not be saved: ${(error as Error).message}`);
        throw error;
      }
      await lodestar.stop();
    };

    const self: ContractsDevnet = {
      anvilUrl: anvil.url,
      anvilPort: anvil.port,
      emulator,
      get resumable() {
        return resumable;
      },
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
        stops.push(stopLodestar(lodestar));
        beacon = { restUrl: lodestar.restUrl, genesisTimeSec };
      },
      async resumeBeacon(genesisTimeSec) {
        progress('lodestar', 'starting again from genesis, then the saved blocks');
        const lodestar = await devnet.startLodestar({
          ...beaconChainSettings(o, {
            url: anvil.url,
            chainId: anvil.chainId,
            depositContract,
            deployBlock: deployment.fromBlock,
          }),
          genesis: { kind: 'state', stateFile: join(lodestarDir, 'genesis-state.ssz') },
          resume: true,
          restPort: beaconRestPort,
        });
        stops.push(stopLodestar(lodestar));
        beacon = { restUrl: lodestar.restUrl, genesisTimeSec };
        if (lodestar.genesis.genesisTimeSec !== genesisTimeSec) {
          throw new DivaNodeError({
            code: 'DEVNET_FAILED',
            phase: 'resume',
            reason: `Lodestar came back with genesis ${lodestar.genesis.genesisTimeSec}, the devnet's is ${genesisTimeSec}`,
          });
        }
        const imported = await devnet.importBlocks(lodestar.restUrl, blocksFile);
        if (imported.refused.length > 0) {
          const first = imported.refused[0]!;
          throw new DivaNodeError({
            code: 'DEVNET_FAILED',
            phase: 'resume',
            reason: `Lodestar refused ${imported.refused.length} saved blocks (slot ${first.slot}: ${first.reason})`,
          });
        }
        progress(
          'lodestar',
          `REST ${lodestar.restUrl}, ${imported.imported} saved blocks imported, head at slot ${imported.headSlot}`,
        );
        return imported;
      },
      stop,
    };
    return self;
  } catch (error) {
    await stop();
    throw error;
  }
}
