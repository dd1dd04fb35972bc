// EIP-4788 (beacon roots) and EIP-7002 (withdrawal requests) system contracts, which Anvil 1.7.1 lacks:
// installed at their canonical addresses with anvil_setCode. Runtime code as published in the EIPs
// (ethereum/EIPs, CC0): EIP-4788 "Deployment" and EIP-7002 "Deployment" (init code minus its 45-byte
// constructor prefix, which only returns the runtime and sets the excess slot to the inhibitor).
import { type Address, type Hex, parseEther } from 'viem';
import type { AnvilClient } from './anvil.ts';

export const BEACON_ROOTS: Address = '0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02';
export const WITHDRAWAL_REQUESTS: Address = '0x00000961Ef480Eb55e80D19ad83579A64c007002';
export const SYSTEM_ADDRESS: Address = '0xfffffffffffffffffffffffffffffffffffffffe';

const BEACON_ROOTS_CODE: Hex =
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500';

const WITHDRAWAL_REQUESTS_INIT: Hex =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff5f556101f880602d5f395ff33373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f82111560685781019083028483029004916001019190604d565b909390049250505036603814608857366101f457346101f4575f5260205ff35b34106101f457600154600101600155600354806003026004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101600355005b6003546002548082038060101160df575060105b5f5b8181146101835782810160030260040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffffffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c81600301538160101c81600201538160081c81600101535360010160e1565b910180921461019557906002556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f6101e8565b01600290035b5f555f600155604c025ff35b5f5ffd';

/** Installs the EIP-4788 contract; `pushBeaconRoot` then plays the system call of a block. */
export async function installBeaconRoots(client: AnvilClient): Promise<void> {
  await client.setCode({ address: BEACON_ROOTS, bytecode: BEACON_ROOTS_CODE });
}

/** The system call that stores `root` for the next block's timestamp (as a client does at block start). Returns that timestamp. */
export async function pushBeaconRoot(client: AnvilClient, root: Hex): Promise<bigint> {
  await client.impersonateAccount({ address: SYSTEM_ADDRESS });
  await client.setBalance({ address: SYSTEM_ADDRESS, value: parseEther('1') });
  const hash = await client.sendTransaction({
    account: SYSTEM_ADDRESS,
    to: BEACON_ROOTS,
    data: root,
    chain: null,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  await client.stopImpersonatingAccount({ address: SYSTEM_ADDRESS });
  if (receipt.status !== 'success') throw new Error('beacon root system call failed');
  return (await client.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
}

/**
 * Installs the EIP-7002 contract. Its excess slot starts at 0 (the fork block's system call would have
 * cleared the inhibitor the constructor writes), so the fee is the minimum, 1 wei.
 */
export async function installWithdrawalRequests(client: AnvilClient): Promise<void> {
  const runtime = `0x${WITHDRAWAL_REQUESTS_INIT.slice(2 + 45 * 2)}` as Hex;
  await client.setCode({ address: WITHDRAWAL_REQUESTS, bytecode: runtime });
}

/** Plays the end-of-block system call: dequeues and returns the queued requests (76 bytes each: source, pubkey, amount LE). */
export async function readWithdrawalRequests(client: AnvilClient): Promise<Hex> {
  const { data } = await client.call({ account: SYSTEM_ADDRESS, to: WITHDRAWAL_REQUESTS, data: '0x' });
  return data ?? '0x';
}
