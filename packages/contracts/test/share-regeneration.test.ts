// CommitteeDraw.requestShareRegeneration on Anvil: a member of an approved committee that lost its
// share asks for a new one (ReshareRequested with the committee unchanged and itself as the seat's
// "replacement"), through the typed action with its own key; a stranger, an ejected member and a
// committee not yet approved are refused, and one request per draw per 300 blocks goes through.
import { getAddress, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { committeeDrawAbi, operatorRegistryAbi } from '../src/generated/index.ts';
import { requestShareRegeneration } from '../src/index.ts';
import { createAnvilClient, useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  committeeOf,
  deploySystem,
  drawCommittee,
  ROLES,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const SEATS = Array.from({ length: 18 }, () => 2n);

describe('CommitteeDraw.requestShareRegeneration', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const operators = await addOperators(client, system, SEATS, 'regen');
      const staker = testAccount('regen-staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      return { system, operators };
    },
  });
  const account = (address: string) =>
    chain.context().operators.find((o) => o.address.toLowerCase() === address.toLowerCase())!;
  const ask = (address: string, drawId: bigint) =>
    requestShareRegeneration(createAnvilClient(chain.anvil().url, account(address)), {
      committeeDraw: chain.context().system.committeeDraw,
      drawId,
    });
  const approve = (drawId: bigint) =>
    tx(chain.client(), {
      account: ROLES.dkgResult,
      address: chain.context().system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'markApproved',
      args: [drawId],
    });
  const requests = () =>
    chain.client().getContractEvents({
      address: chain.context().system.committeeDraw,
      abi: committeeDrawAbi,
      eventName: 'ReshareRequested',
      fromBlock: 0n,
    });

  it('lets a member of an approved committee ask, with its own seat and the committee unchanged', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    const committee = await committeeOf(client, system, drawId);
    const notApproved = await expectRevert(() => ask(committee[2]!, drawId));
    expect(notApproved.name).toBe('InvalidStatus');
    await approve(drawId);
    const hash = await ask(committee[2]!, drawId);
    const receipt = await client.waitForTransactionReceipt({ hash });
    process.stdout.write(`requestShareRegeneration (16 members): ${receipt.gasUsed} gas\n`);
    const logs = await requests();
    expect(logs).toHaveLength(1);
    expect(logs[0]!.args).toEqual({
      drawId,
      committee: committee.map((a) => getAddress(a)),
      shareIndex: 3n,
      replacement: getAddress(committee[2]!),
    });
    expect(await committeeOf(client, system, drawId)).toEqual(committee);
    const at = await client.readContract({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'regenerationRequestedAt',
      args: [drawId],
    });
    expect(at).toBe(receipt.blockNumber);
  });

  it('refuses a stranger, an ejected member and an unknown draw', async () => {
    const client = chain.client();
    const { system, operators } = chain.context();
    const drawId = await drawCommittee(client, system);
    await approve(drawId);
    const committee = (await committeeOf(client, system, drawId)).map((a) => a.toLowerCase());
    const stranger = operators.find((o) => !committee.includes(o.address.toLowerCase()))!;
    const notMember = await expectRevert(() => ask(stranger.address, drawId));
    expect(notMember).toEqual({ name: 'NotInCommittee', args: [drawId, stranger.address] });
    await tx(client, {
      account: ROLES.evidence,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'eject',
      args: [committee[0]!],
    });
    const ejected = await expectRevert(() => ask(committee[0]!, drawId));
    expect(ejected.name).toBe('MemberEjected');
    const unknown = await expectRevert(() => ask(committee[1]!, drawId + 7n));
    expect(unknown.name).toBe('InvalidStatus');
    expect(await requests()).toHaveLength(0);
  });

  it('lets one request per draw through per 300 blocks, whoever asks', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    await approve(drawId);
    const committee = await committeeOf(client, system, drawId);
    const hash = await ask(committee[0]!, drawId);
    const first = (await client.waitForTransactionReceipt({ hash })).blockNumber;
    const cooldown = await client.readContract({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'REGENERATION_COOLDOWN_BLOCKS',
    });
    expect(cooldown).toBe(300n);
    const same = await expectRevert(() => ask(committee[0]!, drawId));
    expect(same).toEqual({ name: 'RegenerationCooldown', args: [drawId, first + 300n] });
    const other = await expectRevert(() => ask(committee[5]!, drawId));
    expect(other.name).toBe('RegenerationCooldown');
    // the simulation runs on the next block: latest = first + 298 is refused, first + 299 is not
    await client.mine({ blocks: 298 - Number((await client.getBlockNumber()) - first) });
    expect((await expectRevert(() => ask(committee[5]!, drawId))).name).toBe('RegenerationCooldown');
    await client.mine({ blocks: 1 });
    await client.waitForTransactionReceipt({ hash: await ask(committee[5]!, drawId) });
    const logs = await requests();
    expect(logs.map((l) => l.args.shareIndex)).toEqual([1n, 6n]);
  });
});
