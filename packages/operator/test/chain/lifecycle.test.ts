// The lifecycle the contracts drive, on a real Anvil (interval mining) with the whole system deployed
// (committee of 4, t = 3): five operators register with their libp2p identity in their multiaddrs, each
// runs a chain reader, the contracts committee source and the lifecycle agent (keepers on) over real
// libp2p on loopback. A staker deposits 32 ETH; the keepers request and finalise the draw, the drawn
// members run the DKG, trade approvals and submit; the chain accepts and deposits 1 ETH. Every member's
// source then yields the validator with the group key the deposit contract's DepositEvent carries, and
// its share keystore sits in its keys directory; an operator rebuilt from nothing but the chain yields
// the same committees.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { type DivaDeployment, stake, type WalletClientLike, withdrawCollateral } from '@diva-dvt/contracts';
import { depositContractAbi } from '@diva-dvt/contracts/abis';
import { type Hex, parseEther, parseEventLogs, toHex } from 'viem';
import { getLogs, waitForTransactionReceipt } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptKeystoreFile } from '../../src/keys/keystore.ts';
import { waitUntil } from '../helpers/p2p.ts';
import {
  type Agent,
  agentEvents,
  lockCollateral,
  startAgent,
  startAgentNetwork,
  stopAgents,
  walletOf,
} from './agents.ts';
import type { AnvilProcess } from './helpers.ts';

const hex = (b: Uint8Array) => toHex(b);
const root = mkdtempSync(join(tmpdir(), 'diva-chain-'));

