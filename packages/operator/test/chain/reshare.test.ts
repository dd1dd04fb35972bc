// Resharing on the contracts' request, on a real Anvil with the whole system deployed (committee of 4,
// t = 3) and six operators running the lifecycle over real libp2p on loopback. A validator is accepted
// (draw -> DKG -> approvals); then real evidence (a committee member, as consensus leader, signed two
// proposals for one instance and round) goes to the evidence contract, which slashes and ejects it and
// draws a replacement into its seat (`ReshareRequested`). The three members left deal from their
// promoted shares, the new committee receives, approves over p2p and records the new public shares
// (`ReshareRecorded`): the group key stays, the replacement holds a share, any three new shares sign
// under the group key, the ejected operator's share is out of the committee. One new member stops
// after its ceremony, before approving; the others' approvals suffice, and restarted from its files
// and the chain it promotes its new share. Then a second validator whose replacement is offline: the
// members' first attempt fails at connect naming it (no failure report exists for a resharing), and
// once it is back the next attempt records.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combinePartialSignatures, createBls, PublicKey } from '@diva-dvt/bls-threshold';
import {
  type DivaDeployment,
  proveEquivocatingLeader,
  signLeaderProposal,
  stake,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { dkgResultRegistryAbi } from '@diva-dvt/contracts/abis';
import { type Hex, parseEther, parseEventLogs, toHex } from 'viem';
import { getLogs, waitForTransactionReceipt } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reshareDir } from '../../src/chain/reshare-pending.ts';
import type { OperatorAddress } from '../../src/committee/types.ts';
import { loadKeySharesCached } from '../../src/keys/share-cache.ts';
import { waitUntil } from '../helpers/p2p.ts';
import {
  type Agent,
  agentEvents,
  bundleFileOf,
  loadSharesAsNode,
  logs,
  reshareFailuresSince,
  shareOf as shareOfAgent,
  startAgent,
  startAgentNetwork,
  stopAgents,
  walletOf,
} from './agents.ts';
import type { AnvilProcess } from './helpers.ts';

const hex = (b: Uint8Array) => toHex(b);
const root = mkdtempSync(join(tmpdir(), 'diva-reshare-'));
const bls = createBls();

