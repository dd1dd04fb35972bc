import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isDevnetError,
  type LodestarNode,
  startLodestar,
  stopAllLodestarNodes,
  withLodestar,
} from '../src/index.ts';
import { recordFigure } from './helpers/figures.ts';
import { getJson, headSlot, isAlive, waitFor } from './helpers/rest.ts';

/** Files this suite writes into the temp directory, removed at the end. */
const scratch: string[] = [];
afterAll(async () => {
  await stopAllLodestarNodes();
  await Promise.all(scratch.map((file) => rm(file, { force: true })));
});

async function fakeBinary(name: string, source: string): Promise<string> {
  const file = join(tmpdir(), `diva-devnet-${name}-${process.pid}.mjs`);
  scratch.push(file);
  await writeFile(file, source);
  return file;
}

// Lodestar needs 2-20 s to start, over a minute on an overloaded machine (start timeout 120 s)
describe('startLodestar', { timeout: 300_000 }, () => {
  it('starts Lodestar, waits until REST answers, captures its log and stops it', async () => {
    const node = await startLodestar({ genesis: { kind: 'interop', validatorCount: 8 } });
    try {
      expect(node.running).toBe(true);
      expect(node.restUrl).toBe(`http://127.0.0.1:${node.restPort}`);
      const health = await fetch(`${node.restUrl}/eth/v1/node/health`);
      expect([200, 206]).toContain(health.status);
      const version = await getJson<{ data: { version: string } }>(node.restUrl, '/eth/v1/node/version');
      expect(version.body.data.version).toMatch(/^Lodestar\/v1\.5\.1/);
      const spec = await getJson<{ data: Record<string, string> }>(node.restUrl, '/eth/v1/config/spec');
      expect(spec.body.data.PRESET_BASE).toBe('minimal');
      expect(spec.body.data.SECONDS_PER_SLOT).toBe('2');
      // blocks come: the node's own validator client runs all 8 interop keys
      const firstBlockSlot = await waitFor(
        'the first block',
        async () => {
          const slot = await headSlot(node.restUrl);
          return slot > 0 ? slot : undefined;
        },
        { timeoutMs: 40_000 },
      );
      const firstBlockAfterGenesisMs = Date.now() - node.genesis.genesisTimeSec * 1000;
      expect(firstBlockSlot).toBeGreaterThan(0);
      const log = await node.readLog();
      expect(log).toMatch(/Lodestar/);
      expect(log).toMatch(/Published block/);
      recordFigure('launcher.startupToRestMs', node.startupMs);
      recordFigure('launcher.firstBlock', { slot: firstBlockSlot, msAfterGenesis: firstBlockAfterGenesisMs });
    } finally {
      const stopped = await node.stop();
      recordFigure('launcher.stop', { how: stopped.how, stopMs: stopped.stopMs });
    }
    expect(node.running).toBe(false);
    expect(isAlive(node.pid)).toBe(false);
    await expect(fetch(`${node.restUrl}/eth/v1/node/health`)).rejects.toThrow();
  });

  it('stops the node also when the test body throws', async () => {
    let seen: LodestarNode | undefined;
    await expect(
      withLodestar({ genesis: { kind: 'interop', validatorCount: 4 } }, async (node) => {
        seen = node;
        expect(isAlive(node.pid)).toBe(true);
        throw new Error('the test failed');
      }),
    ).rejects.toThrow('the test failed');
    expect(seen).toBeDefined();
    expect(isAlive(seen!.pid)).toBe(false);
    await expect(fetch(`${seen!.restUrl}/eth/v1/node/health`)).rejects.toThrow();
  });

  it('runs two nodes at once on different ports, each with its own chain', async () => {
    const [a, b] = await Promise.all([
      startLodestar({ genesis: { kind: 'interop', validatorCount: 4 } }),
      startLodestar({ genesis: { kind: 'interop', validatorCount: 6 }, startValidators: null }),
    ]);
    try {
      expect(new Set([a.restPort, a.p2pPort, b.restPort, b.p2pPort]).size).toBe(4);
      expect(a.logFile).not.toBe(b.logFile);
      const count = async (n: LodestarNode) =>
        (await getJson<{ data: unknown[] }>(n.restUrl, '/eth/v1/beacon/states/head/validators')).body.data
          .length;
      expect(await count(a)).toBe(4);
      expect(await count(b)).toBe(6);
      expect(a.genesis.genesisValidatorsRoot).not.toBe(b.genesis.genesisValidatorsRoot);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(isAlive(a.pid) || isAlive(b.pid)).toBe(false);
  });

  it('rejects a binary path that does not exist', async () => {
    const err = await startLodestar({ binary: '/nonexistent/lodestar' }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'BINARY_NOT_FOUND')).toBe(true);
    expect(String(err)).toContain('/nonexistent/lodestar');
  });

  it('reports an early exit of Lodestar with the tail of its log', async () => {
    // Lodestar itself refuses an unknown chain-config value and exits
    const err = await startLodestar({ params: { NOT_A_PARAM: 1 } }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'EARLY_EXIT')).toBe(true);
    if (!isDevnetError(err, 'EARLY_EXIT')) return;
    expect(err.details.exitCode).not.toBe(0);
    expect(err.details.logTail).toContain('NOT_A_PARAM');
    expect(err.message).toContain('NOT_A_PARAM');
  });

  it('reports a binary that is not Lodestar and exits', async () => {
    const binary = await fakeBinary(
      'exits',
      "process.stderr.write('fatal: not a beacon node\\n'); process.exit(3);\n",
    );
    const err = await startLodestar({ binary }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'EARLY_EXIT')).toBe(true);
    if (!isDevnetError(err, 'EARLY_EXIT')) return;
    expect(err.details.exitCode).toBe(3);
    expect(err.details.logTail).toContain('fatal: not a beacon node');
  });

  it('times out when REST never answers, and stops the process', async () => {
    const binary = await fakeBinary(
      'silent',
      "process.stdout.write('pid ' + process.pid + '\\n'); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n",
    );
    const err = await startLodestar({
      binary,
      startTimeoutMs: 1_500,
      stopTimeoutsMs: { firstTerm: 300, secondTerm: 300 },
    }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'REST_TIMEOUT')).toBe(true);
    if (!isDevnetError(err, 'REST_TIMEOUT')) return;
    const pid = Number(/pid (\d+)/.exec(err.details.logTail)?.[1]);
    expect(pid).toBeGreaterThan(0);
    // it ignored both SIGTERMs, so the launcher had to SIGKILL it
    expect(isAlive(pid)).toBe(false);
  });

  it('refuses a REST port that is already in use', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await startLodestar({ restPort: port }).catch((e: unknown) => e);
      expect(isDevnetError(err, 'PORT_IN_USE')).toBe(true);
      if (!isDevnetError(err, 'PORT_IN_USE')) return;
      expect(err.details).toMatchObject({ port, which: 'rest' });
    } finally {
      server.close();
    }
  });

  it('refuses a genesis state whose genesis time has passed', async () => {
    const stateFile = join(tmpdir(), `diva-devnet-old-genesis-${process.pid}.ssz`);
    scratch.push(stateFile);
    const bytes = Buffer.alloc(64);
    bytes.writeBigUInt64LE(BigInt(Math.floor(Date.now() / 1000) - 3600));
    await writeFile(stateFile, bytes);
    const err = await startLodestar({ genesis: { kind: 'state', stateFile } }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'GENESIS_IN_PAST')).toBe(true);
  });

  it('changes preset values before Lodestar loads them: BASE_REWARD_FACTOR 2 pays 1/32 of minimal', async () => {
    // two chains side by side, the same 8 interop validators: minimal's factor 64 and factor 2
    const [plain, scaled] = await Promise.all([
      startLodestar({ genesis: { kind: 'interop', validatorCount: 8 } }),
      startLodestar({
        genesis: { kind: 'interop', validatorCount: 8 },
        presetOverrides: { BASE_REWARD_FACTOR: 2 },
      }),
    ]);
    try {
      // the spec endpoint shows the base preset (Lodestar 1.5.1 reads `activePreset`), the log what is in force
      expect(await scaled.readLog()).toContain('preset overrides in force: BASE_REWARD_FACTOR=2');
      const gainAtEpoch4 = async (node: LodestarNode) => {
        await waitFor('epoch 4', async () => ((await headSlot(node.restUrl)) >= 4 * 8 ? true : undefined), {
          timeoutMs: 240_000,
        });
        const balances = await getJson<{ data: { balance: string }[] }>(
          node.restUrl,
          '/eth/v1/beacon/states/head/validator_balances',
        );
        return balances.body.data.reduce((sum, b) => sum + Number(b.balance) - 32e9, 0);
      };
      const [plainGain, scaledGain] = await Promise.all([gainAtEpoch4(plain), gainAtEpoch4(scaled)]);
      expect(scaledGain).toBeGreaterThan(0);
      // 1/32 in theory; the two heads may be a slot apart
      expect(scaledGain).toBeLessThan(plainGain / 16);
      recordFigure('launcher.presetOverrides', { plainGainGwei: plainGain, scaledGainGwei: scaledGain });
    } finally {
      await Promise.all([plain.stop(), scaled.stop()]);
    }
  });

  it('refuses preset overrides that are not preset names or integers', async () => {
    for (const presetOverrides of [{ base_reward_factor: 2 }, { BASE_REWARD_FACTOR: 1.5 }]) {
      const err = await startLodestar({ presetOverrides }).catch((e: unknown) => e);
      expect(isDevnetError(err, 'INVALID_OPTION')).toBe(true);
      expect(String(err)).toContain('presetOverrides');
    }
  });

  it('rejects invalid options before starting anything', async () => {
    const err = await startLodestar({ secondsPerSlot: 0 }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'INVALID_OPTION')).toBe(true);
    expect(String(err)).toContain('secondsPerSlot');
  });
});
