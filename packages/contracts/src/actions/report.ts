import type { Account, Address, Hash, Hex } from 'viem';
import { accountingAbi } from '../generated/Accounting.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

/** A balance report, as signed by the operators (EIP-712 `Report`). */
export type BalanceReport = {
  epoch: bigint;
  /** Beacon balance of all pool validators (wei). */
  clBalance: bigint;
  /** Of the ETH sent to the deposit contract, what the beacon chain has credited (wei, cumulative). */
  clDepositedEther: bigint;
  /** Validators fully withdrawn (cumulative). */
  exitedValidators: bigint;
  /**
   * ETH the beacon chain withdrew to divETH (exits, skims) up to the reference epoch, cumulative (wei;
   * default 0). Only what a report states is income: an exit swept after the reference epoch waits.
   */
  withdrawnEther?: bigint;
  /** The execution-layer rewards vault's balance at the reference epoch (wei; default 0): pulled in. */
  elRewards?: bigint;
  /** Penalties for missed duties, taken from collateral (wei). */
  penalties: readonly { operator: Address; amount: bigint }[];
};

export const reportTypes = {
  Report: [
    { name: 'epoch', type: 'uint256' },
    { name: 'clBalance', type: 'uint256' },
    { name: 'clDepositedEther', type: 'uint256' },
    { name: 'exitedValidators', type: 'uint256' },
    { name: 'withdrawnEther', type: 'uint256' },
    { name: 'elRewards', type: 'uint256' },
    { name: 'penalties', type: 'Penalty[]' },
  ],
  Penalty: [
    { name: 'operator', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
} as const;

/** The report as the contract takes it (the optional amounts default to 0). */
function reportMessage(report: BalanceReport) {
  return {
    epoch: report.epoch,
    clBalance: report.clBalance,
    clDepositedEther: report.clDepositedEther,
    exitedValidators: report.exitedValidators,
    withdrawnEther: report.withdrawnEther ?? 0n,
    elRewards: report.elRewards ?? 0n,
    penalties: [...report.penalties],
  };
}

export type SignReportParameters = { accounting: Address; chainId: number; report: BalanceReport };

/** The operator's EIP-712 signature over a report (domain "Diva Accounting", version 1). */
export function signReport(account: Account, parameters: SignReportParameters): Promise<Hex> {
  return signDivaTypedData('signReport', account, {
    domain: 'Diva Accounting',
    chainId: parameters.chainId,
    verifyingContract: parameters.accounting,
    types: reportTypes,
    primaryType: 'Report',
    message: reportMessage(parameters.report),
  });
}

export type SubmitReportParameters = {
  accounting: Address;
  report: BalanceReport;
  /**
   * Signatures of active operators holding together at least ceil(2/3) of the active seats, or, with
   * more than K active seats, of the seats sampled into the report's frame committee
   * (`requestReportingCommittee`, `drawReportingCommittee`); each with its signer (sorted here).
   */
  signatures: readonly { signer: Address; signature: Hex }[];
};
export type SubmitReportReturnType = Hash;

/** Submits a report with the quorum's signatures (anyone). */
export function submitReport(
  client: WalletClientLike,
  parameters: SubmitReportParameters,
): Promise<SubmitReportReturnType> {
  const sorted = [...parameters.signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  return simulateAndWrite(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    functionName: 'submitReport',
    args: [reportMessage(parameters.report), sorted.map((s) => s.signature)],
    // Penalties change registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
