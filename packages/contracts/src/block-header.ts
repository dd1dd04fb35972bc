// RLP encoding of an execution block header (London through Prague fields), so a contract can verify
// it against BLOCKHASH and read its prevrandao (CommitteeDraw.finalizeDraw). Fields follow the
// execution-specs header order; optional fork fields are appended when the node returns them.
import { type Client, type Hex, hexToBigInt, keccak256, toRlp } from 'viem';
import { DivaContractsError } from './errors.ts';

type RpcBlockHeader = Record<string, Hex | null | undefined | unknown>;

const HASH_FIELDS = [
  'parentHash',
  'sha3Uncles',
  'miner',
  'stateRoot',
  'transactionsRoot',
  'receiptsRoot',
  'logsBloom',
  'difficulty',
  'number',
  'gasLimit',
  'gasUsed',
  'timestamp',
  'extraData',
  'mixHash',
  'nonce',
] as const;
const OPTIONAL_FIELDS = [
  'baseFeePerGas',
  'withdrawalsRoot',
  'blobGasUsed',
  'excessBlobGas',
  'parentBeaconBlockRoot',
  'requestsHash',
] as const;
const QUANTITIES = new Set([
  'difficulty',
  'number',
  'gasLimit',
  'gasUsed',
  'timestamp',
  'baseFeePerGas',
  'blobGasUsed',
  'excessBlobGas',
]);

function quantity(value: Hex): Hex {
  const n = hexToBigInt(value);
  if (n === 0n) return '0x';
  const hex = n.toString(16);
  return `0x${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}

/**
 * RLP of the header of an `eth_getBlockByNumber` result; throws a `DivaContractsError`
 * (`BLOCK_HEADER_FIELD_MISSING`, `BLOCK_HEADER_HASH_MISMATCH`) if a field is missing or it doesn't hash
 * to the block hash.
 */
export function encodeBlockHeader(block: RpcBlockHeader): Hex {
  const fields: Hex[] = [];
  for (const name of HASH_FIELDS) {
    const value = block[name];
    if (typeof value !== 'string')
      throw new DivaContractsError({
        code: 'BLOCK_HEADER_FIELD_MISSING',
        field: name,
        blockNumber: String(block.number),
      });
    fields.push(QUANTITIES.has(name) ? quantity(value as Hex) : (value as Hex));
  }
  for (const name of OPTIONAL_FIELDS) {
    const value = block[name];
    if (typeof value !== 'string') break; // later forks' fields only follow earlier ones
    fields.push(QUANTITIES.has(name) ? quantity(value as Hex) : (value as Hex));
  }
  const rlp = toRlp(fields);
  const hash = keccak256(rlp);
  if (hash !== block.hash) {
    throw new DivaContractsError({
      code: 'BLOCK_HEADER_HASH_MISMATCH',
      blockNumber: String(block.number),
      expected: String(block.hash),
      actual: hash,
    });
  }
  return rlp;
}

/** Fetches block `blockNumber` and returns its RLP header (verified against its hash). */
export async function getBlockHeaderRlp(client: Client, parameters: { blockNumber: bigint }): Promise<Hex> {
  const block = (await client.request({
    method: 'eth_getBlockByNumber',
    params: [`0x${parameters.blockNumber.toString(16)}`, false],
  })) as RpcBlockHeader | null;
  if (!block) throw new DivaContractsError({ code: 'BLOCK_NOT_FOUND', blockNumber: parameters.blockNumber });
  return encodeBlockHeader(block);
}
