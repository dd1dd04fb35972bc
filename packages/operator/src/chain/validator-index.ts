// Where a validator the chain accepted sits on the beacon chain, as an operator confirms it for the
// 31 ETH top-up (`confirmByQuorum`): the index, only if the validator there carries the protocol's
// withdrawal credentials (the statement the operator signs). Two ways to find it:
// - the beacon node's state (`beaconValidatorIndex`): the normal case, once the chain exists;
// - the deposit contract's log order (`depositOrderValidatorIndex`): before genesis, on a network
//   whose genesis is built from that contract's logs (a devnet), the index is the validator's
//   position among the distinct keys whose first deposit verifies, as genesis assigns them
//   (consensus-specs `apply_deposit`: a new key with a bad signature is skipped, a known key's
//   later deposits only add balance).
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { depositSigningRoot } from '@diva-dvt/beacon-api/spec';
import { type Bls, PublicKey, Signature } from '@diva-dvt/bls-threshold';
import { depositContractAbi, dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Address, hexToBytes, type PublicClient, parseEventLogs } from 'viem';
import { readContract } from 'viem/actions';

export interface ValidatorToLocate {
  readonly groupPublicKey: Uint8Array;
  /** The protocol's credentials (`withdrawalCredentials()` of the registry). */
  readonly withdrawalCredentials: Uint8Array;
}

/** The validator's beacon index, or undefined when it is not there (yet) with these credentials. */
export type ValidatorIndexLookup = (validator: ValidatorToLocate) => Promise<number | undefined>;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** From the beacon node's head state. */
export function beaconValidatorIndex(api: BeaconApi): ValidatorIndexLookup {
  return async ({ groupPublicKey, withdrawalCredentials }) => {
    const found = (await api.getStateValidators({ stateId: 'head', ids: [`0x${hex(groupPublicKey)}`] }))
      .data[0];
    if (found === undefined) return undefined;
    return hex(found.validator.withdrawalCredentials) === hex(withdrawalCredentials)
      ? found.index
      : undefined;
  };
}

/**
 * From the deposit contract's `DepositEvent` logs (see the file comment): only for a network whose
 * genesis is built from these logs, before genesis. The logs are read once: each call reads only
 * those of blocks after the last one read, and keeps the indices found so far (a deposit log is
 * final once read here: this runs on devnets whose execution chain does not reorganise).
 */
export function depositOrderValidatorIndex(parameters: {
  readonly client: PublicClient;
  readonly depositContract: Address;
  readonly fromBlock?: bigint;
  /**
   * The beacon chain's genesis fork version (deposit signatures are over it), or the DKG-result
   * registry to read it from (`genesisForkVersion()`).
   */
  readonly genesisForkVersion: Uint8Array | { readonly dkgResultRegistry: Address };
  readonly bls: Bls;
}): ValidatorIndexLookup {
  const { client, bls } = parameters;
  // genesis order so far: each distinct key whose first deposit verifies, with that deposit's
  // credentials (a key's later deposits only add balance; a key whose first deposit fails is skipped)
  const indices = new Map<string, { readonly index: number; readonly credentials: string }>();
  const rejected = new Set<string>();
  let readTo = (parameters.fromBlock ?? 0n) - 1n;
  let forkVersion: Uint8Array | undefined;
  let reading: Promise<void> | undefined;
  const readNew = async () => {
    const fork = parameters.genesisForkVersion;
    forkVersion ??=
      fork instanceof Uint8Array
        ? fork
        : hexToBytes(
            await readContract(client, {
              address: fork.dkgResultRegistry,
              abi: dkgResultRegistryAbi,
              functionName: 'genesisForkVersion',
            }),
          );
    const head = await client.getBlockNumber({ cacheTime: 0 });
    if (head <= readTo) return;
    const logs = await client.getLogs({
      address: parameters.depositContract,
      fromBlock: readTo + 1n,
      toBlock: head,
    });
    for (const { args } of parseEventLogs({ abi: depositContractAbi, logs, eventName: 'DepositEvent' })) {
      const pubkey = args.pubkey.slice(2).toLowerCase();
      if (indices.has(pubkey) || rejected.has(pubkey)) continue;
      if (!verifies(bls, forkVersion, args)) {
        rejected.add(pubkey);
        continue;
      }
      indices.set(pubkey, {
        index: indices.size,
        credentials: args.withdrawal_credentials.slice(2).toLowerCase(),
      });
    }
    readTo = head;
  };
  return async ({ groupPublicKey, withdrawalCredentials }) => {
    // concurrent lookups share one read (the fold above is not reentrant)
    reading ??= readNew().finally(() => {
      reading = undefined;
    });
    await reading;
    const found = indices.get(hex(groupPublicKey));
    if (found === undefined) return undefined;
    return found.credentials === hex(withdrawalCredentials) ? found.index : undefined;
  };
}

function verifies(
  bls: Bls,
  forkVersion: Uint8Array,
  args: {
    pubkey: `0x${string}`;
    withdrawal_credentials: `0x${string}`;
    amount: `0x${string}`;
    signature: `0x${string}`;
  },
): boolean {
  try {
    const pubkey = hexToBytes(args.pubkey);
    const amount = Number(Buffer.from(args.amount.slice(2), 'hex').readBigUInt64LE(0));
    const root = depositSigningRoot(forkVersion, {
      pubkey,
      withdrawalCredentials: hexToBytes(args.withdrawal_credentials),
      amount,
    });
    return bls.verify(PublicKey.fromBytes(pubkey), root, Signature.fromBytes(hexToBytes(args.signature)));
  } catch {
    return false; // not a key or a signature: genesis skips it too
  }
}
