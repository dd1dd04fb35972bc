// Genesis from a deposit contract on a real EVM node: deposits sent to the contract on Anvil are
// read back from its DepositEvent logs, a genesis state is built from them with the block's hash
// and time as eth1 data, and Lodestar runs it while tracking the contract (`--eth1`): the chain's
// eth1 data is the contract's deposit root, and the validators are exactly the deposited ones.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { ssz } from '@diva-dvt/beacon-api/spec';
import { createBls, deriveSecretKeyFromPath, SecretKey } from '@diva-dvt/bls-threshold';
import { depositContractAbi, depositContractBytecode } from '@diva-dvt/contracts/abis';
import { createWalletClient, type Hex, http, publicActions } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AnvilNode,
  buildGenesisState,
  GENESIS_FORK_VERSIONS,
  type GenesisDeposit,
  interopSecretKey,
  isDevnetError,
  readChainDeposits,
  startAnvil,
  startLodestar,
  stopAllLodestarNodes,
} from '../../src/index.ts';
import { executionWithdrawalCredentials, GWEI_PER_ETH, makeDeposit } from '../helpers/deposits.ts';
import { recordFigure } from '../helpers/figures.ts';
import { bytesToHex } from '../helpers/hex.ts';
import { waitFor } from '../helpers/rest.ts';

const anvils: AnvilNode[] = [];
afterAll(async () => {
  await stopAllLodestarNodes();
  for (const a of anvils) await a.stop();
});

const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const RUN = 8;
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex;

