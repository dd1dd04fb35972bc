import type { Account, Address, Hash, Hex } from 'viem';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export const withdrawalCredentialsConfirmationTypes = {
  WithdrawalCredentialsConfirmation: [
    { name: 'drawId', type: 'uint256' },
    { name: 'validatorPubkey', type: 'bytes' },
    { name: 'validatorIndex', type: 'uint64' },
    { name: 'withdrawalCredentials', type: 'bytes32' },
  ],
} as const;

export type SignWithdrawalCredentialsConfirmationParameters = {
  dkgResultRegistry: Address;
  chainId: number;
  drawId: bigint;
  validatorPubkey: Hex;
  /** The validator's index in the beacon state. */
  validatorIndex: bigint;
  /** The protocol's withdrawal credentials (`withdrawalCredentials()` of the registry). */
  withdrawalCredentials: Hex;
};

/**
 * An active operator's EIP-712 statement (domain "DivaDkgResult", version 1) that the beacon state
 * holds the validator with the protocol's withdrawal credentials, signed by its operator key.
 */
export function signWithdrawalCredentialsConfirmation(
  account: Account,
  parameters: SignWithdrawalCredentialsConfirmationParameters,
): Promise<Hex> {
  return signDivaTypedData('signWithdrawalCredentialsConfirmation', account, {
    domain: 'DivaDkgResult',
    chainId: parameters.chainId,
    verifyingContract: parameters.dkgResultRegistry,
    types: withdrawalCredentialsConfirmationTypes,
    primaryType: 'WithdrawalCredentialsConfirmation',
    message: {
      drawId: parameters.drawId,
      validatorPubkey: parameters.validatorPubkey,
      validatorIndex: parameters.validatorIndex,
      withdrawalCredentials: parameters.withdrawalCredentials,
    },
  });
}

export type ConfirmByQuorumParameters = {
  dkgResultRegistry: Address;
  drawId: bigint;
  validatorIndex: bigint;
  /** The deposit signature submitted with the DKG result (reused for the 31 ETH top-up). */
  depositSignature: Hex;
  /**
   * Confirmations of operators holding at least ceil(2/3) of the active seats (with more than K active
   * seats: of the latest reporting committee's sampled seats), in any order (sent sorted by signer).
   */
  confirmations: readonly { signer: Address; signature: Hex }[];
};
export type ConfirmByQuorumReturnType = Hash;

/**
 * A quorum of operators holding 2/3 of the active seats (the rule of balance reports) confirms the validator's withdrawal
 * credentials, which releases the other 31 ETH (anyone may submit). The committee alone is not
 * enough: its t members hold the key and could have front-run the first deposit. Simulated first:
 * refusals come back as custom errors (`QuorumNotReached`, `NotActiveOperator`, `NotPreDeposited`).
 */
export async function confirmByQuorum(
  client: WalletClientLike,
  parameters: ConfirmByQuorumParameters,
): Promise<ConfirmByQuorumReturnType> {
  const signatures = [...parameters.confirmations]
    .sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : BigInt(a.signer) > BigInt(b.signer) ? 1 : 0))
    .map((c) => c.signature);
  return simulateAndWrite(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    functionName: 'confirmByQuorum',
    args: [parameters.drawId, parameters.validatorIndex, parameters.depositSignature, signatures],
  });
}
