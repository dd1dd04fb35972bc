import type { Address, Hash, Hex } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RegisterOperatorParameters = {
  operatorRegistry: Address;
  /** X25519 public key (32 bytes) that receives encrypted DKG shares. */
  encryptionKey: Hex;
  /** libp2p multiaddrs (at most 8, each 1..256 bytes). */
  p2pAddresses: readonly string[];
};
export type RegisterOperatorReturnType = Hash;

/** Registers the client's account as an operator (its address is its identity). */
export function registerOperator(
  client: WalletClientLike,
  parameters: RegisterOperatorParameters,
): Promise<RegisterOperatorReturnType> {
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'register',
    args: [parameters.encryptionKey, parameters.p2pAddresses],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
