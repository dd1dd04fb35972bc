// Beyond K active seats the 31 ETH confirmation needs the report frame's reporting committee. Real
// Anvil with the whole system deployed (committees of 4, K = 16, a report frame every 2 s), five
// operators each running reader, source and lifecycle (keepers on) over loopback libp2p, with
// collateral for 5 seats. Five validators are staked: the first four fill 16 seats (every holder
// confirms); the fifth brings 20 > K, where the registry refuses any quorum but a drawn reporting
// committee's (`ReportingCommitteeNotDrawn`): the keepers request and draw one and its members'
// confirmations fund the fifth validator.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DivaDeployment, stake, type WalletClientLike } from '@diva-dvt/contracts';
import { accountingAbi, operatorRegistryAbi } from '@diva-dvt/contracts/abis';
import { parseEther } from 'viem';
import { readContract } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/p2p.ts';
import { type Agent, deployForTests, registeredAgents, stopAgents } from './agents.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-reporting-'));

let anvil: AnvilProcess;
afterAll(async () => {
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the 31 ETH confirmation beyond K seats', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: WalletClientLike;

  beforeAll(async () => {
    anvil = await startAnvil(['--block-time', '1']);
    ({ admin, deployment } = await deployForTests(anvil.url, {
      reportingCommitteeSeats: 16n,
      reportFrames: { secondsPerEpoch: 1n, epochsPerFrame: 10n },
    }));
    // Five operators with collateral for 5 seats each.
    agents = await registeredAgents({
      root,
      url: anvil.url,
      deployment,
      admin,
      count: 5,
      name: 'reporting',
      stakeEth: '6',
      collateralEth: '5',
    });
  });

  afterAll(() => stopAgents(agents));

  it('the keepers draw a reporting committee and its members fund the validator past K', async () => {
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther(String(5 * 32)) });
    const state = () => agents[0]!.reader.state();
    await waitUntil(
      () =>
        state()
          .validators()
          .filter((v) => v.validatorIndex !== undefined).length === 5,
      'five validators funded',
      200_000,
    );
    const events = agents.flatMap((a) => a.events.map((e) => ({ agent: a, e })));
    const drawnBy = events.filter(({ e }) => e.type === 'keeper' && e.action === 'draw-reporting-committee');
    expect(drawnBy.length).toBeGreaterThanOrEqual(1);
    // past K at the end, and funded through a committee: the latest one is drawn
    const [activeSeats, epoch] = await Promise.all([
      readContract(admin, {
        address: deployment.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'activeSeats',
      }),
      readContract(admin, {
        address: deployment.accounting,
        abi: accountingAbi,
        functionName: 'latestCommitteeEpoch',
      }),
    ]);
    expect(activeSeats).toBe(20n);
    const [, drawn, seats] = await readContract(admin, {
      address: deployment.accounting,
      abi: accountingAbi,
      functionName: 'reportingCommitteeOf',
      args: [epoch],
    });
    expect(drawn).toBe(true);
    expect(seats).toBe(16n);
    const last = [...state().validators()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1)).at(-1)!;
    expect(
      events.filter(({ e }) => e.type === 'confirmation-submitted' && e.drawId === last.drawId),
    ).toHaveLength(1);
  });
});
