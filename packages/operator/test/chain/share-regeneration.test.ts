// A lost share regenerated, on a real Anvil with the whole system deployed (committee of 4, t = 3) and
// four operators running the lifecycle over real libp2p on loopback. A validator is accepted (draw ->
// DKG -> approvals, shares promoted); then one member loses its share (keystore and start-up bundle
// deleted while it is stopped) and restarts. It finds its seat without a share, sends
// `requestShareRegeneration` (once), the chain answers `ReshareRequested` naming it in its own seat,
// the three others deal from their shares while it only receives, and `ReshareRecorded` records
// generation 1: same group key, same committee, and the member holds the share the chain recorded.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combinePartialSignatures, createBls, PublicKey } from '@diva-dvt/bls-threshold';
import { type DivaDeployment, stake, type WalletClientLike } from '@diva-dvt/contracts';
import { committeeDrawAbi } from '@diva-dvt/contracts/abis';
import { parseEther, parseEventLogs, toHex } from 'viem';
import { getLogs } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markUnusableKeystore } from '../../src/chain/share-regeneration.ts';
import type { OperatorAddress } from '../../src/committee/types.ts';
import { waitUntil } from '../helpers/p2p.ts';
import {
  type Agent,
  bundleFileOf,
  keystoreOf,
  loadSharesAsNode,
  logs,
  shareOf as shareOfAgent,
  startAgent,
  startAgentNetwork,
  stopAgents,
} from './agents.ts';
import type { AnvilProcess } from './helpers.ts';

const hex = (b: Uint8Array) => toHex(b);

const root = mkdtempSync(join(tmpdir(), 'diva-regenerate-'));
const bls = createBls();

