// The launcher's two reads of a starting node's REST API: waiting until it answers, and its genesis.
import { DevnetError } from '../errors.ts';
import type { LodestarExit, LodestarGenesisInfo } from '../lodestar-types.ts';

export async function waitForRest(
  restUrl: string,
  exited: Promise<LodestarExit>,
  deadline: number,
): Promise<'up' | 'exited' | 'timeout'> {
  let exitedNow = false;
  void exited.then(() => {
    exitedNow = true;
  });
  while (Date.now() < deadline) {
    if (exitedNow) return 'exited';
    try {
      const res = await fetch(`${restUrl}/eth/v1/node/health`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      // 200 ready, 206 syncing: either way the API answers.
      if (res.status === 200 || res.status === 206) return 'up';
    } catch {
      // not listening yet
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
  }
  return exitedNow ? 'exited' : 'timeout';
}

function isHex(value: unknown): value is `0x${string}` {
  return typeof value === 'string' && /^0x[0-9a-fA-F]*$/.test(value);
}

export async function readGenesisInfo(restUrl: string): Promise<LodestarGenesisInfo> {
  const res = await fetch(`${restUrl}/eth/v1/beacon/genesis`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data?: Record<string, unknown> };
  const d = body.data;
  if (
    !res.ok ||
    !d ||
    typeof d.genesis_time !== 'string' ||
    !isHex(d.genesis_validators_root) ||
    !isHex(d.genesis_fork_version)
  ) {
    throw new DevnetError({
      code: 'UNEXPECTED_RESPONSE',
      url: `${restUrl}/eth/v1/beacon/genesis`,
      status: res.status,
    });
  }
  return {
    genesisTimeSec: Number(d.genesis_time),
    genesisValidatorsRoot: d.genesis_validators_root,
    genesisForkVersion: d.genesis_fork_version,
  };
}
