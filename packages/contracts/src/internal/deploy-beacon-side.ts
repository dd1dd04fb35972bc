// The beacon side of a full deployment: the beacon deposit contract (unless the chain has one), the
// DKG-result registry (deposits with the pool's withdrawal credentials), the exits contract and the
// evidence contract. The staking core is deployed first (deploy.ts) and wired to these afterwards.
import { type Address, concatHex, getContractAddress, type Hex } from 'viem';
import { getTransactionCount, readContract } from 'viem/actions';
import type { BeaconParameters } from '../deploy.ts';
import { DivaContractsError } from '../errors.ts';
import { depositContractAbi, depositContractBytecode } from '../generated/DepositContract.ts';
import { divETHAbi } from '../generated/DivETH.ts';
import { dkgResultRegistryAbi, dkgResultRegistryBytecode } from '../generated/DkgResultRegistry.ts';
import { evidenceSlasherAbi, evidenceSlasherBytecode } from '../generated/EvidenceSlasher.ts';
import { exitRequestsAbi, exitRequestsBytecode } from '../generated/ExitRequests.ts';
import { type DeployClient, deploy } from './deploy-transactions.ts';

export async function deployBeaconSide(
  client: DeployClient,
  beacon: BeaconParameters,
  core: { divETH: Address; committeeDraw: Address; operatorRegistry: Address; accounting: Address },
) {
  const depositContract =
    beacon.depositContract ??
    (await deploy(client, 'DepositContract', { abi: depositContractAbi, bytecode: depositContractBytecode }))
      .address;
  const poolCredentials = await readContract(client, {
    address: core.divETH,
    abi: divETHAbi,
    functionName: 'withdrawalCredentials',
  });
  // The registry is the next contract of the deployer, the exits contract the one after it.
  const nonce = await getTransactionCount(client, { address: client.account.address, blockTag: 'pending' });
  const expectedExits = getContractAddress({ from: client.account.address, nonce: BigInt(nonce) + 1n });
  const withdrawalCredentials =
    beacon.withdrawalCredentialsOwner === 'exitRequests'
      ? concatHex([poolCredentials.slice(0, 4) as Hex, `0x${'00'.repeat(11)}`, expectedExits])
      : poolCredentials;
  const dkgResultRegistry = (
    await deploy(client, 'DkgResultRegistry', {
      abi: dkgResultRegistryAbi,
      bytecode: dkgResultRegistryBytecode,
      args: [
        core.committeeDraw,
        core.divETH,
        core.accounting,
        depositContract,
        withdrawalCredentials,
        beacon.genesisForkVersion,
        beacon.stateValidatorsGindex ?? 75n,
      ],
    })
  ).address;
  const exitRequests = (
    await deploy(client, 'ExitRequests', {
      abi: exitRequestsAbi,
      bytecode: exitRequestsBytecode,
      args: [dkgResultRegistry, core.committeeDraw],
    })
  ).address;
  if (
    beacon.withdrawalCredentialsOwner === 'exitRequests' &&
    exitRequests.toLowerCase() !== expectedExits.toLowerCase()
  )
    throw new DivaContractsError({
      code: 'UNEXPECTED_ADDRESS',
      contract: 'ExitRequests',
      expected: expectedExits,
      actual: exitRequests,
    });
  const evidenceSlasher = (
    await deploy(client, 'EvidenceSlasher', {
      abi: evidenceSlasherAbi,
      bytecode: evidenceSlasherBytecode,
      args: [
        dkgResultRegistry,
        core.operatorRegistry,
        core.committeeDraw,
        exitRequests,
        beacon.genesisValidatorsRoot,
        beacon.forkVersions,
        beacon.forkEpochs,
        beacon.slashAmountWei ?? 10n ** 18n,
        beacon.reporterBps ?? 1000n,
      ],
    })
  ).address;
  return { depositContract, dkgResultRegistry, exitRequests, evidenceSlasher };
}
