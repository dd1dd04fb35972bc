// What ./reports.ts reads before it reports: the contract's frames against the beacon chain's clock
// (once), and who votes on a frame with what weight.
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { WalletClientLike } from '@diva-dvt/contracts';
import { accountingAbi, divETHAbi, operatorRegistryAbi } from '@diva-dvt/contracts/abis';
import type { Address } from 'viem';
import { getChainId, readContract } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { ChainState } from './chain-state.ts';
import type { ReportClock } from './report-values.ts';

/**
 * The contract's frames and the beacon chain's clock, or undefined (logged) when a frame would not
 * start at a beacon epoch: another epoch length, or genesis times not a whole number of epochs apart.
 */
export async function readReportClock(parameters: {
  readonly wallet: WalletClientLike;
  readonly api: BeaconApi;
  readonly accounting: Address;
  readonly divETH: Address;
  readonly logger: Logger;
}): Promise<ReportClock | undefined> {
  const { wallet, api } = parameters;
  const read = { address: parameters.accounting, abi: accountingAbi } as const;
  const [genesisTime, secondsPerEpoch, epochsPerFrame, vault, chainId, genesis, spec] = await Promise.all([
    readContract(wallet, { ...read, functionName: 'GENESIS_TIME' }),
    readContract(wallet, { ...read, functionName: 'SECONDS_PER_EPOCH' }),
    readContract(wallet, { ...read, functionName: 'EPOCHS_PER_FRAME' }),
    readContract(wallet, { address: parameters.divETH, abi: divETHAbi, functionName: 'EL_REWARDS_VAULT' }),
    wallet.chain?.id ?? getChainId(wallet),
    api.getGenesis(),
    api.getSpec(),
  ]);
  const secondsPerSlot = BigInt(spec.data.SECONDS_PER_SLOT as string);
  const slotsPerEpoch = BigInt(spec.data.SLOTS_PER_EPOCH as string);
  const beaconGenesis = BigInt(genesis.data.genesisTime);
  const apart = beaconGenesis - genesisTime;
  if (secondsPerSlot * slotsPerEpoch !== secondsPerEpoch || apart % secondsPerEpoch !== 0n) {
    parameters.logger.error("the contract's report frames do not match the beacon chain: no reports", {
      contractGenesis: String(genesisTime),
      contractSecondsPerEpoch: String(secondsPerEpoch),
      beaconGenesis: String(beaconGenesis),
      beaconSecondsPerEpoch: String(secondsPerSlot * slotsPerEpoch),
    });
    return undefined;
  }
  return {
    offsetEpochs: apart / secondsPerEpoch,
    genesisTime,
    secondsPerEpoch,
    slotsPerEpoch,
    epochsPerFrame,
    vault,
    chainId,
  };
}

/**
 * The voters of reference epoch `epoch` with their weight, and the weight a report needs (the
 * contract's rule): the operators' seats and ceil(2/3) of the active seats, or beyond K active seats
 * their seats in `epoch`'s reporting committee and ceil(2/3) of it (undefined while it is not drawn).
 */
export async function reportVoters(parameters: {
  readonly wallet: WalletClientLike;
  readonly accounting: Address;
  readonly operatorRegistry: Address;
  readonly state: ChainState;
  readonly epoch: bigint;
}): Promise<{ voters: Map<OperatorAddress, bigint>; needed: bigint } | undefined> {
  const { wallet, epoch } = parameters;
  const read = { address: parameters.accounting, abi: accountingAbi } as const;
  const registry = { address: parameters.operatorRegistry, abi: operatorRegistryAbi } as const;
  const [seats, k] = await Promise.all([
    readContract(wallet, { ...registry, functionName: 'activeSeats' }),
    readContract(wallet, { ...read, functionName: 'REPORTING_COMMITTEE_SEATS' }),
  ]);
  const byCommittee = seats > k;
  let total = seats;
  if (byCommittee) {
    const [, drawn, sampled] = await readContract(wallet, {
      ...read,
      functionName: 'reportingCommitteeOf',
      args: [epoch],
    });
    if (!drawn) return undefined;
    total = sampled;
  }
  const operators = parameters.state.operators().filter((o) => !o.ejected);
  const weights = await Promise.all(
    operators.map((o) =>
      byCommittee
        ? readContract(wallet, { ...read, functionName: 'committeeSeatsOf', args: [epoch, o.address] })
        : readContract(wallet, { ...registry, functionName: 'votingWeightOf', args: [o.address] }),
    ),
  );
  const voters = new Map<OperatorAddress, bigint>();
  operators.forEach((o, i) => {
    if (weights[i]! > 0n) voters.set(o.address, weights[i]!);
  });
  return { voters, needed: (total * 2n + 2n) / 3n };
}