let anvil: AnvilProcess;
afterAll(async () => {
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a lost share regenerated on the member request', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: WalletClientLike;

  beforeAll(async () => {
    ({ anvil, admin, deployment, agents } = await startAgentNetwork({
      root,
      count: 4,
      name: 'regenerate',
      stakeEth: '3',
      collateralEth: '2',
    }));
  });

  afterAll(() => stopAgents(agents));

  const agentOf = (a: OperatorAddress) => agents.find((x) => x.node.network.address === a)!;
  const shareOf = (a: Agent, groupKey: Uint8Array, index: number) => shareOfAgent(agents, a, groupKey, index);
  /** Waits for `member` to ask, the chain to record `generation`, and `member` to promote its share. */
  const regenerated = async (member: Agent, generation: number, asking: string) => {
    await waitUntil(() => member.events.some((e) => e.type === 'regeneration-requested'), asking, 30_000);
    await waitUntil(
      () => agents[0]!.reader.state().validator(1n)?.generation === generation,
      `generation ${generation} recorded`,
      90_000,
    );
    await waitUntil(
      () => member.events.some((e) => e.type === 'share-promoted' && e.generation === generation),
      'the member promoting its new share',
      20_000,
    );
  };
  /**
   * Stops agent `a`, lets `damage` change its files (its start-up bundle is deleted too), and starts
   * it again, given the keystores `damage` answers as marked unusable.
   */
  const restart = async (a: Agent, damage: () => Promise<ReadonlySet<string> | undefined>) => {
    const i = agents.indexOf(a);
    await a.lifecycle.stop();
    await a.source.stop();
    await a.reader.stop();
    const marks = await damage();
    rmSync(join(root, `op-${i}`, 'key-shares.cache.json'), { force: true });
    agents[i] = startAgent(root, anvil.url, deployment, a.node, i, undefined, marks);
    const restarted = agents[i]!;
    await restarted.source.start();
    await restarted.lifecycle.start();
    return { restarted, i };
  };

  it('a member whose share is gone asks for a new one, receives it and holds the recorded share', {
    timeout: 240_000,
  }, async () => {
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    const chain = () => agents[0]!.reader.state();
    await waitUntil(
      () =>
        agents.filter((a) => a.events.some((e) => e.type === 'share-promoted')).length === 4 &&
        chain().validator(1n) !== undefined &&
        chain().draw(1n)?.status === 'approved',
      'validator 1 accepted and its shares promoted',
      120_000,
    );
    const before = chain().validator(1n)!;
    const committee = before.members.map((m) => m.operator);
    // The member at seat 2 loses its share: stopped, its keystore and start-up bundle deleted.
    const lost = agentOf(committee[1]!);
    const file = keystoreOf(lost, before.groupPublicKey, 2);
    expect(existsSync(file)).toBe(true);
    let started = 0;
    const { restarted, i } = await restart(lost, async () => {
      rmSync(file);
      started = performance.now();
      return undefined;
    });
    expect(restarted.events.filter((e) => e.type.startsWith('share-'))).toMatchObject([
      { type: 'share-missing', drawId: 1n },
    ]);
    await waitUntil(
      () => restarted.events.some((e) => e.type === 'regeneration-requested'),
      'the member requesting a new share',
      20_000,
    );
    await waitUntil(() => chain().validator(1n)?.generation === 1, 'the resharing recorded', 90_000);
    await waitUntil(
      () =>
        committee
          .map((a) => (a === restarted.node.network.address ? restarted : agentOf(a)))
          .every((a) => a.events.some((e) => e.type === 'share-promoted' && e.generation === 1)),
      'every member promoting its new share',
      20_000,
    );
    process.stdout.write(
      `lost share: restart to new share promoted (4 members, t = 3): ${Math.round(performance.now() - started)} ms\n`,
    );

    // On chain: one request, naming the member in its own seat, the committee unchanged.
    const requested = parseEventLogs({
      abi: committeeDrawAbi,
      logs: await getLogs(admin, { address: deployment.committeeDraw, fromBlock: deployment.fromBlock }),
      eventName: 'ReshareRequested',
    });
    expect(requested).toHaveLength(1);
    expect(requested[0]!.args.shareIndex).toBe(2n);
    expect(requested[0]!.args.replacement.toLowerCase()).toBe(restarted.node.network.address);
    expect(requested[0]!.args.committee.map((a) => a.toLowerCase())).toEqual(committee);
    expect(restarted.events.filter((e) => e.type === 'regeneration-requested')).toHaveLength(1);
    // It received only; the three others dealt.
    expect(logs.some((l) => l.includes(`op${i} warn resharing: this member holds no valid share`))).toBe(
      true,
    );

    // Same group key and committee, new public shares; the member holds the recorded one.
    const after = chain().validator(1n)!;
    expect(hex(after.groupPublicKey)).toBe(hex(before.groupPublicKey));
    expect(after.members.map((m) => m.operator)).toEqual(committee);
    for (const [k, m] of after.members.entries())
      expect(hex(m.publicShare)).not.toBe(hex(before.members[k]!.publicShare));
    const regenerated = await shareOf(restarted, after.groupPublicKey, 2);
    expect(hex(regenerated.toPublicKey().bytes)).toBe(hex(after.members[1]!.publicShare));
    expect(readdirSync(join(restarted.stateDir, 'reshare'))).toEqual([]);
    // its served committee is the new generation, and three shares with it sign under the group key
    expect(restarted.source.current().validators[0]!.members.map((m) => hex(m.publicShare))).toEqual(
      after.members.map((m) => hex(m.publicShare)),
    );
    const message = new TextEncoder().encode('after the regeneration');
    const partials = [];
    for (const m of after.members.slice(0, 3)) {
      const holder = m.operator === restarted.node.network.address ? restarted : agentOf(m.operator);
      const share = await shareOf(holder, after.groupPublicKey, m.shareIndex);
      partials.push({ shareIndex: m.shareIndex, signature: bls.sign(share, message) });
    }
    const signature = combinePartialSignatures(partials, { threshold: 3 });
    expect(bls.verify(PublicKey.fromBytes(after.groupPublicKey), message, signature)).toBe(true);
    // nothing asked again once the share is in place
    await agents[0]!.reader.poll();
    expect(chain().draw(1n)!.regenerating).toBeUndefined();
  });

  it('a second loss within the cooldown waits for it, then asks again and is regenerated', {
    timeout: 180_000,
  }, async () => {
    const chain = () => agents[0]!.reader.state();
    const before = chain().validator(1n)!;
    expect(before.generation).toBe(1);
    const committee = before.members.map((m) => m.operator);
    const lost = agentOf(committee[2]!);
    const { restarted, i } = await restart(lost, async () => {
      rmSync(keystoreOf(lost, before.groupPublicKey, 3));
      return undefined;
    });
    // The first request's cooldown (300 blocks) still runs: refused, named, not sent again meanwhile.
    const refused = () =>
      logs.filter(
        (l) => l.includes(`op${i} warn new share not requested`) && l.includes('RegenerationCooldown'),
      );
    await waitUntil(() => refused().length === 1, 'the request refused by the cooldown', 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(refused()).toHaveLength(1);
    expect(restarted.events.some((e) => e.type === 'regeneration-requested')).toBe(false);
    await admin.request({ method: 'anvil_mine' as never, params: ['0x12c'] as never });
    await regenerated(restarted, 2, 'the member asking again after the cooldown');
    const after = chain().validator(1n)!;
    expect(hex(after.groupPublicKey)).toBe(hex(before.groupPublicKey));
    expect(after.members.map((m) => m.operator)).toEqual(committee);
    const share = await shareOf(restarted, after.groupPublicKey, 3);
    expect(hex(share.toPublicKey().bytes)).toBe(hex(after.members[2]!.publicShare));
    expect(refused()).toHaveLength(1);
  });

  it('a keystore that declares the right share but will not decrypt: the loader marks it, the seat asks', {
    timeout: 180_000,
  }, async () => {
    const chain = () => agents[0]!.reader.state();
    const before = chain().validator(1n)!;
    expect(before.generation).toBe(2);
    const committee = before.members.map((m) => m.operator);
    const broken = agentOf(committee[3]!);
    const file = keystoreOf(broken, before.groupPublicKey, 4);
    // the previous request's cooldown is over; the restarted seat, its keystore marked, asks again
    await admin.request({ method: 'anvil_mine' as never, params: ['0x12c'] as never });
    const { restarted } = await restart(broken, async () => {
      // its ciphertext damaged, the declared public share left as it was: only decrypting tells
      const keystore = JSON.parse(readFileSync(file, 'utf8'));
      const message: string = keystore.crypto.cipher.message;
      keystore.crypto.cipher.message = `${message.slice(0, -2)}${message.endsWith('00') ? '11' : '00'}`;
      writeFileSync(file, JSON.stringify(keystore));
      rmSync(bundleFileOf(root, agents, broken), { force: true });
      // loaded as diva-node does at start: the loader reports it, and the node marks it
      const marks = new Set<string>();
      const { failures } = await loadSharesAsNode(root, agents, broken);
      expect(failures.map((f) => [f.file, f.code])).toEqual([[file, 'WRONG_KEYSTORE_PASSWORD']]);
      expect(await markUnusableKeystore(marks, failures[0]!.file!)).toBe(true);
      return marks;
    });
    await regenerated(
      restarted,
      3,
      'the member with a keystore that will not decrypt asking for a new share',
    );
    const after = chain().validator(1n)!;
    const share = await shareOf(restarted, after.groupPublicKey, 4);
    expect(hex(share.toPublicKey().bytes)).toBe(hex(after.members[3]!.publicShare));
    // the new keystore declares another share: no longer marked, nothing asked again
    await agents[0]!.reader.poll();
    await new Promise((r) => setTimeout(r, 2000));
    expect(restarted.events.filter((e) => e.type === 'regeneration-requested')).toHaveLength(1);
  });
});
