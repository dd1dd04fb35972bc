// The withdrawal half of the devnet's lifecycle (`--exit-request E`), after the committee's exit:
// the sweep, the report that counts it, the queue's finalization and the staker's claim, then the
// books. The devnet's beacon chain runs altair (Lodestar 1.5.1), which has no withdrawals, so the
// devnet plays the sweep itself, named as such: once the exited validator is withdrawable, Anvil's dev
// account sends its beacon balance (gwei × 10⁹, to the wei) to divETH through the
// WithdrawalSweepEmulator, which records it per validator. Everything after is the system's own: the
// operators' reports read the emulator at their reference block and count the ETH (./report-values.ts
// in @diva-dvt/operator), their keepers finalize the staker's request, the staker claims.
//
// The books, checked to the wei from the contracts' state and their whole event history:
// - pool: totalPooledEther = the ETH staked (every `Deposited`, the deployment's seed included) + every
//   report's change (`Rebased` post - pre) - the ETH paid to the withdrawal queue (`WithdrawalsFunded`);
// - divETH's ETH = its buffer (every ETH received was counted by a report, none is left over);
// - the queue's ETH = what it owes finalized requests not yet claimed (`lockedEther`);
// - shares: every holder's shares replayed from `TransferShares` (mints from 0, burns to 0; the seed's
//   DEAD shares from the constructor's `Deposited`) = its shares on chain, and their sum = totalShares;
// - the sweep: what the emulator sent = what reports counted (`countedWithdrawals`);
// - the claim: what the staker received = its request's payout, the transaction's gas apart.
import type { Address, Hex, PublicClient } from 'viem';
import { DivaNodeError } from '../errors.ts';

type Abis = typeof import('@diva-dvt/contracts/abis');
type Viem = typeof import('viem');
type Hash = `0x${string}`;
/** The devnet's admin wallet (the chain clients' wallet, which carries viem's public actions). */
interface AdminWallet {
  readonly account: { readonly address: Address };
  deployContract(a: unknown): Promise<Hash>;
  writeContract(a: unknown): Promise<Hash>;
  waitForTransactionReceipt(a: { hash: Hash }): Promise<{
    status: string;
    gasUsed: bigint;
    effectiveGasPrice: bigint;
    contractAddress?: Address | null;
  }>;
}

/** Deploys the WithdrawalSweepEmulator for divETH from the dev account; answers its address. */
export async function deployEmulator(admin: unknown, abis: Abis, divETH: Address): Promise<Address> {
  const wallet = admin as AdminWallet;
  const hash = await wallet.deployContract({
    abi: abis.withdrawalSweepEmulatorAbi,
    bytecode: abis.withdrawalSweepEmulatorBytecode,
    args: [divETH],
  });
  const address = (await wallet.waitForTransactionReceipt({ hash })).contractAddress;
  if (address === undefined || address === null) {
    throw new DivaNodeError({
      code: 'DEVNET_FAILED',
      phase: 'contracts',
      reason: 'the sweep emulator was not deployed',
    });
  }
  return address;
}

/** The driver with Anvil's dev account as the staker and the sweep's player. */
export function devnetWithdrawals(parameters: {
  readonly admin: unknown;
  readonly anvilUrl: string;
  readonly viem: Viem;
  readonly abis: Abis;
  readonly addresses: WithdrawalAddresses;
}): WithdrawalDriver {
  const wallet = parameters.admin as AdminWallet;
  const { viem } = parameters;
  return withdrawalDriver({
    client: viem.createPublicClient({ transport: viem.http(parameters.anvilUrl) }) as PublicClient,
    write: async (call) => {
      const hash = await wallet.writeContract(call);
      const receipt = await wallet.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') {
        throw new DivaNodeError({
          code: 'DEVNET_FAILED',
          phase: 'withdrawal',
          reason: `${String(call.functionName)} reverted`,
        });
      }
      return { hash, gasWei: receipt.gasUsed * receipt.effectiveGasPrice };
    },
    staker: wallet.account.address,
    addresses: parameters.addresses,
    abis: parameters.abis,
  });
}

export interface BooksLine {
  readonly name: string;
  /** Decimal wei (or shares): what the contract holds, and what the history says it should. */
  readonly held: string;
  readonly expected: string;
  readonly balanced: boolean;
}

export interface WithdrawalAddresses {
  readonly divETH: Address;
  readonly withdrawalQueue: Address;
  readonly emulator: Address;
  readonly fromBlock: bigint;
}

/** What the devnet does and reads for the withdrawal half; built by ./contracts-chain.ts. */
export interface WithdrawalDriver {
  /** Sends `wei` of validator `pubkey` to divETH through the emulator (the sweep's stand-in). */
  sweep(pubkey: Hex, wei: bigint): Promise<void>;
  /** divETH's `countedWithdrawals`: what reports counted so far. */
  counted(): Promise<bigint>;
  /** The request's payout once the queue finalized it whole; undefined before. */
  finalizedPayout(requestId: bigint): Promise<bigint | undefined>;
  /** The staker claims the request: the ETH it received, and the claim's gas. */
  claim(requestId: bigint): Promise<{ readonly receivedWei: bigint; readonly gasWei: bigint }>;
  books(): Promise<readonly BooksLine[]>;
}

