// Builds a genesis BeaconState with Lodestar 1.5.1's own `initializeBeaconStateFromEth1`, in a
// child process: @lodestar/params fixes its preset from LODESTAR_PRESET when first imported, so the
// preset of the state must be chosen per process. Reads a GenesisWorkerInput as JSON on stdin,
// writes the SSZ state to `outFile` and a GenesisWorkerOutput as JSON on stdout.
// The deposit tree is built in memory (no EVM): leaf i is hash_tree_root(DepositData i), and each
// deposit carries its Merkle proof against the tree of the first i+1 leaves, as the deposit
// contract would have it. Deposits with a bad signature are skipped by processDeposit (spec).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Tree, toGindex } from '@chainsafe/persistent-merkle-tree';
import {
  chainConfigFromJson,
  chainConfigToJson,
  createIBeaconConfig,
  createIChainForkConfig,
  defaultChainConfig,
} from '@lodestar/config';
import { ACTIVE_PRESET, SLOTS_PER_EPOCH } from '@lodestar/params';
import {
  type CachedBeaconStateAllForks,
  createCachedBeaconState,
  createEmptyEpochContextImmutableData,
  initializeBeaconStateFromEth1,
  PubkeyIndexMap,
} from '@lodestar/state-transition';
import { type phase0, ssz } from '@lodestar/types';
import { DevnetError } from '../errors.ts';

interface DepositJson {
  pubkey: string;
  withdrawalCredentials: string;
  amountGwei: string;
  signature: string;
}

export interface GenesisWorkerInput {
  preset: string;
  chainConfig: Record<string, string>;
  deposits: DepositJson[];
  genesisTimeSec: number;
  eth1BlockHash: string;
  eth1TimestampSec: number;
  outFile: string;
  /** Try eth1 block hashes until this validator proposes a block in [fromSlot, toSlot]. */
  proposerSearch?: { validatorIndex: number; fromSlot: number; toSlot: number; maxAttempts: number };
}

export interface GenesisWorkerOutput {
  preset: string;
  genesisTimeSec: number;
  genesisValidatorsRoot: string;
  forkVersion: string;
  eth1BlockHash: string;
  depositRoot: string;
  depositCount: number;
  validators: {
    pubkey: string;
    withdrawalCredentials: string;
    effectiveBalanceGwei: string;
    balanceGwei: string;
  }[];
  /** Proposer index of each slot of epochs 0 and 1 (slot 0 has no block). */
  proposers: number[];
}

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
function bytes(value: string, length: number, what: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]*$/.test(value) || value.length !== 2 + 2 * length) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: what,
      reason: `expected ${length} bytes as 0x-hex`,
    });
  }
  return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
}

function buildDeposits(input: DepositJson[]): {
  deposits: phase0.Deposit[];
  tree: ReturnType<typeof ssz.phase0.DepositDataRootList.defaultViewDU>;
} {
  const tree = ssz.phase0.DepositDataRootList.defaultViewDU();
  const deposits: phase0.Deposit[] = [];
  input.forEach((d, i) => {
    const amount = BigInt(d.amountGwei);
    if (amount <= 0n || amount >= 2n ** 64n) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: `deposits[${i}].amountGwei`,
        reason: 'out of range',
      });
    }
    const data: phase0.DepositData = {
      pubkey: bytes(d.pubkey, 48, `deposits[${i}].pubkey`),
      withdrawalCredentials: bytes(d.withdrawalCredentials, 32, `deposits[${i}].withdrawalCredentials`),
      amount: Number(amount),
      signature: bytes(d.signature, 96, `deposits[${i}].signature`),
    };
    tree.push(ssz.phase0.DepositData.hashTreeRoot(data));
    tree.commit();
    const proof = new Tree(tree.node).getSingleProof(toGindex(tree.type.depth, BigInt(i)));
    deposits.push({ proof, data });
  });
  return { deposits, tree };
}

function proposersOf(
  state: CachedBeaconStateAllForks,
  configInput: Parameters<typeof createIBeaconConfig>[0],
): number[] {
  const cached = createCachedBeaconState(state, {
    config: createIBeaconConfig(configInput, state.genesisValidatorsRoot),
    pubkey2index: new PubkeyIndexMap(),
    index2pubkey: [],
  });
  return [...cached.epochCtx.proposers, ...cached.epochCtx.getBeaconProposersNextEpoch()];
}

function main(): void {
  const input = JSON.parse(readFileSync(0, 'utf8')) as GenesisWorkerInput;
  if (input.preset !== ACTIVE_PRESET) {
    throw new DevnetError({
      code: 'GENESIS_BUILD_FAILED',
      reason: `preset mismatch: asked ${input.preset}, @lodestar/params loaded ${ACTIVE_PRESET}`,
      stderrTail: '',
    });
  }
  const chainConfig = chainConfigFromJson({ ...chainConfigToJson(defaultChainConfig), ...input.chainConfig });
  const config = createIChainForkConfig(chainConfig);
  const { deposits, tree } = buildDeposits(input.deposits);

  const search = input.proposerSearch;
  let eth1BlockHash = bytes(input.eth1BlockHash, 32, 'eth1BlockHash');
  let state: CachedBeaconStateAllForks | undefined;
  let proposers: number[] = [];
  const attempts = search ? search.maxAttempts : 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) eth1BlockHash = createHash('sha256').update(eth1BlockHash).digest();
    state = initializeBeaconStateFromEth1(
      config,
      createEmptyEpochContextImmutableData(config, { genesisValidatorsRoot: new Uint8Array(32) }),
      eth1BlockHash,
      input.eth1TimestampSec,
      deposits,
      tree,
    );
    state.genesisTime = input.genesisTimeSec;
    state.commit();
    proposers = proposersOf(state, chainConfig);
    if (!search) break;
    const found = proposers.some(
      (p, slot) =>
        p === search.validatorIndex && slot >= search.fromSlot && slot <= search.toSlot && slot > 0,
    );
    if (found) break;
    if (attempt === attempts - 1) {
      throw new DevnetError({
        code: 'GENESIS_BUILD_FAILED',
        stderrTail: '',
        reason: `no eth1 block hash in ${attempts} attempts makes validator ${search.validatorIndex} propose in slots ${search.fromSlot}..${search.toSlot}`,
      });
    }
  }
  if (!state)
    throw new DevnetError({ code: 'GENESIS_BUILD_FAILED', reason: 'no state built', stderrTail: '' });
  writeFileSync(input.outFile, state.serialize());
  const validators = state.validators.getAllReadonlyValues();
  const balances = state.balances.getAll();
  const output: GenesisWorkerOutput = {
    preset: ACTIVE_PRESET,
    genesisTimeSec: state.genesisTime,
    genesisValidatorsRoot: hex(state.genesisValidatorsRoot),
    forkVersion: hex(state.fork.currentVersion),
    eth1BlockHash: hex(eth1BlockHash),
    depositRoot: hex(state.eth1Data.depositRoot),
    depositCount: state.eth1Data.depositCount,
    validators: validators.map((v, i) => ({
      pubkey: hex(v.pubkey),
      withdrawalCredentials: hex(v.withdrawalCredentials),
      effectiveBalanceGwei: String(v.effectiveBalance),
      balanceGwei: String(balances[i]),
    })),
    proposers: proposers.slice(0, 2 * SLOTS_PER_EPOCH),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
