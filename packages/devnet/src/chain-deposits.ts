// The deposits of a deposit contract, read from its DepositEvent logs over JSON-RPC: what a beacon
// chain's genesis is built from (`buildGenesisState` with the block's hash and time as eth1 data),
// so the genesis state's deposit root is the contract's and a beacon node tracking that contract
// takes later deposits in order.
import { createPublicClient, decodeEventLog, type Hex, http, parseAbi } from 'viem';
import { DevnetError } from './errors.ts';
import type { GenesisDeposit } from './genesis.ts';

const depositEventAbi = parseAbi([
  'event DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index)',
]);

export interface ReadChainDepositsOptions {
  rpcUrl: string;
  depositContract: `0x${string}`;
  /** The contract's deployment block (logs are read from there). Default 0. */
  fromBlock?: bigint;
  /** Default: the latest block. Genesis is built from the deposits up to and including this block. */
  toBlock?: bigint;
}

export interface ChainDeposits {
  /** In deposit-index order (0, 1, ...), as the contract's tree holds them. */
  deposits: GenesisDeposit[];
  /** The block the deposits were read up to: the genesis state's eth1 block. */
  blockNumber: bigint;
  blockHash: Uint8Array;
  blockTimestampSec: number;
}

const bytes = (h: Hex) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const littleEndian64 = (h: Hex) => Buffer.from(h.slice(2), 'hex').readBigUInt64LE(0);

export async function readChainDeposits(options: ReadChainDepositsOptions): Promise<ChainDeposits> {
  const fail = (reason: string, cause?: unknown) =>
    new DevnetError({ code: 'DEPOSIT_LOGS', rpcUrl: options.rpcUrl, reason }, cause ? { cause } : undefined);
  const client = createPublicClient({ transport: http(options.rpcUrl, { retryCount: 2, timeout: 30_000 }) });
  let block: Awaited<ReturnType<typeof client.getBlock>>;
  let logs: Awaited<ReturnType<typeof client.getLogs<(typeof depositEventAbi)[0]>>>;
  try {
    block =
      options.toBlock === undefined
        ? await client.getBlock({ blockTag: 'latest' })
        : await client.getBlock({ blockNumber: options.toBlock });
    logs = await client.getLogs({
      address: options.depositContract,
      event: depositEventAbi[0],
      fromBlock: options.fromBlock ?? 0n,
      toBlock: block.number ?? 0n,
    });
  } catch (cause) {
    throw fail('the node did not answer eth_getBlockByNumber / eth_getLogs', cause);
  }
  if (block.hash === null || block.number === null) throw fail('the block has no hash yet (pending)');
  const deposits: GenesisDeposit[] = [];
  for (const log of logs) {
    const where = `log ${log.logIndex} of block ${log.blockNumber}`;
    let args: { pubkey: Hex; withdrawal_credentials: Hex; amount: Hex; signature: Hex; index: Hex };
    try {
      args = decodeEventLog({ abi: depositEventAbi, data: log.data, topics: log.topics }).args;
    } catch (cause) {
      throw fail(`${where} is not a DepositEvent`, cause);
    }
    if (args.amount.length !== 18 || args.index.length !== 18)
      throw fail(`${where}: amount and index must be 8 bytes each`);
    const index = littleEndian64(args.index);
    if (index !== BigInt(deposits.length))
      throw fail(`${where}: deposit index ${index}, expected ${deposits.length} (a log is missing)`);
    deposits.push({
      pubkey: bytes(args.pubkey),
      withdrawalCredentials: bytes(args.withdrawal_credentials),
      amountGwei: littleEndian64(args.amount),
      signature: bytes(args.signature),
    });
  }
  return {
    deposits,
    blockNumber: block.number,
    blockHash: bytes(block.hash),
    blockTimestampSec: Number(block.timestamp),
  };
}
