// The one way every write action sends a transaction: simulate with the contract's ABI plus every custom
// error of the system (so a refusal decodes to its custom error and arguments even when a contract
// called in between raised it), optionally re-estimate gas with a margin, then send the simulated request.
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hash } from 'viem';
import { estimateContractGas, simulateContract, writeContract } from 'viem/actions';
import type { WalletClientLike } from '../actions/types.ts';
import { errorsAbi } from '../generated/index.ts';

type Mutability = 'nonpayable' | 'payable';

export type SimulateAndWriteParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, Mutability>,
> = {
  address: Address;
  abi: abi;
  functionName: functionName;
  args?: ContractFunctionArgs<abi, Mutability, functionName>;
  value?: bigint;
  /**
   * Send with the estimate plus 50%: for calls whose gas depends on the including block (a draw's
   * replacement is picked with its prevrandao; registry weights keep a history per block number, so a
   * call that changes them writes new slots when the including block is not the estimated one).
   */
  gasMargin?: boolean;
};

export async function simulateAndWrite<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, Mutability>,
>(client: WalletClientLike, parameters: SimulateAndWriteParameters<abi, functionName>): Promise<Hash> {
  const { gasMargin, abi, ...call } = parameters;
  const { request } = await simulateContract(client, {
    ...call,
    abi: [...abi, ...errorsAbi],
    // Against the pending state, as the gas estimate of a plain send is: a transaction the caller sent
    // just before (not yet in a block) counts.
    blockTag: 'pending',
    chain: client.chain,
    account: client.account,
  } as never);
  if (!gasMargin) return writeContract(client, request as never);
  const gas = await estimateContractGas(client, request as never);
  return writeContract(client, { ...(request as object), gas: (gas * 3n) / 2n } as never);
}
