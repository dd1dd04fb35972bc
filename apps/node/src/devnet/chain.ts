// The devnet's chains: Anvil (one block a second) with the deposit contract, every genesis deposit
// sent through it (16 interop validators that Lodestar's own validator client runs, then the
// distributed validators' deposit data from their ceremonies), a genesis state built from the
// contract's logs, and Lodestar started from it with eth1 tracking of the contract, so a validator
// deposited later joins the running chain. Lodestar, Anvil and the contracts are dev packages of
// the Diva workspace: outside it this fails with a message saying so.
import { join } from 'node:path';
import { DivaNodeError } from '../errors.ts';
import type { DevnetOptions } from './options.ts';
import type { DepositJson } from './setup.ts';

/** Validators Lodestar's own client runs (interop keys 0..15): the chain's majority. */
export const INTEROP_VALIDATORS = 16;

/**
 * The devnet's chain pays 1/32 of the minimal preset's rewards. A minimal chain of 6 s slots with a
 * few dozen validators pays its validators about 6,900% a year, which Accounting's sanity cap
 * (1,000% a year at most) refuses, so no report after genesis could land; at 1/32 it is about
 * 200%. Only rewards and penalties change (decision 45).
 */
export const DEVNET_PRESET_OVERRIDES = { BASE_REWARD_FACTOR: 2 } as const;
/** Anvil's dev account 0 (unlocked): sends the deposits. */
const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
/** Anvil's dev account 1: the execution address the validators withdraw to. */
export const WITHDRAWAL_ADDRESS = '70997970c51812dc3a010c7d01b50e0d17dc79c8';
export const WITHDRAWAL_CREDENTIALS = `0x01${'00'.repeat(11)}${WITHDRAWAL_ADDRESS}`;
/** GENESIS_FORK_VERSION of the minimal preset (what deposits are signed with). */
export const GENESIS_FORK_VERSION = '0x00000001';
/** SLOTS_PER_EPOCH of the minimal preset Lodestar runs. */
export const SLOTS_PER_EPOCH = 8;

const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const;

export async function devPackages() {
  try {
    const [devnet, abis, viem, spec, blsThreshold, contracts] = await Promise.all([
      import('@diva-dvt/devnet'),
      import('@diva-dvt/contracts/abis'),
      import('viem'),
      import('@diva-dvt/beacon-api/spec'),
      import('@diva-dvt/bls-threshold'),
      import('@diva-dvt/contracts'),
    ]);
    return { devnet, abis, viem, spec, blsThreshold, contracts };
  } catch (cause) {
    throw new DivaNodeError(
      {
        code: 'DEVNET_FAILED',
        phase: 'set-up',
        reason:
          'the devnet needs the Diva workspace (Lodestar, Anvil and the contracts are its dev packages): run `pnpm devnet` in a checkout',
      },
      { cause },
    );
  }
}

export interface DevnetChain {
  readonly anvilUrl: string;
  readonly depositContract: string;
  readonly beaconUrl: string;
  readonly genesisTimeSec: number;
  stop(): Promise<void>;
}

export type DevPackages = Awaited<ReturnType<typeof devPackages>>;
type Progress = (phase: string, detail: string) => void;

/** The 16 interop validators' deposits (Lodestar's own client runs them), to `credentials`. */
export function interopDeposits(p: DevPackages, credentials: string = WITHDRAWAL_CREDENTIALS): DepositJson[] {
  const { createBls, SecretKey } = p.blsThreshold;
  const bls = createBls();
  const all: DepositJson[] = [];
  for (let i = 0; i < INTEROP_VALIDATORS; i++) {
    const sk = SecretKey.fromBytes(p.devnet.interopSecretKey(i));
    const pubkey = sk.toPublicKey().bytes;
    const message = { pubkey, withdrawalCredentials: bytes(credentials), amount: 32e9 };
    const signature = bls.sign(sk, p.spec.depositSigningRoot(bytes(GENESIS_FORK_VERSION), message)).bytes;
    all.push({
      pubkey: hex(pubkey).slice(2),
      withdrawal_credentials: credentials.replace(/^0x/, ''),
      amount: 32e9,
      signature: hex(signature).slice(2),
      deposit_data_root: hex(p.spec.depositDataRoot({ ...message, signature })).slice(2),
    });
  }
  return all;
}

/** Sends `deposits` to the deposit contract from Anvil's dev account 0; resolves when the last landed. */
export async function sendDeposits(
  p: DevPackages,
  anvilUrl: string,
  contract: `0x${string}`,
  deposits: readonly DepositJson[],
  progress: Progress,
): Promise<void> {
  const { viem, abis } = p;
  const client = viem
    .createWalletClient({ account: DEV_ACCOUNT, transport: viem.http(anvilUrl, { retryCount: 0 }) })
    .extend(viem.publicActions);
  let last: `0x${string}` | undefined;
  for (const [k, d] of deposits.entries()) {
    last = await client.writeContract({
      address: contract,
      abi: abis.depositContractAbi,
      functionName: 'deposit',
      args: [
        `0x${d.pubkey}`,
        `0x${d.withdrawal_credentials}`,
        `0x${d.signature}`,
        `0x${d.deposit_data_root}`,
      ],
      value: BigInt(d.amount) * 1_000_000_000n,
      chain: null,
    } as never);
    if ((k + 1) % Math.max(1, Math.ceil(deposits.length / 4)) === 0 || k + 1 === deposits.length) {
      progress('deposits', `${k + 1}/${deposits.length}`);
    }
  }
  if (last === undefined) return;
  const receipt = await client.waitForTransactionReceipt({ hash: last });
  if (receipt.status !== 'success') {
    throw new DivaNodeError({
      code: 'DEVNET_FAILED',
      phase: 'deposits',
      reason: 'the last deposit reverted',
    });
  }
}

