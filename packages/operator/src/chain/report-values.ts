// What a report for reference epoch R says, computed the same way by every member from the beacon
// state at R's first slot, which is final when this runs (./reports.ts). The pool's validators are
// those whose DKG result the chain accepted (their group keys, ./chain-state.ts):
// - clBalance: the sum of their balances in that state (gwei × 10⁹); a validator not in the state
//   yet holds nothing there.
// - clDepositedEther: of the ETH the pool sent to the deposit contract for them (1 ETH with each
//   accepted result, 31 ETH once its credentials were confirmed), what that state has credited: the
//   1 ETH of every pool validator present in it (a validator enters the state with its first
//   deposit), and the 31 ETH of a topped-up one whose balance shows it (at least 16.5 ETH: without the
//   top-up it holds about 1 ETH and cannot earn 15; with it about 32, and the beacon chain ejects a
//   validator long before it loses 15.5). Never less than the last accepted report's (the contract
//   refuses a decrease; an ejected validator's deposit stays credited).
// - exitedValidators: pool validators whose status in that state is `exited_*` or `withdrawal_*`
//   (the contract's cumulative count of fully withdrawn validators: a validator once exited stays so).
// - withdrawnEther: on a beacon chain without withdrawals (altair: the devnet's Lodestar 1.5.1), what
//   the devnet's WithdrawalSweepEmulator (`sweeps`, the contract that plays the sweep by hand) had
//   sent divETH for the pool's validators by block B (below; like elRewards, what arrived between
//   R's time and a later B is counted a frame early): the sum of their `sweptOf`. A swept
//   validator's beacon balance is then no longer counted in clBalance (it was paid out; what its
//   balance does later on an altair chain, a sync committee's last rewards, is left behind), so every
//   ETH is counted once, on the beacon chain or in divETH. Without an emulator: 0. From Capella on this
//   must become the sum of the payload withdrawals to divETH up to R's slot (not implemented: the
//   beacon node that runs here has no Capella).
// - elRewards: the execution-layer rewards vault's balance at block B, the last execution block
//   whose timestamp is at or before R's start time, or the block that accepted the last report if
//   that is later. Only a report takes ETH out of the vault, so the balance at or after the last one
//   holds nothing counted before (never twice); what arrived between R's time and that block is
//   counted a frame early. After the merge R's block is the payload of the latest beacon block at or
//   before R's first slot, so it is final too; before it (the devnet) the eth1 chain Anvil runs. The
//   EL node must serve state that old (an archive node, or a full node within its 128 recent blocks:
//   R's slot finalizes about 2 epochs = 64 blocks later).
// - penalties: none. Penalties for missed duties would come from the members' attestation records
//   (the operator's own duty log, or the beacon chain's rewards API, which Lodestar 1.5.1 lacks) and
//   would need the same deterministic rule at every member.
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { WalletClientLike } from '@diva-dvt/contracts';
import { divETHAbi, withdrawalSweepEmulatorAbi } from '@diva-dvt/contracts/abis';
import { type Address, keccak256 } from 'viem';
import { getBalance, getBlock, getBlockNumber, readContract } from 'viem/actions';
import type { ChainValidator } from './chain-state.ts';
import type { Report } from './report-frame.ts';

/** The contract's frames against the beacon chain's (read once by ./reports.ts). */
export interface ReportClock {
  /** Contract epoch = beacon epoch + offsetEpochs (0 when both genesis times agree). */
  readonly offsetEpochs: bigint;
  readonly genesisTime: bigint;
  readonly secondsPerEpoch: bigint;
  readonly slotsPerEpoch: bigint;
  readonly epochsPerFrame: bigint;
  /** The execution-layer rewards vault (every pool validator's fee recipient). */
  readonly vault: Address;
  readonly chainId: number;
}

const GWEI = 10n ** 9n;
const ETHER = 10n ** 18n;
const PRE_DEPOSIT = ETHER;
const TOP_UP = 31n * ETHER;
/** A balance at or above this shows the 31 ETH top-up credited (see the file comment). */
const TOPPED_UP_GWEI = 16_500_000_000n;

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

export async function computeReport(parameters: {
  readonly api: BeaconApi;
  readonly wallet: WalletClientLike;
  readonly divETH: Address;
  readonly clock: ReportClock;
  /** R, in the contract's epochs. */
  readonly epoch: bigint;
  readonly validators: readonly ChainValidator[];
  /** The block that accepted the contract's last report (none yet: undefined). */
  readonly lastReportBlock: bigint | undefined;
  /** The devnet's WithdrawalSweepEmulator (altair chains only; see the file comment). */
  readonly sweeps?: Address | undefined;
}): Promise<Report> {
  const { api, wallet, clock, epoch } = parameters;
  const slot = (epoch - clock.offsetEpochs) * clock.slotsPerEpoch;
  const pool = new Map(parameters.validators.map((v) => [hex(v.groupPublicKey), v]));
  const found =
    pool.size === 0
      ? []
      : (await api.getStateValidators({ stateId: String(slot), ids: [...pool.keys()] })).data;
  const block = await blockAt(
    wallet,
    clock.genesisTime + epoch * clock.secondsPerEpoch,
    parameters.lastReportBlock ?? 0n,
  );
  let clBalance = 0n;
  let credited = 0n;
  let exitedValidators = 0n;
  let withdrawnEther = 0n;
  for (const v of found) {
    const chain = pool.get(hex(v.validator.pubkey));
    if (chain === undefined) continue; // not asked for
    const balance = BigInt(v.balance);
    credited += PRE_DEPOSIT;
    if (chain.validatorIndex !== undefined && balance >= TOPPED_UP_GWEI) credited += TOP_UP;
    const exited = v.status.startsWith('exited') || v.status.startsWith('withdrawal');
    if (exited) exitedValidators += 1n;
    // only a validator on its way out can have been swept by B (swept once withdrawable, after its
    // exit epoch; B may lie after R's slot, at the last report's block)
    const leaving = exited || v.status === 'active_exiting' || v.status === 'active_slashed';
    const swept =
      leaving && parameters.sweeps !== undefined
        ? await readContract(wallet, {
            address: parameters.sweeps,
            abi: withdrawalSweepEmulatorAbi,
            functionName: 'sweptOf',
            args: [keccak256(v.validator.pubkey)],
            blockNumber: block,
          })
        : 0n;
    withdrawnEther += swept;
    if (swept === 0n) clBalance += balance * GWEI;
  }
  const previous = await readContract(wallet, {
    address: parameters.divETH,
    abi: divETHAbi,
    functionName: 'clDepositedEther',
  });
  return {
    epoch,
    clBalance,
    clDepositedEther: credited > previous ? credited : previous,
    exitedValidators,
    withdrawnEther,
    elRewards: await getBalance(wallet, { address: clock.vault, blockNumber: block }),
    penalties: [],
  };
}

/**
 * The last block whose timestamp is at or before `time` (binary search), or `atLeast` if that is later:
 * block B of the file comment.
 */
async function blockAt(wallet: WalletClientLike, time: bigint, atLeast: bigint): Promise<bigint> {
  let high = await getBlockNumber(wallet, { cacheTime: 0 });
  if ((await getBlock(wallet, { blockNumber: high })).timestamp <= time) return high;
  let low = atLeast;
  if ((await getBlock(wallet, { blockNumber: low })).timestamp > time) return low;
  // invariant: block `low` is at or before `time`, block `high` after it
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if ((await getBlock(wallet, { blockNumber: mid })).timestamp <= time) low = mid;
    else high = mid;
  }
  return low;
}
