// What the node reports as its readiness (`/readiness`: beacon node synced, enough committee peers,
// clock offset to the committee), and the wait for a beacon node that does not answer yet.
import type { BeaconApi, Genesis } from '@diva-dvt/beacon-api';
import type { Logger, OperatorNode } from '@diva-dvt/operator';
import type { ReadinessCheck } from './http.ts';

/** The beacon node's genesis, asked every 2 s until it answers (logged every 30 s). */
export async function waitForGenesis(api: BeaconApi, logger: Logger): Promise<Genesis> {
  const started = Date.now();
  let logged = 0;
  for (;;) {
    try {
      return (await api.getGenesis(undefined, { timeoutMs: 2_000 })).data;
    } catch (e) {
      if (Date.now() - logged >= 30_000) {
        logged = Date.now();
        logger.info('waiting for the beacon node (genesis)', {
          waitedSec: Math.round((Date.now() - started) / 1000),
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

export async function readiness(node: OperatorNode, api: BeaconApi): Promise<ReadinessCheck[]> {
  const checks: ReadinessCheck[] = [];
  try {
    const syncing = (await api.getSyncingStatus(undefined, { timeoutMs: 2_000 })).data;
    checks.push(
      syncing.isSyncing
        ? { name: 'beacon-node', ok: false, detail: `syncing (${syncing.syncDistance} slots behind)` }
        : { name: 'beacon-node', ok: true },
    );
  } catch (e) {
    checks.push({ name: 'beacon-node', ok: false, detail: e instanceof Error ? e.message : String(e) });
  }
  const short = node.committeeReadiness().filter((c) => c.connected < c.threshold - 1);
  checks.push(
    short.length === 0
      ? { name: 'committee-peers', ok: true }
      : {
          name: 'committee-peers',
          ok: false,
          detail: `${short.length} committee(s) with fewer than t - 1 peers connected, e.g. ${short[0]!.groupPublicKey}: ${short[0]!.connected} of ${short[0]!.threshold - 1}`,
        },
  );
  const offset = node.committeeClockOffsetMs();
  checks.push(
    offset === undefined || Math.abs(offset) <= MAX_CLOCK_OFFSET_MS
      ? {
          name: 'clock-offset',
          ok: true,
          ...(offset === undefined ? { detail: 'not measured yet' } : {}),
        }
      : {
          name: 'clock-offset',
          ok: false,
          detail: `median offset to the committee peers is ${Math.round(offset)} ms (limit ${MAX_CLOCK_OFFSET_MS} ms): check NTP`,
        },
  );
  return checks;
}

/** Readiness fails beyond this median clock offset to the committee (issue 16). */
const MAX_CLOCK_OFFSET_MS = 200;
