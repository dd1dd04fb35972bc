// Attack 13 (issue 15): blocking and replaying ceremonies. The ceremony id bound only chain, contract and
// draw id, so approvals signed for one committee round stayed valid in the next; and a member could block
// its committee's DKG at no cost until the draw expired and the whole committee was rerolled. Now the
// ceremony id binds the committee and its round, and t members can name the blocker of a failed ceremony:
// it loses the seat it blocked, the other members keep theirs, and a new round (new id) starts.
// Measured on the contracts before the fix (commit 5be3caf, run with that API from a temporary worktree):
// a blocker let the DKG time out, then `expire` and `redraw`: it lost 0 divETH and 0 seats, all 16 seats
// were rerolled, and `ceremonyIdOf` was the same before and after, so a round-1 approval by a member
// drawn to the same seat still counted. Now: the blocker loses its seat, 15 members keep theirs, and the
// id changes with the round (round-1 statements refused).
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { signCeremonyFailure } from '../../src/actions/report-failed-ceremony.ts';
import {
  committeeDrawAbi,
  dkgResultRegistryAbi,
  errorsAbi,
  operatorRegistryAbi,
} from '../../src/generated/index.ts';
import { send, useAnvil } from '../helpers/anvil.ts';
import { expectRevert } from '../helpers/crypto-errors.ts';
import { deploySystem, drawCommittee, type System, THRESHOLD } from '../helpers/crypto-system.ts';

describe('attack: blocking a DKG ceremony, replaying approvals across rounds', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const sys = await deploySystem(client, { operatorCount: 24 });
      const { drawId, committee } = await drawCommittee(client, sys);
      return { sys, drawId, committee };
    },
  });

  /** Failure statements naming `blocker` (1-based) by the first t members other than `excluded`. */
  async function statements(
    sys: System,
    drawId: bigint,
    committee: readonly Address[],
    blocker: number,
    excluded: number[],
  ) {
    const client = chain.client();
    const ceremonyId = (await client.readContract({
      address: sys.results,
      abi: dkgResultRegistryAbi,
      functionName: 'ceremonyIdOf',
      args: [drawId],
    })) as Hex;
    const approvals: { shareIndex: bigint; signature: Hex }[] = [];
    for (let i = 1; i <= committee.length && approvals.length < THRESHOLD; i++) {
      if (excluded.includes(i)) continue;
      const member = sys.byAddress.get(committee[i - 1]!.toLowerCase())!;
      approvals.push({
        shareIndex: BigInt(i),
        signature: await signCeremonyFailure(member.account, {
          dkgResultRegistry: sys.results,
          chainId: await client.getChainId(),
          drawId,
          ceremonyId,
          blockerShareIndex: BigInt(blocker),
        }),
      });
    }
    return { ceremonyId, approvals };
  }

  const report = (sys: System, drawId: bigint, blocker: number, approvals: readonly unknown[]) =>
    send(chain.client(), {
      address: sys.results,
      abi: [...dkgResultRegistryAbi, ...errorsAbi],
      functionName: 'reportFailedCeremony',
      args: [drawId, BigInt(blocker), approvals],
      chain: null,
      gas: 3_000_000n,
    } as never);

  const seatsOf = (sys: System, operator: Address) =>
    chain.client().readContract({
      address: sys.registry,
      abi: operatorRegistryAbi,
      functionName: 'keySharesOf',
      args: [operator],
    }) as Promise<bigint>;

  it('costs the blocker its seat and rerolls nothing else', async () => {
    const client = chain.client();
    const { sys, drawId, committee } = chain.context();
    const blocker = committee[0]!;
    expect(await seatsOf(sys, blocker)).toBe(1n);
    const { ceremonyId, approvals } = await statements(sys, drawId, committee, 1, [1]);
    await report(sys, drawId, 1, approvals);
    const after = (await client.readContract({
      address: sys.draw,
      abi: committeeDrawAbi,
      functionName: 'committeeOf',
      args: [drawId],
    })) as Address[];
    // The blocker's gain from blocking: a lost seat (-1); it had nothing to lose before the fix.
    expect(await seatsOf(sys, blocker)).toBe(0n);
    expect(after).not.toContain(blocker);
    // The other 15 keep their seats, where they were: the committee is not rerolled.
    expect(after.slice(1)).toEqual(committee.slice(1));
    const newId = await client.readContract({
      address: sys.results,
      abi: dkgResultRegistryAbi,
      functionName: 'ceremonyIdOf',
      args: [drawId],
    });
    expect(newId).not.toBe(ceremonyId);
    // The blocker cannot vouch for itself, and fewer than t statements do nothing.
    const self = await statements(sys, drawId, after, 2, []);
    expect((await expectRevert(() => report(sys, drawId, 2, self.approvals))).name).toBe('BlockerApproved');
    const few = await statements(sys, drawId, after, 2, [2]);
    expect(
      (await expectRevert(() => report(sys, drawId, 2, few.approvals.slice(0, THRESHOLD - 1)))).name,
    ).toBe('TooFewApprovals');
  });

  it('refuses approvals signed for an earlier round of the same committee seats', async () => {
    const { sys, drawId, committee } = chain.context();
    // Statements gathered in round 1 against member 2 (kept aside), then member 1 is replaced.
    const old = await statements(sys, drawId, committee, 2, [1, 2]);
    const first = await statements(sys, drawId, committee, 1, [1, 2]);
    await report(sys, drawId, 1, first.approvals);
    // The same signers sit at the same seats in round 2; their round-1 statements no longer count.
    const replay = await expectRevert(() => report(sys, drawId, 2, old.approvals));
    expect(replay.name).toBe('WrongSigner');
    expect(await seatsOf(sys, committee[1]!)).toBe(1n);
  });
});
