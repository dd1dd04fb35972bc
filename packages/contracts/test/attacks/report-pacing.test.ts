// Attack 2 (issue 15): report pacing. A report used to need only a larger epoch, so a quorum could chain
// reports, each within the per-report bound, and move the pooled ETH as fast as it could sign (72 -> 97
// ETH in one second of chain time). Now reports name a frame's reference epoch (one report per frame,
// the frame must have started) and the bounds are pro rata of the time between reference epochs: the
// same quorum, trying for 30 reports in a row, gets at most the annualised cap for the elapsed time.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { accountingAbi, divETHAbi, errorsAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { deploySystem, setupFundedCommittee, signReport } from '../helpers/system.ts';

const EPOCH = 384n;
const FRAME = 225n; // epochs: one day
const ANNUAL_BPS = 1000n; // 10% a year

describe('attack: chained reports (pooled ETH moved faster than time passes)', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const now = (await client.getBlock()).timestamp;
      // Genesis 10 days and a bit ago; the last report's reference epoch is one frame before the current.
      const genesisTime = now - 10n * FRAME * EPOCH - 100n;
      const system = await deploySystem(client, {
        reportFrames: {
          genesisTime,
          secondsPerEpoch: EPOCH,
          epochsPerFrame: FRAME,
          initialEpoch: 9n * FRAME,
        },
        maxAnnualIncreaseBps: ANNUAL_BPS,
        maxDailyDecreaseBps: 500n,
      });
      const { members } = await setupFundedCommittee(client, system);
      return { system, members };
    },
  });

  it('gains at most the annualised cap for the time elapsed, however many reports the quorum signs', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const read = (address: `0x${string}`, abi: readonly unknown[], functionName: string) =>
      client.readContract({ address, abi, functionName } as never) as Promise<bigint>;
    const pooledBefore = await read(system.divETH, divETHAbi, 'totalPooledEther');
    const lastBefore = await read(system.accounting, accountingAbi, 'lastEpoch');
    let clBalance = parseEther('32');
    let accepted = 0;
    for (let i = 0; i < 30; i++) {
      const last = await read(system.accounting, accountingAbi, 'lastEpoch');
      const pooled = await read(system.divETH, divETHAbi, 'totalPooledEther');
      // The old bound: 1% per report, then smaller steps. Try the next epoch and the next frame's start.
      attempt: for (const step of [100n, 1_000n, 10_000n]) {
        const target = clBalance + pooled / step;
        for (const epoch of [last + 1n, last - (last % FRAME) + FRAME]) {
          const report = {
            epoch,
            clBalance: target,
            clDepositedEther: parseEther('32'),
            exitedValidators: 0n,
            withdrawnEther: 0n,
            elRewards: 0n,
            penalties: [],
          };
          const signatures = await signReport(client, system, report, members);
          const call = {
            address: system.accounting,
            abi: [...accountingAbi, ...errorsAbi],
            functionName: 'submitReport',
            args: [report, signatures],
          } as const;
          try {
            await client.simulateContract(call);
          } catch {
            continue;
          }
          await client.waitForTransactionReceipt({
            hash: await client.writeContract({ chain: null, ...call }),
          });
          clBalance = target;
          accepted++;
          break attempt;
        }
      }
    }
    const gain = (await read(system.divETH, divETHAbi, 'totalPooledEther')) - pooledBefore;
    // One frame (a day) has passed since the last reference epoch: 10%/365 of the pooled ETH at most.
    const cap = (pooledBefore * ANNUAL_BPS * FRAME * EPOCH) / (10_000n * 365n * 86_400n);
    expect(gain).toBeLessThanOrEqual(cap);
    expect(accepted).toBeLessThanOrEqual(1);
    expect(lastBefore).toBe(9n * FRAME);
  });
});