describe('genesis from a deposit contract', () => {
  it('reads the deposits from the logs, Lodestar runs the genesis and follows the contract', async () => {
    const anvil = await startAnvil({ blockTimeSec: 1 });
    anvils.push(anvil);
    const client = createWalletClient({
      account: DEV_ACCOUNT,
      transport: http(anvil.url, { retryCount: 0 }),
    }).extend(publicActions);
    const deployHash = await client.deployContract({
      abi: depositContractAbi,
      bytecode: depositContractBytecode,
      args: [],
      chain: null, // Anvil's chain id is the devnet's (1337), not a viem chain
    } as never);
    const deployed = await client.waitForTransactionReceipt({ hash: deployHash });
    const contract = deployed.contractAddress as `0x${string}`;

    // 8 interop keys Lodestar runs, then a 1 ETH deposit of a key nobody runs (Diva's pre-deposit)
    const bls = createBls();
    const forkVersion = GENESIS_FORK_VERSIONS.minimal;
    const sent: GenesisDeposit[] = [];
    for (let i = 0; i < RUN; i++) {
      sent.push(
        makeDeposit(bls, SecretKey.fromBytes(interopSecretKey(i)), {
          amountGwei: 32n * GWEI_PER_ETH,
          forkVersion,
          withdrawalCredentials: executionWithdrawalCredentials(new Uint8Array(20).fill(0xb0 + i)),
        }),
      );
    }
    const late = deriveSecretKeyFromPath(new Uint8Array(32).fill(3), 'm/12381/3600/0/0/0');
    sent.push(makeDeposit(bls, late, { amountGwei: 1n * GWEI_PER_ETH, forkVersion }));
    let last: Hex = deployHash;
    for (const d of sent) {
      const root = ssz.phase0.DepositData.hashTreeRoot({
        pubkey: d.pubkey,
        withdrawalCredentials: d.withdrawalCredentials,
        amount: Number(d.amountGwei),
        signature: d.signature,
      });
      last = await client.writeContract({
        address: contract,
        abi: depositContractAbi,
        functionName: 'deposit',
        args: [hex(d.pubkey), hex(d.withdrawalCredentials), hex(d.signature), hex(root)],
        value: d.amountGwei * GWEI_PER_ETH,
        chain: null,
      } as never);
    }
    const lastReceipt = await client.waitForTransactionReceipt({ hash: last });
    expect(lastReceipt.status).toBe('success');

    const read = await readChainDeposits({
      rpcUrl: anvil.url,
      depositContract: contract,
      fromBlock: deployed.blockNumber,
    });
    expect(read.blockNumber).toBeGreaterThanOrEqual(lastReceipt.blockNumber);
    expect(read.deposits.map((d) => [hex(d.pubkey), d.amountGwei, hex(d.signature)])).toEqual(
      sent.map((d) => [hex(d.pubkey), d.amountGwei, hex(d.signature)]),
    );
    const contractRoot = (await client.readContract({
      address: contract,
      abi: depositContractAbi,
      functionName: 'get_deposit_root',
    } as never)) as Hex;

    const dir = await mkdtemp(join(tmpdir(), 'diva-devnet-chain-genesis-'));
    const genesis = await buildGenesisState({
      deposits: read.deposits,
      eth1BlockHash: read.blockHash,
      eth1TimestampSec: read.blockTimestampSec,
      genesisTimeSec: Math.floor(Date.now() / 1000) + 45,
      outFile: join(dir, 'genesis.ssz'),
    });
    // the state's deposit tree is the contract's
    expect(bytesToHex(genesis.depositRoot)).toBe(contractRoot);
    expect(bytesToHex(genesis.eth1BlockHash)).toBe(hex(read.blockHash));
    expect(genesis.validators).toHaveLength(RUN + 1);

    const genesisTimeSec = Math.floor(Date.now() / 1000) + 40;
    const node = await startLodestar({
      genesis: { kind: 'state', stateFile: genesis.stateFile, genesisTimeSec },
      startValidators: { from: 0, to: RUN - 1 },
      eth1: {
        providerUrls: [anvil.url],
        depositContract: contract,
        deployBlock: Number(deployed.blockNumber),
        chainId: anvil.chainId,
      },
      startTimeoutMs: 120_000,
    });
    recordFigure('chainGenesis.startupToRestMs', node.startupMs);
    expect(node.command).toContain('--eth1');
    const api = createBeaconApi(createBeaconNodeClient({ url: node.restUrl }));
    const validators = (await api.getStateValidators({ stateId: 'head' })).data;
    expect(validators.map((v) => bytesToHex(v.validator.pubkey))).toEqual(sent.map((d) => hex(d.pubkey)));
    expect(validators.slice(0, RUN).every((v) => v.status === 'active_ongoing')).toBe(true);
    // 1 ETH is not enough to be activated: it waits for the rest (Diva's 31 ETH after approval)
    expect(validators[RUN]!.status).toBe('pending_initialized');

    const head = await waitFor(
      'blocks on the chain',
      async () => {
        const b = (await api.getBlock({ blockId: 'head' })).data.message;
        return b.slot >= 4 ? b : undefined;
      },
      { timeoutMs: 45_000 + 60 * 2_000, intervalMs: 1000 },
    );
    expect(bytesToHex(head.body.eth1Data.depositRoot)).toBe(contractRoot);
    expect(Number(head.body.eth1Data.depositCount)).toBe(sent.length);
    // eth1 errors in Lodestar's log, as a figure: on a loaded machine its JSON-RPC calls to Anvil can
    // time out now and then, which says nothing about the genesis
    const log = await node.readLog();
    recordFigure(
      'chainGenesis.eth1ErrorLines',
      log.split('\n').filter((l) => /error/i.test(l) && /eth1|deposit/i.test(l)).length,
    );
  }, 300_000);

  it('names the RPC URL when the execution node cannot be reached', async () => {
    const err = await readChainDeposits({
      rpcUrl: 'http://127.0.0.1:9',
      depositContract: '0x00000000219ab540356cBB839Cbe05303d7705Fa',
    }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'DEPOSIT_LOGS')).toBe(true);
    expect(String((err as Error).message)).toContain('http://127.0.0.1:9');
  });

  it('refuses eth1 options that would make Lodestar exit later', async () => {
    const err = await startLodestar({
      eth1: { providerUrls: ['localhost:8545'], depositContract: '0x00', deployBlock: 0, chainId: 1 },
    }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'INVALID_OPTION')).toBe(true);
    expect((err as Error).message).toContain('eth1.providerUrls');
  });
});