let anvil: AnvilProcess;
afterAll(async () => {
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the contracts-driven lifecycle', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: WalletClientLike;

  beforeAll(async () => {
    // Five operators: 3 ETH staked, 2 divETH locked as collateral (2 seats), the p2p identity registered.
    ({ anvil, admin, deployment, agents } = await startAgentNetwork({
      root,
      count: 5,
      name: 'chain',
      stakeEth: '3',
      collateralEth: '2',
    }));
  });

  afterAll(() => stopAgents(agents));

  it('stake -> draw -> DKG -> approvals -> accepted: every member serves the deposited key', async () => {
    expect(agents.every((a) => a.source.current().validators.length === 0)).toBe(true);
    const started = performance.now();
    const stakeHash = await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    const members = () => agents.filter((a) => a.source.current().validators.length > 0);
    await waitUntil(() => members().length === 4, 'four members serving the validator', 110_000);
    const acceptedMs = Math.round(performance.now() - started);
    await waitUntil(
      () => members().every((a) => a.events.some((e) => e.type === 'share-promoted')),
      'every member promoting its share',
      10_000,
    );
    process.stdout.write(`stake to accepted (4 members, t = 3, 1 s blocks): ${acceptedMs} ms\n`);

    const draw = members()[0]!.reader.state().draw(1n)!;
    expect(draw.status).toBe('approved');
    expect(new Set(members().map((a) => a.node.network.address))).toEqual(new Set(draw.committee));
    const outsider = agents.find((a) => !draw.committee.includes(a.node.network.address))!;
    expect(outsider.source.current().validators).toEqual([]);
    const validators = members().map((a) => a.source.current().validators[0]!);
    const groupKey = hex(validators[0]!.groupPublicKey);
    for (const v of validators) {
      expect(hex(v.groupPublicKey)).toBe(groupKey);
      expect(v.threshold).toBe(3);
      expect(v.members.map((m) => m.operator)).toEqual(draw.committee);
      expect(v.members.map((m) => hex(m.publicShare))).toEqual(
        validators[0]!.members.map((m) => hex(m.publicShare)),
      );
    }
    // The deposit contract's DepositEvent carries the same key, 1 ETH, the registry's credentials.
    const logs = await getLogs(admin, {
      address: deployment.depositContract!,
      fromBlock: deployment.fromBlock,
    });
    const deposits = parseEventLogs({ abi: depositContractAbi, logs, eventName: 'DepositEvent' });
    // (the 31 ETH top-up may already follow: below)
    expect(deposits.length).toBeGreaterThanOrEqual(1);
    expect(deposits[0]!.args.pubkey).toBe(groupKey);
    expect(deposits[0]!.args.amount).toBe('0x00ca9a3b00000000'); // 1e9 gwei, little-endian
    // Each member's share is in its keys directory (promoted), and nothing is left pending.
    for (const a of members()) {
      const me = validators[0]!.members.find((m) => m.operator === a.node.network.address)!;
      const files = readdirSync(a.keysDir);
      expect(files).toEqual([`keystore-${groupKey.slice(2)}-${me.shareIndex}.json`]);
      const { secret } = await decryptKeystoreFile(
        join(a.keysDir, files[0]!),
        `password ${agents.indexOf(a)}`,
      );
      expect(hex(SecretKey.fromBytes(secret).toPublicKey().bytes)).toBe(hex(me.publicShare));
      expect(readdirSync(join(a.stateDir, 'dkg'))).toEqual([]);
      expect(a.events.some((e) => e.type === 'share-promoted')).toBe(true);
      expect(
        a.source
          .current()
          .peers.map((p) => p.address)
          .sort(),
      ).toEqual(draw.committee.filter((m) => m !== a.node.network.address).sort());
    }
    expect(
      agents.flatMap((a) => a.events).filter((e) => e.type === 'result-submitted').length,
    ).toBeGreaterThanOrEqual(1);
    expect(stakeHash).toMatch(/^0x/);

    // The operators holding key shares (here the committee: the fifth holds none and has no weight)
    // confirm the credentials with the index the deposit order gives (0: the first deposit), and with
    // a quorum of their seats the registry deposits 31 ETH more.
    await waitUntil(
      () => agents.every((a) => a.reader.state().validator(1n)?.validatorIndex === 0),
      'the validator funded with index 0',
      60_000,
    );
    const signed = agents.filter((a) => a.events.some((e) => e.type === 'confirmation-signed'));
    expect(signed.length).toBeGreaterThanOrEqual(3); // 2/3 of the 4 seats held
    expect(signed.map((a) => a.node.network.address).every((a) => draw.committee.includes(a))).toBe(true);
    expect(agents.flatMap((a) => a.events).filter((e) => e.type === 'confirmation-submitted')).toHaveLength(
      1,
    );
    const topUps = parseEventLogs({
      abi: depositContractAbi,
      logs: await getLogs(admin, { address: deployment.depositContract!, fromBlock: deployment.fromBlock }),
      eventName: 'DepositEvent',
    });
    expect(topUps).toHaveLength(2);
    expect(topUps[1]!.args.pubkey).toBe(groupKey);
    expect(Buffer.from(topUps[1]!.args.amount.slice(2), 'hex').readBigUInt64LE(0)).toBe(31_000_000_000n);
    expect(topUps[1]!.args.signature).toBe(deposits[0]!.args.signature);
    // the source leaves the index to the beacon node (the chain's may not be in its state yet)
    expect(members()[0]!.source.current().validators[0]!.validatorIndex).toBeUndefined();

    // An operator rebuilt from nothing but the chain (a new reader, source and agent) serves the same.
    const member = members()[1]!;
    const before = member.source.current();
    await member.lifecycle.stop();
    await member.source.stop();
    await member.reader.stop();
    const i = agents.indexOf(member);
    const restarted = startAgent(root, anvil.url, deployment, member.node, i);
    agents[i] = restarted;
    await restarted.source.start();
    await restarted.lifecycle.start();
    const after = restarted.source.current();
    expect(
      after.validators.map((v) => [
        hex(v.groupPublicKey),
        v.threshold,
        v.members.map((m) => [m.operator, m.shareIndex, hex(m.publicShare)]),
      ]),
    ).toEqual(
      before.validators.map((v) => [
        hex(v.groupPublicKey),
        v.threshold,
        v.members.map((m) => [m.operator, m.shareIndex, hex(m.publicShare)]),
      ]),
    );
    expect(after.peers).toEqual(before.peers);
    // Its share was promoted before: the agent finds it and does nothing more.
    await restarted.reader.poll();
    expect(restarted.events.filter((e) => e.type === 'share-missing' || e.type === 'share-promoted')).toEqual(
      [],
    );
  });
  it('a member that does not take part is named, loses its seat, and the new round is accepted', async () => {
    const chain = () => agents[0]!.reader.state();
    // the previous test can end before this reader's next poll (7.5 s on a quiet CI machine): catch up
    await agents[0]!.reader.poll();
    const first = chain()
      .validator(1n)!
      .members.map((m) => m.operator);
    const outsider = agents.find((a) => !first.includes(a.node.network.address))!;
    // Exactly four operators with capacity: the draw is the outsider and three earlier members. The
    // fourth earlier member (capacity 0 for now) is the only possible replacement.
    const spare = agents.find((a) => a !== outsider && first.includes(a.node.network.address))!;
    const spareWallet = walletOf(anvil.url, spare.node.key);
    const confirm = async (hash: Hex) =>
      expect((await waitForTransactionReceipt(spareWallet, { hash })).status).toBe('success');
    await confirm(
      await withdrawCollateral(spareWallet, {
        operatorRegistry: deployment.operatorRegistry,
        amountWei: parseEther('1'),
      }),
    );
    await outsider.lifecycle.stop(); // online (its network answers nothing), but never joins a ceremony
    const started = performance.now();
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    await waitUntil(() => chain().draw(2n)?.status === 'drawn', 'draw 2', 30_000);
    expect(chain().draw(2n)!.committee).toContain(outsider.node.network.address);
    expect(chain().draw(2n)!.committee).not.toContain(spare.node.network.address);
    await lockCollateral(spareWallet, deployment, '1', '1'); // the spare can take a seat again
    await waitUntil(() => chain().validator(2n) !== undefined, 'validator 2 accepted', 100_000);
    process.stdout.write(
      `stake to accepted with one blocker replaced: ${Math.round(performance.now() - started)} ms\n`,
    );
    const v2 = chain().validator(2n)!;
    expect(v2.members.map((m) => m.operator)).toContain(spare.node.network.address);
    expect(v2.members.map((m) => m.operator)).not.toContain(outsider.node.network.address);
    expect(chain().draw(2n)!.round).toBe(2);
    const running = agents.filter((a) => a !== outsider && a !== spare);
    for (const a of running) {
      const failed = a.events.find((e) => e.type === 'ceremony-failed' && e.drawId === 2n);
      expect(failed).toMatchObject({ stage: 'connect', culprits: [outsider.node.network.address] });
    }
    expect(
      agents.flatMap((a) => a.events).some((e) => e.type === 'failure-reported' && e.drawId === 2n),
    ).toBe(true);
    await waitUntil(
      () =>
        v2.members.every((m) =>
          agents
            .find((a) => a.node.network.address === m.operator)!
            .source.current()
            .validators.some((v) => hex(v.groupPublicKey) === hex(v2.groupPublicKey)),
        ),
      'every new member serving validator 2',
      10_000,
    );
    expect(outsider.source.current().validators).toEqual([]);
  });
  it('a member stopped between its ceremony and the acceptance promotes its share when it restarts', async () => {
    const chain = () => agents[0]!.reader.state();
    await agents[0]!.reader.poll();
    const served = new Set(
      [1n, 2n].flatMap((d) =>
        chain()
          .validator(d)!
          .members.map((m) => m.operator),
      ),
    );
    // The operator left out since the last test gets an agent again; everyone gets 2 more seats.
    const idle = agents.findIndex((a) => !served.has(a.node.network.address));
    await agents[idle]!.source.stop();
    await agents[idle]!.reader.stop();
    agents[idle] = startAgent(root, anvil.url, deployment, agents[idle]!.node, idle);
    await agents[idle]!.source.start();
    await agents[idle]!.lifecycle.start();
    await Promise.all(
      agents.map((a) => lockCollateral(walletOf(anvil.url, a.node.key), deployment, '2', '2')),
    );
    // The first member to finish draw 3's ceremony stops before it approves anything.
    let stopped: Agent | undefined;
    agentEvents.hook = (agent, e) => {
      if (stopped === undefined && e.type === 'ceremony-done' && e.drawId === 3n) {
        stopped = agent;
        void agent.lifecycle.stop();
      }
    };
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    await waitUntil(
      () => chain().validator(3n) !== undefined,
      "validator 3 accepted with the others' approvals",
      100_000,
    );
    agentEvents.hook = undefined;
    const member = stopped!;
    const v3 = chain().validator(3n)!;
    const me = v3.members.find((m) => m.operator === member.node.network.address)!;
    const file = `keystore-${hex(v3.groupPublicKey).slice(2)}-${me.shareIndex}.json`;
    expect(readdirSync(member.keysDir)).not.toContain(file);
    expect(readdirSync(join(member.stateDir, 'dkg'))).toHaveLength(1); // the finished ceremony, pending
    // Restarted from its files and the chain: the chain says accepted, so the pending share is promoted.
    const i = agents.indexOf(member);
    await member.source.stop();
    await member.reader.stop();
    agents[i] = startAgent(root, anvil.url, deployment, member.node, i);
    await agents[i]!.source.start();
    await agents[i]!.lifecycle.start();
    await waitUntil(
      () => agents[i]!.events.some((e) => e.type === 'share-promoted' && e.drawId === 3n),
      'the share promoted',
      10_000,
    );
    expect(readdirSync(member.keysDir)).toContain(file);
    expect(readdirSync(join(member.stateDir, 'dkg'))).toEqual([]);
    const { secret } = await decryptKeystoreFile(join(member.keysDir, file), `password ${i}`);
    expect(hex(SecretKey.fromBytes(secret).toPublicKey().bytes)).toBe(hex(me.publicShare));
  });
});
