// Mining thousands of empty blocks on Anvil quickly, for paths that need a block more than 8,191
// blocks old (EIP-2935's window). Measured with Anvil 1.7.1 on the 2-core machine: a plain Prague
// `anvil_mine` of 9,000 blocks took 110 s idle and up to 156 s under load, and grew with the chain
// (each 1,000 blocks slower than the last), because every Prague block's system call writes the
// EIP-2935 history contract, whose storage grows to 8,191 slots, and Anvil keeps a state per block.
// With `--prune-history 1` (no per-block states kept) and the history contract's code removed while
// mining, the same 9,000 blocks take under 1 s. The code is put back afterwards, so the blocks
// mined after this call run the real EIP-2935 contract again. Slots written before the call are
// kept: the hash of a block mined before it is still served once the code is back, until a later
// block overwrites that slot (block number + 8,191).
import type { Hex } from 'viem';
import type { AnvilClient } from './anvil-process.ts';

/** EIP-2935 history storage contract (system contract of Prague). */
export const HISTORY_STORAGE_ADDRESS = '0x0000F90827F1C53a10cb7A02335B175320002935' as const;

/** Anvil flags for a chain that mines fast (no historical states: calls at old blocks fail). */
export const FAST_MINING_ARGS = ['--prune-history', '1'] as const;

/**
 * Mines `blocks` empty blocks with the EIP-2935 contract's code removed, in chunks (one RPC request
 * each, well within the client's timeout), then restores the code.
 */
export async function mineLongGap(client: AnvilClient, blocks: number, chunk = 2_000): Promise<void> {
  const code = await client.getCode({ address: HISTORY_STORAGE_ADDRESS });
  if (code === undefined || code === '0x') throw new Error('mineLongGap: no EIP-2935 contract on this chain');
  await client.setCode({ address: HISTORY_STORAGE_ADDRESS, bytecode: '0x' });
  try {
    for (let left = blocks; left > 0; left -= chunk) await client.mine({ blocks: Math.min(chunk, left) });
  } finally {
    await client.setCode({ address: HISTORY_STORAGE_ADDRESS, bytecode: code as Hex });
  }
}
