// The two transactions a deployment is made of, each waited for and checked: a contract creation and a
// call (the one-time wiring). A failed one throws with the contract (and function) it was for.
import type { Account, Address, Chain, Client, Hex, Transport } from 'viem';
import { deployContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { DivaContractsError } from '../errors.ts';

export type DeployClient = Client<Transport, Chain | undefined, Account>;

export async function deploy(
  client: DeployClient,
  contract: string,
  parameters: { abi: unknown; bytecode: Hex; args?: unknown[]; value?: bigint },
) {
  const hash = await deployContract(client, { ...parameters, chain: client.chain } as never);
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new DivaContractsError({ code: 'DEPLOYMENT_FAILED', contract, hash });
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

export async function call(
  client: DeployClient,
  contract: string,
  parameters: { address: Address; abi: unknown; functionName: string; args: unknown[] },
) {
  const hash = await writeContract(client, { ...parameters, chain: client.chain } as never);
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success')
    throw new DivaContractsError({
      code: 'TRANSACTION_FAILED',
      call: `${contract}.${parameters.functionName}`,
      hash,
    });
}