export function withdrawalDriver(parameters: {
  readonly client: PublicClient;
  /** Anvil's dev account: the staker, and the one that plays the sweep. */
  readonly write: (call: Record<string, unknown>) => Promise<{ hash: Hex; gasWei: bigint }>;
  readonly staker: Address;
  readonly addresses: WithdrawalAddresses;
  readonly abis: Abis;
}): WithdrawalDriver {
  const { client, write, staker, addresses: a, abis } = parameters;
  const div = divReader(client, a, abis);
  const queue = <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      address: a.withdrawalQueue,
      abi: abis.withdrawalQueueAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  return {
    async sweep(pubkey, wei) {
      await write({
        address: a.emulator,
        abi: abis.withdrawalSweepEmulatorAbi,
        functionName: 'sweep',
        args: [pubkey],
        value: wei,
      });
    },
    counted: () => div<bigint>('countedWithdrawals'),
    async finalizedPayout(requestId) {
      if ((await queue<bigint>('lastFinalizedId')) < requestId) return undefined;
      return (await queue<{ payout: bigint }>('getRequest', [requestId])).payout;
    },
    async claim(requestId) {
      const before = await client.getBalance({ address: staker });
      const { gasWei } = await write({
        address: a.withdrawalQueue,
        abi: abis.withdrawalQueueAbi,
        functionName: 'claim',
        args: [requestId, staker],
      });
      return { receivedWei: (await client.getBalance({ address: staker })) - before + gasWei, gasWei };
    },
    books: () => checkBooks(client, a, abis),
  };
}

/** Reads divETH (at `block`, or the latest). */
function divReader(client: PublicClient, a: WithdrawalAddresses, abis: Abis, block?: bigint) {
  return <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      address: a.divETH,
      abi: abis.divETHAbi,
      functionName,
      args,
      ...(block === undefined ? {} : { blockNumber: block }),
    } as never) as Promise<T>;
}

async function checkBooks(client: PublicClient, a: WithdrawalAddresses, abis: Abis): Promise<BooksLine[]> {
  const block = await client.getBlockNumber();
  const events = async (address: Address, abi: readonly unknown[], eventName: string) =>
    (await client.getContractEvents({
      address,
      abi,
      eventName,
      fromBlock: a.fromBlock,
      toBlock: block,
    } as never)) as unknown as { args: Record<string, bigint | Address> }[];
  const at = { blockNumber: block };
  const div = divReader(client, a, abis, block);
  const sum = (list: { args: Record<string, bigint | Address> }[], field: string) =>
    list.reduce((s, e) => s + (e.args[field] as bigint), 0n);
  const line = (name: string, held: bigint, expected: bigint): BooksLine => ({
    name,
    held: held.toString(),
    expected: expected.toString(),
    balanced: held === expected,
  });

  const [deposited, rebased, funded, transfers] = await Promise.all([
    events(a.divETH, abis.divETHAbi, 'Deposited'),
    events(a.divETH, abis.divETHAbi, 'Rebased'),
    events(a.divETH, abis.divETHAbi, 'WithdrawalsFunded'),
    events(a.divETH, abis.divETHAbi, 'TransferShares'),
  ]);
  const changes = rebased.reduce(
    (s, e) => s + (e.args.postTotalEther as bigint) - (e.args.preTotalEther as bigint),
    0n,
  );
  const dead = await div<Address>('DEAD');
  // the constructor's seed: shares minted to DEAD with a `Deposited` event and no `TransferShares`
  const replay = new Map<Address, bigint>([
    [dead, deposited[0] === undefined ? 0n : (deposited[0].args.shares as bigint)],
  ]);
  for (const t of transfers) {
    const { from, to, sharesValue } = t.args as { from: Address; to: Address; sharesValue: bigint };
    if (from !== ZERO) replay.set(from, (replay.get(from) ?? 0n) - sharesValue);
    if (to !== ZERO) replay.set(to, (replay.get(to) ?? 0n) + sharesValue);
  }
  let held = 0n;
  let mismatched = 0n;
  for (const [holder, shares] of replay) {
    const onChain = await div<bigint>('sharesOf', [holder]);
    held += onChain;
    if (onChain !== shares) mismatched += 1n;
  }
  const [pooled, buffered, totalShares, counted, swept, locked] = await Promise.all([
    div<bigint>('totalPooledEther'),
    div<bigint>('bufferedEther'),
    div<bigint>('totalShares'),
    div<bigint>('countedWithdrawals'),
    client.readContract({
      address: a.emulator,
      abi: abis.withdrawalSweepEmulatorAbi,
      functionName: 'totalSwept',
      ...at,
    }),
    client.readContract({
      address: a.withdrawalQueue,
      abi: abis.withdrawalQueueAbi,
      functionName: 'lockedEther',
      ...at,
    }),
  ]);
  return [
    line(
      'pool: staked + report changes - paid to the queue',
      pooled,
      sum(deposited, 'amount') + changes - sum(funded, 'amount'),
    ),
    line("divETH's ETH = its buffer", await client.getBalance({ address: a.divETH, ...at }), buffered),
    line(
      "the queue's ETH = owed to finalized requests",
      await client.getBalance({ address: a.withdrawalQueue, ...at }),
      locked,
    ),
    line('holders whose shares differ from their transfers', mismatched, 0n),
    line('shares held = totalShares', held, totalShares),
    line('swept = counted by reports', swept, counted),
  ];
}

const ZERO = '0x0000000000000000000000000000000000000000';
