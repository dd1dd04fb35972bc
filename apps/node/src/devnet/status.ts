// What the devnet shows while it runs: every operator's dashboard report (the status line and the
// combined dashboard are built from them), the status line, and a validator's balance.
import type { DashboardModel } from '../dashboard/model.ts';
import type { DevnetOperator } from './setup.ts';

/** Every operator's dashboard report, fetched from its HTTP server (a node that is down gives none). */
export function networkSource(operators: readonly DevnetOperator[]) {
  return {
    async reports(): Promise<unknown[]> {
      const all = await Promise.all(
        operators.map(async (op) => {
          try {
            const r = await fetch(`http://127.0.0.1:${op.httpPort}/dashboard/data.json`, {
              signal: AbortSignal.timeout(2_000),
            });
            const body = (await r.json()) as { nodes?: unknown[] };
            return Array.isArray(body.nodes) ? body.nodes : [];
          } catch {
            return [];
          }
        }),
      );
      return all.flat();
    },
  };
}

export function statusLine(model: DashboardModel, operators: number, genesisTimeSec: number): string {
  const chain = Date.now() / 1000 < genesisTimeSec ? undefined : model.chain;
  const byReason = new Map<string, number>();
  for (const c of model.outcomes) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + c.count);
  const submitted = byReason.get('submitted') ?? 0;
  const ended = [...byReason.values()].reduce((a, b) => a + b, 0);
  const { included, notIncluded } = model.inclusion;
  const misses = [...byReason]
    .filter(
      ([r]) => r !== 'submitted' && r !== 'signed' && r !== 'not-selected' && r !== 'other-member-publishes',
    )
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return [
    chain
      ? `slot ${chain.slot} epoch ${chain.epoch}`
      : `genesis in ${Math.max(0, Math.round(genesisTimeSec - Date.now() / 1000))} s`,
    `operators up ${model.nodes.length}/${operators}`,
    `member duties submitted ${submitted}/${ended}${misses ? ` (${misses})` : ''}`,
    `attestations included ${included}/${included + notIncluded}`,
  ].join(' | ');
}

/** A validator's balance (gwei) in the beacon node's head state; undefined when it does not answer. */
export async function balanceOf(beaconUrl: string, index: number): Promise<number | undefined> {
  try {
    const r = await fetch(`${beaconUrl}/eth/v1/beacon/states/head/validators/${index}`, {
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await r.json()) as { data?: { balance?: string } };
    const balance = Number(body.data?.balance);
    return Number.isFinite(balance) ? balance : undefined;
  } catch {
    return undefined;
  }
}
