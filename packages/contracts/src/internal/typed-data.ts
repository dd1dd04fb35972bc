// The one EIP-712 signing path of the package's signers: the domain every Diva contract uses
// (name, version 1, chain id, the verifying contract) and the check that the account can sign typed data.
import type { Account, Address, Hex, TypedData } from 'viem';
import { DivaContractsError } from '../errors.ts';

/** The EIP-712 domain names of the contracts that verify signatures. */
export type DivaDomainName = 'Diva Accounting' | 'DivaDkgResult' | 'DivaConsensus';

export function signDivaTypedData<const types extends TypedData, primaryType extends keyof types & string>(
  signer: string,
  account: Account,
  parameters: {
    domain: DivaDomainName;
    chainId: number;
    verifyingContract: Address;
    types: types;
    primaryType: primaryType;
    message: Record<string, unknown>;
  },
): Promise<Hex> {
  if (!account.signTypedData) throw new DivaContractsError({ code: 'TYPED_DATA_UNSUPPORTED', signer });
  return account.signTypedData({
    domain: {
      name: parameters.domain,
      version: '1',
      chainId: parameters.chainId,
      verifyingContract: parameters.verifyingContract,
    },
    types: parameters.types,
    primaryType: parameters.primaryType,
    message: parameters.message,
  } as never);
}
