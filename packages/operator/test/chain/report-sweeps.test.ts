// What a report says of a validator the devnet's WithdrawalSweepEmulator swept (src/chain/report-values.ts):
// real Anvil with the system and the emulator deployed; beacon-api's route handler on a loopback server
// answers two pool validators, one active and one withdrawable (altair keeps its balance in the state).
// Every ETH is counted once: before the sweep in clBalance, after it (at the report's block B) in
// withdrawnEther, and a report whose block B precedes the sweep still counts the beacon balance.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BeaconApi, createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { type BeaconApiImplementation, createRouteHandler } from '@diva-dvt/beacon-api/server';
import type { DivaDeployment, WalletClientLike } from '@diva-dvt/contracts';
import { withdrawalSweepEmulatorAbi, withdrawalSweepEmulatorBytecode } from '@diva-dvt/contracts/abis';
import type { Address } from 'viem';
import { deployContract, getBlock, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainValidator } from '../../src/chain/chain-state.ts';
import { computeReport, type ReportClock } from '../../src/chain/report-values.ts';
import { deployForTests } from './agents.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

const GWEI = 10n ** 9n;
const ACTIVE_GWEI = 32_000_100_000n;
const SWEPT_GWEI = 32_000_250_000n;
const active = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
const exited = Uint8Array.from({ length: 48 }, (_, i) => 200 - i);
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const;

let anvil: AnvilProcess;
let server: Server;
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await anvil?.stop();
});

function validatorView(
  index: number,
  pubkey: Uint8Array,
  balance: bigint,
  status: 'active_ongoing' | 'withdrawal_possible',
) {
  return {
    index,
    balance: Number(balance),
    status,
    validator: {
      pubkey,
      withdrawalCredentials: new Uint8Array(32),
      effectiveBalance: 32e9,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: status === 'active_ongoing' ? Number.POSITIVE_INFINITY : 3,
      withdrawableEpoch: status === 'active_ongoing' ? Number.POSITIVE_INFINITY : 4,
    },
  };
}

describe('reports of swept validators (the devnet sweep emulator)', () => {
  let admin: WalletClientLike;
  let deployment: DivaDeployment;
  let emulator: Address;
  let api: BeaconApi;

  beforeAll(async () => {
    anvil = await startAnvil(['--block-time', '1']);
    ({ admin, deployment } = await deployForTests(anvil.url));
    const hash = await deployContract(admin, {
      abi: withdrawalSweepEmulatorAbi,
      bytecode: withdrawalSweepEmulatorBytecode,
      args: [deployment.divETH],
      account: admin.account,
      chain: admin.chain,
    });
    emulator = (await waitForTransactionReceipt(admin, { hash })).contractAddress!;
    const impl: BeaconApiImplementation = {
      getStateValidators: () => ({
        data: [
          validatorView(16, active, ACTIVE_GWEI, 'active_ongoing'),
          validatorView(17, exited, SWEPT_GWEI, 'withdrawal_possible'),
        ],
        meta: { executionOptimistic: false, finalized: true },
      }),
    };
    server = createServer(createRouteHandler(impl, { ssz: false }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api = createBeaconApi(createBeaconNodeClient({ url, sszResponses: false }));
  }, 60_000);

  const pool: ChainValidator[] = [active, exited].map(
    (groupPublicKey, i) =>
      ({ groupPublicKey, validatorIndex: 16 + i, drawId: BigInt(i + 1) }) as unknown as ChainValidator,
  );
  /** A report whose reference epoch starts at `time` (epochs of one second from genesis 0). */
  const reportAt = (time: bigint, sweeps: Address | undefined) => {
    const clock: ReportClock = {
      offsetEpochs: 0n,
      genesisTime: 0n,
      secondsPerEpoch: 1n,
      slotsPerEpoch: 1n,
      epochsPerFrame: 1n,
      vault: deployment.executionRewardsVault,
      chainId: 31337,
    };
    return computeReport({
      api,
      wallet: admin,
      divETH: deployment.divETH,
      clock,
      epoch: time,
      validators: pool,
      lastReportBlock: undefined,
      sweeps,
    });
  };

  it('counts a withdrawable validator on the beacon chain until swept, then in withdrawnEther', async () => {
    const before = await reportAt(BigInt(Math.floor(Date.now() / 1000)), emulator);
    expect(before.withdrawnEther).toBe(0n);
    expect(before.clBalance).toBe((ACTIVE_GWEI + SWEPT_GWEI) * GWEI);
    expect(before.exitedValidators).toBe(1n);

    const hash = await writeContract(admin, {
      address: emulator,
      abi: withdrawalSweepEmulatorAbi,
      functionName: 'sweep',
      args: [hex(exited)],
      value: SWEPT_GWEI * GWEI,
      account: admin.account,
      chain: admin.chain,
    });
    const receipt = await waitForTransactionReceipt(admin, { hash });
    const sweptAt = (await getBlock(admin, { blockNumber: receipt.blockNumber })).timestamp;

    const after = await reportAt(sweptAt, emulator);
    expect(after.withdrawnEther).toBe(SWEPT_GWEI * GWEI);
    expect(after.clBalance).toBe(ACTIVE_GWEI * GWEI);
    expect(after.exitedValidators).toBe(1n);
    // block B before the sweep: the ETH is still the beacon chain's
    const earlier = await reportAt(sweptAt - 1n, emulator);
    expect(earlier.withdrawnEther).toBe(0n);
    expect(earlier.clBalance).toBe((ACTIVE_GWEI + SWEPT_GWEI) * GWEI);
    // without the emulator (a chain whose sweep is not played): nothing withdrawn
    const none = await reportAt(sweptAt, undefined);
    expect(none.withdrawnEther).toBe(0n);
    expect(none.clBalance).toBe((ACTIVE_GWEI + SWEPT_GWEI) * GWEI);
  });
});
