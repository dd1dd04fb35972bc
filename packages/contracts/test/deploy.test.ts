// deployDiva's whole-system options on a real Anvil: the exit requesters it wires besides the evidence
// contract and the withdrawal queue, the owner of the withdrawal credentials, and the settings it
// refuses before sending anything (DivaContractsError INVALID_SETTING).
import { type Address, concatHex, getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { type BeaconParameters, deployDiva } from '../src/deploy.ts';
import { isDivaContractsError } from '../src/errors.ts';
import { divETHAbi, dkgResultRegistryAbi, exitRequestsAbi } from '../src/generated/index.ts';
import { type AnvilClient, DEV_ACCOUNT, useAnvil } from './helpers/anvil.ts';

const KEEPER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906'); // anvil account 3
const STRANGER = getAddress('0x15d34aaf54267db7d7c367839aaf71a00a2c6a65'); // anvil account 4
const BEACON: BeaconParameters = {
  genesisForkVersion: '0x10000910',
  genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
  forkVersions: ['0x10000910'],
  forkEpochs: [0n],
};

describe('deployDiva with beacon', () => {
  const chain = useAnvil();
  const client = (): AnvilClient => chain.client();
  const isRequester = (exits: Address, who: Address) =>
    client().readContract({ address: exits, abi: exitRequestsAbi, functionName: 'isRequester', args: [who] });
  const credentials = (registry: Address) =>
    client().readContract({
      address: registry,
      abi: dkgResultRegistryAbi,
      functionName: 'withdrawalCredentials',
    });

  it('wires the evidence contract and the withdrawal queue as exit requesters, the pool owning the credentials', async () => {
    const system = await deployDiva(client(), { beacon: BEACON });
    const exits = system.exitRequests!;
    expect(await isRequester(exits, system.evidenceSlasher!)).toBe(true);
    expect(await isRequester(exits, system.withdrawalQueue)).toBe(true);
    expect(await isRequester(exits, DEV_ACCOUNT)).toBe(false);
    const poolCredentials = await client().readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'withdrawalCredentials',
    });
    expect(await credentials(system.dkgResultRegistry!)).toBe(poolCredentials);
    expect(poolCredentials).toBe(concatHex(['0x01', `0x${'00'.repeat(11)}`, system.divETH]).toLowerCase());
  });

  it('wires the exitRequesters it is given, and makes the exits contract the credentials owner on request', async () => {
    const system = await deployDiva(client(), {
      withdrawalCredentialsType: 0x02,
      beacon: { ...BEACON, exitRequesters: [KEEPER], withdrawalCredentialsOwner: 'exitRequests' },
    });
    const exits = system.exitRequests!;
    expect(await isRequester(exits, KEEPER)).toBe(true);
    expect(await isRequester(exits, system.evidenceSlasher!)).toBe(true);
    expect(await isRequester(exits, system.withdrawalQueue)).toBe(true);
    expect(await isRequester(exits, STRANGER)).toBe(false);
    expect(await credentials(system.dkgResultRegistry!)).toBe(
      concatHex(['0x02', `0x${'00'.repeat(11)}`, exits]).toLowerCase(),
    );
  });

  it('refuses an unknown credentials owner before sending anything', async () => {
    const before = await client().getTransactionCount({ address: DEV_ACCOUNT });
    const error = await deployDiva(client(), {
      beacon: { ...BEACON, withdrawalCredentialsOwner: 'accounting' as never },
    }).catch((e: unknown) => e);
    expect(isDivaContractsError(error, 'INVALID_SETTING')).toBe(true);
    if (!isDivaContractsError(error, 'INVALID_SETTING')) return;
    expect(error.details.setting).toBe('beacon.withdrawalCredentialsOwner');
    expect(error.details.value).toBe('accounting');
    expect(await client().getTransactionCount({ address: DEV_ACCOUNT })).toBe(before);
  });
});