let anvil: AnvilProcess;
afterAll(async () => {
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('resharing on the contracts request', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: WalletClientLike;

  beforeAll(async () => {
    ({ anvil, admin, deployment, agents } = await startAgentNetwork({
      root,
      count: 6,
      name: 'reshare',
      stakeEth: '3',
      collateralEth: '2',
    }));
  });

  afterAll(() => stopAgents(agents));

  const agentOf = (a: OperatorAddress) => agents.find((x) => x.node.network.address === a)!;
  const shareOf = (a: Agent, groupKey: Uint8Array, index: number) => shareOfAgent(agents, a, groupKey, index);
  const keystoreName = (groupKey: Uint8Array, index: number) =>
    `keystore-${hex(groupKey).slice(2)}-${index}.json`;
  const bundleOf = (a: Agent) => bundleFileOf(root, agents, a);
  const loadAsNode = (a: Agent) => loadSharesAsNode(root, agents, a);

  it('an ejected member is replaced: the committee reshares, records it, and the key stays', async () => {
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    const chain = () => agents[0]!.reader.state();
    await waitUntil(
      () =>
        agents.filter((a) => a.events.some((e) => e.type === 'share-promoted')).length === 4 &&
        chain().validator(1n) !== undefined,
      'validator 1 accepted and its shares promoted',
      120_000,
    );
    const before = chain().validator(1n)!;
    const oldCommittee = before.members.map((m) => m.operator);
    // The member at seat 2 equivocates as leader: two proposals for one instance and round.
    const ejected = agentOf(oldCommittee[1]!);
    // its share, also in its start-up bundle (as a node that started once holds it)
    const oldEjectedShare = await shareOf(ejected, before.groupPublicKey, 2);
    expect((await loadAsNode(ejected)).shares.size).toBe(1);
    const ejectedKeystore = join(ejected.keysDir, keystoreName(before.groupPublicKey, 2));
    // the old generation's keystore of a member keeping its seat, and its committees (used at the end)
    const kept = agentOf(oldCommittee[2]!);
    const keptOldCommittees = kept.source.current().validators;
    const keptFile = join(kept.keysDir, keystoreName(before.groupPublicKey, 3));
    const keptOldKeystore = readFileSync(keptFile);
    // A pending directory of a committee the chain never asked for (superseded) at the first member.
    const first0 = agentOf(oldCommittee[0]!);
    const planted = join(first0.stateDir, 'reshare', 'draw-1-gen-1-000000000000');
    mkdirSync(planted, { recursive: true });
    writeFileSync(join(planted, 'cluster.json'), '{}');
    const ejectedWallet = walletOf(anvil.url, ejected.node.key);
    const proposal = (valueRoot: Hex) => ({ instance: `0x${'11'.repeat(32)}` as Hex, round: 3n, valueRoot });
    const [first, second] = [proposal(`0x${'aa'.repeat(32)}`), proposal(`0x${'bb'.repeat(32)}`)];
    const sign = (p: typeof first) =>
      signLeaderProposal(ejectedWallet.account, {
        evidenceSlasher: deployment.evidenceSlasher!,
        chainId: 31337,
        proposal: p,
      });

    // One new member (not the ejected one's replacement) stops after its ceremony, before approving.
    let stopped: Agent | undefined;
    // the submitter's pending directory while its resharing is in flight, at its submission
    let inFlight: { kept: boolean; plantedGone: boolean } | undefined;
    agentEvents.hook = (agent, e) => {
      if (e.type === 'reshare-submitted' && inFlight === undefined) {
        const dir = reshareDir(agent.stateDir, 1n, 1, chain().draw(1n)!.committee);
        inFlight = { kept: existsSync(dir), plantedGone: !existsSync(planted) };
      }
      if (
        stopped === undefined &&
        e.type === 'reshare-done' &&
        agent.node.network.address === oldCommittee[3]
      ) {
        stopped = agent;
        void agent.lifecycle.stop();
      }
    };
    const started = performance.now();
    const proven = await proveEquivocatingLeader(admin, {
      evidenceSlasher: deployment.evidenceSlasher!,
      drawId: 1n,
      first,
      firstSignature: await sign(first),
      second,
      secondSignature: await sign(second),
    });
    expect((await waitForTransactionReceipt(admin, { hash: proven })).status).toBe('success');
    await waitUntil(
      () => chain().draw(1n)!.committee.includes(ejected.node.network.address) === false,
      'replacement drawn',
      10_000,
    );
    const newCommittee = chain().draw(1n)!.committee;
    const replacement = agentOf(newCommittee[1]!);
    expect(oldCommittee).not.toContain(replacement.node.network.address);
    expect(newCommittee.filter((a, i) => a !== oldCommittee[i])).toEqual([replacement.node.network.address]);

    await waitUntil(() => chain().validator(1n)?.generation === 1, 'the resharing recorded', 90_000);
    process.stdout.write(
      `evidence to resharing recorded (4 members, t = 3): ${Math.round(performance.now() - started)} ms\n`,
    );
    agentEvents.hook = undefined;
    const after = chain().validator(1n)!;
    // ReshareRecorded on chain, generation 1, by one of the new committee
    const recorded = parseEventLogs({
      abi: dkgResultRegistryAbi,
      logs: await getLogs(admin, { address: deployment.dkgResultRegistry!, fromBlock: deployment.fromBlock }),
      eventName: 'ReshareRecorded',
    });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.args.generation).toBe(1n);
    expect(newCommittee).toContain(recorded[0]!.args.submitter.toLowerCase());
    // same group key, the new committee, new public shares (every one of them)
    expect(hex(after.groupPublicKey)).toBe(hex(before.groupPublicKey));
    expect(after.members.map((m) => m.operator)).toEqual(newCommittee);
    expect(after.members.map((m) => m.operator)).not.toContain(ejected.node.network.address);
    for (const [i, m] of after.members.entries())
      expect(hex(m.publicShare)).not.toBe(hex(before.members[i]!.publicShare));
    const stoppedMember = stopped!;
    expect(stoppedMember).toBeDefined();
    expect(stoppedMember.events.some((e) => e.type === 'reshare-done')).toBe(true);

    // The members still running promote their new share (the replacement's is its first).
    const running = newCommittee.map(agentOf).filter((a) => a !== stoppedMember);
    await waitUntil(
      () => running.every((a) => a.events.some((e) => e.type === 'share-promoted' && e.generation === 1)),
      'the running new members promoting their shares',
      15_000,
    );
    expect(readdirSync(replacement.keysDir)).toEqual([
      `keystore-${hex(after.groupPublicKey).slice(2)}-2.json`,
    ]);
    // Pending directories: the one in flight was kept until its promotion, the superseded one went.
    expect(inFlight).toEqual({ kept: true, plantedGone: true });
    for (const a of running) expect(readdirSync(join(a.stateDir, 'reshare'))).toEqual([]);
    // The ejected operator retires its share at rest (once the record is 3 blocks deep), and its entry
    // in the start-up bundle: the keystore waits, unchanged, in keys/retired/.
    await waitUntil(() => !existsSync(ejectedKeystore), 'the ejected operator retiring its share', 20_000);
    expect(readdirSync(join(ejected.keysDir, 'retired'))).toEqual([
      `${keystoreName(before.groupPublicKey, 2)}.superseded-gen-1`,
    ]);
    const bundled = existsSync(bundleOf(ejected))
      ? (JSON.parse(readFileSync(bundleOf(ejected), 'utf8')).entries as { file: string }[])
      : [];
    expect(bundled.map((e) => e.file)).not.toContain(keystoreName(before.groupPublicKey, 2));
    // The stopped one restarts from its files and the chain: its pending share is promoted.
    const i = agents.indexOf(stoppedMember);
    await stoppedMember.source.stop();
    await stoppedMember.reader.stop();
    agents[i] = startAgent(root, anvil.url, deployment, stoppedMember.node, i);
    await agents[i]!.source.start();
    await agents[i]!.lifecycle.start();
    // Its start promoted the new share before returning: the keys load as the chain says (it used
    // to stop here with KEY_SHARE_MISMATCH when its keys were loaded before the first step).
    const seat = after.members.find((m) => m.operator === stoppedMember.node.network.address)!;
    const promotedFile = join(stoppedMember.keysDir, keystoreName(after.groupPublicKey, seat.shareIndex));
    expect(JSON.parse(readFileSync(promotedFile, 'utf8')).pubkey).toBe(hex(seat.publicShare).slice(2));
    const atStart = await loadAsNode(agents[i]!);
    expect([atStart.shares.size, atStart.failures]).toEqual([1, []]);
    await waitUntil(
      () => agents[i]!.events.some((e) => e.type === 'share-promoted' && e.generation === 1),
      'the restarted member promoting its share',
      15_000,
    );
    expect(readdirSync(join(agents[i]!.stateDir, 'reshare'))).toEqual([]);

    // Every new member's keystore is its new share; any three sign under the unchanged group key.
    const message = new TextEncoder().encode('after the resharing');
    const partials = [];
    for (const m of after.members) {
      const share = await shareOf(agentOf(m.operator), after.groupPublicKey, m.shareIndex);
      expect(hex(share.toPublicKey().bytes)).toBe(hex(m.publicShare));
      partials.push({ shareIndex: m.shareIndex, signature: bls.sign(share, message) });
      // each member's source serves the new committee
      const served = agentOf(m.operator).source.current().validators[0]!;
      expect(served.members.map((x) => hex(x.publicShare))).toEqual(
        after.members.map((x) => hex(x.publicShare)),
      );
    }
    const groupKey = PublicKey.fromBytes(after.groupPublicKey);
    for (const pick of [
      partials.slice(0, 3),
      partials.slice(1),
      [partials[0]!, partials[1]!, partials[3]!],
    ]) {
      const signature = combinePartialSignatures(pick, { threshold: 3 });
      expect(bls.verify(groupKey, message, signature)).toBe(true);
    }
    // The ejected operator's old share no longer combines with the new ones, nor is it served.
    const old = oldEjectedShare;
    const mixed = [partials[0]!, { shareIndex: 2, signature: bls.sign(old, message) }, partials[2]!];
    expect(bls.verify(groupKey, message, combinePartialSignatures(mixed, { threshold: 3 }))).toBe(false);
    expect(ejected.source.current().validators).toEqual([]);
    expect(ejected.events.some((e) => e.type === 'reshare-started')).toBe(false);

    // A member restarted after the record with nothing usable (only the old generation's keystore,
    // its pending directory lost; its start-up bundle still holding the old share, as a node that ran
    // before the resharing has it): the start names the share missing, drops the bundle entry and
    // retires the keystore of its own seat (it cannot sign with the new committee; it then asks for a
    // new share, ./share-regeneration.test.ts), and its keys load without that validator instead of failing.
    const k = agents.indexOf(kept);
    const newKeystore = readFileSync(keptFile);
    await kept.lifecycle.stop();
    await kept.source.stop();
    await kept.reader.stop();
    writeFileSync(keptFile, keptOldKeystore);
    const keptPasswordFile = join(root, `password-${k}.txt`);
    writeFileSync(keptPasswordFile, `password ${k}\n`);
    const bundledOld = await loadKeySharesCached({
      dir: kept.keysDir,
      passwordFile: keptPasswordFile,
      committees: keptOldCommittees,
      self: kept.node.network.address,
      cacheFile: bundleOf(kept),
    });
    expect(bundledOld.shares.size).toBe(1);
    const bundledFiles = () =>
      existsSync(bundleOf(kept))
        ? (JSON.parse(readFileSync(bundleOf(kept), 'utf8')).entries as { file: string }[]).map((e) => e.file)
        : [];
    expect(bundledFiles()).toContain(keystoreName(before.groupPublicKey, 3));
    agents[k] = startAgent(root, anvil.url, deployment, kept.node, k);
    await agents[k]!.source.start();
    await agents[k]!.lifecycle.start();
    expect(agents[k]!.events.filter((e) => e.type.startsWith('share-'))).toMatchObject([
      { type: 'share-missing', drawId: 1n },
    ]);
    expect(
      logs.some((l) => l.includes(`op${k} error resharing recorded but this member holds no share`)),
    ).toBe(true);
    expect(logs.some((l) => l.includes(`op${k} error this seat's share is the old generation's`))).toBe(true);
    expect(bundledFiles()).not.toContain(keystoreName(before.groupPublicKey, 3));
    expect(existsSync(keptFile)).toBe(false);
    const retiredFile = join(
      kept.keysDir,
      'retired',
      `${keystoreName(before.groupPublicKey, 3)}.superseded-gen-1`,
    );
    expect(readFileSync(retiredFile)).toEqual(keptOldKeystore);
    const unusable = await loadAsNode(agents[k]!);
    expect(unusable.shares.size).toBe(0);
    expect(unusable.failures.map((f) => [f.code, f.file])).toEqual([['MISSING_KEY_SHARE', keptFile]]);
    writeFileSync(keptFile, newKeystore); // mended, for what follows
  });

  it('a replacement that does not take part is named; the ceremony runs again and records', {
    timeout: 300_000,
  }, async () => {
    const chain = () => agents[0]!.reader.state();
    await agents[0]!.reader.poll();
    const ejectedBefore = new Set(
      chain()
        .operators()
        .filter((o) => o.ejected)
        .map((o) => o.address),
    );
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    await waitUntil(() => chain().validator(2n) !== undefined, 'validator 2 accepted', 120_000);
    const committee = chain()
      .validator(2n)!
      .members.map((m) => m.operator);
    // The only operator outside the committee that can take a seat: the replacement. Its lifecycle
    // stops (its network stays up and answers nothing).
    const spare = agents.find(
      (a) => !committee.includes(a.node.network.address) && !ejectedBefore.has(a.node.network.address),
    )!;
    await spare.lifecycle.stop();
    const offender = agentOf(committee[0]!);
    const offenderWallet = walletOf(anvil.url, offender.node.key);
    const proposal = (valueRoot: Hex) => ({ instance: `0x${'22'.repeat(32)}` as Hex, round: 1n, valueRoot });
    const [first, second] = [proposal(`0x${'cc'.repeat(32)}`), proposal(`0x${'dd'.repeat(32)}`)];
    const sign = (p: typeof first) =>
      signLeaderProposal(offenderWallet.account, {
        evidenceSlasher: deployment.evidenceSlasher!,
        chainId: 31337,
        proposal: p,
      });
    const proven = await proveEquivocatingLeader(admin, {
      evidenceSlasher: deployment.evidenceSlasher!,
      drawId: 2n,
      first,
      firstSignature: await sign(first),
      second,
      secondSignature: await sign(second),
    });
    expect((await waitForTransactionReceipt(admin, { hash: proven })).status).toBe('success');
    const members = committee.slice(1).map(agentOf);
    // Each member's first attempt fails at connect, naming the replacement (and maybe a member late to it).
    await waitUntil(
      () => members.every((a) => a.events.some((e) => e.type === 'reshare-failed' && e.drawId === 2n)),
      'the first attempt failing',
      40_000,
    );
    expect(chain().draw(2n)!.committee[0]).toBe(spare.node.network.address);
    for (const a of members) {
      const failed = a.events.find((e) => e.type === 'reshare-failed' && e.drawId === 2n);
      expect(failed).toMatchObject({ stage: 'connect' });
      // On a loaded machine a member may see the request late and be named too; the replacement always is.
      expect(failed?.type === 'reshare-failed' && failed.culprits).toContain(spare.node.network.address);
    }
    expect(chain().validator(2n)!.generation).toBe(0);
    // The replacement comes back (restarted from the chain); the next attempt records.
    const i = agents.indexOf(spare);
    await spare.source.stop();
    await spare.reader.stop();
    agents[i] = startAgent(root, anvil.url, deployment, spare.node, i);
    await agents[i]!.source.start();
    await agents[i]!.lifecycle.start();
    const seen = new Map(agents.map((a) => [a, a === agents[i] ? 0 : a.events.length]));
    const failedSince = () => reshareFailuresSince(seen, 2n);
    const restarted = performance.now();
    // Nothing on chain lines the members' retries up; on a loaded machine it may take a few attempts.
    await waitUntil(
      () => chain().validator(2n)?.generation === 1,
      () => `the resharing recorded; attempts failed since the restart: ${failedSince() || 'none'}`,
      120_000,
    );
    process.stdout.write(
      `replacement restarted to resharing recorded: ${Math.round(performance.now() - restarted)} ms; attempts failed meanwhile: ${failedSince() || 'none'}\n`,
    );
    await waitUntil(
      () => agents[i]!.events.some((e) => e.type === 'share-promoted' && e.drawId === 2n),
      'the replacement promoting its share',
      15_000,
    );
    const v2 = chain().validator(2n)!;
    expect(v2.members[0]!.operator).toBe(spare.node.network.address);
    const share = await shareOf(agents[i]!, v2.groupPublicKey, 1);
    expect(hex(share.toPublicKey().bytes)).toBe(hex(v2.members[0]!.publicShare));
  });
});
