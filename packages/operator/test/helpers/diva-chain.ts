// The Diva contracts on a real Anvil with one validator on chain: `deployDiva` (committees of n),
// operators registered with collateral, a committee drawn, and its validator's DKG result (its
// public shares, approved by t members) recorded, as the operator's evidence tests need it.
import {
  createDkgResultSubmission,
  type DivaDeployment,
  deployDiva,
  depositCollateral,
  finalizeDraw,
  getCommittee,
  hashPublicShares,
  registerOperator,
  requestDraw,
  signDkgApproval,
  stake,
  submitDkgResult,
} from '@diva-dvt/contracts';
import { divETHAbi, dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import {
  type Account,
  type Address,
  bytesToHex,
  type Chain,
  createTestClient,
  type Hex,
  http,
  type PublicActions,
  parseEther,
  publicActions,
  type Transport,
  type TestClient as ViemTestClient,
  type WalletActions,
  walletActions,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { expect } from 'vitest';
import type { loadRuntimeBls } from '../../src/runtime/bls.ts';
import type { TestValidator } from './committee.ts';

export const BEACON = {
  genesisForkVersion: '0x10000910',
  genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
  forkVersions: ['0x10000910'],
  forkEpochs: [0n],
} as const;

/** A test client on the Anvil with public and wallet actions, sending as one account. */
export type TestClient = ViemTestClient<'anvil', Transport, Chain, Account, true> &
  PublicActions<Transport, Chain, Account> &
  WalletActions<Chain, Account>;

/** A viem client on the Anvil that does not hang (50 ms polling, no retries), sending as `account`. */
export const clientAs = (url: string, account: Address | Account): TestClient =>
  createTestClient({
    mode: 'anvil',
    chain: foundry,
    cacheTime: 0,
    pollingInterval: 50,
    account,
    transport: http(url, { retryCount: 0, timeout: 30_000 }),
  })
    .extend(publicActions)
    .extend(walletActions) as TestClient;

export const walletOf = (url: string, key: Uint8Array): TestClient =>
  clientAs(url, privateKeyToAccount(bytesToHex(key)));

/** Deploys, registers `keys` as operators (2 divETH collateral each) and draws committee 1. */
export async function drawCommittee(
  url: string,
  keys: readonly Uint8Array[],
  committeeSize: number,
): Promise<{ client: TestClient; diva: DivaDeployment; drawId: bigint; drawn: Address[] }> {
  const client = clientAs(url, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'); // Anvil's dev account 0
  const mined = async (hash: Promise<Hex>) => {
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    expect(receipt.status).toBe('success');
  };
  const diva = await deployDiva(client, { committeeSize: BigInt(committeeSize), beacon: BEACON });
  for (const key of keys) {
    const wallet = walletOf(url, key);
    await client.setBalance({ address: wallet.account.address, value: parseEther('10') });
    await mined(stake(wallet, { divETH: diva.divETH, valueWei: parseEther('3') }));
    await mined(
      wallet.writeContract({
        address: diva.divETH,
        abi: divETHAbi,
        functionName: 'approve',
        args: [diva.operatorRegistry, parseEther('3')],
      }),
    );
    await mined(
      registerOperator(wallet, {
        operatorRegistry: diva.operatorRegistry,
        encryptionKey: `0x${'ab'.repeat(32)}`,
        p2pAddresses: ['/ip4/127.0.0.1/tcp/1'],
      }),
    );
    await mined(
      depositCollateral(wallet, { operatorRegistry: diva.operatorRegistry, amountWei: parseEther('2') }),
    );
  }
  await mined(stake(client, { divETH: diva.divETH, valueWei: parseEther('32') }));
  await mined(requestDraw(client, { committeeDraw: diva.committeeDraw }));
  await client.mine({ blocks: 3 });
  const drawId = 1n;
  await mined(finalizeDraw(client, { committeeDraw: diva.committeeDraw, drawId }));
  const drawn = await getCommittee(client, { committeeDraw: diva.committeeDraw, drawId });
  return { client, diva, drawId, drawn: [...drawn] };
}

/** Records `validator`'s DKG result for `drawId`, approved by the members holding `approverKeys`. */
export async function recordDkgResult(
  url: string,
  client: TestClient,
  diva: DivaDeployment,
  drawId: bigint,
  validator: TestValidator,
  approverKeys: readonly Uint8Array[],
  bls: Awaited<ReturnType<typeof loadRuntimeBls>>['bls'],
): Promise<void> {
  const dkgResultRegistry = diva.dkgResultRegistry!;
  const { groupPublicKey } = validator.committee;
  const publicShares = validator.committee.members.map((m) => m.publicShare);
  const pubkey = bytesToHex(groupPublicKey);
  const read = { address: dkgResultRegistry, abi: dkgResultRegistryAbi } as const;
  const depositRoot = await client.readContract({
    ...read,
    functionName: 'preDepositSigningRoot',
    args: [pubkey],
  });
  const depositSignature = bls.sign(validator.secretKey, Buffer.from(depositRoot.slice(2), 'hex')).bytes;
  const result = createDkgResultSubmission({
    drawId,
    groupPublicKey,
    publicShares,
    depositSignature,
    depositDataRoot: await client.readContract({
      ...read,
      functionName: 'preDepositDataRoot',
      args: [pubkey, bytesToHex(depositSignature)],
    }),
  });
  const ceremonyId = await client.readContract({ ...read, functionName: 'ceremonyIdOf', args: [drawId] });
  const approvals = await Promise.all(
    approverKeys.map(async (key) => {
      const address = walletOf(url, key).account.address.toLowerCase();
      const seat = validator.committee.members.find((m) => m.operator === address)!;
      return {
        shareIndex: BigInt(seat.shareIndex),
        signature: await signDkgApproval(walletOf(url, key).account, {
          dkgResultRegistry,
          chainId: foundry.id,
          drawId,
          ceremonyId,
          validatorPubkey: pubkey,
          publicSharesHash: hashPublicShares(publicShares),
          depositDataRoot: result.depositDataRoot,
        }),
      };
    }),
  );
  const hash = await submitDkgResult(client, { dkgResultRegistry, result, approvals });
  expect((await client.waitForTransactionReceipt({ hash })).status).toBe('success');
}
