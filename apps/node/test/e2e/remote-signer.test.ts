// End to end: a stock validator client (Lodestar 1.5.1's `lodestar validator`) signs through a
// diva-node's Web3Signer API, backed by the committee. One distributed validator (interop genesis
// validator 6 of 8; Lodestar's own validator client runs 0..5) is split 3-of-4 among 4 operators:
// operator 0 serves a Lodestar validator client (`--externalSigner.url`, `--externalSigner.fetch`),
// operators 1 and 2 run the built-in client, operator 3 is never started, so no duty is signed
// without the external client's requests. Checked: the validator's attestations are included; a
// double vote sent straight to the API is refused (412) and nothing slashable is signed; a
// validator added to the cluster file shows in `publicKeys` after `POST /reload`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { ssz } from '@diva-dvt/beacon-api/spec';
import {
  allocatePortRange,
  defaultLodestarBinary,
  interopSecretKey,
  startLodestar,
  stopAllLodestarNodes,
} from '@diva-dvt/devnet';
import { createDevCluster, createSlashingProtection, writeClusterFile } from '@diva-dvt/operator';
import { afterAll, describe, expect, it } from 'vitest';
import { chainView } from '../helpers/chain.ts';
import { type NodeProcess, nodeProcess } from '../helpers/processes.ts';

const GENESIS_VALIDATORS = 8;
/** The distributed validator the external client drives, and the one added later by a reload. */
const OURS = 6;
const ADDED = 7;
const SECONDS_PER_SLOT = 6;
const SLOTS_PER_EPOCH = 8;
const SLOT_MS = SECONDS_PER_SLOT * 1000;
// Lodestar and 3 node processes start on 2 loaded cores
const GENESIS_DELAY_SEC = 60;