/**
 * Genesis from the deposit contract's logs and Lodestar started from it with eth1 tracking.
 * `genesisDelaySec`: how far ahead of Lodestar's start the genesis lies (at least). `alignTo`: the
 * genesis is then the first time that many seconds ahead that lies a whole number of epochs after
 * `alignTo` (the Accounting contract's GENESIS_TIME, which must be in the past when it is deployed:
 * its report frames then start at beacon epochs). The genesis can't be planned earlier and lie in the
 * past instead: Lodestar 1.5.1 calls itself synced only with its head within SLOTS_PER_EPOCH slots of
 * the clock (sync/sync.js), so a chain whose genesis is more than an epoch old never starts.
 */
/** How the devnet's Lodestar runs, at its first start and when a run resumes it. */
export function beaconChainSettings(
  o: DevnetOptions,
  eth1: { url: string; chainId: number; depositContract: `0x${string}`; deployBlock: bigint },
) {
  return {
    secondsPerSlot: o.slotSeconds,
    presetOverrides: DEVNET_PRESET_OVERRIDES,
    // a validator may exit one epoch after its activation (the minimal config's 64 epochs would be
    // 51 minutes of 6 s slots) and is withdrawable one epoch after its exit (not 256): the devnet
    // shows exits and withdrawals (`--exit-request`)
    params: { SHARD_COMMITTEE_PERIOD: 1, MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 1 },
    startValidators: { from: 0, to: INTEROP_VALIDATORS - 1 },
    eth1: {
      providerUrls: [eth1.url],
      depositContract: eth1.depositContract,
      deployBlock: Number(eth1.deployBlock),
      chainId: eth1.chainId,
    },
    dataDir: join(o.dataDir, 'lodestar'),
    // its database stays in the data directory: a later run resumes it (./resume.ts)
    keepChainData: true,
    startTimeoutMs: 180_000,
  };
}

export async function startBeaconChain(
  p: DevPackages,
  o: DevnetOptions,
  eth1: { url: string; chainId: number; depositContract: `0x${string}`; deployBlock: bigint },
  genesisDelaySec: number,
  progress: Progress,
  restPort?: number,
  alignTo?: number,
) {
  const { devnet } = p;
  progress('genesis', 'reading the deposit logs');
  const read = await devnet.readChainDeposits({
    rpcUrl: eth1.url,
    depositContract: eth1.depositContract,
    fromBlock: eth1.deployBlock,
  });
  const genesis = await devnet.buildGenesisState({
    deposits: read.deposits,
    eth1BlockHash: read.blockHash,
    eth1TimestampSec: read.blockTimestampSec,
    genesisTimeSec: Math.floor(Date.now() / 1000) + 3600, // replaced at the start below
    outFile: join(o.dataDir, 'genesis.ssz'),
  });
  progress('genesis', `${genesis.validators.length} validators, deposit root ${hex(genesis.depositRoot)}`);
  progress('lodestar', 'starting');
  const earliest = Math.floor(Date.now() / 1000) + genesisDelaySec;
  const epochSec = o.slotSeconds * SLOTS_PER_EPOCH;
  const genesisTimeSec =
    alignTo === undefined ? earliest : alignTo + Math.ceil((earliest - alignTo) / epochSec) * epochSec;
  const lodestar = await devnet.startLodestar({
    ...beaconChainSettings(o, eth1),
    genesis: { kind: 'state', stateFile: genesis.stateFile, genesisTimeSec },
    ...(restPort === undefined ? {} : { restPort }),
  });
  progress(
    'lodestar',
    `REST ${lodestar.restUrl}, genesis at ${new Date(genesisTimeSec * 1000).toISOString()}`,
  );
  return { lodestar, genesisTimeSec, validators: genesis.validators.length };
}

/**
 * Starts Anvil, deposits, builds genesis and starts Lodestar. `genesisDelaySec`: how far ahead of
 * Lodestar's start the genesis lies (the operators must be up by then).
 */
export async function startChain(
  o: DevnetOptions,
  deposits: readonly DepositJson[],
  genesisDelaySec: number,
  progress: Progress,
): Promise<DevnetChain> {
  const p = await devPackages();
  const { devnet, abis, viem } = p;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    progress('anvil', 'starting');
    const anvil = await devnet.startAnvil({ blockTimeSec: 1, logFile: join(o.dataDir, 'anvil.log') });
    stops.push(() => anvil.stop());
    const client = viem
      .createWalletClient({ account: DEV_ACCOUNT, transport: viem.http(anvil.url, { retryCount: 0 }) })
      .extend(viem.publicActions);
    const deployHash = await client.deployContract({
      abi: abis.depositContractAbi,
      bytecode: abis.depositContractBytecode,
      chain: null,
    } as never);
    const deployed = await client.waitForTransactionReceipt({ hash: deployHash });
    const contract = deployed.contractAddress as `0x${string}`;
    progress('anvil', `deposit contract ${contract}`);
    await sendDeposits(p, anvil.url, contract, [...interopDeposits(p), ...deposits], progress);
    const { lodestar, genesisTimeSec } = await startBeaconChain(
      p,
      o,
      {
        url: anvil.url,
        chainId: anvil.chainId,
        depositContract: contract,
        deployBlock: deployed.blockNumber,
      },
      genesisDelaySec,
      progress,
    );
    stops.push(() => lodestar.stop());
    return {
      anvilUrl: anvil.url,
      depositContract: contract,
      beaconUrl: lodestar.restUrl,
      genesisTimeSec,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
