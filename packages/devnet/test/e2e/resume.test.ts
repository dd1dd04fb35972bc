// A chain stopped and started again on its own data: Anvil from its state file; Lodestar from
// genesis with its validator client's slashing protection kept and the saved chain published again,
// after a pause longer than an epoch (the case in which Lodestar 1.5.1 alone would count itself
// stalled and serve no duties). A chain stopped after finality is resumed by the devnet's e2e
// (apps/node test/e2e/devnet-contracts.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportBlocks,
  importBlocks,
  isDevnetError,
  startAnvil,
  startLodestar,
  stopAllLodestarNodes,
} from '../../src/index.ts';
import { recordFigure } from '../helpers/figures.ts';
import { getJson, headSlot, waitFor } from '../helpers/rest.ts';

const dirs: string[] = [];
afterAll(async () => {
  await stopAllLodestarNodes();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const scratchDir = async (name: string) => {
  const dir = await mkdtemp(join(tmpdir(), `diva-devnet-${name}-`));
  dirs.push(dir);
  return dir;
};

async function rpc(url: string, method: string, params: unknown[]): Promise<string> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await r.json()) as { result?: string; error?: { message: string } };
  if (body.result === undefined) throw new Error(`${method}: ${body.error?.message}`);
  return body.result;
}

const SLOT_SEC = 2;
const SLOTS_PER_EPOCH = 8; // minimal

describe('resuming a devnet chain from its data', { timeout: 360_000 }, () => {
  it('Anvil: a second run on the state file continues the chain, reads at past blocks answer', async () => {
    const dir = await scratchDir('anvil-state');
    const stateFile = join(dir, 'state.json');
    const who = '0x00000000000000000000000000000000000d1a7a';
    const first = await startAnvil({ stateFile, logFile: join(dir, 'anvil-1.log') });
    await rpc(first.url, 'anvil_setBalance', [who, '0x1234']);
    await waitFor(
      'two blocks',
      async () => (Number(await rpc(first.url, 'eth_blockNumber', [])) >= 2 ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    const setAt = Number(await rpc(first.url, 'eth_blockNumber', []));
    await first.stop();

    const second = await startAnvil({ stateFile, logFile: join(dir, 'anvil-2.log') });
    try {
      expect(Number(await rpc(second.url, 'eth_blockNumber', []))).toBeGreaterThanOrEqual(setAt);
      expect(await rpc(second.url, 'eth_getBalance', [who, 'latest'])).toBe('0x1234');
      expect(await rpc(second.url, 'eth_getBalance', [who, `0x${setAt.toString(16)}`])).toBe('0x1234');
    } finally {
      await second.stop();
    }
    // without the file: a new chain
    const fresh = await startAnvil({ logFile: join(dir, 'anvil-3.log') });
    try {
      expect(await rpc(fresh.url, 'eth_getBalance', [who, 'latest'])).toBe('0x0');
    } finally {
      await fresh.stop();
    }
  });

  it('Lodestar: restarted from genesis after more than an epoch, it takes its saved chain back and goes on', async () => {
    const dataDir = await scratchDir('lodestar-resume');
    const genesisTimeSec = Math.floor(Date.now() / 1000) + 12;
    const genesis = { kind: 'interop', validatorCount: 8, genesisTimeSec } as const;
    const first = await startLodestar({ genesis, dataDir, keepChainData: true, secondsPerSlot: SLOT_SEC });
    let saved: Awaited<ReturnType<typeof exportBlocks>>;
    const blocksFile = join(dataDir, 'blocks.json');
    try {
      // a chain of an epoch and a half (the devnet's e2e, apps/node, stops one after finality)
      await waitFor(
        'the head at slot 12',
        async () => ((await headSlot(first.restUrl)) >= 12 ? true : undefined),
        {
          timeoutMs: 120_000,
          intervalMs: 500,
        },
      );
      saved = await exportBlocks(first.restUrl, blocksFile);
    } finally {
      await first.stop();
    }
    expect(saved.blocks.at(-1)!.slot).toBe(saved.headSlot);
    expect(saved.blocks[0]!.slot).toBe(1);
    expect(saved.blocks.length).toBeGreaterThanOrEqual(8);
    const stoppedAt = Date.now();

    // more than an epoch passes with the chain stopped: without the resume's module the node would
    // count itself stalled (no peer to sync from) and serve no duty, so no block would ever come
    const pauseMs = (SLOTS_PER_EPOCH + 1) * SLOT_SEC * 1000;
    await new Promise((r) => setTimeout(r, pauseMs));
    const second = await startLodestar({
      genesis,
      dataDir,
      keepChainData: true,
      secondsPerSlot: SLOT_SEC,
      resume: true,
    });
    try {
      expect(second.genesis.genesisTimeSec).toBe(genesisTimeSec);
      // it came back at genesis; the saved blocks bring the head back
      const imported = await importBlocks(second.restUrl, blocksFile);
      expect(imported.refused).toEqual([]);
      expect(imported.imported + imported.known).toBe(saved.blocks.length);
      expect(imported.headSlot).toBeGreaterThanOrEqual(saved.headSlot);
      // then the chain goes on past the gap: a new block on top of the saved chain
      const next = await waitFor(
        'a block after the gap',
        async () => {
          const head = await headSlot(second.restUrl);
          return head > saved.headSlot + SLOTS_PER_EPOCH ? head : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      // on the saved chain: the canonical chain still holds the saved head's block
      const savedHead = await getJson<{ data: { root: string } }>(
        second.restUrl,
        `/eth/v1/beacon/blocks/${saved.headSlot}/root`,
      );
      expect(savedHead.status).toBe(200);
      recordFigure('resume.lodestar', {
        pauseSec: Math.round((Date.now() - stoppedAt) / 1000),
        blocksSaved: saved.blocks.length,
        imported: imported.imported,
        firstBlockAfterGap: next,
      });
    } finally {
      await second.stop();
    }
  });

  it("refuses a resume without the first run's genesis or data directory", async () => {
    const err = await startLodestar({ resume: true, dataDir: tmpdir() }).catch((e: unknown) => e);
    expect(isDevnetError(err, 'INVALID_OPTION') && err.details.option).toBe('resume');
    const noDir = await startLodestar({
      resume: true,
      genesis: { kind: 'interop', validatorCount: 8, genesisTimeSec: 1 },
    }).catch((e: unknown) => e);
    expect(isDevnetError(noDir, 'INVALID_OPTION') && noDir.details.reason).toMatch(/dataDir/);
    await expect(importBlocks('http://127.0.0.1:9', join(tmpdir(), 'no-such-blocks.json'))).rejects.toThrow(
      /BLOCKS_FILE.*no-such-blocks\.json/,
    );
  });
});