const processes: NodeProcess[] = [];
let vc: ChildProcess | undefined;
afterAll(async () => {
  vc?.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await stopAllLodestarNodes();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

describe('a Lodestar validator client signing through diva-node', () => {
  it('attests through the committee; a double vote is refused; a reload adds a validator', {
    timeout: 6 * 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diva-node-w3s-e2e-'));
    const basePort = await allocatePortRange('127.0.0.1', 4);
    const cluster = await createDevCluster({
      secretKeys: [interopSecretKey(OURS), interopSecretKey(ADDED)],
      validatorIndices: [OURS, ADDED],
      operators: 4,
      committeeSize: 4,
      threshold: 3,
      seed: 'diva-node remote signer e2e',
      dir,
      password: 'e2e password',
      kdf: 'fast',
      basePort,
    });
    // the nodes start with validator 6 only; 7's shares are in the key directories already
    await writeClusterFile(cluster.clusterFile, {
      ...cluster.cluster,
      validators: [cluster.cluster.validators[0]!],
    });

    const genesisTimeSec = Math.floor(Date.now() / 1000) + GENESIS_DELAY_SEC;
    const lodestar = await startLodestar({
      genesis: { kind: 'interop', validatorCount: GENESIS_VALIDATORS, genesisTimeSec },
      secondsPerSlot: SECONDS_PER_SLOT,
      startValidators: { from: 0, to: OURS - 1 },
      startTimeoutMs: 120_000,
    });
    for (const op of cluster.operators.slice(0, 3)) {
      const dataDir = join(dir, `data-${op.index}`);
      await mkdir(dataDir, { recursive: true });
      const configFile = join(dir, `config-${op.index}.json`);
      await writeFile(
        configFile,
        JSON.stringify({
          dataDir,
          beaconNodes: [lodestar.restUrl],
          cluster: cluster.clusterFile,
          keys: { dir: op.dir, passwordFile: op.passwordFile },
          p2p: { listen: [op.multiaddr] },
          log: { level: 'info' },
          consensus: { roundTimeoutMs: 1_000 },
          ...(op.index === 0 ? { web3signer: { port: 0, validators: 'all' } } : {}),
        }),
      );
      processes.push(
        nodeProcess(`operator-${op.index}`, configFile, join(dir, `operator-${op.index}.log`), {
          LODESTAR_PRESET: 'minimal',
        }),
      );
    }
    for (const p of processes) p.start();
    const running = await Promise.all(
      processes.map((p) => p.waitForLine((l) => l.msg === 'diva-node running', 120_000)),
    );
    const signerUrl = String(running[0]!.web3signer);
    // operator 0's built-in client leaves the validator to the external client; the others run it
    const scheduled = await Promise.all(
      processes.map((p) => p.waitForLine((l) => l.msg === 'validator client started', 1_000)),
    );
    expect(scheduled.map((l) => l.validators)).toEqual([0, 1, 1]);
    const publicKeys = async () =>
      (await (await fetch(`${signerUrl}/api/v1/eth2/publicKeys`)).json()) as string[];
    const [ours, added] = cluster.validators.map((v) => hex(v.committee.groupPublicKey));
    expect(await publicKeys()).toEqual([ours]);

    // Lodestar's validator client, keys fetched from the API (1.5.1 fetches them once, at start)
    const vcLog = join(dir, 'lodestar-vc.log');
    const vcOut = await open(vcLog, 'a');
    vc = spawn(
      process.execPath,
      [
        defaultLodestarBinary(),
        'validator',
        '--dataDir',
        join(dir, 'vc'),
        '--beaconNodes',
        lodestar.restUrl,
        '--externalSigner.url',
        signerUrl,
        '--externalSigner.fetch',
        '--params.SECONDS_PER_SLOT',
        String(SECONDS_PER_SLOT),
        '--params.ALTAIR_FORK_EPOCH',
        '0',
        '--logLevel',
        'info',
      ],
      { stdio: ['ignore', vcOut.fd, vcOut.fd], env: { ...process.env, LODESTAR_PRESET: 'minimal' } },
    );
    await vcOut.close();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in Lodestar's log
    const vcLines = async () => (await readFile(vcLog, 'utf8')).replace(/\u001b\[[0-9;]*m/g, '');

    /** Lodestar's log line of an attestation it signed through the API (published, or a duplicate). */
    const signedAttestation = (slot: string) =>
      new RegExp(
        `Published attestations slot=${slot},|Error publishing attestations slot=${slot} .*ATTESTATION_ALREADY_KNOWN`,
      );

    const api = createBeaconApi(createBeaconNodeClient({ url: lodestar.restUrl }));
    const chain = chainView(api, SLOTS_PER_EPOCH);
    await sleep(Math.max(0, genesisTimeSec * 1000 - Date.now()));
    const tracking = chain.trackDuties([OURS], SLOT_MS);

    // The client has its keys (1.5.1 fetches them once): validator 6 only. A key whose committee
    // cannot sign (7: the other members do not serve it) must not reach it, as Lodestar 1.5.1 fails
    // the whole epoch's attester duties, of every key, when one selection proof is refused.
    for (let i = 0; i < 600 && !/Discovered new validators count=1/.test(await vcLines()); i++)
      await sleep(200);
    expect(await vcLines()).toMatch(/Discovered new validators count=1/);
    // POST /reload: the cluster file now lists validator 7 too; the node loads its share
    await writeClusterFile(cluster.clusterFile, cluster.cluster);
    expect((await fetch(`${signerUrl}/reload`, { method: 'POST' })).status).toBe(202);
    for (let i = 0; i < 50 && (await publicKeys()).length < 2; i++) await sleep(200);
    expect((await publicKeys()).sort()).toEqual([ours, added].sort());

    // epochs 0 and 1, plus a block for the last slot's attestations
    await chain.waitForSlot(2 * SLOTS_PER_EPOCH + 1, 4 * SLOTS_PER_EPOCH * SLOT_MS);
    const report = await chain.attestations([OURS], 0, 2 * SLOTS_PER_EPOCH - 1);
    expect(report.includedEpochs(OURS).length).toBeGreaterThanOrEqual(1);
    // the external client got the group signatures (the built-in members alone are 2, below the
    // threshold); when a built-in member published first, the client's copy is a duplicate
    expect(await vcLines()).toMatch(signedAttestation('\\d+'));

    // Double votes, sent straight to the API: other data for the slot of the client's attestation
    // of epoch E while its duty runs (one decision per duty: 412), and the same once the slot is
    // over (the slashing protection: 412 before anything starts).
    const spec = (await api.getSpec()).data as Record<string, unknown>;
    const genesis = (await api.getGenesis()).data;
    const forkInfo = {
      fork: {
        previous_version: hex(genesis.genesisForkVersion),
        current_version: String(spec.ALTAIR_FORK_VERSION),
        epoch: '0',
      },
      genesis_validators_root: hex(genesis.genesisValidatorsRoot),
    };
    const doubleVote = async (slot: number) => {
      const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
      const data = ssz.phase0.AttestationData.defaultValue();
      data.slot = slot;
      data.index = 0;
      data.beaconBlockRoot = new Uint8Array(32).fill(0x42);
      data.source = { epoch: Math.max(0, epoch - 1), root: new Uint8Array(32).fill(0x43) };
      data.target = { epoch, root: new Uint8Array(32).fill(0x44) };
      const res = await fetch(`${signerUrl}/api/v1/eth2/sign/${ours}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'ATTESTATION',
          fork_info: forkInfo,
          attestation: ssz.phase0.AttestationData.toJson(data),
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const currentSlot = () => Math.floor((Date.now() / 1000 - genesisTimeSec) / SECONDS_PER_SLOT);
    let refused: { status: number; body: Record<string, unknown> } | undefined;
    let targetEpoch = -1;
    let doubleVoteSlot = -1;
    for (let epoch = 2; epoch <= 4 && refused === undefined; epoch++) {
      const last = (epoch + 1) * SLOTS_PER_EPOCH - 1;
      await chain.waitForSlot(epoch * SLOTS_PER_EPOCH - 1, 2 * SLOTS_PER_EPOCH * SLOT_MS);
      const duty = (await chain.attestations([OURS], epoch * SLOTS_PER_EPOCH, last)).duties[0];
      if (duty === undefined) continue;
      // the client's attestation of that slot went out (its signature came from the committee)
      while (currentSlot() <= duty.slot && !signedAttestation(String(duty.slot)).test(await vcLines()))
        await sleep(200);
      if (currentSlot() !== duty.slot) continue;
      refused = await doubleVote(duty.slot);
      targetEpoch = epoch;
      doubleVoteSlot = duty.slot;
    }
    expect(refused?.status).toBe(412);
    expect(String(refused?.body.message)).toContain('the committee decided another value');
    // once that slot is over, the same request is a double vote for a past target: the node's
    // slashing protection refuses it at once (412), before any duty starts
    while (currentSlot() <= doubleVoteSlot) await sleep(200);
    const past = await doubleVote(doubleVoteSlot);
    expect(past.status).toBe(412);
    expect(String(past.body.message)).toContain('DOUBLE_VOTE');
    expect(past.body.signature).toBeUndefined();
    expect(refused?.body.signature).toBeUndefined();
    tracking.stop();

    // Everyone stopped; the slashing-protection databases hold no slashable pair, and operator 0's
    // holds one root for the target of the refused double vote
    vc.kill('SIGTERM');
    const codes = await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    expect(codes.every((c) => c === '0')).toBe(true);
    for (const op of cluster.operators.slice(0, 3)) {
      const protection = await createSlashingProtection({
        path: join(dir, `data-${op.index}`, 'slashing-protection.sqlite'),
        genesisValidatorsRoot: genesis.genesisValidatorsRoot,
      });
      const exported = await protection.exportInterchange();
      await protection.close();
      for (const record of exported.data) {
        const atts = record.signed_attestations.map((a) => ({
          source: Number(a.source_epoch),
          target: Number(a.target_epoch),
          root: a.signing_root ?? '',
        }));
        for (const a of atts) {
          for (const b of atts) {
            if (a === b) continue;
            expect(a.target === b.target && a.root !== b.root).toBe(false);
            expect(a.source < b.source && b.target < a.target).toBe(false);
          }
        }
        if (op.index === 0 && record.pubkey === ours) {
          expect(atts.filter((a) => a.target === targetEpoch)).toHaveLength(1);
        }
      }
    }
  });
});
